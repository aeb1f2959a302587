/* The sweep's --report page: the markup of the rule, the totals, one grid
 * per combination of the other axes (cipher rows x MAC columns) and the
 * per-value counts.  report/ is below sweep/, so the sweep hands plain
 * strings and numbers (sweep/results.c walks its matrix and calls these in
 * order); every text passes through the escaper of html.h.  No I/O. */
#ifndef TP_REPORT_SWEEP_HTML_H
#define TP_REPORT_SWEEP_HTML_H

#include <stdbool.h>

#include "../wire/buf.h"

/* What a grid cell shows (its class, and its text in the cell). */
typedef enum {
    REPORT_CELL_OK,
    REPORT_CELL_FAIL,
    REPORT_CELL_TIMEOUT,
    REPORT_CELL_FLAKY,
    REPORT_CELL_SKIPPED,     /* the engine cannot form it */
    REPORT_CELL_NOT_OFFERED, /* the client did not offer it */
    REPORT_CELL_PENDING,     /* not tried yet */
    REPORT_CELL_INFERRED_OK, /* not tried: the adaptive sweep's rule says ok */
    REPORT_CELL_INFERRED_FAIL
} report_cell;

/* The cell's result as a word for its tooltip: "ok", "fail", "timeout",
 * "flaky", "?" (pending), "" (skipped, not offered), "inferred ok",
 * "inferred fail". */
const char *report_sweep_cell_word(report_cell cell);

typedef struct {
    unsigned num_configs, num_ok, num_fail, num_timeout, num_flaky, num_skipped, num_not_offered;
    /* adaptive: cells inferred from the rule (0: none), connections tried,
     * cells the full matrix would try */
    unsigned num_inferred, num_connections, num_formable;
} report_sweep_totals;

/* The page head and the rule (exact: the rule explains every result). */
void report_sweep_html_begin(wire_buf *b, const char *rule, bool exact);
void report_sweep_html_alt_rule(wire_buf *b, const char *rule);
/* A suggestion beside the rule ("hint: ..."). */
void report_sweep_html_hint(wire_buf *b, const char *hint);
void report_sweep_html_typical(wire_buf *b, const char *phrase, unsigned count,
                               unsigned num_failing);
/* The totals line and the colour legend. */
void report_sweep_html_totals(wire_buf *b, const report_sweep_totals *t);

/* A grid: its heading (the other axes' values, joined with a middle dot;
 * none: "all"), the corner text and the column headers. */
void report_sweep_html_grid_begin(wire_buf *b, const char *const *heading, unsigned num_heading,
                                  const char *corner, const char *const *cols, unsigned num_cols);
void report_sweep_html_row_begin(wire_buf *b, const char *row);
/* A cell with its tooltip; an empty cell when title is NULL. */
void report_sweep_html_cell(wire_buf *b, report_cell cell, const char *title);
void report_sweep_html_row_end(wire_buf *b);
void report_sweep_html_grid_end(wire_buf *b);

/* The per-value table: rows of axis, value and the counts of ok, fail,
 * timeout, flaky, skipped. */
void report_sweep_html_counts_begin(wire_buf *b);
void report_sweep_html_count_row(wire_buf *b, const char *axis, const char *value,
                                 const unsigned counts[5]);
void report_sweep_html_counts_end(wire_buf *b);

void report_sweep_html_end(wire_buf *b);

#endif
