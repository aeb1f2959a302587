/* report_json_write writes the bytes json-c writes (report_json_line): on
 * hand-made trees with every kind of value and every escape, and on every
 * event of the capture fixtures' decode, with and without --records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "analysis/decode.h"
#include "analysis/events.h"
#include "report/json_sink.h"
#include "report/json_util.h"
#include "report/json_write.h"

/* Both writers on o; the number of bytes compared. */
static size_t same_as_json_c(json_object *o)
{
    wire_buf b;
    wire_buf_init(&b, 0);
    report_json_write(&b, o);
    assert_true(wire_buf_ok(&b));
    size_t want_len = 0;
    const char *want = report_json_line_len(o, &want_len);
    assert_non_null(want);
    if (wire_buf_len(&b) != want_len || memcmp(wire_buf_str(&b), want, want_len))
        fail_msg("json-c: %s\nours:   %s", want, wire_buf_str(&b));
    wire_buf_cleanup(&b);
    return want_len;
}

static void test_values(void **state)
{
    (void)state;
    json_object *o = json_object_new_object();
    char all[128];
    for (int i = 1; i < 128; i++)
        all[i - 1] = (char)i;
    all[127] = '\0';
    json_object_object_add(o, "every ascii byte", json_object_new_string(all));
    json_object_object_add(o, "utf-8 \xc3\xa9 and \"key\"\n", json_object_new_string("\xe2\x82\xac/\\"));
    json_object_object_add(o, "nul inside", json_object_new_string_len("a\0b", 3));
    json_object_object_add(o, "empty", json_object_new_string(""));
    json_object_object_add(o, "null", NULL);
    json_object_object_add(o, "t", json_object_new_boolean(1));
    json_object_object_add(o, "f", json_object_new_boolean(0));
    json_object_object_add(o, "zero", json_object_new_int64(0));
    json_object_object_add(o, "neg", json_object_new_int64(-42));
    json_object_object_add(o, "min", json_object_new_int64(INT64_MIN));
    json_object_object_add(o, "max", json_object_new_int64(INT64_MAX));
    json_object_object_add(o, "u64", json_object_new_uint64(UINT64_MAX));
    json_object_object_add(o, "double", json_object_new_double(0.1));
    json_object_object_add(o, "seconds", report_json_seconds(1.25));
    json_object_object_add(o, "{}", json_object_new_object());
    json_object_object_add(o, "[]", json_object_new_array());
    json_object *a = json_object_new_array();
    json_object_array_add(a, NULL);
    json_object_array_add(a, json_object_new_int(7));
    json_object *inner = json_object_new_object();
    json_object_object_add(inner, "x", json_object_new_array());
    json_object_array_add(a, inner);
    json_object_array_add(a, json_object_new_string("\x1f\x7f"));
    json_object_object_add(o, "array", a);
    assert_true(same_as_json_c(o) > 300);
    assert_int_equal(same_as_json_c(NULL), 4); /* null */
    json_object_put(o);

    /* a fixed buffer too small fails, as any append does */
    char small[16];
    wire_buf b;
    wire_buf_init_fixed(&b, small, sizeof small);
    json_object *s = json_object_new_string("longer than sixteen bytes");
    report_json_write(&b, s);
    assert_false(wire_buf_ok(&b));
    json_object_put(s);
}

typedef struct {
    tp_sink base;
    bool records;
    unsigned events;
    size_t bytes;
} compare_sink;

static void compare_on_event(tp_sink *self, const tp_event *ev)
{
    compare_sink *c = (compare_sink *)self;
    json_object *o = report_json_event(ev, c->records);
    if (!o)
        return;
    c->bytes += same_as_json_c(o);
    c->events++;
    json_object_put(o);
}

/* Every event of a real decode: handshakes, records, secrets, verdicts. */
static void decode_compare(const char *capture, const char *keys)
{
    const char *dir = getenv("TP_TEST_DATA");
    char path[1024], kpath[1024];
    snprintf(path, sizeof path, "%s/capture/%s", dir ? dir : "tests/data", capture);
    snprintf(kpath, sizeof kpath, "%s/capture/%s", dir ? dir : "tests/data", keys);
    for (int records = 0; records < 2; records++) {
        tp_decode d;
        char err[512];
        if (!tp_decode_open(&d, path, kpath, err, sizeof err))
            fail_msg("%s", err); /* a missing fixture is a failure */
        compare_sink c = {.base.on_event = compare_on_event, .records = records};
        tp_decode_params p = {.num_sinks = 1, .records = records};
        p.sinks[0] = &c.base;
        tp_decode_counts n;
        assert_true(tp_decode_run(&d, &p, &n));
        tp_decode_close(&d);
        assert_true(c.events >= 10);
        assert_true(c.bytes > 2000);
    }
}

static void test_decoded_events(void **state)
{
    (void)state;
    decode_compare("tls12-lo.pcapng", "tls12-lo.keys");
    decode_compare("tls13-any.pcap", "tls13-any.keys");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_decoded_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
