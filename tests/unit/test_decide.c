/* The rule finder (src/sweep/decide.c) on synthetic sweeps whose rule is
 * known: single values, groups, pairs, within-axis disjunctions, noise
 * (no exact rule), and statuses that must not shape the rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sweep/decide.h"

static const char *const AX3[] = {"protocol", "cipher", "mac"};

static const char *const PROTOS[] = {"TLS1.0", "TLS1.2"};
static const char *const CIPHERS[] = {"AES-128-CBC", "AES-256-CBC", "ARCFOUR-128", "AES-128-GCM"};
static const char *const MACS[] = {"SHA1", "SHA256", "AEAD"};

typedef sweep_status (*oracle_fn)(const char *proto, const char *cipher, const char *mac);

/* Grid of formable (protocol, cipher, mac) triples: AEAD only with GCM and
 * only in TLS1.2; SHA256 only in TLS1.2. */
static unsigned grid(sweep_row *rows, oracle_fn f)
{
    unsigned n = 0;
    for (unsigned p = 0; p < 2; p++) {
        for (unsigned c = 0; c < 4; c++) {
            for (unsigned m = 0; m < 3; m++) {
                bool gcm = strcmp(CIPHERS[c], "AES-128-GCM") == 0;
                bool aead = strcmp(MACS[m], "AEAD") == 0;
                if (gcm != aead)
                    continue;
                if ((gcm || !strcmp(MACS[m], "SHA256")) && p == 0)
                    continue;
                memset(&rows[n], 0, sizeof(rows[n]));
                rows[n].values[0] = PROTOS[p];
                rows[n].values[1] = CIPHERS[c];
                rows[n].values[2] = MACS[m];
                rows[n].status = f(PROTOS[p], CIPHERS[c], MACS[m]);
                rows[n].summary = rows[n].status == SWEEP_ST_FAIL
                                      ? "client sent fatal bad_record_mac after the server's first "
                                        "protected record"
                                      : NULL;
                n++;
            }
        }
    }
    return n;
}

static char *decision_json(const sweep_decision *d, const sweep_row *rows)
{
    json_object *o = sweep_decision_to_json(d, rows);
    char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return s;
}

static sweep_status o_sha256(const char *p, const char *c, const char *m)
{
    (void)p, (void)c;
    return strcmp(m, "SHA256") == 0 ? SWEEP_ST_FAIL : SWEEP_ST_OK;
}

static void test_single_value(void **state)
{
    (void)state;
    sweep_row rows[64];
    unsigned n = grid(rows, o_sha256);
    assert_int_equal(n, 10);
    sweep_decision d;
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_true(d.decidable);
    assert_true(d.exact);
    assert_int_equal(d.num_rules, 1);
    assert_string_equal(d.rules[0].text, "fails exactly when mac = SHA256");
    assert_int_equal(d.rules[0].num_terms, 1);
    assert_int_equal(d.rules[0].terms[0].op, SWEEP_OP_EQ);
    assert_null(d.rules[0].terms[0].group);
    assert_int_equal(d.num_failing, 3);
    /* the docs/design.md shape, exactly (plus the additive keys) */
    json_object *o = sweep_decision_to_json(&d, rows);
    json_object *v;
    assert_true(json_object_object_get_ex(o, "exact", &v) && json_object_get_boolean(v));
    assert_true(json_object_object_get_ex(o, "terms", &v));
    assert_string_equal(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
                        "[{\"axis\":\"mac\",\"op\":\"=\",\"values\":[\"SHA256\"]}]");
    assert_true(json_object_object_get_ex(o, "exceptions", &v));
    assert_int_equal(json_object_array_length(v), 0);
    assert_true(json_object_object_get_ex(o, "typical_failure", &v));
    assert_string_equal(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
                        "[{\"summary\":\"client sent fatal bad_record_mac after the server's first "
                        "protected record\",\"count\":3,\"of\":3}]");
    assert_true(json_object_object_get_ex(o, "counts", &v));
    json_object *mac, *sha;
    assert_true(json_object_object_get_ex(v, "mac", &mac));
    assert_true(json_object_object_get_ex(mac, "SHA256", &sha));
    assert_string_equal(json_object_to_json_string_ext(sha, JSON_C_TO_STRING_PLAIN),
                        "{\"ok\":0,\"fail\":3}");
    json_object_put(o);
    sweep_decision_cleanup(&d);
}

static sweep_status o_cbc(const char *p, const char *c, const char *m)
{
    (void)p, (void)m;
    return strstr(c, "-CBC") ? SWEEP_ST_FAIL : SWEEP_ST_OK;
}

static void test_group(void **state)
{
    (void)state;
    sweep_row rows[64];
    unsigned n = grid(rows, o_cbc);
    sweep_decision d;
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_true(d.exact);
    assert_string_equal(d.rules[0].text, "fails exactly when cipher is a CBC cipher");
    assert_non_null(d.rules[0].terms[0].group);
    assert_string_equal(d.rules[0].terms[0].group->name, "CBC");
    char *js = decision_json(&d, rows);
    assert_non_null(
        strstr(js, "\"terms\":[{\"axis\":\"cipher\",\"op\":\"in\",\"values\":[\"AES-128-CBC\","
                   "\"AES-256-CBC\"],\"group\":\"CBC\"}]"));
    free(js);
    sweep_decision_cleanup(&d);
}

static sweep_status o_tls10_cbc(const char *p, const char *c, const char *m)
{
    (void)m;
    return !strcmp(p, "TLS1.0") && strstr(c, "-CBC") ? SWEEP_ST_FAIL : SWEEP_ST_OK;
}

static void test_pair(void **state)
{
    (void)state;
    sweep_row rows[64];
    unsigned n = grid(rows, o_tls10_cbc);
    sweep_decision d;
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_true(d.exact);
    assert_string_equal(d.rules[0].text,
                        "fails exactly when protocol = TLS1.0 and cipher is a CBC cipher");
    assert_int_equal(d.rules[0].num_terms, 2);
    assert_int_equal(d.rules[0].terms[0].axis, 0);
    assert_int_equal(d.rules[0].terms[1].axis, 1);
    sweep_decision_cleanup(&d);
}

/* ok exactly when TLS1.2 and AES-128-CBC: the failures are a disjunction */
static sweep_status o_ok_pair(const char *p, const char *c, const char *m)
{
    (void)m;
    return !strcmp(p, "TLS1.2") && !strcmp(c, "AES-128-CBC") ? SWEEP_ST_OK : SWEEP_ST_FAIL;
}

static void test_succeeds_exactly_when_pair(void **state)
{
    (void)state;
    sweep_row rows[64];
    unsigned n = grid(rows, o_ok_pair);
    sweep_decision d;
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_true(d.exact);
    assert_string_equal(d.rules[0].text,
                        "succeeds exactly when protocol = TLS1.2 and cipher = AES-128-CBC");
    assert_true(d.rules[0].succeeds);
    assert_int_equal(d.rules[0].num_exceptions, 0);
    char *js = decision_json(&d, rows);
    assert_non_null(strstr(js, "\"succeeds\":true"));
    free(js);
    sweep_decision_cleanup(&d);
    /* a failing pair still reads as such */
    n = grid(rows, o_tls10_cbc);
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_false(d.rules[0].succeeds);
    sweep_decision_cleanup(&d);
}

static sweep_status o_pair_values(const char *p, const char *c, const char *m)
{
    return !strcmp(p, "TLS1.2") && !strcmp(c, "AES-256-CBC") && !strcmp(m, "SHA1") ? SWEEP_ST_FAIL
                                                                                   : SWEEP_ST_OK;
}

static void test_three_term_box(void **state)
{
    /* a single failing row: some two of its values already single it out */
    (void)state;
    sweep_row rows[64];
    unsigned n = grid(rows, o_pair_values);
    sweep_decision d;
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_true(d.exact);
    /* no two of its values single it out: the three-term box does */
    assert_int_equal(d.rules[0].num_terms, 3);
    assert_string_equal(
        d.rules[0].text,
        "fails exactly when protocol = TLS1.2 and cipher = AES-256-CBC and mac = SHA1");
    sweep_decision_cleanup(&d);
}

static void test_pair_widens_to_group(void **state)
{
    /* 3DES-CBC was only tried with TLS1.2 (ok): the failing set is two CBC
       ciphers, but the group reads better and is still exact */
    (void)state;
    static const char *const ax[] = {"protocol", "cipher"};
    static const struct {
        const char *p, *c;
        sweep_status st;
    } t[] = {
        {"TLS1.0", "AES-128-CBC", SWEEP_ST_FAIL}, {"TLS1.0", "AES-256-CBC", SWEEP_ST_FAIL},
        {"TLS1.0", "ARCFOUR-128", SWEEP_ST_OK},   {"TLS1.2", "AES-128-CBC", SWEEP_ST_OK},
        {"TLS1.2", "AES-256-CBC", SWEEP_ST_OK},   {"TLS1.2", "3DES-CBC", SWEEP_ST_OK},
        {"TLS1.2", "AES-128-GCM", SWEEP_ST_OK},
    };
    sweep_row rows[7];
    memset(rows, 0, sizeof(rows));
    for (unsigned i = 0; i < 7; i++) {
        rows[i].values[0] = t[i].p;
        rows[i].values[1] = t[i].c;
        rows[i].status = t[i].st;
    }
    sweep_decision d;
    assert_true(sweep_decide(&d, ax, 2, rows, 7));
    assert_true(d.exact);
    assert_string_equal(d.rules[0].text,
                        "fails exactly when protocol = TLS1.0 and cipher is a CBC cipher");
    assert_int_equal(d.rules[0].terms[1].num_values, 3);
    assert_string_equal(d.rules[0].terms[1].values[2], "3DES-CBC");
    sweep_decision_cleanup(&d);

    /* make 3DES-CBC fail with TLS1.2 too: no two-term rule is exact any more */
    rows[5].status = SWEEP_ST_FAIL;
    assert_true(sweep_decide(&d, ax, 2, rows, 7));
    assert_false(d.exact);
    assert_true(d.rules[0].num_exceptions >= 1);
    sweep_decision_cleanup(&d);
}

static sweep_status o_disj(const char *p, const char *c, const char *m)
{
    (void)p, (void)m;
    return !strcmp(c, "AES-256-CBC") || !strcmp(c, "ARCFOUR-128") ? SWEEP_ST_FAIL : SWEEP_ST_OK;
}

static void test_disjunction_within_axis(void **state)
{
    (void)state;
    sweep_row rows[64];
    unsigned n = grid(rows, o_disj);
    sweep_decision d;
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_true(d.exact);
    assert_string_equal(d.rules[0].text, "fails exactly when cipher in {AES-256-CBC, ARCFOUR-128}");
    assert_int_equal(d.rules[0].terms[0].op, SWEEP_OP_IN);
    assert_null(d.rules[0].terms[0].group);
    assert_int_equal(d.rules[0].terms[0].num_values, 2);
    sweep_decision_cleanup(&d);
}

static void test_no_exact_rule_lists_exceptions(void **state)
{
    (void)state;
    sweep_row rows[64];
    unsigned n = grid(rows, o_sha256);
    /* noise: one SHA256 row succeeded, one SHA1 row failed */
    unsigned flip_ok = n, flip_fail = n;
    for (unsigned i = 0; i < n; i++) {
        if (!strcmp(rows[i].values[2], "SHA256") && !strcmp(rows[i].values[1], "AES-128-CBC"))
            flip_ok = i;
        if (!strcmp(rows[i].values[2], "SHA1") && !strcmp(rows[i].values[1], "ARCFOUR-128") &&
            !strcmp(rows[i].values[0], "TLS1.0"))
            flip_fail = i;
    }
    assert_true(flip_ok < n && flip_fail < n);
    rows[flip_ok].status = SWEEP_ST_OK;
    rows[flip_fail].status = SWEEP_ST_FAIL;
    sweep_decision d;
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_false(d.exact);
    assert_true(d.num_rules >= 1);
    /* the best rule has exceptions, and they are real rows */
    assert_true(d.rules[0].num_exceptions >= 1);
    assert_true(d.rules[0].num_exceptions <= 2);
    assert_non_null(strstr(d.rules[0].text, "exception"));
    char *js = decision_json(&d, rows);
    assert_non_null(strstr(js, "\"exact\":false"));
    assert_null(strstr(js, "\"exceptions\":[]"));
    free(js);
    /* the best rules are ranked by errors */
    for (unsigned i = 1; i < d.num_rules; i++)
        assert_true(d.rules[i].num_exceptions >= d.rules[i - 1].num_exceptions);
    sweep_decision_cleanup(&d);
}

static void test_flaky_and_skipped_do_not_shape_rule(void **state)
{
    (void)state;
    sweep_row rows[64];
    unsigned n = grid(rows, o_sha256);
    /* would contradict "mac = SHA256" if they counted */
    for (unsigned i = 0; i < n; i++) {
        if (!strcmp(rows[i].values[2], "SHA1") && !strcmp(rows[i].values[0], "TLS1.2"))
            rows[i].status = SWEEP_ST_FLAKY;
        if (!strcmp(rows[i].values[2], "SHA256") && !strcmp(rows[i].values[1], "ARCFOUR-128"))
            rows[i].status = SWEEP_ST_SKIPPED;
    }
    sweep_decision d;
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_true(d.exact);
    assert_string_equal(d.rules[0].text, "fails exactly when mac = SHA256");
    assert_int_equal(d.num_status[SWEEP_ST_FLAKY], 3);
    assert_int_equal(d.num_status[SWEEP_ST_SKIPPED], 1);
    assert_int_equal(d.num_decided, n - 4);
    bool seen = false;
    for (unsigned i = 0; i < d.num_counts; i++) {
        if (!strcmp(d.counts[i].value, "SHA1")) {
            assert_int_equal(d.counts[i].n[SWEEP_ST_FLAKY], 3);
            assert_int_equal(d.counts[i].n[SWEEP_ST_OK], 3);
            seen = true;
        }
    }
    assert_true(seen);
    sweep_decision_cleanup(&d);
}

static void test_timeout_counts_as_failure(void **state)
{
    (void)state;
    sweep_row rows[64];
    unsigned n = grid(rows, o_cbc);
    for (unsigned i = 0; i < n; i++) {
        if (rows[i].status == SWEEP_ST_FAIL && !strcmp(rows[i].values[1], "AES-256-CBC")) {
            rows[i].status = SWEEP_ST_TIMEOUT;
            rows[i].summary = NULL;
        }
    }
    sweep_decision d;
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_true(d.exact);
    assert_string_equal(d.rules[0].text, "fails exactly when cipher is a CBC cipher");
    /* timeouts without a summary are quoted as such */
    bool seen = false;
    for (unsigned i = 0; i < d.num_typical; i++)
        seen |= strcmp(d.typical[i].example, "the client command timed out") == 0;
    assert_true(seen);
    sweep_decision_cleanup(&d);
}

static sweep_status o_none(const char *p, const char *c, const char *m)
{
    (void)p, (void)c, (void)m;
    return SWEEP_ST_OK;
}

static sweep_status o_all(const char *p, const char *c, const char *m)
{
    (void)p, (void)c, (void)m;
    return SWEEP_ST_FAIL;
}

static sweep_status o_skip(const char *p, const char *c, const char *m)
{
    (void)p, (void)c, (void)m;
    return SWEEP_ST_SKIPPED;
}

static void test_trivial(void **state)
{
    (void)state;
    sweep_row rows[64];
    sweep_decision d;
    unsigned n = grid(rows, o_none);
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_true(d.exact);
    assert_string_equal(d.rules[0].text, "no combination failed");
    assert_int_equal(d.rules[0].num_terms, 0);
    assert_int_equal(d.num_typical, 0);
    sweep_decision_cleanup(&d);

    n = grid(rows, o_all);
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_true(d.exact);
    assert_string_equal(d.rules[0].text, "every combination failed");
    sweep_decision_cleanup(&d);

    n = grid(rows, o_skip);
    assert_true(sweep_decide(&d, AX3, 3, rows, n));
    assert_false(d.decidable);
    assert_false(d.exact);
    char *js = decision_json(&d, rows);
    assert_non_null(strstr(js, "nothing to decide"));
    free(js);
    sweep_decision_cleanup(&d);

    /* no rows at all */
    assert_true(sweep_decide(&d, AX3, 3, rows, 0));
    assert_false(d.decidable);
    sweep_decision_cleanup(&d);
}

static void test_too_many_values(void **state)
{
    (void)state;
    static const char *const ax[] = {"x"};
    enum { N = SWEEP_MAX_VALUES + 1 };
    static char names[N][8];
    sweep_row rows[N];
    memset(rows, 0, sizeof(rows));
    for (unsigned i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "v%u", i);
        rows[i].values[0] = names[i];
        rows[i].status = i % 2 ? SWEEP_ST_FAIL : SWEEP_ST_OK;
    }
    sweep_decision d;
    assert_false(sweep_decide(&d, ax, 1, rows, N));
    assert_non_null(strstr(d.error, "axis x"));
    sweep_decision_cleanup(&d);
    /* just under the limit works */
    assert_true(sweep_decide(&d, ax, 1, rows, N - 1));
    assert_true(d.exact);
    sweep_decision_cleanup(&d);
}

static void test_too_many_axes(void **state)
{
    (void)state;
    const char *ax[SWEEP_MAX_AXES + 1] = {0};
    sweep_decision d;
    assert_false(sweep_decide(&d, ax, SWEEP_MAX_AXES + 1, NULL, 0));
    sweep_decision_cleanup(&d);
}

static void test_normalise(void **state)
{
    (void)state;
    char out[256];
    const char *vals[] = {"TLS1.2", "AES-128-CBC", "SHA1"};
    sweep_summary_normalise(out, sizeof(out),
                            "the client stalled after 517 bytes (TLS1.2, AES-128-CBC, SHA1).", AX3,
                            3, vals);
    assert_string_equal(out, "the client stalled after N bytes ({protocol}, {cipher}, {mac}).");
    /* words that only contain a value are left alone; versions stay */
    const char *vals2[] = {"TLS1.0", "RSA", "SHA1"};
    sweep_summary_normalise(out, sizeof(out), "ECDHE-RSA with TLS1.3 in 2.5 s: done", AX3, 3,
                            vals2);
    assert_string_equal(out, "ECDHE-RSA with TLS1.3 in N s: done");
    sweep_summary_normalise(out, sizeof(out), NULL, AX3, 3, vals2);
    assert_string_equal(out, "");
    /* truncation keeps the string terminated */
    char small[8];
    sweep_summary_normalise(small, sizeof(small), "a long summary text", AX3, 3, vals2);
    assert_int_equal(strlen(small), 7);
}

static void test_typical_groups_by_normalised_form(void **state)
{
    (void)state;
    static const char *const ax[] = {"cipher"};
    sweep_row rows[6];
    memset(rows, 0, sizeof(rows));
    const char *c[] = {"AES-128-CBC", "AES-256-CBC", "ARCFOUR-128",
                       "AES-128-GCM", "3DES-CBC",    "CHACHA20-POLY1305"};
    const char *s[] = {"client stalled after 517 bytes with AES-128-CBC",
                       "client stalled after 301 bytes with AES-256-CBC",
                       NULL,
                       "client sent fatal decode_error",
                       "client stalled after 12 bytes with 3DES-CBC",
                       NULL};
    sweep_status st[] = {SWEEP_ST_FAIL, SWEEP_ST_FAIL, SWEEP_ST_OK,
                         SWEEP_ST_FAIL, SWEEP_ST_FAIL, SWEEP_ST_OK};
    for (unsigned i = 0; i < 6; i++) {
        rows[i].values[0] = c[i];
        rows[i].summary = s[i];
        rows[i].status = st[i];
    }
    sweep_decision d;
    assert_true(sweep_decide(&d, ax, 1, rows, 6));
    assert_int_equal(d.num_typical, 2);
    assert_int_equal(d.typical[0].count, 3);
    assert_false(d.typical[0].all_same);
    assert_string_equal(d.typical[0].normalised, "client stalled after N bytes with {cipher}");
    assert_int_equal(d.typical[1].count, 1);
    assert_true(d.typical[1].all_same);
    assert_int_equal(d.num_failing, 4);
    assert_true(d.exact);
    assert_string_equal(
        d.rules[0].text,
        "fails exactly when cipher in {AES-128-CBC, AES-256-CBC, AES-128-GCM, 3DES-CBC}");
    sweep_decision_cleanup(&d);
}

static void test_status_names(void **state)
{
    (void)state;
    sweep_status s;
    for (unsigned i = 0; i < SWEEP_ST_COUNT; i++) {
        assert_true(sweep_status_parse(sweep_status_name((sweep_status)i), &s));
        assert_int_equal(s, i);
    }
    assert_false(sweep_status_parse("OK", &s));
    assert_false(sweep_status_parse("", &s));
    assert_false(sweep_status_parse(NULL, &s));
    assert_string_equal(sweep_status_name(SWEEP_ST_COUNT), "unknown");
}

static void test_groups_membership(void **state)
{
    (void)state;
    unsigned n;
    const sweep_group *g = sweep_groups(&n);
    assert_true(n > 10);
    for (unsigned i = 0; i < n; i++) {
        if (!strcmp(g[i].name, "CBC")) {
            assert_true(g[i].member("3DES-CBC"));
            assert_false(g[i].member("AES-128-GCM"));
        } else if (!strcmp(g[i].name, "AEAD")) {
            assert_true(g[i].member("CHACHA20-POLY1305"));
            assert_true(g[i].member("AES-256-CCM-8"));
            assert_false(g[i].member("AES-128-CBC"));
        } else if (!strcmp(g[i].name, "ECDHE")) {
            assert_true(g[i].member("ECDHE-ECDSA"));
            assert_false(g[i].member("DHE-RSA"));
        } else if (!strcmp(g[i].name, "legacy protocols")) {
            assert_true(g[i].member("TLS1.1"));
            assert_false(g[i].member("TLS1.2"));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_value),
        cmocka_unit_test(test_group),
        cmocka_unit_test(test_pair),
        cmocka_unit_test(test_succeeds_exactly_when_pair),
        cmocka_unit_test(test_three_term_box),
        cmocka_unit_test(test_pair_widens_to_group),
        cmocka_unit_test(test_disjunction_within_axis),
        cmocka_unit_test(test_no_exact_rule_lists_exceptions),
        cmocka_unit_test(test_flaky_and_skipped_do_not_shape_rule),
        cmocka_unit_test(test_timeout_counts_as_failure),
        cmocka_unit_test(test_trivial),
        cmocka_unit_test(test_too_many_values),
        cmocka_unit_test(test_too_many_axes),
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_typical_groups_by_normalised_form),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_groups_membership),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
