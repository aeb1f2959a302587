/* bench/sweep_adaptive: the adaptive strategy against the full matrix, in
 * simulation (no network): every one-term rule and 200 random two-term
 * conjunctions (fixed seed) over protocol x kx x cipher x mac x quirk;
 * prints, per kind of rule, whether adaptive names the same rule as the
 * full matrix and the median and maximum connections it used.  With a
 * flaky client (a try fails at random) it also prints the repeats.
 *
 *   sweep_adaptive [--pairs N] [--seed S] [--flaky P] [-v]
 *
 * Without --flaky it runs a consistent client, then one that fails 10% of
 * its tries at random (seeded).  Exit status 1 when adaptive named a
 * different rule than the full matrix for the consistent client (or with
 * --flaky 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/adaptive_sim.h"

typedef struct {
    const char *name;
    int kind;
    unsigned n, same, named, repeats;
    unsigned *conns;
} tally;

static void tally_run(const sim_world *w, tally *t, const sim_truth *truths, unsigned n,
                      double flaky, uint64_t seed, bool verbose)
{
    t->conns = calloc(n + 1, sizeof(unsigned));
    for (unsigned i = 0; i < n; i++) {
        if (truths[i].kind != t->kind)
            continue;
        sim_outcome o;
        if (!sim_run(w, &truths[i], flaky, seed + i, &o))
            continue;
        t->conns[t->n++] = o.conns;
        t->same += o.same;
        t->named += o.named;
        t->repeats += o.repeats;
        if (verbose || !o.same)
            printf("  %-4s %3u conns  %-60s  full: %s%s%s\n", o.same ? "same" : "DIFF", o.conns,
                   truths[i].label, o.full, o.same ? "" : "  adaptive: ", o.same ? "" : o.adaptive);
    }
}

static unsigned ts_total(const tally *t)
{
    return t[0].n + t[1].n + t[2].n;
}

static void tally_print(tally *t, unsigned full)
{
    double med;
    unsigned max;
    sim_median_max(t->conns, t->n, &med, &max);
    printf("%-28s %4u rules  same rule %4u/%-4u  connections median %4.1f  max %3u  "
           "(full matrix %u)  repeats %u\n",
           t->name, t->n, t->same, t->n, med, max, full, t->repeats);
    free(t->conns);
}

/* Every kind at one flaky rate; returns how many rules differ. */
static unsigned run_all(const sim_world *w, const sim_truth *single, unsigned ns,
                        const sim_truth *pair, unsigned np, double flaky, uint64_t seed,
                        bool verbose)
{
    printf("matrix: %s, %u formable cells (the full matrix); flaky %.0f%%, seed %llu\n",
           "protocol x kx x cipher x mac x quirk", w->sp.num_cells, flaky * 100,
           (unsigned long long)seed);
    tally t[4] = {{"one term: axis = v", SIM_VALUE},
                  {"one term: a named group", SIM_GROUP},
                  {"one term: other sets", SIM_SET},
                  {"two-term conjunctions", SIM_PAIR}};
    unsigned bad = 0;
    for (unsigned k = 0; k < 4; k++) {
        tally_run(w, &t[k], k < 3 ? single : pair, k < 3 ? ns : np, flaky, seed + 1000 * k,
                  verbose);
        bad += t[k].n - t[k].same;
    }
    /* every one-term rule together */
    tally all = {"one term: all of them", -1};
    all.conns = calloc(ts_total(t) + 1, sizeof(unsigned));
    for (unsigned k = 0; k < 3; k++) {
        memcpy(all.conns + all.n, t[k].conns, t[k].n * sizeof(unsigned));
        all.n += t[k].n, all.same += t[k].same, all.repeats += t[k].repeats;
    }
    for (unsigned k = 0; k < 4; k++) {
        tally_print(&t[k], w->sp.num_cells);
        if (k == 2)
            tally_print(&all, w->sp.num_cells);
    }
    return bad;
}

int main(int argc, char **argv)
{
    unsigned pairs = 200;
    uint64_t seed = 11;
    double flaky = -1;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--pairs") && i + 1 < argc)
            pairs = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--flaky") && i + 1 < argc)
            flaky = atof(argv[++i]);
        else if (!strcmp(argv[i], "-v"))
            verbose = true;
        else {
            fprintf(stderr, "usage: sweep_adaptive [--pairs N] [--seed S] [--flaky P] [-v]\n");
            return 2;
        }
    }
    sim_world w;
    if (!sim_world_init(&w))
        return 1;
    sim_truth *single, *pair;
    unsigned ns = sim_single_truths(&w, &single);
    unsigned np = sim_pair_truths(&w, pairs, seed, &pair);
    /* without --flaky: a consistent client, then one that fails 10% at random */
    unsigned bad = run_all(&w, single, ns, pair, np, flaky < 0 ? 0 : flaky, seed, verbose);
    if (flaky < 0) {
        printf("\n");
        run_all(&w, single, ns, pair, np, 0.1, seed, verbose);
    }
    sim_truths_free(single, ns);
    sim_truths_free(pair, np);
    sim_world_cleanup(&w);
    return bad && flaky <= 0 ? 1 : 0;
}
