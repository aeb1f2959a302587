/* Results of a sweep, one per configuration of the matrix, and the forms
 * they take: the result object of docs/design.md ("config", "status",
 * "attempts", "verdict", plus "client" in driven mode), decide() rows, and
 * the three reports (text on stdout, --json, --report HTML). */
#ifndef TP_SWEEP_RESULTS_H
#define TP_SWEEP_RESULTS_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "decide.h"
#include "matrix.h"

typedef struct {
    bool done; /* tried (or skipped) and final */
    sweep_status status;
    unsigned attempts;
    unsigned connections; /* of the attempt the verdict comes from (0: unknown) */
    json_object *verdict; /* owned: the verdict (without conn/t), or NULL */
    json_object *client;  /* owned: {"exit":..,"signal":..,"timed_out":..,"output":..}, or NULL */
    bool inferred;        /* not tried (done false): status is what the adaptive rule predicts */
} sweep_result;

void sweep_result_cleanup(sweep_result *r);

/* {"config":{..},"status":..,"attempts":N[,"connections":N][,"reason":why][,"verdict":{..}]
 *  [,"client":{..}]}
 * New reference. */
json_object *sweep_result_to_json(const sweep_matrix *m, const sweep_config *c,
                                  const sweep_result *r);
/* Reads a result object back (journal): finds its configuration in the
 * matrix.  false with why when the object is not one of this matrix's. */
bool sweep_result_from_json(const sweep_matrix *m, json_object *o, unsigned *out_index,
                            sweep_result *out, char *why, size_t why_len);

/* Rows for sweep_decide: every done configuration (skipped ones included,
 * they only count).  *out_cfg maps a row to its configuration index.
 * Summaries point into the results' verdict objects.  Caller frees both. */
bool sweep_rows_build(const sweep_matrix *m, const sweep_result *res, sweep_row **out_rows,
                      unsigned **out_cfg, unsigned *out_n);

/* The sweep object of docs/design.md: {"axes","results","decides"} (+ "summary").
 * New reference. */
json_object *sweep_report_json(const sweep_matrix *m, const sweep_result *res,
                               const sweep_decision *d, const sweep_row *rows);
/* Text summary: the rule, the typical failure, a per-value table and the
 * failing configurations. */
/* The summary's suggestion of the quirk axis when every combination failed
 * or none did and quirk is not an axis yet; NULL otherwise. */
const char *sweep_quirk_hint(const sweep_matrix *m, const sweep_decision *d);
void sweep_report_text(FILE *out, const sweep_matrix *m, const sweep_result *res,
                       const sweep_decision *d, const sweep_row *rows);
/* Self-contained HTML page: the rule, then a grid per protocol x kx (x the
 * other axes) of cipher rows x MAC columns; cells have class ok, fail,
 * flaky, skipped, not-offered (timeout cells: "fail timeout"; not yet
 * tried: "pending") and a title= tooltip with the verdict.  The markup is
 * report/sweep_html.c's.  false (nothing written) when memory ran out. */
bool sweep_report_html(FILE *out, const sweep_matrix *m, const sweep_result *res,
                       const sweep_decision *d, const sweep_row *rows);
/* What the client command's exit says beside the verdict's status, e.g.
 * "client exited 52 although the TLS session worked"; "" when nothing. */
void sweep_result_client_note(const sweep_result *r, char *out, size_t out_len);

#endif
