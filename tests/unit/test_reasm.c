/* Unit tests for record framing and handshake reassembly (src/wire/reasm.h)
 * and wire_alert_parse (src/wire/handshake.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/handshake.h"
#include "wire/reasm.h"

/* A handshake message of `type` with a body of n bytes, each `fill`. */
static size_t make_msg(uint8_t *out, uint8_t type, size_t n, uint8_t fill)
{
    out[0] = type;
    out[1] = (uint8_t)(n >> 16);
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    memset(out + 4, fill, n);
    return 4 + n;
}

/* Three messages back to back (type i with a body of lens[i] bytes). */
static size_t make_three(uint8_t *out, const uint8_t types[3], const size_t lens[3])
{
    size_t n = 0;
    for (int i = 0; i < 3; i++)
        n += make_msg(out + n, types[i], lens[i], types[i]);
    return n;
}

/* A handshake record around n bytes of payload. */
static size_t make_record(uint8_t *out, const uint8_t *payload, size_t n)
{
    out[0] = WIRE_CT_HANDSHAKE;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)(n >> 8);
    out[4] = (uint8_t)n;
    memcpy(out + 5, payload, n);
    return 5 + n;
}

/* Pulls every message of r into types[]/lens[]; returns how many, and the
 * status that ended the pulls in *end. */
static unsigned pull_all(wire_hs_reasm *r, uint8_t *types, size_t *lens, unsigned max,
                         tp_status *end)
{
    unsigned n = 0;
    const uint8_t *msg;
    size_t len;
    tp_status st;
    while ((st = wire_hs_reasm_pull(r, &msg, &len, NULL)) == TP_OK) {
        assert_true(n < max);
        types[n] = msg[0];
        lens[n] = len;
        /* the body is whole: its last byte is the fill of its type */
        if (len > 4)
            assert_int_equal(msg[len - 1], msg[0]);
        n++;
    }
    *end = st;
    return n;
}

/* The n messages pulled are of want_types with want_lens. */
static void expect_msgs(const uint8_t *types, const size_t *lens, const uint8_t *want_types,
                        const size_t *want_lens, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(types[i], want_types[i]);
        assert_int_equal(lens[i], want_lens[i]);
    }
}

static void test_hs_several_in_one_record(void **state)
{
    (void)state;
    uint8_t rec[200];
    size_t n = make_three(rec, (const uint8_t[]){2, 11, 14}, (const size_t[]){40, 30, 0});
    wire_hs_reasm r;
    wire_reasm_init(&r);
    wire_reasm_push(&r, rec, n);
    uint8_t types[4];
    size_t lens[4];
    tp_status end;
    assert_int_equal(pull_all(&r, types, lens, 4, &end), 3);
    assert_int_equal(end, TP_ERR_TRUNCATED);
    expect_msgs(types, lens, (const uint8_t[]){2, 11, 14}, (const size_t[]){44, 34, 4}, 3);
    assert_int_equal(wire_reasm_pending(&r), 0);
    wire_reasm_free(&r);
}

static void test_hs_split_across_records(void **state)
{
    (void)state;
    static uint8_t all[3000];
    size_t n = make_msg(all, 11, 2500, 11);
    n += make_msg(all + n, 12, 100, 12);
    wire_hs_reasm r;
    wire_reasm_init(&r);
    uint8_t types[4];
    size_t lens[4];
    tp_status end;
    /* the first record ends inside the first message's header */
    wire_reasm_push(&r, all, 2);
    assert_int_equal(pull_all(&r, types, lens, 4, &end), 0);
    assert_int_equal(end, TP_ERR_TRUNCATED);
    assert_int_equal(wire_reasm_pending(&r), 2);
    /* the second inside its body */
    wire_reasm_push(&r, all + 2, 1000);
    assert_int_equal(pull_all(&r, types, lens, 4, &end), 0);
    assert_int_equal(wire_reasm_pending(&r), 1002);
    /* the third ends it and holds the whole second message and more */
    wire_reasm_push(&r, all + 1002, n - 1002);
    assert_int_equal(pull_all(&r, types, lens, 4, &end), 2);
    assert_int_equal(end, TP_ERR_TRUNCATED);
    expect_msgs(types, lens, (const uint8_t[]){11, 12}, (const size_t[]){2504, 104}, 2);
    assert_int_equal(wire_reasm_pending(&r), 0);
    wire_reasm_free(&r);
}

static void test_hs_byte_by_byte(void **state)
{
    (void)state;
    uint8_t all[300];
    size_t n = make_three(all, (const uint8_t[]){1, 2, 20}, (const size_t[]){100, 50, 12});
    wire_hs_reasm r;
    wire_reasm_init(&r);
    uint8_t types[4];
    size_t lens[4];
    unsigned got = 0;
    for (size_t i = 0; i < n; i++) {
        tp_status end;
        wire_reasm_push(&r, all + i, 1);
        got += pull_all(&r, types + got, lens + got, 4 - got, &end);
        assert_int_equal(end, TP_ERR_TRUNCATED);
    }
    assert_int_equal(got, 3);
    expect_msgs(types, lens, (const uint8_t[]){1, 2, 20}, (const size_t[]){104, 54, 16}, 3);
    wire_reasm_free(&r);
}

static void test_hs_oversized(void **state)
{
    (void)state;
    /* a Certificate declaring one byte over the limit, in a record of its own */
    uint32_t body = WIRE_HS_MAX_LEN + 1;
    uint8_t rec[64] = {11, (uint8_t)(body >> 16), (uint8_t)(body >> 8), (uint8_t)body};
    wire_hs_reasm r;
    wire_reasm_init(&r);
    wire_reasm_push(&r, rec, sizeof rec);
    const uint8_t *msg;
    size_t len;
    uint32_t declared = 0;
    assert_int_equal(wire_hs_reasm_pull(&r, &msg, &len, &declared), TP_ERR_OVERSIZED);
    assert_int_equal(declared, body);
    wire_reasm_free(&r);

    /* exactly the limit is reassembled (not refused), here still waiting */
    body = WIRE_HS_MAX_LEN;
    rec[1] = (uint8_t)(body >> 16);
    rec[2] = (uint8_t)(body >> 8);
    rec[3] = (uint8_t)body;
    wire_reasm_init(&r);
    wire_reasm_push(&r, rec, sizeof rec);
    assert_int_equal(wire_hs_reasm_pull(&r, &msg, &len, &declared), TP_ERR_TRUNCATED);
    assert_int_equal(wire_reasm_pending(&r), sizeof rec);
    wire_reasm_free(&r);
}

static void test_framer_records(void **state)
{
    (void)state;
    static uint8_t stream[20000];
    uint8_t payload[3000];
    size_t n = 0;
    memset(payload, 0xab, sizeof payload);
    n += make_record(stream + n, payload, 10);
    n += make_record(stream + n, payload, 3000);
    n += make_record(stream + n, payload, 1);
    const size_t want[] = {10, 3000, 1};
    /* all at once, then in chunks of 7, then byte by byte */
    const size_t chunks[] = {sizeof stream, 7, 1};
    for (size_t c = 0; c < 3; c++) {
        wire_framer f;
        wire_reasm_init(&f);
        unsigned got = 0;
        for (size_t off = 0; off < n; off += chunks[c]) {
            size_t len = n - off < chunks[c] ? n - off : chunks[c];
            wire_reasm_push(&f, stream + off, len);
            wire_record rec;
            cur_t bad;
            tp_status st;
            while ((st = wire_framer_pull(&f, &rec, &bad)) == TP_OK) {
                assert_true(got < 3);
                assert_int_equal(rec.type, WIRE_CT_HANDSHAKE);
                assert_int_equal(cur_len(&rec.fragment), want[got]);
                assert_int_equal(cur_data(&rec.fragment)[want[got] - 1], 0xab);
                got++;
            }
            assert_int_equal(st, TP_ERR_TRUNCATED);
        }
        assert_int_equal(got, 3);
        assert_int_equal(wire_reasm_pending(&f), 0);
        wire_reasm_free(&f);
    }
}

static void test_framer_partial_and_bad(void **state)
{
    (void)state;
    uint8_t stream[64];
    uint8_t payload[20] = {0};
    size_t n = make_record(stream, payload, 20);
    wire_framer f;
    wire_reasm_init(&f);
    wire_record rec;
    cur_t bad;
    /* a record cut short stays pending */
    wire_reasm_push(&f, stream, n - 3);
    assert_int_equal(wire_framer_pull(&f, &rec, &bad), TP_ERR_TRUNCATED);
    assert_int_equal(wire_reasm_pending(&f), n - 3);
    wire_reasm_free(&f);

    /* bytes that are not TLS are named with what is known of them */
    static const uint8_t http[] = "GET / HTTP/1.1\r\n";
    wire_reasm_init(&f);
    wire_reasm_push(&f, http, sizeof http - 1);
    assert_int_equal(wire_framer_pull(&f, &rec, &bad), TP_ERR_NOT_TLS);
    assert_int_equal(cur_len(&bad), sizeof http - 1);
    assert_memory_equal(cur_data(&bad), "GET ", 4);
    wire_reasm_free(&f);

    /* a record over 2^14+2048 after a good one, its header split */
    stream[n] = WIRE_CT_APPLICATION_DATA;
    stream[n + 1] = 3;
    stream[n + 2] = 3;
    stream[n + 3] = 0x48;
    stream[n + 4] = 0x01;
    wire_reasm_init(&f);
    wire_reasm_push(&f, stream, n + 2);
    assert_int_equal(wire_framer_pull(&f, &rec, &bad), TP_OK);
    assert_int_equal(cur_len(&rec.fragment), 20);
    assert_int_equal(wire_framer_pull(&f, &rec, &bad), TP_ERR_TRUNCATED);
    wire_reasm_push(&f, stream + n + 2, 3);
    assert_int_equal(wire_framer_pull(&f, &rec, &bad), TP_ERR_OVERSIZED);
    assert_int_equal(cur_len(&bad), 5);
    assert_int_equal(cur_data(&bad)[3], 0x48);
    wire_reasm_free(&f);
}

static void test_alert_parse(void **state)
{
    (void)state;
    static const uint8_t two[] = {2, 40, 1, 0, 2};
    cur_t c;
    wire_alert a;
    cur_init(&c, two, sizeof two);
    assert_int_equal(wire_alert_parse(&c, &a), TP_OK);
    assert_int_equal(a.level, 2);
    assert_int_equal(a.description, 40);
    assert_true(a.fatal);
    assert_string_equal(a.level_name, "fatal");
    assert_string_equal(a.description_name, "handshake_failure");
    assert_int_equal(wire_alert_parse(&c, &a), TP_OK);
    assert_false(a.fatal);
    assert_string_equal(a.level_name, "warning");
    assert_string_equal(a.description_name, "close_notify");
    /* one byte left: truncated, the cursor stays */
    assert_int_equal(wire_alert_parse(&c, &a), TP_ERR_TRUNCATED);
    assert_int_equal(cur_len(&c), 1);

    static const uint8_t unknown[] = {7, 201};
    cur_init(&c, unknown, sizeof unknown);
    assert_int_equal(wire_alert_parse(&c, &a), TP_OK);
    assert_null(a.level_name);
    assert_null(a.description_name);
    assert_false(a.fatal);
    assert_int_equal(a.description, 201);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hs_several_in_one_record),
        cmocka_unit_test(test_hs_split_across_records),
        cmocka_unit_test(test_hs_byte_by_byte),
        cmocka_unit_test(test_hs_oversized),
        cmocka_unit_test(test_framer_records),
        cmocka_unit_test(test_framer_partial_and_bad),
        cmocka_unit_test(test_alert_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
