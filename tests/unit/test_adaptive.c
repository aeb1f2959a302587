/* The adaptive sweep strategy (src/sweep/adaptive.c) in simulation, no
 * network: over a realistic matrix (protocol x kx x cipher x mac x quirk,
 * the engine's formability, >= 200 cells) it names the same rule as the
 * full matrix for every one-term rule and for 200 random two-term
 * conjunctions, within the connection targets; a flaky client triggers
 * repeats; a result that contradicts every rule left is tried again; a
 * client outside the rule class makes it try everything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "adaptive_sim.h"
#include "report/sweep_html.h"

static sim_world W;

static int world_setup(void **state)
{
    (void)state;
    return sim_world_init(&W) ? 0 : -1;
}

static int world_teardown(void **state)
{
    (void)state;
    sim_world_cleanup(&W);
    return 0;
}

/* Runs every truth of kind (all kinds: -1); returns the median and max
 * connections, asserting adaptive names the full matrix's rule. */
static void run_kind(const sim_truth *t, unsigned n, int kind, double *med, unsigned *max,
                     unsigned *out_count)
{
    unsigned *conns = calloc(n + 1, sizeof(unsigned)), k = 0;
    assert_non_null(conns);
    for (unsigned i = 0; i < n; i++) {
        if (kind >= 0 && t[i].kind != kind)
            continue;
        sim_outcome o;
        assert_true(sim_run(&W, &t[i], 0, i, &o));
        if (!o.same)
            fail_msg("%s: full matrix \"%s\", adaptive \"%s\" (%u connections)", t[i].label,
                     o.full, o.adaptive, o.conns);
        assert_true(o.named);
        assert_int_equal(o.repeats, 0); /* a consistent client is never repeated */
        conns[k++] = o.conns;
    }
    sim_median_max(conns, k, med, max);
    *out_count = k;
    free(conns);
}

static void test_matrix_is_realistic(void **state)
{
    (void)state;
    assert_true(W.sp.num_cells >= 200);
    assert_int_equal(W.sp.num_axes, 5);
    assert_string_equal(W.sp.axes[4], "quirk");
}

static void test_every_single_term(void **state)
{
    (void)state;
    sim_truth *t;
    unsigned n = sim_single_truths(&W, &t), cnt;
    assert_true(n > 100);
    double med;
    unsigned max;
    /* axis = v and the named groups: the targets */
    for (int kind = SIM_VALUE; kind <= SIM_GROUP; kind++) {
        run_kind(t, n, kind, &med, &max, &cnt);
        assert_true(cnt >= 5);
        assert_true(med <= 10);
        assert_true(max <= 16);
    }
    /* every other set of one axis' values: the same targets (a one-term
     * winner gets one confirmation past ten connections, no more) */
    run_kind(t, n, SIM_SET, &med, &max, &cnt);
    assert_true(cnt >= 100);
    assert_true(med <= 10);
    assert_true(max <= 16);
    assert_true(max < W.sp.num_cells / 10);
    sim_truths_free(t, n);
}

static void test_two_term_conjunctions(void **state)
{
    (void)state;
    sim_truth *t;
    unsigned n = sim_pair_truths(&W, 200, 11, &t), cnt;
    assert_int_equal(n, 200);
    double med;
    unsigned max;
    run_kind(t, n, SIM_PAIR, &med, &max, &cnt);
    assert_int_equal(cnt, 200);
    assert_true(med <= 13);
    sim_truths_free(t, n);
}

/* Runs truths at flaky (seed base + index); returns how many named the full
 * matrix's rule, the median connections and the repeats. */
static unsigned run_flaky(const sim_truth *t, unsigned n, double flaky, uint64_t base,
                          double *med, unsigned *repeats)
{
    unsigned *conns = calloc(n + 1, sizeof(unsigned)), same = 0, max;
    assert_non_null(conns);
    *repeats = 0;
    for (unsigned i = 0; i < n; i++) {
        sim_outcome o;
        assert_true(sim_run(&W, &t[i], flaky, base + i, &o));
        same += o.same;
        *repeats += o.repeats;
        conns[i] = o.conns;
    }
    sim_median_max(conns, n, med, &max);
    free(conns);
    return same;
}

/* A client that also fails 10% of its tries at random (fixed seeds: the
 * figures are stable): repeats happen, a failure that alone keeps a rival
 * from being left is tried again, and the full matrix's rule is named for
 * at least 91% of the one-term rules and 95% of the conjunctions. */
static void test_flaky_client(void **state)
{
    (void)state;
    sim_truth *t;
    unsigned n = sim_single_truths(&W, &t), repeats;
    double med;
    unsigned same = run_flaky(t, n, 0.10, 100, &med, &repeats);
    print_message("flaky 0.1, one term: %u/%u same rule, median %.1f connections, %u repeats\n",
                  same, n, med, repeats);
    assert_true(repeats > 0);
    assert_true(same * 100 >= n * 91);
    assert_true(med <= 11);
    sim_truths_free(t, n);
    n = sim_pair_truths(&W, 200, 11, &t);
    same = run_flaky(t, n, 0.10, 3011, &med, &repeats);
    print_message("flaky 0.1, conjunctions: %u/%u same rule, median %.1f connections\n", same, n,
                  med);
    assert_true(same * 100 >= n * 95);
    assert_true(med <= 17);
    sim_truths_free(t, n);
}

/* One chance failure, at any of the first connections, that no later
 * result need contradict (it fits some rule): the rule is still named,
 * because a rival that failure alone keeps out is contradicted again. */
static void test_one_chance_failure(void **state)
{
    (void)state;
    sim_truth *t;
    unsigned n = sim_single_truths(&W, &t), runs = 0, same = 0;
    for (unsigned i = 0; i < n; i++) {
        if (t[i].kind == SIM_SET)
            continue;
        for (unsigned k = 1; k <= 8; k++) {
            sim_outcome o;
            assert_true(sim_run_flake_at(&W, &t[i], k, &o));
            runs++;
            same += o.same;
            if (!o.same)
                print_message("chance failure at try %u, %s: adaptive \"%s\"\n", k,
                              t[i].label, o.adaptive);
        }
    }
    print_message("one chance failure: %u/%u same rule\n", same, runs);
    assert_true(runs >= 200);
    assert_true(same * 100 >= runs * 99);
    sim_truths_free(t, n);
}

/* A result that contradicts every rule left is tried again at once. */
static void test_contradiction_then_next_is_same(void **state)
{
    (void)state;
    sweep_adaptive *ad = sweep_adaptive_new(&W.sp);
    assert_non_null(ad);
    int c;
    unsigned guard = 0;
    /* "never": every try ok until one rule is left */
    while ((c = sweep_adaptive_next(ad)) >= 0 && guard++ < W.sp.num_cells * 4)
        sweep_adaptive_observe(ad, (unsigned)c, 0, 1);
    sweep_ad_status st;
    sweep_adaptive_status(ad, &st);
    assert_true(st.named);
    /* an untried cell fails: every rule left ("never") says ok */
    int untried = -1;
    for (unsigned k = 0; k < W.sp.num_cells && untried < 0; k++)
        if (sweep_adaptive_tries(ad, k) == 0)
            untried = (int)k;
    assert_true(untried >= 0);
    assert_true(sweep_adaptive_observe(ad, (unsigned)untried, 1, 0));
    assert_int_equal(sweep_adaptive_next(ad), untried);
    sweep_adaptive_status(ad, &st);
    assert_int_equal(st.num_repeats, 1);
    sweep_adaptive_free(ad);
}

/* Outside the rule class (a pattern that follows no axis value: half the
 * cells by a hash of their index): adaptive falls back to every cell, and
 * the rows are the full matrix's. */
static bool odd_fails(unsigned cell)
{
    return ((cell * 2654435761u) >> 13) & 1;
}

static void test_outside_the_class_tries_everything(void **state)
{
    (void)state;
    sweep_adaptive *ad = sweep_adaptive_new(&W.sp);
    assert_non_null(ad);
    /* every cell's result is in (a resumed full sweep, say) */
    for (unsigned k = 0; k < W.sp.num_cells; k++)
        sweep_adaptive_observe(ad, k, odd_fails(k), !odd_fails(k));
    sweep_adaptive_replayed(ad);
    /* the rules left contradict results: those are tried again (never a
     * fourth time) until the strategy gives up naming one */
    int c;
    unsigned retries = 0;
    while ((c = sweep_adaptive_next(ad)) >= 0 && retries < 2 * W.sp.num_cells) {
        unsigned n = sweep_adaptive_tries(ad, (unsigned)c) + 1;
        assert_true(n <= 3);
        bool f = odd_fails((unsigned)c);
        sweep_adaptive_observe(ad, (unsigned)c, f ? n : 0, f ? 0 : n);
        retries++;
    }
    assert_int_equal(c, -1);
    assert_true(retries >= 1);
    sweep_ad_status st;
    sweep_adaptive_status(ad, &st);
    assert_false(st.named);
    assert_int_equal(st.phase, SWEEP_AD_FULL);
    sweep_row *rows = calloc(W.sp.num_cells, sizeof(*rows));
    assert_non_null(rows);
    assert_int_equal(sweep_adaptive_rows(ad, &W.sp, rows), W.sp.num_cells);
    for (unsigned k = 0; k < W.sp.num_cells; k++)
        assert_int_equal(rows[k].status, odd_fails(k) ? SWEEP_ST_FAIL : SWEEP_ST_OK);
    free(rows);
    sweep_adaptive_free(ad);
}

/* An untried cell the engine refuses is never chosen. */
static void test_excluded_cell_is_never_chosen(void **state)
{
    (void)state;
    sweep_adaptive *ad = sweep_adaptive_new(&W.sp);
    assert_non_null(ad);
    int first = sweep_adaptive_next(ad);
    assert_true(first >= 0);
    sweep_adaptive_exclude(ad, (unsigned)first);
    int c;
    unsigned guard = 0;
    while ((c = sweep_adaptive_next(ad)) >= 0 && guard++ < W.sp.num_cells * 4) {
        assert_int_not_equal(c, first);
        sweep_adaptive_observe(ad, (unsigned)c, 0, sweep_adaptive_tries(ad, (unsigned)c) + 1);
    }
    assert_int_equal(sweep_adaptive_tries(ad, (unsigned)first), 0);
    sweep_adaptive_free(ad);
}

/* The HTML grid shows tried and inferred cells apart, and the totals say
 * how many connections named the rule against the full matrix. */
static void test_html_inferred_cells(void **state)
{
    (void)state;
    wire_buf b;
    wire_buf_init(&b, 0);
    report_sweep_totals t = {.num_configs = 96, .num_ok = 6, .num_fail = 3,
                             .num_inferred = 87, .num_connections = 9, .num_formable = 96};
    report_sweep_html_totals(&b, &t);
    report_sweep_html_cell(&b, REPORT_CELL_FAIL, "TLS1.2 RSA AES-128-CBC SHA256: fail");
    report_sweep_html_cell(&b, REPORT_CELL_INFERRED_FAIL, "TLS1.1 RSA AES-128-CBC SHA256");
    report_sweep_html_cell(&b, REPORT_CELL_INFERRED_OK, "TLS1.2 RSA AES-128-GCM AEAD");
    assert_true(wire_buf_ok(&b));
    wire_buf_add_char(&b, '\0');
    const char *html = (const char *)wire_buf_data(&b);
    assert_non_null(strstr(html, "named in 9 connections; the full matrix is 96"));
    assert_non_null(strstr(html, "<td class=\"fail\" title="));
    assert_non_null(strstr(html, "<td class=\"fail inferred\" title="));
    assert_non_null(strstr(html, "<td class=\"ok inferred\" title="));
    assert_string_equal(report_sweep_cell_word(REPORT_CELL_INFERRED_FAIL), "inferred fail");
    wire_buf_cleanup(&b);
    /* a full sweep's totals say nothing of inference */
    wire_buf_init(&b, 0);
    t.num_inferred = 0;
    report_sweep_html_totals(&b, &t);
    wire_buf_add_char(&b, '\0');
    assert_null(strstr((const char *)wire_buf_data(&b), "named in"));
    wire_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_is_realistic),
        cmocka_unit_test(test_every_single_term),
        cmocka_unit_test(test_two_term_conjunctions),
        cmocka_unit_test(test_flaky_client),
        cmocka_unit_test(test_one_chance_failure),
        cmocka_unit_test(test_contradiction_then_next_is_same),
        cmocka_unit_test(test_outside_the_class_tries_everything),
        cmocka_unit_test(test_excluded_cell_is_never_chosen),
        cmocka_unit_test(test_html_inferred_cells),
    };
    return cmocka_run_group_tests(tests, world_setup, world_teardown);
}
