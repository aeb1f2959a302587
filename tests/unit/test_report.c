/* The JSON trace writer: the per-record fast path writes exactly what the
 * json-c rendering writes, seconds are formatted as the format doc says,
 * and the JSON sink's lines parse back with "event" first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "analysis/events.h"
#include "report/json_sink.h"
#include "report/html.h"
#include "report/json_util.h"
#include "report/status_page.h"
#include "report/text_sink.h"
#include "report/verdict_render.h"

static void test_seconds(void **state)
{
    (void)state;
    static const struct {
        double t;
        const char *want;
    } cases[] = {
        {0, "0"},         {0.0004, "0.0004"},        {1.5, "1.5"},
        {0.0000004, "0"}, {12.3456789, "12.345679"}, {-3, "0"},
        {30, "30"},       {0.000001, "0.000001"},    {0.0212, "0.0212"},
        {2.9999999, "3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[40];
        size_t n = report_json_format_seconds(buf, sizeof buf, cases[i].t);
        assert_int_equal(n, strlen(cases[i].want));
        assert_string_equal(buf, cases[i].want);
    }
}

static void compare(const tp_event *ev)
{
    char fast[1024];
    size_t len = 0;
    assert_true(report_json_event_fast(ev, false, fast, sizeof fast, &len));
    fast[len] = '\0';
    json_object *o = report_json_event(ev, false);
    assert_non_null(o);
    const char *slow =
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    assert_string_equal(fast, slow);
    /* and it parses back */
    json_object *back = json_tokener_parse(fast);
    assert_non_null(back);
    json_object_put(back);
    json_object_put(o);
}

static void test_fast_path_equals_json_c(void **state)
{
    (void)state;
    uint8_t frag[64] = {0};
    wire_record rec = {.type = WIRE_CT_HANDSHAKE, .version = 0x0301, .length = 48};
    cur_init(&rec.fragment, frag, 48);
    tp_record_check chk = {0};
    tp_event ev = {.type = TP_EV_RECORD, .conn = 7, .t = 0.0209, .dir = TP_S2C};
    ev.u.record.rec = &rec;
    ev.u.record.check = &chk;
    ev.u.record.index = 3;
    compare(&ev); /* plaintext record */

    chk.is_protected = true;
    compare(&ev); /* protected, unchecked, no detail */
    chk.detail = "no CLIENT_RANDOM key log entry for this connection";
    compare(&ev);

    chk.integrity = TP_INTEGRITY_OK;
    chk.inner_type = WIRE_CT_HANDSHAKE;
    chk.plaintext_len = 16;
    chk.has_padding = true;
    chk.padding_len = 11;
    chk.padding_valid = true;
    chk.padding_minimal = false;
    compare(&ev); /* CBC, opened */

    chk.integrity = TP_INTEGRITY_BAD;
    chk.detail = "odd \"detail\"\twith \\ and \x01 control";
    chk.padding_valid = false;
    compare(&ev); /* bad, detail needing escapes */

    rec.type = 99; /* unknown content type */
    rec.version = 0x7f1c;
    chk.integrity = TP_INTEGRITY_OK;
    chk.inner_type = 77;
    chk.has_padding = false;
    compare(&ev); /* TLS 1.3 opened, padding_len 11: tls13_padding */
    ev.u.record.quirk = "hs-fragment=50,cbc-padding=max";
    compare(&ev); /* shaped by --quirk */
    ev.u.record.quirk = NULL;

    tp_event ad = {.type = TP_EV_APPDATA, .conn = 123456, .t = 1234.5, .dir = TP_C2S};
    ad.u.appdata.bytes = frag;
    ad.u.appdata.len = 16384;
    compare(&ad);

    /* --records and other events take the json-c path */
    char buf[64];
    size_t len;
    assert_false(report_json_event_fast(&ev, true, buf, sizeof buf, &len));
    tp_event note = {.type = TP_EV_NOTE, .conn = 1};
    note.u.note.text = "x";
    assert_false(report_json_event_fast(&note, false, buf, sizeof buf, &len));
    /* a buffer too small is refused, not overrun */
    assert_false(report_json_event_fast(&ad, false, buf, 20, &len));
}

static void test_sink_lines(void **state)
{
    (void)state;
    char *mem = NULL;
    size_t mem_len = 0;
    FILE *f = open_memstream(&mem, &mem_len);
    assert_non_null(f);
    tp_sink *s = report_json_sink_new(f, false);
    tp_event acc = {.type = TP_EV_ACCEPT, .conn = 1};
    acc.u.accept.peer = "127.0.0.1:1";
    acc.u.accept.local = "127.0.0.1:2";
    s->on_event(s, &acc);
    tp_verdict v = {.ok = false, .phase = TP_PHASE_NOT_TLS};
    snprintf(v.summary, sizeof v.summary,
             "the client's bytes are plain HTTP (\"GET / HTTP/1.1\"), not TLS");
    tp_event ve = {.type = TP_EV_VERDICT, .conn = 1, .t = 0.5};
    ve.u.verdict = &v;
    s->on_event(s, &ve);
    tp_event cl = {.type = TP_EV_CLOSE, .conn = 1, .t = 0.5};
    s->on_event(s, &cl);
    report_json_sink_free(s);
    fclose(f);
    char *save = NULL;
    unsigned lines = 0;
    for (char *line = strtok_r(mem, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        assert_true(strncmp(line, "{\"event\":\"", 10) == 0);
        json_object *o = json_tokener_parse(line);
        assert_non_null(o);
        json_object *x;
        assert_true(json_object_object_get_ex(o, "conn", &x));
        assert_int_equal(json_object_get_int(x), 1);
        if (lines == 1) {
            assert_true(json_object_object_get_ex(o, "phase", &x));
            assert_string_equal(json_object_get_string(x), "not-tls");
            assert_true(json_object_object_get_ex(o, "outcome", &x));
            assert_string_equal(json_object_get_string(x), "fail");
            assert_true(json_object_object_get_ex(o, "alert", &x));
            assert_null(x);
        }
        json_object_put(o);
        lines++;
    }
    assert_int_equal(lines, 2); /* close events are not trace lines */
    free(mem);
}

/* A verdict with its layers, as the JSON trace (version 2) and the text
 * trace render it. */
static tp_verdict layered(void)
{
    tp_verdict v = {.outcome = TP_OUTCOME_FAIL,
                    .phase = TP_PHASE_HANDSHAKE,
                    .actor = TP_ACTOR_CLIENT,
                    .cause = "client-rejected-certificate",
                    .protocol = "TLS1.3",
                    .has_alert = true};
    v.alert = (tp_alert_info){"client", "fatal", "unknown_ca", false};
    snprintf(v.summary, sizeof v.summary, "the client rejected the server's certificate");
    tp_layers *l = &v.layers;
    l->transport.opened_by = TP_ACTOR_CLIENT;
    l->transport.closed_by = TP_ACTOR_CLIENT;
    l->transport.how = TP_HOW_FIN;
    l->transport.c2s_bytes = 524;
    l->transport.s2c_bytes = 1400;
    l->handshake.client_last = "ClientHello";
    l->handshake.server_last = "Finished";
    l->handshake.num_alerts = 2;
    l->handshake.alerts[0] = v.alert;
    l->handshake.alerts[1] = (tp_alert_info){"server", "fatal", "bad_record_mac", false};
    l->records[TP_S2C] = (tp_record_tally){.total = 6, .protected_n = 4, .ok = 4};
    l->records[TP_C2S] = (tp_record_tally){.total = 3, .protected_n = 1, .bad = 1, .first_bad = 3};
    return v;
}

static const char *jstr(json_object *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    json_object *cur = o;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
        if (!json_object_object_get_ex(cur, k, &cur))
            return "(missing)";
    return cur ? json_object_get_string(cur) : "(null)";
}

static void test_verdict_json(void **state)
{
    (void)state;
    tp_verdict v = layered();
    json_object *o = json_object_new_object();
    report_json_verdict_fill(o, &v);
    assert_string_equal(jstr(o, "outcome"), "fail");
    assert_string_equal(jstr(o, "actor"), "client");
    assert_string_equal(jstr(o, "cause"), "client-rejected-certificate");
    assert_string_equal(jstr(o, "layers.transport.how"), "fin");
    assert_string_equal(jstr(o, "layers.transport.closed_by"), "client");
    assert_string_equal(jstr(o, "layers.transport.s2c_bytes"), "1400");
    assert_string_equal(jstr(o, "layers.handshake.done"), "false");
    assert_string_equal(jstr(o, "layers.handshake.server_last"), "Finished");
    assert_string_equal(jstr(o, "layers.records.c2s.first_bad"), "3");
    assert_string_equal(jstr(o, "layers.records.s2c.first_bad"), "(null)");
    assert_string_equal(jstr(o, "layers.records.s2c.protected"), "4");
    assert_string_equal(jstr(o, "layers.app.fit"), "(null)");
    json_object *alerts = NULL;
    assert_true(json_object_object_get_ex(o, "layers", &alerts));
    alerts = json_object_object_get(json_object_object_get(alerts, "handshake"), "alerts");
    assert_int_equal(json_object_array_length(alerts), 2);
    assert_string_equal(jstr(json_object_array_get_idx(alerts, 0), "protected"), "false");
    assert_string_equal(jstr(json_object_array_get_idx(alerts, 1), "description"),
                        "bad_record_mac");
    json_object_put(o);
    v.outcome = TP_OUTCOME_UNUSED;
    o = json_object_new_object();
    report_json_verdict_fill(o, &v);
    assert_string_equal(jstr(o, "outcome"), "unused");
    json_object_put(o);
}

static void test_verdict_text(void **state)
{
    (void)state;
    tp_verdict v = layered();
    char *mem = NULL;
    size_t mem_len = 0;
    FILE *f = open_memstream(&mem, &mem_len);
    tp_sink *s = report_text_sink_new(f, 1, false, false);
    tp_event ve = {.type = TP_EV_VERDICT, .conn = 3, .t = 0.012};
    ve.u.verdict = &v;
    s->on_event(s, &ve);
    v.outcome = TP_OUTCOME_OK;
    v.actor = TP_ACTOR_NONE;
    s->on_event(s, &ve);
    report_text_sink_free(s);
    fclose(f);
    assert_non_null(strstr(mem, "[3] FAIL (handshake, client, 0.012 s): the client rejected"));
    assert_non_null(strstr(mem, "[3]   layers: transport opened by client, closed by client "
                                "(fin), 524 bytes c2s, 1400 s2c; handshake not done (client: "
                                "ClientHello, server: Finished), alerts: client fatal unknown_ca "
                                "(in the clear), server fatal bad_record_mac (in the clear)"));
    assert_non_null(strstr(mem, "records c2s 3 (1 protected: 0 ok, 1 bad, 0 unchecked) first "
                                "bad #3, s2c 6 (4 protected: 4 ok, 0 bad, 0 unchecked)"));
    assert_non_null(strstr(mem, "[3] OK (handshake, 0.012 s):")); /* no actor when none */
    free(mem);
}

/* ---- the one HTML escaper (report/html.c) ---- */

static char *esc(const char *s, size_t n)
{
    static char out[256];
    wire_buf b;
    wire_buf_init_fixed(&b, out, sizeof out);
    report_html_escape(&b, s, n);
    assert_true(wire_buf_ok(&b));
    return out;
}

static void test_html_escape(void **state)
{
    (void)state;
    char out[64];
    report_html_escape_to(out, sizeof(out), "<a href='x'>\"&\"</a>\x01");
    assert_string_equal(out, "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;?");
    char small[5];
    assert_int_equal(report_html_escape_to(small, sizeof(small), "a<b"), 1);
    assert_string_equal(small, "a"); /* never a cut entity */
    report_html_escape_to(out, sizeof(out), NULL);
    assert_string_equal(out, "");
}

static void test_html_escape_each(void **state)
{
    (void)state;
    assert_string_equal(esc("<", 1), "&lt;");
    assert_string_equal(esc(">", 1), "&gt;");
    assert_string_equal(esc("&", 1), "&amp;");
    assert_string_equal(esc("\"", 1), "&quot;");
    assert_string_equal(esc("'", 1), "&#39;");
    assert_string_equal(esc("&lt;", 4), "&amp;lt;"); /* entities in the input stay text */
    /* line ends, tabs; other controls, DEL and NUL never reach the page */
    assert_string_equal(esc("a\r\nb\tc", 6), "a\nb\tc");
    assert_string_equal(esc("x\0y\x1b\x7f", 5), "x?y??");
}

static void test_html_escape_utf8(void **state)
{
    (void)state;
    /* valid UTF-8 passes whole: é, €, U+1F512 */
    assert_string_equal(esc("\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92", 9),
                        "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92");
    /* not UTF-8: Latin-1 é, a lone continuation byte, 0xff, an overlong
     * '<' (0xc0 0xbc), a UTF-16 surrogate (ED A0 80), above U+10FFFF, and
     * a sequence cut at the end: each byte becomes U+FFFD */
#define R "\xef\xbf\xbd"
    assert_string_equal(esc("caf\xe9!", 5), "caf" R "!");
    assert_string_equal(esc("\x80\xff", 2), R R);
    assert_string_equal(esc("\xc0\xbc", 2), R R);
    assert_string_equal(esc("\xed\xa0\x80", 3), R R R);
    assert_string_equal(esc("\xf4\x90\x80\x80", 4), R R R R);
    assert_string_equal(esc("a\xe2\x82", 3), "a" R R);
#undef R
    /* a full fixed builder never ends inside a character */
    char small[4];
    assert_int_equal(report_html_escape_to(small, sizeof small, "a\xe2\x82\xac"), 1);
    assert_string_equal(small, "a");
}

static void test_text_escape(void **state)
{
    (void)state;
    wire_buf b;
    wire_buf_init(&b, 0);
    report_text_escape(&b, "GET /\x1b[2J\r\n<b>\x7f", 15);
    assert_string_equal(wire_buf_str(&b), "GET /\\x1b[2J\n<b>\\x7f");
    wire_buf_cleanup(&b);
}

static void test_status_page(void **state)
{
    (void)state;
    static const char *const labels[] = {"protocol", "cipher"};
    const char *values[] = {"TLS1.3", ""};
    static const char req[] = "GET /<script> HTTP/1.1\r\nHost: a&b\r\n\r\n";
    static const char hello[] = "ClientHello\n  server_name \"<x>\x01\"\n";
    report_status_page p = {.conn = 7, .peer = "127.0.0.1:5555", .labels = labels,
                            .values = values, .num = 2, .ja3 = "771,4865", .ja3_md5 = "",
                            .ja4 = NULL, .hello = hello, .hello_len = sizeof hello - 1,
                            .request = req, .request_len = sizeof req - 1};
    wire_buf b;
    wire_buf_init(&b, 0);
    report_status_page_html(&b, &p);
    const char *html = wire_buf_str(&b);
    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "Connection 7 from <code>127.0.0.1:5555</code>"));
    assert_non_null(strstr(html, "<tr><th>protocol</th><td>TLS1.3</td></tr>"));
    assert_non_null(strstr(html, "<tr><th>cipher</th><td>-</td></tr>"));
    assert_non_null(strstr(html, "GET /&lt;script&gt; HTTP/1.1\nHost: a&amp;b\n"));
    assert_non_null(strstr(html, "server_name &quot;&lt;x&gt;\\x01&quot;"));
    assert_null(strstr(html, "<script>"));
    assert_non_null(strstr(html, "</body></html>\n"));
    wire_buf_reset(&b);
    report_status_page_text(&b, &p);
    const char *text = wire_buf_str(&b);
    assert_non_null(strstr(text, "tlsprobe: connection 7 from 127.0.0.1:5555\n"));
    assert_non_null(strstr(text, "  cipher               -\n"));
    assert_non_null(strstr(text, "  JA3      771,4865\n  JA3 MD5  -\n  JA4      -\n"));
    assert_non_null(strstr(text, "server_name \"<x>\\x01\"\n"));
    assert_non_null(strstr(text, "Your request\nGET /<script> HTTP/1.1\nHost: a&b\n"));
    wire_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seconds),      cmocka_unit_test(test_fast_path_equals_json_c),
        cmocka_unit_test(test_sink_lines),   cmocka_unit_test(test_verdict_json),
        cmocka_unit_test(test_verdict_text),
        cmocka_unit_test(test_html_escape),  cmocka_unit_test(test_html_escape_each),
        cmocka_unit_test(test_html_escape_utf8), cmocka_unit_test(test_text_escape),
        cmocka_unit_test(test_status_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
