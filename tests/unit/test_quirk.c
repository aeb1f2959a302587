/* Unit tests for src/quirk: --quirk parsing and its messages, and the record
 * rewriter against a synthetic engine (crypto_conn sealing the server's
 * records with made-up keys) and a synthetic client (a second crypto_conn
 * opening what the rewriter wrote): TLS 1.0 chained IV, TLS 1.2 explicit IV
 * with encrypt-then-MAC on and off, AES-GCM, TLS 1.3 with joined records,
 * padding and an injected KeyUpdate; byte-by-byte pushes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "crypto/conn.h"
#include "quirk/quirk.h"

/* ---------- parsing ---------- */

static void test_parse(void **state)
{
    (void)state;
    tp_quirk_set s = {0};
    char err[1024];
    assert_true(tp_quirk_set_add(&s, "cbc-padding=max", err, sizeof err));
    assert_true(tp_quirk_set_add(&s, "hs-fragment=0x40", err, sizeof err));
    assert_true(tp_quirk_set_add(&s, "empty-records", err, sizeof err));
    assert_true(tp_quirk_set_add(&s, "none", err, sizeof err));
    assert_int_equal(s.num, 3);
    assert_string_equal(s.q[0].label, "cbc-padding=max");
    assert_string_equal(s.all_label, "cbc-padding=max,hs-fragment=0x40,empty-records");
    /* the later value of a quirk replaces the earlier one */
    assert_true(tp_quirk_set_add(&s, "cbc-padding=17", err, sizeof err));
    assert_int_equal(s.num, 3);
    assert_string_equal(s.q[0].label, "cbc-padding=17");

    assert_false(tp_quirk_set_add(&s, "cbc-paddng=max", err, sizeof err));
    assert_non_null(strstr(err, "unknown quirk 'cbc-paddng'"));
    assert_non_null(strstr(err, "appdata-split=1/n-1|N"));
    assert_false(tp_quirk_set_add(&s, "cbc-padding=256", err, sizeof err));
    assert_non_null(strstr(err, "bad value '256' for quirk cbc-padding"));
    assert_non_null(strstr(err, "minimal|max|random|N (0..255)"));
    assert_false(tp_quirk_set_add(&s, "hs-fragment", err, sizeof err));
    assert_non_null(strstr(err, "needs a value"));
    assert_false(tp_quirk_set_add(&s, "key-update=1", err, sizeof err));
    assert_non_null(strstr(err, "takes no value"));
    assert_false(tp_quirk_set_add(&s, "record-version=0x0304", err, sizeof err));
    assert_false(tp_quirk_set_add(&s, "appdata-split=1/n", err, sizeof err));
    assert_false(tp_quirk_set_add(&s, "record-version-scope=most", err, sizeof err));
    assert_non_null(strstr(err, "bad value 'most' for quirk record-version-scope"));
    assert_non_null(strstr(err, "first|all"));
    assert_int_equal(s.num, 3);

    const char *v[32];
    unsigned n = tp_quirk_axis_values(v, 32);
    assert_true(n >= 5);
    assert_string_equal(v[0], "none");
    for (unsigned i = 0; i < n; i++) {
        tp_quirk_set t = {0};
        assert_true(tp_quirk_set_add(&t, v[i], err, sizeof err));
    }
}

/* ---------- a synthetic connection ---------- */

typedef struct {
    uint8_t out[1 << 18];
    size_t out_len;
    char labels[64][48]; /* label of each emit */
    unsigned num_emits;
    unsigned notes;
    char note[256];
} sink;

static void on_emit(void *ctx, const uint8_t *d, size_t len, const char *quirk)
{
    sink *k = ctx;
    assert_true(k->out_len + len <= sizeof k->out);
    memcpy(k->out + k->out_len, d, len);
    k->out_len += len;
    if (k->num_emits < 64)
        snprintf(k->labels[k->num_emits], sizeof k->labels[0], "%s", quirk ? quirk : "");
    k->num_emits++;
}

static void on_note(void *ctx, const char *text)
{
    sink *k = ctx;
    k->notes++;
    snprintf(k->note, sizeof k->note, "%s", text);
}

typedef struct {
    uint16_t version, suite;
    bool etm;
    uint8_t cr[32], sr[32];
    crypto_conn *engine, *client;
    uint8_t stream[1 << 17]; /* what the engine pushes */
    size_t len;
    char lines[3][300];
    unsigned num_lines;
} conn;

static void hex(char *out, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

static void put_record(conn *c, unsigned type, const uint8_t *frag, size_t len)
{
    uint8_t *h = c->stream + c->len;
    h[0] = (uint8_t)type;
    h[1] = 3;
    h[2] = c->version == 0x0304 ? 3 : (uint8_t)c->version;
    h[3] = (uint8_t)(len >> 8);
    h[4] = (uint8_t)len;
    memcpy(h + 5, frag, len);
    c->len += 5 + len;
}

static void sealed_record(conn *c, unsigned type, const uint8_t *pt, size_t len)
{
    uint8_t frag[20000];
    size_t n = 0;
    uint16_t v = c->version == 0x0304 ? 0x0303 : c->version;
    assert_int_equal(
        crypto_conn_seal(c->engine, TP_S2C, type, v, pt, len, NULL, frag, sizeof frag, &n), TP_OK);
    put_record(c, c->version == 0x0304 ? 23 : type, frag, n);
}

static void add_line(conn *c, const char *label, const uint8_t *secret, size_t len)
{
    char cr[65], sec[129];
    hex(cr, c->cr, 32);
    hex(sec, secret, len);
    snprintf(c->lines[c->num_lines], sizeof c->lines[0], "%s %s %s", label, cr, sec);
    crypto_keylog_entry e;
    assert_int_equal(
        crypto_keylog_parse_line(c->lines[c->num_lines], strlen(c->lines[c->num_lines]), &e),
        TP_OK);
    assert_int_equal(crypto_conn_add_secret(c->engine, &e), TP_OK);
    assert_int_equal(crypto_conn_add_secret(c->client, &e), TP_OK);
    c->num_lines++;
}

/* ServerHello (clear) and the secrets; TLS <= 1.2 adds the CCS. */
static void conn_start(conn *c, uint16_t version, uint16_t suite, bool etm)
{
    memset(c, 0, sizeof *c);
    c->version = version;
    c->suite = suite;
    c->etm = etm;
    assert_int_equal(RAND_bytes(c->cr, 32), 1);
    assert_int_equal(RAND_bytes(c->sr, 32), 1);
    c->engine = crypto_conn_new();
    c->client = crypto_conn_new();
    uint8_t sh[128];
    size_t n = 4;
    sh[n++] = 3;
    sh[n++] = version == 0x0304 ? 3 : (uint8_t)version;
    memcpy(sh + n, c->sr, 32);
    n += 32;
    sh[n++] = 0; /* session id */
    sh[n++] = (uint8_t)(suite >> 8);
    sh[n++] = (uint8_t)suite;
    sh[n++] = 0;
    static const uint8_t ext_etm[] = {0, 4, 0, 22, 0, 0};
    static const uint8_t ext_sv[] = {0, 6, 0, 43, 0, 2, 3, 4};
    const uint8_t *ext = version == 0x0304 ? ext_sv : etm ? ext_etm : NULL;
    size_t ext_len = version == 0x0304 ? sizeof ext_sv : etm ? sizeof ext_etm : 0;
    if (ext_len)
        memcpy(sh + n, ext, ext_len);
    n += ext_len;
    sh[0] = 2;
    sh[1] = 0;
    sh[2] = (uint8_t)((n - 4) >> 8);
    sh[3] = (uint8_t)(n - 4);
    crypto_conn_set_hello(c->engine, c->cr, c->sr, version, suite, etm);
    crypto_conn_set_hello(c->client, c->cr, c->sr, version, suite, etm);
    put_record(c, 22, sh, n);
    uint8_t secret[48];
    assert_int_equal(RAND_bytes(secret, 48), 1);
    if (version == 0x0304) {
        add_line(c, "SERVER_HANDSHAKE_TRAFFIC_SECRET", secret, 32);
        assert_int_equal(RAND_bytes(secret, 32), 1);
        add_line(c, "SERVER_TRAFFIC_SECRET_0", secret, 32);
    } else {
        add_line(c, "CLIENT_RANDOM", secret, 48);
    }
}

/* From here on the engine's records are protected (TLS <= 1.2: its CCS). */
static void conn_protect(conn *c)
{
    if (c->version == 0x0304) {
        crypto_conn_activate(c->engine, TP_S2C, CRYPTO_EPOCH_HANDSHAKE);
        crypto_conn_activate(c->client, TP_S2C, CRYPTO_EPOCH_HANDSHAKE);
        return;
    }
    static const uint8_t ccs[1] = {1};
    put_record(c, 20, ccs, 1);
    crypto_conn_activate(c->engine, TP_S2C, CRYPTO_EPOCH_APPLICATION);
    crypto_conn_activate(c->client, TP_S2C, CRYPTO_EPOCH_APPLICATION);
}

static void conn_free(conn *c)
{
    crypto_conn_free(c->engine);
    crypto_conn_free(c->client);
}

/* Runs the engine's stream through a rewriter with these quirks, pushed in
 * chunks of `step` bytes (0: all at once). */
/* Pushes the engine's stream through a new rewriter; returns it (flushed). */
static tp_rewriter *rewrite_keep(conn *c, const char *const *quirks, size_t step, sink *k,
                                 tp_quirk_set *set)
{
    char err[512];
    memset(set, 0, sizeof *set);
    for (const char *const *q = quirks; *q; q++)
        assert_true(tp_quirk_set_add(set, *q, err, sizeof err));
    memset(k, 0, sizeof *k);
    tp_rewriter_out o = {.emit = on_emit, .note = on_note, .ctx = k};
    tp_rewriter *rw = tp_rewriter_new(set, &o);
    assert_non_null(rw);
    for (unsigned i = 0; i < c->num_lines; i++)
        tp_rewriter_add_secret(rw, c->lines[i]);
    size_t off = 0;
    while (off < c->len) {
        size_t n = step && c->len - off > step ? step : c->len - off;
        tp_rewriter_push(rw, c->stream + off, n);
        off += n;
    }
    tp_rewriter_flush(rw);
    return rw;
}

static void rewrite(conn *c, const char *const *quirks, size_t step, sink *k, tp_quirk_set *set)
{
    tp_rewriter_free(rewrite_keep(c, quirks, step, k, set));
}

typedef struct {
    unsigned type; /* outer */
    unsigned inner;
    size_t len; /* content length */
    uint8_t content[17000];
    bool is_protected;
    tp_record_check chk;
    uint16_t version;
} rec;

/* The client's view: every record of the output, opened (all must be valid). */
static unsigned client_read(conn *c, const sink *k, rec *out, unsigned max)
{
    unsigned n = 0;
    size_t off = 0;
    bool prot = false;
    while (off < k->out_len) {
        assert_true(k->out_len - off >= 5);
        const uint8_t *h = k->out + off;
        size_t len = (size_t)h[3] << 8 | h[4];
        assert_true(off + 5 + len <= k->out_len);
        assert_true(n < max);
        rec *r = &out[n++];
        r->type = h[0];
        r->version = (uint16_t)(h[1] << 8 | h[2]);
        r->is_protected = c->version == 0x0304 ? h[0] == 23 : prot;
        if (r->is_protected) {
            static uint8_t buf[20000];
            assert_int_equal(crypto_conn_open(c->client, TP_S2C, h[0], r->version, h + 5, len, buf,
                                              sizeof buf, &r->chk),
                             TP_OK);
            assert_int_equal(r->chk.integrity, TP_INTEGRITY_OK);
            r->inner = r->chk.inner_type;
            r->len = r->chk.plaintext_len;
            memcpy(r->content, r->chk.plaintext, r->len);
        } else {
            r->inner = h[0];
            r->len = len;
            memcpy(r->content, h + 5, len);
        }
        if (h[0] == 20 && c->version != 0x0304)
            prot = true;
        /* the client follows the epoch changes of what it read (whole
         * messages only: the TLS 1.3 tests do not fragment) */
        for (size_t m = 0; c->version == 0x0304 && r->inner == 22 && m + 4 <= r->len;
             m += 4 + ((size_t)r->content[m + 2] << 8 | r->content[m + 3])) {
            if (r->content[m] == 20)
                crypto_conn_activate(c->client, TP_S2C, CRYPTO_EPOCH_APPLICATION);
            if (r->content[m] == 24)
                assert_int_equal(crypto_conn_key_update(c->client, TP_S2C), TP_OK);
        }
        off += 5 + len;
    }
    return n;
}

static const uint8_t finished[16] = {20, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* ---------- TLS <= 1.2 ---------- */

static void cbc_case(uint16_t version, uint16_t suite, bool etm, const char *pad,
                     unsigned expect_first_pad, unsigned expect_last_pad)
{
    conn c;
    conn_start(&c, version, suite, etm);
    conn_protect(&c);
    sealed_record(&c, 22, finished, sizeof finished);
    uint8_t data[300];
    memset(data, 'x', sizeof data);
    sealed_record(&c, 23, data, 100);
    sealed_record(&c, 23, data, 5);
    sink k;
    tp_quirk_set set;
    const char *q[] = {pad, NULL};
    rewrite(&c, q, 0, &k, &set);
    rec r[8];
    unsigned n = client_read(&c, &k, r, 8);
    assert_int_equal(n, 5);
    assert_true(r[2].chk.has_padding && r[2].chk.padding_valid);
    assert_int_equal(r[2].chk.padding_len, expect_first_pad);
    assert_memory_equal(r[2].content, finished, 16);
    assert_int_equal(r[3].len, 100);
    assert_int_equal(r[4].len, 5);
    assert_false(r[3].chk.padding_minimal);
    assert_false(r[4].chk.padding_minimal);
    assert_int_equal(r[4].chk.padding_len, expect_last_pad);
    /* the clear records went out unshaped, the protected ones name the quirk */
    assert_string_equal(k.labels[0], "");
    assert_string_equal(k.labels[2], pad);
    assert_int_equal(k.notes, 0);
    conn_free(&c);
}

static void test_cbc_padding_tls10(void **state)
{
    (void)state;
    /* RSA AES-128-CBC SHA1.  Finished 16 + MAC 20 + 1 = 37: minimal 11, max
     * 11 + 15 * 16; 5 bytes of data: 26, minimal 6, max 6 + 15 * 16 */
    cbc_case(0x0301, 0x002F, false, "cbc-padding=max", 251, 246);
    /* RSA 3DES-EDE-CBC SHA1, 8-byte blocks: 37 -> 3 + 31 * 8; 26 -> 6 + 31 * 8 */
    cbc_case(0x0301, 0x000A, false, "cbc-padding=max", 251, 254);
}

static void test_cbc_padding_tls12_etm(void **state)
{
    (void)state;
    /* EtM: 16 + 1 = 17: minimal 15, max 255; 5 + 1 = 6: 10 + 15 * 16 */
    cbc_case(0x0303, 0x002F, true, "cbc-padding=max", 255, 250);
    /* N = 100: the longest valid length not above it: 11 + 5 * 16, 6 + 5 * 16 */
    cbc_case(0x0302, 0x002F, false, "cbc-padding=100", 91, 86);
}

static void test_cbc_scope_first(void **state)
{
    (void)state;
    conn c;
    conn_start(&c, 0x0301, 0x0035, false); /* AES-256-CBC SHA1 */
    conn_protect(&c);
    sealed_record(&c, 22, finished, sizeof finished);
    sealed_record(&c, 23, (const uint8_t *)"hello\n", 6);
    sink k;
    tp_quirk_set set;
    const char *q[] = {"cbc-padding=max", "cbc-padding-scope=first", NULL};
    rewrite(&c, q, 0, &k, &set);
    rec r[6];
    assert_int_equal(client_read(&c, &k, r, 6), 4);
    assert_false(r[2].chk.padding_minimal);
    assert_true(r[3].chk.padding_minimal);
    assert_string_equal(k.labels[3], "");
    conn_free(&c);
}

static void test_fragment_split_bytewise(void **state)
{
    (void)state;
    conn c;
    conn_start(&c, 0x0303, 0x003C, true); /* AES-128-CBC SHA256, EtM */
    conn_protect(&c);
    sealed_record(&c, 22, finished, sizeof finished);
    sealed_record(&c, 23, (const uint8_t *)"hello world\n", 12);
    sink k;
    tp_quirk_set set;
    const char *q[] = {"hs-fragment=7", "appdata-split=1/n-1", NULL};
    rewrite(&c, q, 1, &k, &set); /* the engine's bytes one at a time */
    rec r[40];
    unsigned n = client_read(&c, &k, r, 40);
    /* ServerHello (4 + 40 + 6 bytes) in 7-byte pieces, CCS, Finished 7+7+2, 1 + 11 */
    size_t sh_len = 0;
    unsigned i = 0;
    while (r[i].type == 22 && !r[i].is_protected) {
        assert_true(r[i].len <= 7);
        sh_len += r[i].len;
        i++;
    }
    assert_int_equal(sh_len, 4 + 38 + 6);
    assert_int_equal(r[i++].type, 20);
    assert_int_equal(r[i].len, 7);
    assert_int_equal(r[i + 1].len, 7);
    assert_int_equal(r[i + 2].len, 2);
    i += 3;
    assert_int_equal(r[i].inner, 23);
    assert_int_equal(r[i].len, 1);
    assert_int_equal(r[i + 1].len, 11);
    assert_memory_equal(r[i + 1].content, "ello world\n", 11);
    assert_int_equal(n, i + 2);
    conn_free(&c);
}

static void test_gcm_not_applicable(void **state)
{
    (void)state;
    conn c;
    conn_start(&c, 0x0303, 0xC02F, false); /* ECDHE-RSA AES-128-GCM */
    conn_protect(&c);
    sealed_record(&c, 22, finished, sizeof finished);
    sealed_record(&c, 23, (const uint8_t *)"abc", 3);
    sealed_record(&c, 23, (const uint8_t *)"defg", 4);
    sink k;
    tp_quirk_set set;
    const char *q[] = {"cbc-padding=max", "empty-records", NULL};
    rewrite(&c, q, 0, &k, &set);
    assert_int_equal(k.notes, 1);
    assert_non_null(strstr(k.note, "quirk cbc-padding=max does not apply"));
    assert_non_null(strstr(k.note, "not a CBC suite"));
    rec r[10];
    assert_int_equal(client_read(&c, &k, r, 10), 7);
    assert_int_equal(r[3].inner, 23);
    assert_int_equal(r[3].len, 0);
    assert_int_equal(r[4].len, 3);
    assert_int_equal(r[5].len, 0);
    assert_memory_equal(r[6].content, "defg", 4);
    /* each record names exactly the quirks that shaped it */
    assert_string_equal(k.labels[3], "empty-records");
    assert_string_equal(k.labels[4], "");
    conn_free(&c);
}

/* hs-separate: a record of two handshake messages goes out as two records;
 * a record that starts inside a message (its first bytes continue the last
 * record's) is left as it came. */
static void test_hs_separate(void **state)
{
    (void)state;
    conn c;
    conn_start(&c, 0x0303, 0xC02F, false);
    static const uint8_t two[] = {11, 0, 0, 2, 0xAA, 0xBB, 14, 0, 0, 0};
    put_record(&c, 22, two, sizeof two);
    static const uint8_t head[] = {11, 0, 0, 3, 0xCC}; /* 2 bytes of it come next */
    static const uint8_t tail[] = {0xDD, 0xEE, 14, 0, 0, 0};
    put_record(&c, 22, head, sizeof head);
    put_record(&c, 22, tail, sizeof tail);
    sink k;
    tp_quirk_set set;
    const char *q[] = {"hs-separate", NULL};
    rewrite(&c, q, 0, &k, &set);
    rec r[8];
    unsigned n = client_read(&c, &k, r, 8);
    assert_int_equal(n, 5); /* ServerHello, 6 + 4, then 5 and 6 as they came */
    assert_int_equal(r[1].len, 6);
    assert_int_equal(r[1].content[0], 11);
    assert_int_equal(r[2].len, 4);
    assert_int_equal(r[2].content[0], 14);
    assert_string_equal(k.labels[1], "hs-separate");
    assert_string_equal(k.labels[2], "hs-separate");
    assert_int_equal(r[3].len, 5);
    assert_int_equal(r[4].len, 6);
    assert_string_equal(k.labels[4], "");
    conn_free(&c);
}

static void test_coalesce_alert_version(void **state)
{
    (void)state;
    conn c;
    conn_start(&c, 0x0303, 0xC02F, false);
    /* a second clear handshake message after the ServerHello: joined */
    static const uint8_t done[4] = {14, 0, 0, 0};
    put_record(&c, 22, done, 4);
    conn_protect(&c);
    sealed_record(&c, 22, finished, sizeof finished);
    sink k;
    tp_quirk_set set;
    const char *q[] = {"hs-coalesce", "alert-unrecognized-name", "record-version=0x0301", NULL};
    rewrite(&c, q, 0, &k, &set);
    rec r[8];
    unsigned n = client_read(&c, &k, r, 8);
    assert_int_equal(n, 4);
    assert_int_equal(r[0].type, 21);
    assert_int_equal(r[0].content[0], 1);
    assert_int_equal(r[0].content[1], 112);
    assert_int_equal(r[1].type, 22);
    assert_int_equal(r[1].len, 4 + 38 + 4); /* ServerHello + ServerHelloDone */
    assert_int_equal(r[1].content[42], 14);
    assert_int_equal(r[0].version, 0x0301);
    assert_int_equal(r[1].version, 0x0301);
    assert_int_equal(r[2].type, 20);
    assert_int_equal(r[2].version, 0x0303);
    assert_string_equal(k.labels[0], "alert-unrecognized-name,record-version=0x0301");
    assert_string_equal(k.labels[1], "hs-coalesce,record-version=0x0301");
    assert_string_equal(k.labels[2], "");
    conn_free(&c);
}

static void test_unsupported_suite_passthrough(void **state)
{
    (void)state;
    conn c;
    conn_start(&c, 0x0303, 0x0096, false); /* RSA SEED-CBC SHA: no record code for it */
    static const uint8_t ccs[1] = {1};
    put_record(&c, 20, ccs, 1);
    uint8_t junk[64];
    memset(junk, 0x5a, sizeof junk);
    put_record(&c, 22, junk, sizeof junk);
    put_record(&c, 23, junk, 32);
    sink k;
    tp_quirk_set set;
    const char *q[] = {"cbc-padding=max", "hs-fragment=1000", NULL};
    rewrite(&c, q, 5, &k, &set);
    /* the records go out as the engine wrote them, and the trace says why */
    assert_int_equal(k.out_len, c.len);
    assert_memory_equal(k.out, c.stream, c.len);
    assert_int_equal(k.notes, 2);
    assert_non_null(strstr(k.note, "the engine's records go out unchanged"));
    conn_free(&c);
}

/* ---------- TLS 1.3 ---------- */

static void test_tls13(void **state)
{
    (void)state;
    conn c;
    conn_start(&c, 0x0304, 0x1301, false); /* AES-128-GCM-SHA256 */
    conn_protect(&c);
    static const uint8_t ee[6] = {8, 0, 0, 2, 0, 0};
    uint8_t fin13[36] = {20, 0, 0, 32};
    sealed_record(&c, 22, ee, sizeof ee);
    sealed_record(&c, 22, fin13, sizeof fin13);
    crypto_conn_activate(c.engine, TP_S2C, CRYPTO_EPOCH_APPLICATION);
    sealed_record(&c, 23, (const uint8_t *)"first", 5);
    sealed_record(&c, 23, (const uint8_t *)"second", 6);
    sink k;
    tp_quirk_set set;
    const char *q[] = {"hs-coalesce", "tls13-padding=50", "key-update", "ccs-compat=on", NULL};
    rewrite(&c, q, 3, &k, &set);
    rec r[10];
    unsigned n = client_read(&c, &k, r, 10);
    assert_int_equal(n, 6);
    assert_int_equal(r[0].type, 22);
    assert_int_equal(r[1].type, 20); /* the compatibility CCS after the ServerHello */
    assert_int_equal(r[2].inner, 22);
    assert_int_equal(r[2].len, sizeof ee + sizeof fin13); /* joined */
    assert_true(r[3].inner == 23 && r[3].len == 5);
    assert_true(r[4].inner == 22 && r[4].len == 5 && r[4].content[0] == 24);
    assert_true(r[5].inner == 23 && r[5].len == 6); /* opened with the next secret */
    assert_memory_equal(r[5].content, "second", 6);
    /* padding: the fragment is content + type + 50 + tag */
    size_t off = 0;
    for (unsigned i = 0; i < 3; i++)
        off += 5 + ((size_t)k.out[off + 3] << 8 | k.out[off + 4]);
    assert_int_equal((size_t)k.out[off + 3] << 8 | k.out[off + 4], 5 + 1 + 50 + 16);
    assert_int_equal(k.notes, 0);
    conn_free(&c);
}

/* empty-ticket: an empty NewSessionTicket before the first application data (TLS 1.3). */
static void test_tls13_empty_ticket(void **state)
{
    (void)state;
    conn c;
    conn_start(&c, 0x0304, 0x1301, false);
    conn_protect(&c);
    uint8_t fin13[36] = {20, 0, 0, 32};
    sealed_record(&c, 22, fin13, sizeof fin13);
    crypto_conn_activate(c.engine, TP_S2C, CRYPTO_EPOCH_APPLICATION);
    sealed_record(&c, 23, (const uint8_t *)"first", 5);
    sealed_record(&c, 23, (const uint8_t *)"second", 6);
    sink k;
    tp_quirk_set set;
    const char *q[] = {"empty-ticket", NULL};
    rewrite(&c, q, 0, &k, &set);
    rec r[10];
    assert_int_equal(client_read(&c, &k, r, 10), 5);
    assert_true(r[2].inner == 22 && r[2].len == 17 && r[2].content[0] == 4);
    assert_int_equal(r[2].content[12], 0);                         /* nonce <0> */
    assert_true(r[2].content[13] == 0 && r[2].content[14] == 0); /* ticket <0>: out of spec */
    assert_string_equal(k.labels[2], "empty-ticket");
    assert_true(r[3].inner == 23 && r[3].len == 5 && r[4].len == 6); /* only once */
    assert_string_equal(k.labels[3], "");
    assert_int_equal(k.notes, 0);
    conn_free(&c);
}

/* hello-request: TLS 1.2 asks once, after the first application data; the
 * engine's HelloRequest record is marked; TLS 1.3 gets a note and no ask. */
static void test_hello_request(void **state)
{
    (void)state;
    static const uint8_t hello_request[4] = {0, 0, 0, 0};
    conn c;
    conn_start(&c, 0x0303, 0xC02F, false);
    conn_protect(&c);
    sealed_record(&c, 22, finished, sizeof finished);
    sealed_record(&c, 23, (const uint8_t *)"abc", 3);
    sealed_record(&c, 22, hello_request, sizeof hello_request);
    sink k;
    tp_quirk_set set;
    const char *q[] = {"hello-request", NULL};
    tp_rewriter *rw = rewrite_keep(&c, q, 0, &k, &set);
    assert_true(tp_rewriter_take_hello_request(rw));
    assert_false(tp_rewriter_take_hello_request(rw)); /* once */
    tp_rewriter_free(rw);
    rec r[10];
    assert_int_equal(client_read(&c, &k, r, 10), 5); /* ServerHello, CCS, Finished, data, HR */
    assert_true(r[4].inner == 22 && r[4].len == 4 && r[4].content[0] == 0);
    assert_string_equal(k.labels[4], "hello-request");
    assert_string_equal(k.labels[3], "");
    assert_int_equal(k.notes, 0);
    conn_free(&c);

    conn_start(&c, 0x0304, 0x1301, false);
    conn_protect(&c);
    uint8_t fin13[36] = {20, 0, 0, 32};
    sealed_record(&c, 22, fin13, sizeof fin13);
    crypto_conn_activate(c.engine, TP_S2C, CRYPTO_EPOCH_APPLICATION);
    sealed_record(&c, 23, (const uint8_t *)"abc", 3);
    rw = rewrite_keep(&c, q, 0, &k, &set);
    assert_false(tp_rewriter_take_hello_request(rw));
    tp_rewriter_free(rw);
    assert_int_equal(k.notes, 1);
    assert_non_null(strstr(k.note, "TLS 1.2 and earlier only"));
    conn_free(&c);
}

/* An alert of the caller's choice (the openssl engine's /alert): written
 * after what went out, sealed with the rewriter's state; the engine's next
 * record is resealed after it (the client opens every record); before the
 * ServerHello it cannot be written. */
static void inject_case(uint16_t version, uint16_t suite)
{
    conn c;
    conn_start(&c, version, suite, false);
    conn_protect(&c);
    if (version == 0x0304) {
        uint8_t fin13[36] = {20, 0, 0, 32};
        sealed_record(&c, 22, fin13, sizeof fin13);
        crypto_conn_activate(c.engine, TP_S2C, CRYPTO_EPOCH_APPLICATION);
    } else {
        sealed_record(&c, 22, finished, sizeof finished);
    }
    sealed_record(&c, 23, (const uint8_t *)"abc", 3);
    sink k;
    tp_quirk_set set;
    const char *none[] = {NULL};
    tp_rewriter *rw = rewrite_keep(&c, none, 0, &k, &set);
    assert_true(tp_rewriter_inject_alert(rw, 1, 90)); /* warning user_canceled */
    size_t off = c.len;
    sealed_record(&c, 23, (const uint8_t *)"def", 3); /* the engine's sequence number: no alert */
    tp_rewriter_push(rw, c.stream + off, c.len - off);
    tp_rewriter_flush(rw);
    tp_rewriter_free(rw);
    rec r[10];
    unsigned n = client_read(&c, &k, r, 10);
    unsigned first = version == 0x0304 ? 2 : 3; /* the records before "abc" */
    assert_int_equal(n, first + 3);
    assert_true(r[first].inner == 23 && r[first].len == 3 && !memcmp(r[first].content, "abc", 3));
    assert_true(r[first + 1].is_protected && r[first + 1].inner == 21 && r[first + 1].len == 2);
    assert_true(r[first + 1].content[0] == 1 && r[first + 1].content[1] == 90);
    assert_int_equal(r[first + 1].version, version == 0x0304 ? 0x0303 : version);
    assert_true(r[first + 2].inner == 23 && !memcmp(r[first + 2].content, "def", 3));
    assert_int_equal(k.notes, 0);
    conn_free(&c);
    /* nothing went by yet: no epoch to write it in */
    memset(&k, 0, sizeof k);
    tp_rewriter_out o = {.emit = on_emit, .note = on_note, .ctx = &k};
    rw = tp_rewriter_new(&set, &o);
    assert_false(tp_rewriter_inject_alert(rw, 2, 80));
    assert_int_equal(k.out_len, 0);
    tp_rewriter_free(rw);
    assert_false(tp_rewriter_inject_alert(NULL, 2, 80));
}

static void test_inject_alert(void **state)
{
    (void)state;
    inject_case(0x0303, 0xC02F); /* TLS 1.2 AES-128-GCM: the nonce's sequence number */
    inject_case(0x0301, 0xC013); /* TLS 1.0 AES-128-CBC: the chained IV */
    inject_case(0x0304, 0x1301); /* TLS 1.3: inner type alert */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_cbc_padding_tls10),
        cmocka_unit_test(test_cbc_padding_tls12_etm),
        cmocka_unit_test(test_cbc_scope_first),
        cmocka_unit_test(test_fragment_split_bytewise),
        cmocka_unit_test(test_gcm_not_applicable),
        cmocka_unit_test(test_hs_separate),
        cmocka_unit_test(test_coalesce_alert_version),
        cmocka_unit_test(test_unsupported_suite_passthrough),
        cmocka_unit_test(test_tls13),
        cmocka_unit_test(test_tls13_empty_ticket),
        cmocka_unit_test(test_hello_request),
        cmocka_unit_test(test_inject_alert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
