/* The simulation of the adaptive strategy (no network), shared by the unit
 * test (tests/unit/test_adaptive.c) and the bench (bench/sweep_adaptive.c):
 * a realistic matrix (protocol x kx x cipher x mac x quirk, the engine's
 * own formability), known rules as truths, and a run that compares the
 * rule adaptive names with the one the full matrix gives. */
#ifndef TP_TESTS_ADAPTIVE_SIM_H
#define TP_TESTS_ADAPTIVE_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "sweep/adaptive.h"
#include "sweep/decide.h"
#include "sweep/matrix.h"

typedef struct {
    sweep_matrix m;
    sweep_space sp;
} sim_world;

/* false (with a message on stderr) when the matrix cannot be set up */
bool sim_world_init(sim_world *w);
void sim_world_cleanup(sim_world *w);

enum { SIM_VALUE, SIM_GROUP, SIM_SET, SIM_PAIR };

typedef struct {
    char label[160]; /* how the truth was made: "mac = SHA256", "cipher in {...}" */
    bool *fail;      /* per cell of the space */
    int kind;        /* SIM_VALUE, SIM_GROUP, SIM_SET, SIM_PAIR */
} sim_truth;

/* Every one-term rule: each value, each named group and each other set of
 * an axis' values (axes of at most 10 values), in that order, distinct
 * fail sets only, none empty or everything.  Returns how many (*out: caller frees with
 * sim_truths_free). */
unsigned sim_single_truths(const sim_world *w, sim_truth **out);
/* count two-term conjunctions of values or groups on different axes,
 * drawn with seed; fail sets neither empty nor everything. */
unsigned sim_pair_truths(const sim_world *w, unsigned count, uint64_t seed, sim_truth **out);
void sim_truths_free(sim_truth *t, unsigned n);

typedef struct {
    unsigned conns;   /* tries the adaptive strategy made */
    unsigned repeats; /* of them, repeats asked for by a contradicting result */
    bool named;       /* it named a rule (not the fallback to every cell) */
    bool same;        /* it names the rule the full matrix names */
    char full[768], adaptive[768];
} sim_outcome;

/* One run; flaky: the chance a try fails although the truth says ok
 * (seeded by seed). */
bool sim_run(const sim_world *w, const sim_truth *t, double flaky, uint64_t seed,
             sim_outcome *out);

/* One run where exactly try number flake_try (from 0) fails by chance
 * (when the truth says that cell works). */
bool sim_run_flake_at(const sim_world *w, const sim_truth *t, unsigned flake_try, sim_outcome *out);

/* median and maximum of v (sorted in place) */
void sim_median_max(unsigned *v, unsigned n, double *median, unsigned *max);

#endif
