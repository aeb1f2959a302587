/* The adaptive strategy (--strategy adaptive): instead of every formable
 * combination, the sweep tries the one that best splits the rules still
 * consistent with the results so far, and stops when one rule is left.
 *
 * The rules are those the rule finder (decide.h) can say, over the
 * formable cells of the matrix: "never", "always", one term (axis = v, a
 * named group, or any set of an axis' values: all sets up to 10 values,
 * sets of at most 3 values and all-but-one beyond), two terms on different
 * axes (values or named groups) that fail together, and two values that
 * succeed together ("succeeds exactly when A and B").  Rules that say the
 * same of every formable cell are one rule.  The strategy never words a
 * rule: the sweep names the winner by handing the rule finder the tried
 * results plus the winner's prediction for every other cell, so adaptive
 * and full name a rule in the same words.
 *
 * Each rule counts the results it contradicts (a try that failed where it
 * says ok, or the reverse); the rules left are those with the fewest.  A
 * result that contradicts every rule left is tried again before the next
 * choice (a flaky client); once one rule is left, a few more connections
 * go where they contradict a second time its rivals that one failure
 * tried once keeps behind (a client that fails at random: a failure is
 * the weak evidence), and where it says fail beyond the one cell its
 * failures were seen on.  A rule left that contradicts a result tried
 * three times means no such rule fits: the strategy then tries
 * everything that is left (as --strategy full).
 *
 * Pure: no I/O, no globals. */
#ifndef TP_SWEEP_ADAPTIVE_H
#define TP_SWEEP_ADAPTIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "decide.h"
#include "matrix.h"

/* The cells the strategy chooses among: the formable combinations, each
 * a value index per axis. */
typedef struct {
    unsigned num_axes;
    const char *axes[SWEEP_MAX_AXES];
    unsigned num_values[SWEEP_MAX_AXES];
    const char *values[SWEEP_MAX_AXES][SWEEP_MAX_VALUES];
    unsigned num_cells;
    uint8_t *cells; /* num_cells * SWEEP_MAX_AXES value indices (owned) */
    unsigned *cfg;  /* the matrix configuration of each cell (owned) */
} sweep_space;

/* The matrix's runnable configurations (state SWEEP_CFG_RUN) as a space.
 * false when out of memory. */
bool sweep_space_from_matrix(sweep_space *sp, const sweep_matrix *m);
void sweep_space_cleanup(sweep_space *sp);
/* The values of axis a that the cells have (bit k: values[a][k]). */
uint64_t sweep_space_present(const sweep_space *sp, unsigned a);
/* The named groups of axis a (decide.h) restricted to its present values,
 * those of at least two values and not all, as masks; returns how many. */
unsigned sweep_space_groups(const sweep_space *sp, unsigned a, uint64_t *out, unsigned max);

typedef enum {
    SWEEP_AD_SEARCH,  /* more than one rule left */
    SWEEP_AD_CONFIRM, /* one left: contradicting its nearest rivals again */
    SWEEP_AD_DONE,    /* named: one rule, consistent with every result */
    SWEEP_AD_FULL,    /* no rule of the class fits: trying the rest */
} sweep_ad_phase;

typedef struct sweep_adaptive sweep_adaptive;

/* NULL when out of memory.  The space must outlive the strategy. */
sweep_adaptive *sweep_adaptive_new(const sweep_space *sp);
void sweep_adaptive_free(sweep_adaptive *ad);

/* The results of cell so far: tries that failed (fail or timeout) and
 * tries that succeeded (absolute counts, replacing earlier ones).  Returns
 * true when the result contradicts every rule left: the next cell is then
 * this one again (a repeat before pruning). */
bool sweep_adaptive_observe(sweep_adaptive *ad, unsigned cell, unsigned num_fail, unsigned num_ok);

/* After results replayed from a journal: when they already leave one rule,
 * it is not confirmed again (the journal holds what was). */
void sweep_adaptive_replayed(sweep_adaptive *ad);

/* A cell that cannot be tried after all (the engine refused it): never
 * chosen again. */
void sweep_adaptive_exclude(sweep_adaptive *ad, unsigned cell);

/* The cell to try next, or -1 when the strategy is done. */
int sweep_adaptive_next(sweep_adaptive *ad);

typedef struct {
    sweep_ad_phase phase;
    bool named;            /* phase DONE: the winner's prediction fills the untried cells */
    unsigned num_left;     /* rules with the fewest contradictions */
    unsigned num_tried;    /* distinct cells with a result */
    unsigned num_tries;    /* tries fed in (every count) */
    unsigned num_repeats;  /* repeats asked for by a contradicting result */
    unsigned num_confirm;  /* cells chosen to contradict the nearest rivals again */
    unsigned num_rules;    /* distinct rules over the formable cells */
    unsigned margin;       /* least contradictions of a rival beyond the winner's */
    unsigned num_at_margin; /* rivals at that margin */
    int nearest;           /* one of them (rule index for _rule_predicts), -1: none */
} sweep_ad_status;

void sweep_adaptive_status(const sweep_adaptive *ad, sweep_ad_status *out);

/* What the winner (a rule left) says of cell: true = fails. */
bool sweep_adaptive_predicts(const sweep_adaptive *ad, unsigned cell);
/* What rule says of cell (rule: sweep_ad_status.nearest). */
bool sweep_adaptive_rule_predicts(const sweep_adaptive *ad, int rule, unsigned cell);
/* How many tries cell had (0: not tried). */
unsigned sweep_adaptive_tries(const sweep_adaptive *ad, unsigned cell);
/* For the device prompt: of the rules left, how many say cell fails
 * (out_fail) and how many say it succeeds (out_ok). */
void sweep_adaptive_split(const sweep_adaptive *ad, unsigned cell, unsigned *out_fail,
                          unsigned *out_ok);

/* ---- simulation (tests, bench): no network ---- */

/* true: the cell fails on this try (may differ between tries: flaky). */
typedef bool (*sweep_oracle_fn)(void *ctx, unsigned cell);

/* Runs the strategy against the oracle until it is done or max_tries
 * tries were made; returns the number of tries (connections). */
unsigned sweep_adaptive_simulate(sweep_adaptive *ad, sweep_oracle_fn oracle, void *ctx,
                                 unsigned max_tries);

/* Rows for sweep_decide over every cell: a tried cell's status is its
 * majority (a tie: flaky), an untried one the winner's prediction when the
 * strategy named a rule (else the cell is left out).  rows must hold
 * num_cells rows; returns how many it wrote.  Values point into sp. */
unsigned sweep_adaptive_rows(const sweep_adaptive *ad, const sweep_space *sp, sweep_row *rows);

#endif
