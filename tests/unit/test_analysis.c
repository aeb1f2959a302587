/* The session model fed real and hostile byte streams (the verdict rules
 * on hand-made observations: test_verdict.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/session.h"
#include "analysis/verdict.h"

/* ---- session on byte streams ----------------------------------------- */

typedef struct {
    tp_sink base;
    unsigned counts[TP_EV_CLOSE + 1];
    char last_note[160];
    char hs_names[16][32];
    unsigned num_hs;
    tp_verdict verdict;
} capture_sink;

static void capture_on_event(tp_sink *self, const tp_event *ev)
{
    capture_sink *c = (capture_sink *)self;
    c->counts[ev->type]++;
    if (ev->type == TP_EV_NOTE)
        snprintf(c->last_note, sizeof c->last_note, "%s", ev->u.note.text);
    if (ev->type == TP_EV_HANDSHAKE && c->num_hs < 16)
        snprintf(c->hs_names[c->num_hs++], 32, "%u", ev->u.handshake.msg->type);
    if (ev->type == TP_EV_VERDICT)
        c->verdict = *ev->u.verdict;
}

static tp_session *new_session(capture_sink *c)
{
    memset(c, 0, sizeof *c);
    c->base.on_event = capture_on_event;
    tp_session_params p = {
        .conn = 1, .peer = "127.0.0.1:1", .local = "127.0.0.1:2", .num_sinks = 1};
    p.sinks[0] = &c->base;
    tp_session *s = tp_session_new(&p);
    assert_non_null(s);
    assert_int_equal(c->counts[TP_EV_ACCEPT], 1);
    return s;
}

static uint8_t *read_fixture(const char *name, size_t *out_len)
{
    const char *dir = getenv("TP_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("missing fixture %s", path); /* a missing fixture is a failure */
    uint8_t *buf = malloc(1 << 16);
    assert_non_null(buf);
    *out_len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

static void test_session_http_is_not_tls(void **state)
{
    (void)state;
    capture_sink c;
    tp_session *s = new_session(&c);
    const char *req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    tp_session_feed(s, TP_C2S, 0.01, (const uint8_t *)req, strlen(req));
    tp_session_end(s, 0.02, TP_END_PEER_CLOSED);
    assert_int_equal(c.counts[TP_EV_VERDICT], 1);
    assert_int_equal(c.counts[TP_EV_RECORD], 0);
    assert_int_equal(c.verdict.phase, TP_PHASE_NOT_TLS);
    assert_non_null(strstr(c.verdict.summary, "GET / HTTP/1.1"));
    tp_session_end(s, 0.03, TP_END_PEER_CLOSED); /* idempotent */
    assert_int_equal(c.counts[TP_EV_VERDICT], 1);
    tp_session_free(s);
}

static void test_session_oversized_record(void **state)
{
    (void)state;
    capture_sink c;
    tp_session *s = new_session(&c);
    const uint8_t hdr[] = {0x16, 0x03, 0x01, 0x4f, 0xff}; /* 20479 > 2^14+2048 */
    tp_session_feed(s, TP_C2S, 0.01, hdr, sizeof hdr);
    tp_session_end(s, 0.02, TP_END_PEER_CLOSED);
    assert_int_equal(c.counts[TP_EV_VERDICT], 1);
    assert_false(c.verdict.ok);
    assert_non_null(strstr(c.verdict.summary, "over the 2^14+2048 limit"));
    tp_session_free(s);
}

static void test_session_silent_timeout(void **state)
{
    (void)state;
    capture_sink c;
    tp_session *s = new_session(&c);
    tp_session_set_timeout(s, 2);
    tp_session_end(s, 2.0, TP_END_TIMEOUT);
    assert_int_equal(c.verdict.phase, TP_PHASE_TIMEOUT);
    assert_non_null(strstr(c.verdict.summary, "sent nothing"));
    tp_session_free(s);
}

/* A real ClientHello re-framed into 1-byte records, then fed 1 byte at a
 * time: the session must reassemble exactly one ClientHello. */
static void test_session_one_byte_records(void **state)
{
    (void)state;
    size_t len = 0;
    uint8_t *rec = read_fixture("clienthello-openssl-tls12.bin", &len);
    assert_true(len > 5);
    size_t body = len - 5;
    capture_sink c;
    tp_session *s = new_session(&c);
    for (size_t i = 0; i < body; i++) {
        uint8_t r[6] = {0x16, 0x03, 0x01, 0x00, 0x01, rec[5 + i]};
        for (size_t j = 0; j < sizeof r; j++)
            tp_session_feed(s, TP_C2S, 0.001 * (double)i, &r[j], 1);
    }
    assert_int_equal(c.counts[TP_EV_RECORD], body);
    assert_int_equal(c.counts[TP_EV_HANDSHAKE], 1);
    assert_string_equal(c.hs_names[0], "1");
    const uint8_t *ch;
    size_t ch_len;
    assert_null(tp_session_client_hello_parsed(NULL));
    ch = tp_session_client_hello(s, &ch_len);
    assert_non_null(ch);
    assert_int_equal(ch_len, body);
    assert_memory_equal(ch, rec + 5, body);
    /* The session's one parse, kept: a view into its own copy (the
     * reassembly buffer it was parsed from is reused), equal to a fresh
     * parse of the same bytes. */
    const wire_client_hello *pch = tp_session_client_hello_parsed(s);
    assert_non_null(pch);
    static wire_handshake fresh;
    wire_hs_ctx ctx = {0};
    assert_int_equal(wire_hs_parse(&ctx, rec + 5, body, &fresh), TP_OK);
    const cur_t *mine[] = {&pch->random, &pch->session_id, &pch->cipher_suites,
                           &pch->compression, &pch->extensions};
    const cur_t *theirs[] = {&fresh.u.client_hello.random, &fresh.u.client_hello.session_id,
                             &fresh.u.client_hello.cipher_suites,
                             &fresh.u.client_hello.compression,
                             &fresh.u.client_hello.extensions};
    for (unsigned i = 0; i < sizeof mine / sizeof mine[0]; i++) {
        assert_int_equal(cur_len(mine[i]), cur_len(theirs[i]));
        assert_true(cur_data(mine[i]) >= ch);
        assert_true(cur_data(mine[i]) + cur_len(mine[i]) <= ch + ch_len);
        assert_memory_equal(cur_data(mine[i]), cur_data(theirs[i]), cur_len(mine[i]));
    }
    assert_int_equal(pch->legacy_version, fresh.u.client_hello.legacy_version);
    assert_true(pch->has_extensions);
    tp_session_end(s, 1, TP_END_PEER_CLOSED);
    assert_false(c.verdict.ok);
    assert_non_null(strstr(c.verdict.summary, "before the server answered"));
    tp_session_free(s);
    free(rec);
}

/* Garbage of every length: never a crash, always one verdict. */
static void test_session_garbage(void **state)
{
    (void)state;
    uint8_t junk[300];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (uint8_t)(x >> 16);
    }
    for (size_t n = 1; n < sizeof junk; n += 37) {
        capture_sink c;
        tp_session *s = new_session(&c);
        tp_session_feed(s, TP_C2S, 0, junk, n);
        tp_session_feed(s, TP_S2C, 0, junk, n);
        tp_session_end(s, 1, TP_END_PEER_RESET);
        assert_int_equal(c.counts[TP_EV_VERDICT], 1);
        assert_int_equal(c.counts[TP_EV_CLOSE], 1);
        assert_false(c.verdict.ok);
        tp_session_free(s);
    }
}

static void test_session_truncated_record(void **state)
{
    (void)state;
    capture_sink c;
    tp_session *s = new_session(&c);
    const uint8_t part[] = {0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00};
    tp_session_feed(s, TP_C2S, 0.01, part, sizeof part);
    tp_session_end(s, 0.5, TP_END_PEER_CLOSED);
    assert_int_equal(c.counts[TP_EV_RECORD], 0);
    assert_non_null(strstr(c.last_note, "incomplete"));
    assert_false(c.verdict.ok);
    tp_session_free(s);
}

/* A real TLS 1.2 ECDHE-RSA exchange (openssl s_client against s_server,
 * tests/data/README.md): the client hangs up after the server's flight. */
static void test_session_real_flight(void **state)
{
    (void)state;
    size_t clen = 0, slen = 0;
    uint8_t *c2s = read_fixture("flight-tls12-ecdhe-rsa-c2s.bin", &clen);
    uint8_t *s2c = read_fixture("flight-tls12-ecdhe-rsa-s2c.bin", &slen);
    capture_sink c;
    tp_session *s = new_session(&c);
    /* the ClientHello record only: the client's later records come after the server's flight */
    assert_true(clen > 5);
    size_t first = 5 + ((size_t)c2s[3] << 8 | c2s[4]);
    assert_true(first <= clen);
    tp_session_feed(s, TP_C2S, 0.001, c2s, first);
    /* the server's flight arrives in odd-sized pieces */
    for (size_t off = 0; off < slen; off += 7)
        tp_session_feed(s, TP_S2C, 0.002, s2c + off, slen - off < 7 ? slen - off : 7);
    tp_session_end(s, 0.01, TP_END_PEER_CLOSED);
    assert_true(c.num_hs >= 5);
    assert_string_equal(c.hs_names[0], "1");  /* ClientHello */
    assert_string_equal(c.hs_names[1], "2");  /* ServerHello */
    assert_string_equal(c.hs_names[2], "11"); /* Certificate */
    assert_string_equal(c.hs_names[3], "12"); /* ServerKeyExchange */
    assert_string_equal(c.hs_names[4], "14"); /* ServerHelloDone */
    assert_false(c.verdict.ok);
    assert_string_equal(c.verdict.protocol, "TLS1.2");
    assert_non_null(c.verdict.kx);
    assert_string_equal(c.verdict.kx, "ECDHE-RSA");
    assert_non_null(c.verdict.group);
    assert_non_null(strstr(c.verdict.summary, "without an alert right after the server's flight"));
    /* its Finished is protected and there are no keys */
    assert_non_null(strstr(c.verdict.summary, "not checked (no keys)"));
    tp_session_free(s);
    free(c2s);
    free(s2c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_http_is_not_tls),
        cmocka_unit_test(test_session_oversized_record),
        cmocka_unit_test(test_session_silent_timeout),
        cmocka_unit_test(test_session_one_byte_records),
        cmocka_unit_test(test_session_garbage),
        cmocka_unit_test(test_session_truncated_record),
        cmocka_unit_test(test_session_real_flight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
