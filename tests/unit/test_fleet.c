/* The fleet view: grouping (src/analysis/fleet.c), the sink that fills a
 * connection from events (fleet_sink.c), the offered properties, the rule
 * over groups through the sweep's rule finder (src/sweep/fleet_rule.c) and
 * the renderers (src/report/fleet_render.c, fleet_html.c), on hand-made
 * connections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/fleet.h"
#include "report/fleet_render.h"
#include "report/json_util.h"
#include "sweep/fleet_rule.h"

static fleet_conn conn_of(unsigned n, const char *ja4, const char *peer, tp_outcome o,
                          const char *cause, const char *summary, double wall)
{
    fleet_conn c;
    memset(&c, 0, sizeof c);
    c.conn = n;
    c.wall = wall;
    snprintf(c.peer, sizeof c.peer, "%s", peer);
    snprintf(c.ja4, sizeof c.ja4, "%s", ja4);
    snprintf(c.ja3, sizeof c.ja3, "%s", "0123456789abcdef0123456789abcdef");
    c.has_hello = true;
    c.has_verdict = true;
    c.outcome = o;
    c.phase = "handshake";
    c.actor = o == TP_OUTCOME_FAIL ? "client" : "none";
    snprintf(c.cause, sizeof c.cause, "%s", cause);
    snprintf(c.summary, sizeof c.summary, "%s", summary);
    return c;
}

static void test_grouping(void **state)
{
    (void)state;
    fleet_table t;
    fleet_table_init(&t);
    fleet_conn a = conn_of(1, "t13d_a", "10.0.0.1", TP_OUTCOME_OK, "session-ok", "ok after 12 bytes", 100);
    fleet_conn b = conn_of(2, "t12d_b", "10.0.0.2", TP_OUTCOME_FAIL, "no-shared-suite", "no suite (3 offered)", 50);
    fleet_conn c = conn_of(3, "t12d_b", "10.0.0.3", TP_OUTCOME_FAIL, "no-shared-suite", "no suite (17 offered)", 200);
    fleet_conn d = conn_of(4, "t12d_b", "10.0.0.2", TP_OUTCOME_FAIL, "no-shared-suite", "other words", 150);
    fleet_conn e = conn_of(5, "t13d_a", "10.0.0.1", TP_OUTCOME_OK, "session-ok", "ok after 7 bytes", 90);
    assert_true(fleet_add(&t, &a) && fleet_add(&t, &b) && fleet_add(&t, &c) && fleet_add(&t, &d) &&
                fleet_add(&t, &e));
    unsigned n;
    fleet_group *g = fleet_sorted(&t, &n);
    assert_int_equal(n, 2);
    /* failing first, though the ok group was seen first */
    assert_string_equal(g[0].cause, "no-shared-suite");
    assert_int_equal(g[0].count, 3);
    assert_int_equal(g[0].num_outcome[TP_OUTCOME_FAIL], 3);
    assert_int_equal(g[0].num_peers, 2); /* 10.0.0.2 twice */
    assert_true(g[0].first == 50 && g[0].last == 200);
    assert_int_equal(g[0].example_conn, 2);
    /* digit runs do not split the typical verdict: 2 of 3 read alike */
    const fleet_typical *ty = fleet_group_typical(&g[0]);
    assert_int_equal(ty->count, 2);
    assert_string_equal(ty->example, "no suite (3 offered)");
    assert_int_equal(g[0].num_typical, 2);
    assert_int_equal(fleet_group_outcome(&g[0]), TP_OUTCOME_FAIL);
    assert_int_equal(g[1].count, 2);
    assert_int_equal(g[1].num_peers, 1);
    assert_int_equal(fleet_group_outcome(&g[1]), TP_OUTCOME_OK);
    assert_int_equal(t.num_conns, 5);
    fleet_table_cleanup(&t);
}

static void set_offer(fleet_conn *c, const char *legacy, const char *const *versions, unsigned nv,
                      const char *const *suites, unsigned ns)
{
    fleet_offer o = {.legacy_version = legacy, .supported_versions = nv > 0, .versions = versions,
                     .num_versions = nv, .suites = suites, .num_suites = ns};
    fleet_conn_set_offer(c, &o, "ja3", c->ja4);
}

static const char *const OLD[] = {"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"};
static const char *const MODERN12[] = {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                       "TLS_RSA_WITH_AES_128_CBC_SHA"};
static const char *const ONLY13[] = {"TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"};
static const char *const V13[] = {"GREASE", "TLS1.3", "TLS1.2"};

static void test_offer_properties(void **state)
{
    (void)state;
    fleet_conn c = conn_of(1, "x", "p", TP_OUTCOME_OK, "session-ok", "", 0);
    set_offer(&c, "TLS1.2", NULL, 0, OLD, 2);
    assert_string_equal(c.props[FLEET_PROP_VERSION], "TLS1.2");
    assert_string_equal(c.props[FLEET_PROP_SUPPORTED_VERSIONS], "not sent");
    assert_string_equal(c.props[FLEET_PROP_SHA256_SUITE], "not offered");
    assert_string_equal(c.props[FLEET_PROP_ECDHE_SUITE], "not offered");
    assert_string_equal(c.props[FLEET_PROP_AEAD_SUITE], "not offered");
    assert_non_null(strstr(c.offer, "no TLS1.2 SHA-256 suite"));
    set_offer(&c, "TLS1.2", NULL, 0, MODERN12, 2);
    assert_string_equal(c.props[FLEET_PROP_SHA256_SUITE], "offered");
    assert_string_equal(c.props[FLEET_PROP_ECDHE_SUITE], "offered");
    assert_string_equal(c.props[FLEET_PROP_AEAD_SUITE], "offered");
    /* TLS 1.3 suites are no TLS1.2 suite; the highest of supported_versions */
    set_offer(&c, "TLS1.2", V13, 3, ONLY13, 2);
    assert_string_equal(c.props[FLEET_PROP_VERSION], "TLS1.3");
    assert_string_equal(c.props[FLEET_PROP_SUPPORTED_VERSIONS], "sent");
    assert_string_equal(c.props[FLEET_PROP_SHA256_SUITE], "not offered");
}

/* Failing clients offer no TLS1.2 SHA-256 suite and send no
 * supported_versions; a TLS1.3-only client lacks the first, an old client
 * with a SHA-256 suite the second, and both work. */
static void test_rule_over_groups(void **state)
{
    (void)state;
    fleet_table t;
    fleet_table_init(&t);
    fleet_conn f1 = conn_of(1, "f1", "a", TP_OUTCOME_FAIL, "no-shared-suite", "x", 1);
    set_offer(&f1, "TLS1.2", NULL, 0, OLD, 2);
    fleet_conn f2 = conn_of(2, "f2", "b", TP_OUTCOME_FAIL, "no-shared-suite", "x", 1);
    set_offer(&f2, "TLS1.0", NULL, 0, OLD, 1);
    fleet_conn o1 = conn_of(3, "o1", "c", TP_OUTCOME_OK, "session-ok", "y", 1);
    set_offer(&o1, "TLS1.2", V13, 3, ONLY13, 2);
    fleet_conn o2 = conn_of(4, "o2", "d", TP_OUTCOME_OK, "session-ok", "y", 1);
    set_offer(&o2, "TLS1.2", NULL, 0, MODERN12, 2);
    fleet_conn u = conn_of(5, "u", "e", TP_OUTCOME_FAIL, "unreadable-without-keys", "z", 1);
    set_offer(&u, "TLS1.2", V13, 3, ONLY13, 2); /* undecided: no part in the rule */
    assert_true(fleet_add(&t, &f1) && fleet_add(&t, &f2) && fleet_add(&t, &o1) &&
                fleet_add(&t, &o2) && fleet_add(&t, &u));
    unsigned n;
    fleet_group *g = fleet_sorted(&t, &n);
    assert_true(fleet_group_undecided(&g[4]));
    sweep_fleet_rule r;
    sweep_fleet_rule_find(g, n, &r);
    assert_null(r.why);
    assert_true(r.exact);
    assert_string_equal(r.rule, "fails exactly when supported_versions = not sent and "
                                "TLS1.2 SHA-256 suite = not offered");
    /* nothing failed: no rule, and why */
    sweep_fleet_rule_find(g + 2, 2, &r);
    assert_string_equal(r.rule, "");
    assert_string_equal(r.why, "no group of clients failed");
    fleet_table_cleanup(&t);
}

/* The sink: accept, verdict and close of two interleaved connections; a
 * connection is folded at its close and its state freed. */
static void test_sink(void **state)
{
    (void)state;
    fleet_table t;
    fleet_table_init(&t);
    tp_sink *s = fleet_sink_new(&t, 3);
    assert_non_null(s);
    tp_event ev;
    for (unsigned c = 1; c <= 2; c++) {
        memset(&ev, 0, sizeof ev);
        ev.type = TP_EV_ACCEPT;
        ev.conn = c;
        ev.u.accept.peer = c == 1 ? "[::1]:5000" : "192.0.2.7:40000";
        ev.u.accept.wall = 1000.0 + c;
        s->on_event(s, &ev);
    }
    tp_verdict v;
    memset(&v, 0, sizeof v);
    v.outcome = TP_OUTCOME_FAIL;
    v.phase = TP_PHASE_HANDSHAKE;
    v.actor = TP_ACTOR_CLIENT;
    v.cause = "client-rejected-certificate";
    v.layers.records[TP_S2C].unchecked = 2;
    snprintf(v.summary, sizeof v.summary, "the client rejected the server's certificate");
    memset(&ev, 0, sizeof ev);
    ev.type = TP_EV_VERDICT;
    ev.conn = 2;
    ev.u.verdict = &v;
    s->on_event(s, &ev);
    ev.type = TP_EV_CLOSE;
    s->on_event(s, &ev);
    assert_int_equal(t.num_conns, 1); /* connection 1 is still open */
    assert_null(fleet_sink_conn(s, 2, false));
    fleet_conn *c1 = fleet_sink_conn(s, 1, false);
    assert_non_null(c1);
    assert_string_equal(c1->peer, "::1");
    fleet_sink_finish_all(s);
    assert_int_equal(t.num_conns, 2);
    assert_int_equal(t.num_no_hello, 2);
    unsigned n;
    fleet_group *g = fleet_sorted(&t, &n);
    assert_int_equal(n, 2);
    /* connection 1 never got its verdict: counted, and named so */
    assert_string_equal(g[0].cause, "no-verdict");
    assert_string_equal(g[0].actor, "network");
    assert_string_equal(g[1].cause, "client-rejected-certificate");
    assert_string_equal(g[1].actor, "client");
    assert_int_equal(g[1].num_unchecked, 1);
    assert_int_equal(g[1].example_source, 3);
    assert_true(g[1].first == 1002.0);
    fleet_sink_free(s);
    fleet_table_cleanup(&t);
}

/* Text, JSON and HTML from one table; the HTML escapes a peer's words. */
static void test_render(void **state)
{
    (void)state;
    fleet_table t;
    fleet_table_init(&t);
    fleet_conn a = conn_of(7, "t12d_b", "10.0.0.2", TP_OUTCOME_FAIL, "client-bad-record",
                           "client sent <script>alert(1)</script>", 1764590400.0);
    a.unchecked = 1;
    assert_true(fleet_add(&t, &a));
    const char *const sources[] = {"cap.pcap"};
    report_fleet f = {.table = &t, .sources = sources, .num_sources = 1,
                      .rule_why = "every group of clients failed"};
    f.groups = fleet_sorted(&t, &f.num_groups);
    wire_buf b;
    wire_buf_init(&b, 0);
    report_fleet_text(&b, &f);
    const char *txt = wire_buf_str(&b);
    assert_non_null(strstr(txt, "tlsprobe fleet: 1 connection in 1 group, 1 failing\n"
                                "FAIL   1 connection from 1 peer: client-bad-record (handshake, client)\n"));
    assert_non_null(strstr(txt, "seen 2025-12-01 12:00:00 UTC"));
    assert_non_null(strstr(txt, "example: connection 7 of cap.pcap"));
    assert_non_null(strstr(txt, "not checked: 1 connection with protected records"));
    assert_non_null(strstr(txt, "nothing to tell apart (every group of clients failed)"));
    wire_buf_reset(&b);
    report_fleet_html_section(&b, &f);
    const char *html = wire_buf_str(&b);
    assert_null(strstr(html, "<script>"));
    assert_non_null(strstr(html, "&lt;script&gt;"));
    assert_non_null(strstr(html, "<tr class=\"fail\">"));
    wire_buf_cleanup(&b);
    json_object *o = report_fleet_json(&f);
    const char *line = report_json_line(o);
    assert_non_null(strstr(line, "\"connections\":1"));
    assert_non_null(strstr(line, "\"cause\":\"client-bad-record\""));
    assert_non_null(strstr(line, "\"example\":{\"conn\":7,\"source\":\"cap.pcap\"}"));
    assert_non_null(strstr(line, "\"why_none\":\"every group of clients failed\""));
    json_object_put(o);
    fleet_table_cleanup(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grouping),
        cmocka_unit_test(test_offer_properties),
        cmocka_unit_test(test_rule_over_groups),
        cmocka_unit_test(test_sink),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
