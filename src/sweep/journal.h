/* The sweep journal: one result object per line (JSON lines, the objects of
 * "results" in docs/design.md), each written and forced to disk (fflush + fsync)
 * before the next combination starts, so a SIGKILL loses at most the
 * combination in flight.  Loading tolerates a torn last line (no newline:
 * the write was cut) and skips corrupt lines, naming them. */
#ifndef TP_SWEEP_JOURNAL_H
#define TP_SWEEP_JOURNAL_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include <json-c/json.h>

typedef struct sweep_journal sweep_journal;

/* Called for each good line (line numbers from 1).  The object is borrowed:
 * take a reference to keep it.  Return false to reject it as corrupt (e.g.
 * a configuration the matrix does not have); why then says why. */
typedef bool (*sweep_journal_result_fn)(void *ctx, json_object *result, unsigned line, char *why,
                                        size_t why_len);
/* One message per skipped line, e.g.
 *   "journal j.jsonl line 3: not JSON (unexpected end of data), skipped"
 *   "journal j.jsonl line 9: torn last line (no newline), ignored" */
typedef void (*sweep_journal_warn_fn)(void *ctx, const char *msg);

typedef struct {
    unsigned num_results; /* lines accepted */
    unsigned num_corrupt; /* lines skipped */
    bool torn;            /* the last line was cut off */
    long good_len;        /* bytes up to the end of the last complete line */
} sweep_journal_stats;

/* Reads the journal.  A missing file is an empty journal (true).  false
 * only when the file exists and cannot be read (message in err). */
bool sweep_journal_load(const char *path, sweep_journal_result_fn on_result, void *ctx,
                        sweep_journal_warn_fn warn, void *warn_ctx, sweep_journal_stats *out_stats,
                        char *err, size_t err_len);

/* Opens for appending (no symlink, mode 0600: it holds the clients'
 * output).  resume: keep the content up to good_len (cutting a torn tail,
 * so the next line starts clean); otherwise truncate.  NULL with a message
 * ("tlsprobe sweep: --journal FILE: ...") on failure. */
sweep_journal *sweep_journal_open(const char *path, bool resume, long good_len, char *err,
                                  size_t err_len);
/* Writes one line and forces it to disk.  false on a write/sync error. */
bool sweep_journal_append(sweep_journal *j, json_object *result);
/* NULL is a no-op. */
void sweep_journal_close(sweep_journal *j);

/* Opens a report file (--json, --report) the way the journal is opened:
 * no symlink, mode 0600, since it holds the clients' output.  On failure
 * says why on stderr (starting with label: "tlsprobe sweep: --json") and
 * returns NULL. */
FILE *sweep_output_open(const char *label, const char *path);

#endif
