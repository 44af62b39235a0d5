/*
 * cp_journal: the control plane's state journal, so a control plane that
 * crashed (kill -9, OOM, bug) and was restarted takes over the sessions the
 * dataplane kept forwarding meanwhile, instead of clearing its tables.
 *
 * The dataplane holds what the packet path needs (ICE credentials, media
 * legs, SRTP keys); the control plane holds what only it knows (which legs
 * form a session, stream names, publishers' SDP). Features register a named
 * section with a save function (their state as JSON) and a load function;
 * cp_journal_save() writes every section to <dir>/<file_prefix>.journal.json
 * (whole file, write + rename: a crash leaves the old or the new one, never
 * half of one). The file names the dataplane instance (pid and start time)
 * it describes: on attach, cp_journal_restore() loads the sections only when
 * the dataplane is that same instance, and removes a stale file otherwise.
 *
 * No DPDK types: unit-testable on its own. Single-threaded (main loop).
 */
#ifndef CP_JOURNAL_H
#define CP_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define CP_JOURNAL_MAX_SECTIONS 8

/** A section's state as a new JSON value (NULL: nothing to save / no memory). */
typedef json_t *cp_journal_save_fn(void *ctx);

/** Take a section's state over; v is borrowed. @return 0 or -errno. */
typedef int cp_journal_load_fn(void *ctx, json_t *v);

/**
 * Journal into dir/<prefix>.journal.json (dir created 0700 when missing).
 * @return 0; -ENAMETOOLONG; -errno of mkdir.
 */
int cp_journal_init(const char *dir, const char *prefix);

/** Register a section (start-up only). @return 0; -EINVAL; -ENOSPC; -EEXIST. */
int cp_journal_register(const char *name, cp_journal_save_fn *save, cp_journal_load_fn *load,
			void *ctx);

/**
 * A dataplane instance was attached: when the journal describes this same
 * instance, load every registered section from it (in registration order)
 * and return true; otherwise remove the file and return false. Either way,
 * later saves describe this instance.
 */
bool cp_journal_restore(int32_t dp_pid, uint64_t dp_start_ns);

/** Did the last cp_journal_restore() take the sessions over? */
bool cp_journal_restored(void);

/**
 * Write every section now (after each change of journaled state). Nothing
 * before an attach. @return 0 or -errno (logged once per failure streak).
 */
int cp_journal_save(void);

/*
 * Changes are written in batches: every section is rewritten whole, so a
 * write per change would cost O(state) each and O(state^2) for a burst (a
 * SIP proxy setting up a thousand calls). Modules call cp_journal_touch()
 * on each change; the loop's cp_journal_flush() writes at most once per
 * CP_JOURNAL_FLUSH_MS. A crash loses at most the changes of that window:
 * sessions or calls made in it are not taken over (their dataplane legs stay
 * until the dataplane restarts); ended ones come back and end again on their
 * DELETE or consent loss.
 */
#define CP_JOURNAL_FLUSH_MS 100

/** Something journaled changed: written by the next cp_journal_flush(). */
void cp_journal_touch(void);

/** Write when touched and CP_JOURNAL_FLUSH_MS passed since the last write. */
void cp_journal_flush(uint64_t now_ms);

/** Remove the journal (clean stop: the sessions were ended). */
void cp_journal_remove(void);

/** The journal's path ("" before cp_journal_init). */
const char *cp_journal_path(void);

/** Forget sections and state (tests). */
void cp_journal_reset(void);

#endif
