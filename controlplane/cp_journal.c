#include "cp_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp_log.h"
#include "ct.h"

#define JOURNAL_FORMAT 1
#define SECTION_NAME   32

struct section {
	char name[SECTION_NAME];
	cp_journal_save_fn *save;
	cp_journal_load_fn *load;
	void *ctx;
};

static struct {
	char path[512];
	char tmp[520];
	struct section sec[CP_JOURNAL_MAX_SECTIONS];
	unsigned n_sec;
	bool bound;            /* a dataplane instance is known: saves describe it */
	bool restored;
	bool failing;          /* the last save failed (log once per streak) */
	bool dirty;            /* cp_journal_touch since the last write */
	uint64_t last_write_ms;
	int32_t dp_pid;
	uint64_t dp_start_ns;
} J;

int
cp_journal_init(const char *dir, const char *prefix)
{
	int n = snprintf(J.path, sizeof(J.path), "%s/%s.journal.json", dir, prefix);
	struct stat st;

	if (n < 0 || (size_t)n >= sizeof(J.path)) {
		J.path[0] = '\0';
		return -ENAMETOOLONG;
	}
	snprintf(J.tmp, sizeof(J.tmp), "%s.tmp", J.path);
	/* Only the control plane reads it: it names sessions and streams, and
	 * holds keys (the file itself is 0600). */
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	if (stat(dir, &st) == 0 && (st.st_mode & 0077) != 0)
		CP_WARN("journal directory %s is mode %03o: others may list it (0700 expected)",
			dir, (unsigned)(st.st_mode & 0777));
	return 0;
}

int
cp_journal_register(const char *name, cp_journal_save_fn *save, cp_journal_load_fn *load,
		    void *ctx)
{
	if (name == NULL || save == NULL || load == NULL || strlen(name) >= SECTION_NAME)
		return -EINVAL;
	for (unsigned i = 0; i < J.n_sec; i++)
		if (strcmp(J.sec[i].name, name) == 0)
			return -EEXIST;
	if (J.n_sec == CP_JOURNAL_MAX_SECTIONS)
		return -ENOSPC;
	snprintf(J.sec[J.n_sec].name, SECTION_NAME, "%s", name);
	J.sec[J.n_sec].save = save;
	J.sec[J.n_sec].load = load;
	J.sec[J.n_sec].ctx = ctx;
	J.n_sec++;
	return 0;
}

/* The journal's sections when it describes instance (pid, start); NULL otherwise. */
static json_t *
load_matching(int32_t pid, uint64_t start_ns)
{
	json_error_t err;
	json_t *root, *dp;
	json_int_t fmt, jpid, jstart;

	root = json_load_file(J.path, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL) {
		if (access(J.path, F_OK) == 0)
			CP_WARN("journal %s unreadable (%s at line %d): sessions not taken over",
				J.path, err.text, err.line);
		return NULL;
	}
	dp = json_object_get(root, "dataplane");
	fmt = json_integer_value(json_object_get(root, "format"));
	jpid = json_integer_value(json_object_get(dp, "pid"));
	jstart = json_integer_value(json_object_get(dp, "start_unix_ns"));
	if (fmt != JOURNAL_FORMAT || jpid != pid || (uint64_t)jstart != start_ns) {
		CP_INFO("journal %s describes another dataplane (pid %lld): ignored", J.path,
			(long long)jpid);
		json_decref(root);
		return NULL;
	}
	return root;
}

bool
cp_journal_restore(int32_t dp_pid, uint64_t dp_start_ns)
{
	json_t *root = J.path[0] ? load_matching(dp_pid, dp_start_ns) : NULL;

	J.dp_pid = dp_pid;
	J.dp_start_ns = dp_start_ns;
	J.bound = true;
	J.restored = false;
	if (root == NULL) {
		cp_journal_remove();
		return false;
	}
	for (unsigned i = 0; i < J.n_sec; i++) {
		json_t *v = json_object_get(json_object_get(root, "sections"), J.sec[i].name);
		int rc;

		if (v == NULL)
			continue;
		rc = J.sec[i].load(J.sec[i].ctx, v);
		if (rc != 0)
			CP_WARN("journal section %s not taken over: %s", J.sec[i].name,
				strerror(-rc));
	}
	json_decref(root);
	J.restored = true;
	CP_NOTICE("journal %s: took over the sessions of dataplane pid %d", J.path, (int)dp_pid);
	return true;
}

bool
cp_journal_restored(void)
{
	return J.restored;
}

/*
 * Write root to the temp file. The file holds secrets (SDES keys, ICE
 * passwords, the generated DTLS key): it is created 0600, never wider for a
 * moment, and stdio buffers it in ours, wiped after each write, so no copy of
 * the text stays in freed memory.
 */
static int
write_tmp(json_t *root)
{
	static char buf[65536];
	FILE *f;
	int fd, rc = 0;

	fd = open(J.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	/* a temp file a crash left behind keeps its mode through O_CREAT */
	if (fchmod(fd, 0600) != 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		close(fd);
		return rc;
	}
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	errno = 0;
	/* Compact: rewritten on every change of a session. */
	if (json_dumpf(root, f, JSON_COMPACT) != 0)
		rc = errno ? -errno : -EIO;
	errno = 0;
	if (fclose(f) != 0 && rc == 0)
		rc = errno ? -errno : -EIO;
	gw_wipe(buf, sizeof(buf));
	return rc;
}

int
cp_journal_save(void)
{
	json_t *root, *secs;
	int rc = 0;

	if (!J.bound || J.path[0] == '\0')
		return 0;
	secs = json_object();
	root = json_pack("{s:i, s:{s:i, s:I}, s:o}", "format", JOURNAL_FORMAT, "dataplane", "pid",
			 (int)J.dp_pid, "start_unix_ns", (json_int_t)J.dp_start_ns, "sections",
			 secs);
	if (root == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < J.n_sec; i++) {
		json_t *v = J.sec[i].save(J.sec[i].ctx);

		if (v == NULL || json_object_set_new(secs, J.sec[i].name, v) != 0) {
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = write_tmp(root);
	if (rc == 0 && rename(J.tmp, J.path) != 0)
		rc = -errno;
	if (rc != 0)
		(void)unlink(J.tmp);
out:
	json_decref(root);
	if (rc != 0 && !J.failing)
		CP_WARN("journal %s not written: %s (a restarted control plane would not "
			"take the sessions over)", J.path, strerror(-rc));
	J.failing = rc != 0;
	return rc;
}

void
cp_journal_touch(void)
{
	J.dirty = true;
}

void
cp_journal_flush(uint64_t now_ms)
{
	if (!J.dirty || now_ms - J.last_write_ms < CP_JOURNAL_FLUSH_MS)
		return;
	J.dirty = false;
	J.last_write_ms = now_ms;
	(void)cp_journal_save();
}

void
cp_journal_remove(void)
{
	if (J.path[0] != '\0')
		(void)unlink(J.path);
}

const char *
cp_journal_path(void)
{
	return J.path;
}

void
cp_journal_reset(void)
{
	memset(&J, 0, sizeof(J));
}
