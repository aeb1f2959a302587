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
#include "report/json_util.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seconds),      cmocka_unit_test(test_fast_path_equals_json_c),
        cmocka_unit_test(test_sink_lines),   cmocka_unit_test(test_verdict_json),
        cmocka_unit_test(test_verdict_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
