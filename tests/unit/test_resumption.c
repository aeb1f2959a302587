/* Resumption in words and JSON (analysis/resumption.c,
 * report/resumption_render.c) on hand-made relations: each case beside the
 * condition that must change its answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/resumption.h"
#include "report/resumption_render.h"

static tp_resumption decided(void)
{
    tp_resumption r;
    memset(&r, 0, sizeof r);
    r.decided = true;
    return r;
}

static void test_why(void **state)
{
    (void)state;
    tp_resumption r = decided();
    assert_null(tp_resumption_why(&r)); /* nothing offered */
    r.offered_ticket = true;
    assert_string_equal(tp_resumption_why(&r), "not-known"); /* offline */
    r.server_known = true;
    r.server_modes = TP_RES_ID | TP_RES_PSK;
    assert_string_equal(tp_resumption_why(&r), "resumption-off");
    r.server_modes |= TP_RES_TICKET;
    assert_string_equal(tp_resumption_why(&r), "ticket-unknown");
    r.offered_ticket = false;
    r.offered_id = true;
    assert_string_equal(tp_resumption_why(&r), "cache-miss");
    r.server_modes = TP_RES_TICKET;
    assert_string_equal(tp_resumption_why(&r), "resumption-off");
    r.offered_id = false;
    r.offered_psk = true;
    r.server_modes = TP_RES_PSK;
    assert_string_equal(tp_resumption_why(&r), "psk-unknown");
    r.resumed = true;
    assert_null(tp_resumption_why(&r));
    r.resumed = false;
    r.decided = false;
    assert_null(tp_resumption_why(&r)); /* the server's flight not seen yet */
}

static void test_say(void **state)
{
    (void)state;
    char out[240];
    tp_resumption r = decided();
    tp_resumption_say(&r, out, sizeof out);
    assert_string_equal(out, "");
    r.offered_ticket = r.resumed = true;
    r.how = "ticket";
    tp_resumption_say(&r, out, sizeof out);
    assert_string_equal(out, "resumed by session ticket");
    r.how = "psk";
    r.psk_mode = "psk_ke";
    r.early = "accepted";
    r.early_records = 2;
    tp_resumption_say(&r, out, sizeof out);
    assert_string_equal(out,
                        "resumed with a TLS 1.3 PSK (psk_ke); 0-RTT early data accepted (2 records)");
    r.early = "rejected";
    r.early_replay = true;
    tp_resumption_say(&r, out, sizeof out);
    assert_non_null(strstr(out, "0-RTT early data rejected (a replay"));
    /* an external PSK taken is no resumption */
    r = decided();
    r.external_psk = true;
    r.psk_mode = "psk_dhe_ke";
    tp_resumption_say(&r, out, sizeof out);
    assert_string_equal(out, "keyed by the external PSK (psk_dhe_ke)");
    assert_null(tp_resumption_why(&r));
    r = decided();
    r.offered_id = r.server_known = true;
    r.server_modes = TP_RES_ID;
    r.cache_miss = true;
    tp_resumption_say(&r, out, sizeof out);
    assert_non_null(strstr(out, "the client offered resumption (a session id); the server did a "
                                "full handshake: the session id was not in the server's cache"));
}

static void test_json(void **state)
{
    (void)state;
    tp_verdict v;
    memset(&v, 0, sizeof v);
    json_object *o = json_object_new_object();
    json_object *layers = json_object_new_object();
    json_object_object_add(layers, "handshake", json_object_new_object());
    json_object_object_add(o, "layers", layers);
    report_json_resumption(o, &v);
    json_object *rel;
    assert_false(json_object_object_get_ex(o, "relations", &rel)); /* nothing offered */
    v.relations.resumption.offered_id = v.relations.resumption.resumed = true;
    v.relations.resumption.how = "session-id";
    v.relations.resumption.server_known = true;
    v.relations.resumption.server_modes = TP_RES_ID | TP_RES_PSK;
    report_json_resumption(o, &v);
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    assert_non_null(strstr(s, "\"resumed\":true,\"resumption\":\"session-id\""));
    assert_non_null(strstr(s, "\"offered\":\"session-id\""));
    assert_non_null(strstr(s, "\"server\":\"id,psk\""));
    json_object_put(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_why),
        cmocka_unit_test(test_say),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
