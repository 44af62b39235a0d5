/* cp_journal: what a restarted control plane takes over, and when not. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include "cp_addr.h"
#include "cp_dtls.h"
#include "cp_dtls_journal.h"
#include "cp_journal.h"
#include "ct.h"

static char dir[64];
static json_int_t saved_value = 42;
static json_int_t loaded_value = -1;
static unsigned loads, saves;
static int load_rc;

static json_t *
sec_save(void *ctx)
{
	(void)ctx;
	saves++;
	return json_pack("{s:I}", "v", saved_value);
}

static int
sec_load(void *ctx, json_t *v)
{
	(void)ctx;
	loads++;
	loaded_value = json_integer_value(json_object_get(v, "v"));
	return load_rc;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rtcgw-journal-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	cp_journal_reset();
	loads = saves = 0;
	loaded_value = -1;
	load_rc = 0;
	saved_value = 42;
	assert_int_equal(cp_journal_init(dir, "pfx"), 0);
	assert_int_equal(cp_journal_register("sec", sec_save, sec_load, NULL), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cp_journal_remove();
	rmdir(dir);
	cp_journal_reset();
	return 0;
}

static bool
exists(void)
{
	return access(cp_journal_path(), F_OK) == 0;
}

static void
test_register_rules(void **state)
{
	(void)state;
	assert_int_equal(cp_journal_register("sec", sec_save, sec_load, NULL), -EEXIST);
	assert_int_equal(cp_journal_register(NULL, sec_save, sec_load, NULL), -EINVAL);
	assert_int_equal(cp_journal_register("x", NULL, sec_load, NULL), -EINVAL);
	assert_int_equal(cp_journal_register("a-name-that-is-far-too-long-for-it", sec_save,
					     sec_load, NULL), -EINVAL);
	for (unsigned i = 1; i < CP_JOURNAL_MAX_SECTIONS; i++) {
		char n[8];

		snprintf(n, sizeof(n), "s%u", i);
		assert_int_equal(cp_journal_register(n, sec_save, sec_load, NULL), 0);
	}
	assert_int_equal(cp_journal_register("full", sec_save, sec_load, NULL), -ENOSPC);
	assert_string_equal(strrchr(cp_journal_path(), '/'), "/pfx.journal.json");
}

/* Nothing is written before a dataplane is known; the file is 0600. */
static void
test_save_after_attach_only(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(cp_journal_save(), 0);
	assert_false(exists());
	assert_int_equal(saves, 0);
	assert_false(cp_journal_restore(100, 12345));   /* no journal yet */
	assert_false(cp_journal_restored());
	assert_int_equal(cp_journal_save(), 0);
	assert_true(exists());
	assert_int_equal(stat(cp_journal_path(), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* Same dataplane instance: sections loaded; another: ignored and removed. */
static void
test_restore_same_instance_only(void **state)
{
	(void)state;
	assert_false(cp_journal_restore(100, 12345));
	saved_value = 7;
	assert_int_equal(cp_journal_save(), 0);

	/* a control plane restarted next to the same dataplane */
	cp_journal_reset();
	assert_int_equal(cp_journal_init(dir, "pfx"), 0);
	assert_int_equal(cp_journal_register("sec", sec_save, sec_load, NULL), 0);
	assert_true(cp_journal_restore(100, 12345));
	assert_true(cp_journal_restored());
	assert_int_equal(loads, 1);
	assert_int_equal(loaded_value, 7);

	/* a new dataplane (same pid reused, other start time): not taken over */
	loads = 0;
	assert_false(cp_journal_restore(100, 99999));
	assert_false(cp_journal_restored());
	assert_int_equal(loads, 0);
	assert_false(exists());
}

/* Peers as the ICE and media sections journal them (cp_addr_json_set/get):
 * an IPv6 and an IPv4 peer written, the control plane restarted next to the
 * same dataplane, both read back equal; the IPv4 form stays the integer
 * older journals had; bad IPv6 text is refused. */
static struct cp_addr peers_saved[3], peers_loaded[3];

static json_t *
peers_save(void *ctx)
{
	json_t *arr = json_array();

	(void)ctx;
	for (unsigned i = 0; i < 3; i++) {
		json_t *o = json_object();

		assert_int_equal(cp_addr_json_set(o, "peer_ip", "peer_ip6", &peers_saved[i]), 0);
		json_array_append_new(arr, o);
	}
	return arr;
}

static int
peers_load(void *ctx, json_t *v)
{
	(void)ctx;
	for (unsigned i = 0; i < 3; i++) {
		int rc = cp_addr_json_get(&peers_loaded[i], json_array_get(v, i), "peer_ip",
					  "peer_ip6");

		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
test_ipv6_peer_round_trip(void **state)
{
	struct cp_addr a;
	char buf[CP_ADDR_STRLEN];
	json_t *o;

	(void)state;
	assert_int_equal(cp_journal_register("peers", peers_save, peers_load, NULL), 0);
	assert_int_equal(cp_addr_parse(&peers_saved[0], "2001:2:0:72::10"), 0);
	assert_int_equal(peers_saved[0].family, AF_INET6);
	assert_int_equal(cp_addr_parse(&peers_saved[1], "198.18.72.10"), 0);
	assert_int_equal(peers_saved[1].ip4, 0xc612480au);
	memset(&peers_saved[2], 0, sizeof(peers_saved[2]));        /* not nominated yet */
	assert_false(cp_journal_restore(200, 777));
	assert_int_equal(cp_journal_save(), 0);

	cp_journal_reset();
	assert_int_equal(cp_journal_init(dir, "pfx"), 0);
	assert_int_equal(cp_journal_register("sec", sec_save, sec_load, NULL), 0);
	assert_int_equal(cp_journal_register("peers", peers_save, peers_load, NULL), 0);
	memset(peers_loaded, 0xa5, sizeof(peers_loaded));
	assert_true(cp_journal_restore(200, 777));
	for (unsigned i = 0; i < 2; i++)
		assert_true(cp_addr_eq(&peers_loaded[i], &peers_saved[i]));
	assert_string_equal(cp_addr_str(&peers_loaded[0], buf, sizeof(buf)), "2001:2:0:72::10");
	assert_string_equal(cp_addr_str(&peers_loaded[1], buf, sizeof(buf)), "198.18.72.10");
	assert_false(cp_addr_is_set(&peers_loaded[2]));

	/* the forms on disk */
	o = json_object();
	assert_int_equal(cp_addr_json_set(o, "peer_ip", "peer_ip6", &peers_saved[0]), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "peer_ip")), 0);
	assert_string_equal(json_string_value(json_object_get(o, "peer_ip6")), "2001:2:0:72::10");
	json_object_set_new(o, "peer_ip6", json_string("2001:2:0:72::zz"));
	assert_int_equal(cp_addr_json_get(&a, o, "peer_ip", "peer_ip6"), -EINVAL);
	json_object_set_new(o, "peer_ip6", json_string("198.18.72.10"));   /* not IPv6 */
	assert_int_equal(cp_addr_json_get(&a, o, "peer_ip", "peer_ip6"), -EINVAL);
	json_object_del(o, "peer_ip6");
	json_object_set_new(o, "peer_ip", json_integer(0xc6124811));
	assert_int_equal(cp_addr_json_get(&a, o, "peer_ip", "peer_ip6"), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.ip4, 0xc6124811u);
	json_decref(o);
}

/* A section that fails to load is reported, the others still load. */
static void
test_section_failure_and_garbage(void **state)
{
	FILE *f;

	(void)state;
	assert_false(cp_journal_restore(5, 6));
	assert_int_equal(cp_journal_save(), 0);
	load_rc = -EINVAL;
	assert_true(cp_journal_restore(5, 6));
	assert_int_equal(loads, 1);

	/* a torn or foreign file: ignored, removed */
	f = fopen(cp_journal_path(), "w");
	assert_non_null(f);
	fputs("{\"format\": 1, \"dataplane\": ", f);
	fclose(f);
	loads = 0;
	assert_false(cp_journal_restore(5, 6));
	assert_int_equal(loads, 0);
	assert_false(exists());
	f = fopen(cp_journal_path(), "w");
	assert_non_null(f);
	fputs("{\"format\": 2, \"dataplane\": {\"pid\": 5, \"start_unix_ns\": 6}}", f);
	fclose(f);
	assert_false(cp_journal_restore(5, 6));
	assert_int_equal(loads, 0);
}

/* A save that fails (the directory is gone) says so and leaves no temp file. */
static void
test_save_failure(void **state)
{
	char tmp[600];

	(void)state;
	assert_false(cp_journal_restore(1, 2));
	assert_int_equal(rmdir(dir), 0);
	assert_true(cp_journal_save() < 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", cp_journal_path());
	assert_int_not_equal(access(tmp, F_OK), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(cp_journal_save(), 0);
	assert_true(exists());
}

/* Touches are written in batches: at most one write per CP_JOURNAL_FLUSH_MS,
 * nothing when nothing changed. */
static void
test_touch_flush(void **state)
{
	(void)state;
	assert_false(cp_journal_restore(100, 12345));
	saves = 0;
	cp_journal_flush(1000);                 /* nothing touched */
	assert_int_equal(saves, 0);
	cp_journal_touch();
	cp_journal_flush(1000);
	assert_int_equal(saves, 1);
	assert_true(exists());
	cp_journal_touch();
	cp_journal_touch();
	cp_journal_flush(1000 + CP_JOURNAL_FLUSH_MS - 1);   /* too soon */
	assert_int_equal(saves, 1);
	cp_journal_flush(1000 + CP_JOURNAL_FLUSH_MS);
	assert_int_equal(saves, 2);
	cp_journal_flush(5000);                 /* written already */
	assert_int_equal(saves, 2);
}

/* ---- the generated DTLS certificate (cp_dtls_journal) ---------------------- */

static unsigned swaps;

static void
on_swap(void)
{
	swaps++;
}

/* A control plane restarted next to the same dataplane: register the
 * sections again, with a freshly generated certificate in *c. */
static bool
restart(struct cp_dtls_cert **c, int32_t pid, uint64_t start)
{
	cp_dtls_journal_fini();
	cp_journal_reset();
	cp_dtls_cert_free(*c);
	assert_int_equal(cp_dtls_cert_create(c), 0);
	assert_int_equal(cp_journal_init(dir, "pfx"), 0);
	assert_int_equal(cp_journal_register("sec", sec_save, sec_load, NULL), 0);
	assert_int_equal(cp_dtls_journal_register(c, on_swap), 0);
	return cp_journal_restore(pid, start);
}

/* The journal carries the certificate and its key (in a 0600 file): after a
 * takeover the fingerprint is the one before, the certificate the same bytes,
 * and it stays so over a second restart; a new dataplane gets a new one. */
static void
test_dtls_cert_round_trip(void **state)
{
	struct cp_dtls_cert *c = NULL;
	char fp0[CP_DTLS_FP_LEN], cp0[4096], kp0[2048], cp1[4096], kp1[2048];
	char *text;
	struct stat st;
	json_t *root;

	(void)state;
	swaps = 0;
	assert_int_equal(cp_dtls_cert_create(&c), 0);
	assert_int_equal(cp_dtls_journal_register(&c, on_swap), 0);
	snprintf(fp0, sizeof(fp0), "%s", cp_dtls_cert_fingerprint(c));
	assert_int_equal(cp_dtls_cert_pem(c, cp0, sizeof(cp0), kp0, sizeof(kp0)), 0);
	assert_false(cp_journal_restore(100, 12345));
	assert_int_equal(cp_journal_save(), 0);
	assert_int_equal(stat(cp_journal_path(), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	root = json_load_file(cp_journal_path(), 0, NULL);
	assert_non_null(root);
	text = json_dumps(json_object_get(json_object_get(root, "sections"), "dtls"), 0);
	assert_non_null(text);
	assert_non_null(strstr(text, "BEGIN PRIVATE KEY"));
	free(text);
	json_decref(root);

	assert_true(restart(&c, 100, 12345));
	assert_int_equal(swaps, 1);
	assert_string_equal(cp_dtls_cert_fingerprint(c), fp0);
	assert_int_equal(cp_dtls_cert_pem(c, cp1, sizeof(cp1), kp1, sizeof(kp1)), 0);
	assert_string_equal(cp1, cp0);
	assert_string_equal(kp1, kp0);
	assert_int_equal(loads, 1);             /* the other sections as before */

	/* the taken-over certificate is journaled again: a second restart keeps it */
	assert_int_equal(cp_journal_save(), 0);
	assert_true(restart(&c, 100, 12345));
	assert_int_equal(swaps, 2);
	assert_string_equal(cp_dtls_cert_fingerprint(c), fp0);

	/* a new dataplane instance: nothing taken over, the new certificate stays */
	assert_false(restart(&c, 100, 99999));
	assert_int_equal(swaps, 2);
	assert_string_not_equal(cp_dtls_cert_fingerprint(c), fp0);

	/* stopping: after fini the other sections are still written (null here) */
	cp_dtls_journal_fini();
	assert_int_equal(cp_journal_save(), 0);
	assert_true(restart(&c, 100, 99999));  /* a null section: nothing swapped */
	assert_int_equal(swaps, 2);
	cp_dtls_journal_fini();
	cp_dtls_cert_free(c);
	gw_wipe(kp0, sizeof(kp0));
	gw_wipe(kp1, sizeof(kp1));
}

/* A journal of an older build (no "dtls" section) or with a section that does
 * not load (a key of another certificate, not PEM): the sessions are taken
 * over, the generated certificate stays. */
static void
test_dtls_cert_old_or_bad_journal(void **state)
{
	struct cp_dtls_cert *c = NULL, *other = NULL;
	char fp[CP_DTLS_FP_LEN], cp[4096], kp[2048];
	json_t *root, *sec;

	(void)state;
	swaps = 0;
	/* older build: only "sec" registered when the journal was written */
	assert_false(cp_journal_restore(7, 8));
	assert_int_equal(cp_journal_save(), 0);
	assert_true(restart(&c, 7, 8));
	assert_int_equal(swaps, 0);
	assert_int_equal(loads, 1);

	/* the key of another certificate beside this one's certificate */
	snprintf(fp, sizeof(fp), "%s", cp_dtls_cert_fingerprint(c));
	assert_int_equal(cp_journal_save(), 0);
	assert_int_equal(cp_dtls_cert_create(&other), 0);
	assert_int_equal(cp_dtls_cert_pem(other, cp, sizeof(cp), kp, sizeof(kp)), 0);
	root = json_load_file(cp_journal_path(), 0, NULL);
	assert_non_null(root);
	sec = json_object_get(json_object_get(root, "sections"), "dtls");
	assert_non_null(sec);
	json_object_set_new(sec, "key", json_string(kp));
	assert_int_equal(json_dump_file(root, cp_journal_path(), 0), 0);
	assert_true(restart(&c, 7, 8));
	assert_int_equal(swaps, 0);
	assert_string_not_equal(cp_dtls_cert_fingerprint(c), fp);

	/* not PEM at all */
	json_object_set_new(sec, "cert", json_string("garbage"));
	assert_int_equal(json_dump_file(root, cp_journal_path(), 0), 0);
	assert_true(restart(&c, 7, 8));
	assert_int_equal(swaps, 0);
	json_decref(root);

	cp_dtls_journal_fini();
	cp_dtls_cert_free(c);
	cp_dtls_cert_free(other);
	gw_wipe(kp, sizeof(kp));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_after_attach_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_same_instance_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_peer_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_section_failure_and_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_touch_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_cert_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_cert_old_or_bad_journal, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
