/* "What decides it": from the sweep's results (one configuration per row,
 * one value per axis, a status each), per-value counts, the smallest rule
 * over axis values that separates failing from succeeding rows, and the
 * typical server-side verdict of the failing rows.
 *
 * Pure functions: no I/O, no globals.  Strings in the output are borrowed
 * from the input rows and the group table (static), so the rows must
 * outlive the decision. */
#ifndef TP_SWEEP_DECIDE_H
#define TP_SWEEP_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define SWEEP_MAX_AXES 12
/* distinct values per axis the rule finder handles (a bit mask) */
#define SWEEP_MAX_VALUES 64
#define SWEEP_MAX_RULES 3
#define SWEEP_MAX_TERMS SWEEP_MAX_AXES

typedef enum {
    SWEEP_ST_OK = 0,
    SWEEP_ST_FAIL,
    SWEEP_ST_FLAKY,   /* repeats disagreed */
    SWEEP_ST_SKIPPED, /* the engine cannot form it */
    SWEEP_ST_TIMEOUT, /* the client (command) never finished */
    SWEEP_ST_COUNT
} sweep_status;

/* "ok", "fail", "flaky", "skipped", "timeout" */
const char *sweep_status_name(sweep_status s);
/* false when the name is none of the above */
bool sweep_status_parse(const char *name, sweep_status *out);

/* A named set of values of one axis ("CBC ciphers"), usable in a rule
 * like a single value.  Membership is a predicate so that values added to
 * an axis later fall into their groups without editing a list. */
typedef struct {
    const char *axis;   /* "cipher" */
    const char *name;   /* "CBC" (JSON "group") */
    const char *phrase; /* "is a CBC cipher" (rule text: "cipher is a CBC cipher") */
    bool (*member)(const char *value);
} sweep_group;

/* The built-in groups (CBC, AEAD, ECDHE, DHE, RSA kx, TLS1.3, legacy
 * protocols, SHA-2 MACs, ...). */
const sweep_group *sweep_groups(unsigned *out_n);

typedef struct {
    const char *values[SWEEP_MAX_AXES]; /* one per axis, same order as the axes */
    sweep_status status;
    const char *summary; /* server-side verdict summary, or NULL */
} sweep_row;

typedef enum { SWEEP_OP_EQ, SWEEP_OP_IN } sweep_op;

typedef struct {
    unsigned axis;            /* index into the axes */
    sweep_op op;              /* EQ: exactly one value */
    const sweep_group *group; /* the set is this group (restricted to values seen), or NULL */
    uint64_t mask;            /* bit i: the axis' i-th distinct value */
    unsigned num_values;
    const char *values[SWEEP_MAX_VALUES];
} sweep_term;

typedef struct {
    unsigned num_terms; /* 0: trivial rule ("no combination failed" / "every ...") */
    sweep_term terms[SWEEP_MAX_TERMS];
    double cost;
    unsigned num_exceptions;
    unsigned exceptions[64]; /* row indices the rule gets wrong (first 64) */
    unsigned num_false_fail; /* rule says fail, row is ok */
    unsigned num_false_ok;   /* rule says ok, row failed */
    bool succeeds;           /* the terms say when it succeeds ("succeeds exactly when A and B") */
    char text[768];
} sweep_rule;

typedef struct {
    const char *value;
    unsigned axis;
    unsigned n[SWEEP_ST_COUNT]; /* rows per status */
} sweep_value_count;

typedef struct {
    char normalised[640];
    const char *example; /* one original summary */
    bool all_same;       /* every summary of the group reads exactly like example */
    unsigned count;
    unsigned first_row; /* the row of example */
    uint32_t differs;   /* bit a: the group's rows differ in axis a */
} sweep_typical;

typedef struct {
    unsigned num_axes;
    const char *axes[SWEEP_MAX_AXES];
    bool decidable; /* at least one ok/fail/timeout row */
    bool exact;
    unsigned num_rules; /* best first; an exact decision has one */
    sweep_rule rules[SWEEP_MAX_RULES];
    unsigned num_counts;
    sweep_value_count *counts;         /* per axis, in order of first appearance */
    unsigned num_decided, num_failing; /* rows the rule is about (ok/fail/timeout) */
    unsigned num_status[SWEEP_ST_COUNT];
    unsigned num_typical;
    sweep_typical typical[4]; /* most common failing verdicts, most frequent first */
    char error[256];          /* set when the input cannot be decided (too many values) */
} sweep_decision;

/* Decides.  Rows with status ok are "ok"; fail and timeout are "fail";
 * flaky and skipped rows are counted but never shape the rule.  Returns
 * false (with out->error) only when an axis has more than SWEEP_MAX_VALUES
 * distinct values or on allocation failure; out is always safe to clean up. */
bool sweep_decide(sweep_decision *out, const char *const *axes, unsigned num_axes,
                  const sweep_row *rows, unsigned num_rows);
void sweep_decision_cleanup(sweep_decision *d);

/* The "decides" object (docs/design.md, Sweep results):
 * {"exact":..,"rule":..,"terms":[{"axis","op","values"[,"group"]}],"exceptions":[configs]}
 * plus "alternatives" (other rules when not exact).  New reference. */
json_object *sweep_decision_to_json(const sweep_decision *d, const sweep_row *rows);
/* The config object {"axis":"value",...} of a row.  New reference. */
json_object *sweep_row_config_json(const sweep_decision *d, const sweep_row *row);

/* Normalised form of a verdict summary for grouping: digit runs become
 * "N" and the row's own axis values become "{axis}".  Writes a NUL-terminated
 * string (truncated to out_len). */
void sweep_summary_normalise(char *out, size_t out_len, const char *summary,
                             const char *const *axes, unsigned num_axes, const char *const *values);

/* A typical failure as a reader sees it, never with placeholders: the
 * summary itself when all read the same, else one real example and the
 * axes its group differs in ("... (one example of 3; they differ in
 * cipher)").  Writes a NUL-terminated string. */
void sweep_typical_phrase(const sweep_decision *d, const sweep_typical *t, char *out,
                          size_t out_len);

#endif
