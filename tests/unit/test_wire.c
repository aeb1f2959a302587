/* Unit tests for records, handshake messages, extensions, IANA tables and
 * the JSON/text rendering of wire structures.  Fixtures: tests/data
 * (README.md there says how each was captured). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "report/wire_json.h"
#include "report/wire_text.h"
#include "wire/ext.h"
#include "wire/ext_desc.h"
#include "wire/handshake.h"
#include "wire/iana.h"
#include "wire/record.h"

/* ---- fixtures ---------------------------------------------------------- */

typedef struct {
    uint8_t data[8192];
    size_t len;
} blob;

static void load(const char *name, blob *b)
{
    const char *dir = getenv("TP_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s", path);
    b->len = fread(b->data, 1, sizeof b->data, f);
    fclose(f);
    assert_true(b->len > 0);
}

/* The handshake messages of the plaintext part of a captured flight:
 * record fragments of type 22 concatenated until the first CCS. */
typedef struct {
    uint8_t hs[8192];
    size_t hs_len;
    size_t off[16];
    size_t len[16];
    unsigned n;
} flight;

static void load_flight(const char *name, flight *fl)
{
    blob b;
    load(name, &b);
    cur_t in;
    wire_record r;
    cur_init(&in, b.data, b.len);
    fl->hs_len = 0;
    fl->n = 0;
    while (cur_len(&in) > 0) {
        assert_int_equal(wire_record_parse(&in, &r, NULL), TP_OK);
        if (r.type != WIRE_CT_HANDSHAKE)
            break;
        memcpy(fl->hs + fl->hs_len, cur_data(&r.fragment), cur_len(&r.fragment));
        fl->hs_len += cur_len(&r.fragment);
    }
    cur_t hs;
    cur_init(&hs, fl->hs, fl->hs_len);
    while (cur_len(&hs) >= 4 && fl->n < 16) {
        uint8_t t;
        uint32_t l;
        assert_int_equal(wire_hs_peek_header(&hs, &t, &l), TP_OK);
        fl->off[fl->n] = (size_t)(cur_data(&hs) - fl->hs);
        fl->len[fl->n] = 4 + l;
        fl->n++;
        assert_true(cur_skip(&hs, 4 + l));
    }
}

static tp_status parse_msg(const flight *fl, unsigned i, const wire_hs_ctx *ctx, wire_handshake *m)
{
    assert_true(i < fl->n);
    return wire_hs_parse(ctx, fl->hs + fl->off[i], fl->len[i], m);
}

/* A ClientHello fixture file is a single record holding the message. */
static void load_client_hello(const char *name, blob *b, wire_handshake *m)
{
    load(name, b);
    cur_t in;
    wire_record r;
    cur_init(&in, b->data, b->len);
    assert_int_equal(wire_record_parse(&in, &r, NULL), TP_OK);
    assert_int_equal(r.type, WIRE_CT_HANDSHAKE);
    assert_int_equal(wire_hs_parse(NULL, cur_data(&r.fragment), cur_len(&r.fragment), m), TP_OK);
    assert_int_equal(m->type, WIRE_HS_CLIENT_HELLO);
}

static bool view_eq(cur_t v, const char *s)
{
    return cur_len(&v) == strlen(s) && memcmp(cur_data(&v), s, cur_len(&v)) == 0;
}

/* ---- records ----------------------------------------------------------- */

static void test_record_normal(void **state)
{
    (void)state;
    blob b;
    load("clienthello-openssl-tls12.bin", &b);
    cur_t in;
    wire_record r;
    size_t need = 0;
    cur_init(&in, b.data, b.len);
    assert_int_equal(wire_record_parse(&in, &r, &need), TP_OK);
    assert_int_equal(r.type, WIRE_CT_HANDSHAKE);
    assert_int_equal(r.version, 0x0301);
    assert_int_equal(r.length, 201);
    assert_int_equal(cur_len(&r.header), 5);
    assert_int_equal(cur_len(&r.fragment), 201);
    assert_ptr_equal(cur_data(&r.fragment), b.data + 5); /* a view, not a copy */
    assert_int_equal(cur_len(&in), 0);
}

static void test_record_stream(void **state)
{
    (void)state;
    blob b;
    load("flight-tls12-ecdhe-rsa-s2c.bin", &b);
    static const unsigned types[] = {22, 22, 22, 22, 22, 20, 22};
    cur_t in;
    wire_record r;
    unsigned n = 0;
    cur_init(&in, b.data, b.len);
    while (cur_len(&in) > 0) {
        assert_int_equal(wire_record_parse(&in, &r, NULL), TP_OK);
        assert_true(n < 7);
        assert_int_equal(r.type, types[n]);
        assert_int_equal(r.version, 0x0303);
        n++;
    }
    assert_int_equal(n, 7);
}

static void test_record_truncated(void **state)
{
    (void)state;
    blob b;
    load("clienthello-openssl-tls12.bin", &b);
    cur_t in;
    wire_record r;
    size_t need;
    for (size_t cut = 0; cut < 5; cut++) {
        need = 0;
        cur_init(&in, b.data, cut);
        assert_int_equal(wire_record_parse(&in, &r, &need), TP_ERR_TRUNCATED);
        assert_int_equal(need, 5);
        assert_int_equal(cur_len(&in), cut);
    }
    cur_init(&in, b.data, 100);
    assert_int_equal(wire_record_parse(&in, &r, &need), TP_ERR_TRUNCATED);
    assert_int_equal(need, 206);
    assert_ptr_equal(cur_data(&in), b.data);
    assert_int_equal(cur_len(&in), 100);
    /* NULL out_need is allowed */
    assert_int_equal(wire_record_parse(&in, &r, NULL), TP_ERR_TRUNCATED);
}

static void test_record_oversized(void **state)
{
    (void)state;
    uint8_t hdr[5] = {23, 3, 3, 0x48, 0x01}; /* 18433 = 2^14 + 2048 + 1 */
    cur_t in;
    wire_record r;
    cur_init(&in, hdr, sizeof hdr);
    assert_int_equal(wire_record_parse(&in, &r, NULL), TP_ERR_OVERSIZED);
    assert_int_equal(cur_len(&in), 5);
    hdr[3] = 0x48;
    hdr[4] = 0x00; /* exactly the limit: only truncated */
    size_t need;
    assert_int_equal(wire_record_parse(&in, &r, &need), TP_ERR_TRUNCATED);
    assert_int_equal(need, 5 + 18432);
}

static void test_record_not_tls(void **state)
{
    (void)state;
    static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    cur_t in;
    wire_record r;
    cur_init(&in, (const uint8_t *)get, strlen(get));
    assert_int_equal(wire_record_parse(&in, &r, NULL), TP_ERR_NOT_TLS);
    assert_int_equal(cur_len(&in), strlen(get));
    /* right content type, wrong major version */
    static const uint8_t bad_major[] = {22, 2, 0, 0, 4, 1, 2, 3, 4};
    cur_init(&in, bad_major, sizeof bad_major);
    assert_int_equal(wire_record_parse(&in, &r, NULL), TP_ERR_NOT_TLS);
    /* decided on the second byte already */
    cur_init(&in, bad_major, 2);
    assert_int_equal(wire_record_parse(&in, &r, NULL), TP_ERR_NOT_TLS);
    /* SSH banner */
    static const char ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
    cur_init(&in, (const uint8_t *)ssh, strlen(ssh));
    assert_int_equal(wire_record_parse(&in, &r, NULL), TP_ERR_NOT_TLS);
    /* high bit set but not an SSLv2 CLIENT-HELLO (msg type 4) */
    static const uint8_t v2_other[] = {0x80, 0x0b, 0x04, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0};
    cur_init(&in, v2_other, sizeof v2_other);
    assert_int_equal(wire_record_parse(&in, &r, NULL), TP_ERR_NOT_TLS);
}

static void test_record_sslv2(void **state)
{
    (void)state;
    blob b;
    load("clienthello-sslv2-handmade.bin", &b);
    cur_t in;
    wire_record r;
    size_t need = 0;
    cur_init(&in, b.data, 4);
    assert_int_equal(wire_record_parse(&in, &r, &need), TP_ERR_TRUNCATED);
    assert_int_equal(need, 5);
    cur_init(&in, b.data, 20);
    assert_int_equal(wire_record_parse(&in, &r, &need), TP_ERR_TRUNCATED);
    assert_int_equal(need, b.len);
    cur_init(&in, b.data, b.len);
    assert_int_equal(wire_record_parse(&in, &r, NULL), TP_OK);
    assert_int_equal(r.type, WIRE_CT_SSLV2_CLIENT_HELLO);
    assert_int_equal(r.version, 0x0002);
    assert_int_equal(cur_len(&r.header), 2);
    assert_int_equal(r.length, b.len - 2);
    assert_string_equal(wire_content_type_name(r.type), "sslv2_client_hello");

    wire_handshake m;
    assert_int_equal(wire_hs_parse_sslv2(cur_data(&r.fragment), cur_len(&r.fragment), &m), TP_OK);
    const wire_client_hello *ch = &m.u.client_hello;
    assert_int_equal(m.type, WIRE_HS_CLIENT_HELLO);
    assert_true(ch->sslv2);
    assert_int_equal(ch->legacy_version, 0x0301);
    assert_int_equal(wire_ch_num_suites(ch), 6);
    assert_int_equal(wire_ch_suite_at(ch, 0), 0x010080);
    assert_int_equal(wire_ch_suite_at(ch, 2), 0x000035);
    assert_string_equal(wire_sslv2_cipher_name(0x010080), "SSL_CK_RC4_128_WITH_MD5");
    assert_string_equal(wire_sslv2_cipher_name(0x00002f), "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_int_equal(cur_len(&ch->challenge), 16);
    assert_int_equal(cur_len(&ch->session_id), 0);
    assert_false(ch->has_extensions);

    /* the three-byte header form (no escape, padding 0) of the same body */
    uint8_t three[64];
    size_t body = b.len - 2;
    three[0] = (uint8_t)(body >> 8);
    three[1] = (uint8_t)body;
    three[2] = 0;
    memcpy(three + 3, b.data + 2, body);
    cur_init(&in, three, body + 3);
    assert_int_equal(wire_record_parse(&in, &r, NULL), TP_OK);
    assert_int_equal(r.type, WIRE_CT_SSLV2_CLIENT_HELLO);
    assert_int_equal(cur_len(&r.header), 3);
    assert_int_equal(r.length, body);

    /* malformed SSLv2 bodies */
    uint8_t bad[64];
    memcpy(bad, b.data + 2, body);
    bad[4] = 0x13; /* cipher_spec_length 0x0013: not a multiple of 3 */
    assert_int_equal(wire_hs_parse_sslv2(bad, body, &m), TP_ERR_DECODE);
    assert_int_equal(wire_hs_parse_sslv2(b.data + 2, body - 1, &m), TP_ERR_DECODE);
    memcpy(bad, b.data + 2, body);
    bad[body] = 0;
    assert_int_equal(wire_hs_parse_sslv2(bad, body + 1, &m), TP_ERR_TRAILING);
}

static void test_record_names(void **state)
{
    (void)state;
    assert_string_equal(wire_content_type_name(22), "handshake");
    assert_string_equal(wire_content_type_name(21), "alert");
    assert_null(wire_content_type_name(99));
    assert_string_equal(wire_version_name(0x0303), "TLS1.2");
    assert_string_equal(wire_version_name(0x0300), "SSL3.0");
    assert_string_equal(wire_version_name(0x0304), "TLS1.3");
    assert_null(wire_version_name(0x7f17));
}

/* ---- handshake messages ------------------------------------------------ */

static void test_client_hello_openssl(void **state)
{
    (void)state;
    blob b;
    wire_handshake m;
    load_client_hello("clienthello-openssl-tls12.bin", &b, &m);
    const wire_client_hello *ch = &m.u.client_hello;
    assert_int_equal(m.length, 197);
    assert_int_equal(cur_len(&m.raw), 201);
    assert_int_equal(ch->legacy_version, 0x0303);
    assert_int_equal(cur_len(&ch->random), 32);
    assert_int_equal(wire_ch_num_suites(ch), 28);
    assert_int_equal(wire_ch_suite_at(ch, 0), 0xc02c);
    assert_int_equal(wire_ch_suite_at(ch, 27), 0x00ff);
    assert_int_equal(cur_len(&ch->compression), 1);
    assert_true(ch->has_extensions);

    cur_t body;
    wire_ext_sni sni;
    assert_true(wire_ch_find_ext(ch, WIRE_EXT_SERVER_NAME, &body));
    assert_int_equal(wire_ext_sni_parse(body, &sni), TP_OK);
    assert_true(sni.has_host);
    assert_true(view_eq(sni.host, "localhost"));
    assert_false(wire_ch_find_ext(ch, WIRE_EXT_ALPN, &body));
    assert_false(wire_ch_find_ext(ch, WIRE_EXT_SUPPORTED_VERSIONS, &body));
}

static void test_client_hello_tls13_clients(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        unsigned suites;
        bool sni;
        uint16_t first_share;
    } cases[] = {
        {"clienthello-openssl-tls13.bin", 4, true, 29},
        {"clienthello-gnutls-cli.bin", 29, true, 23},
        {"clienthello-curl.bin", 31, false, 29},
        {"clienthello-python.bin", 18, true, 29},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        blob b;
        wire_handshake m;
        cur_t body;
        load_client_hello(cases[i].file, &b, &m);
        const wire_client_hello *ch = &m.u.client_hello;
        assert_int_equal(wire_ch_num_suites(ch), cases[i].suites);
        assert_int_equal(wire_ch_find_ext(ch, WIRE_EXT_SERVER_NAME, &body), cases[i].sni);

        wire_ext_versions v;
        assert_true(wire_ch_find_ext(ch, WIRE_EXT_SUPPORTED_VERSIONS, &body));
        assert_int_equal(wire_ext_versions_parse(body, false, &v), TP_OK);
        assert_int_equal(v.highest, 0x0304);
        assert_true(v.versions.num >= 1);

        wire_ext_key_share ks;
        assert_true(wire_ch_find_ext(ch, WIRE_EXT_KEY_SHARE, &body));
        assert_int_equal(wire_ext_key_share_parse(body, WIRE_EXT_FROM_CLIENT_HELLO, &ks), TP_OK);
        assert_true(ks.num_entries >= 1);
        assert_int_equal(ks.entries[0].group, cases[i].first_share);
        if (cases[i].first_share == 29)
            assert_int_equal(cur_len(&ks.entries[0].key), 32);
        else
            assert_int_equal(cur_len(&ks.entries[0].key), 65);

        wire_list sig;
        assert_true(wire_ch_find_ext(ch, WIRE_EXT_SIGNATURE_ALGORITHMS, &body));
        assert_int_equal(wire_ext_u16_list_parse(body, &sig), TP_OK);
        assert_true(sig.num > 4);
    }
}

static void test_client_hello_alpn_padding(void **state)
{
    (void)state;
    blob b;
    wire_handshake m;
    cur_t body;
    load_client_hello("clienthello-python.bin", &b, &m);
    const wire_client_hello *ch = &m.u.client_hello;
    wire_ext_alpn a;
    assert_true(wire_ch_find_ext(ch, WIRE_EXT_ALPN, &body));
    assert_int_equal(wire_ext_alpn_parse(body, &a), TP_OK);
    assert_int_equal(a.num_protocols, 2);
    assert_true(view_eq(a.first, "h2"));
    assert_true(view_eq(a.last, "http/1.1"));
    wire_ext_padding p;
    assert_true(wire_ch_find_ext(ch, WIRE_EXT_PADDING, &body));
    assert_int_equal(wire_ext_padding_parse(body, &p), TP_OK);
    assert_true(p.all_zero);
    /* python pads the record fragment to 512 bytes */
    assert_int_equal(cur_len(&m.raw), 512);
    wire_list modes;
    assert_true(wire_ch_find_ext(ch, WIRE_EXT_PSK_KEY_EXCHANGE_MODES, &body));
    assert_int_equal(wire_ext_u8_list_parse(body, &modes), TP_OK);
    assert_int_equal(modes.num, 1);
    assert_int_equal(wire_list_get(&modes, 0), 1);
}

static void test_server_flight_ecdhe(void **state)
{
    (void)state;
    flight fl;
    wire_handshake m;
    load_flight("flight-tls12-ecdhe-rsa-s2c.bin", &fl);
    assert_int_equal(fl.n, 5);
    wire_hs_ctx ctx = {0, 0};

    assert_int_equal(parse_msg(&fl, 0, &ctx, &m), TP_OK);
    const wire_server_hello *sh = &m.u.server_hello;
    assert_int_equal(m.type, WIRE_HS_SERVER_HELLO);
    assert_int_equal(sh->cipher_suite, 0xc02f);
    assert_int_equal(sh->selected_version, 0x0303);
    assert_false(sh->hello_retry_request);
    assert_int_equal(sh->compression, 0);
    cur_t body;
    assert_true(wire_ext_find(sh->extensions, WIRE_EXT_EXTENDED_MASTER_SECRET, &body));
    assert_int_equal(wire_ext_empty_parse(body), TP_OK);
    assert_true(wire_ext_find(sh->extensions, WIRE_EXT_RENEGOTIATION_INFO, &body));
    cur_t reneg;
    assert_int_equal(wire_ext_reneg_parse(body, &reneg), TP_OK);
    assert_int_equal(cur_len(&reneg), 0);
    ctx.version = sh->selected_version;
    ctx.cipher_suite = sh->cipher_suite;

    assert_int_equal(parse_msg(&fl, 1, &ctx, &m), TP_OK);
    const wire_certificate *cm = &m.u.certificate;
    assert_int_equal(m.type, WIRE_HS_CERTIFICATE);
    assert_int_equal(cm->num_certs, 1);
    assert_int_equal(cm->num_summaries, 1);
    assert_true(cm->certs[0].parsed);
    assert_non_null(strstr(cm->certs[0].subject, "CN=localhost"));
    assert_non_null(strstr(cm->certs[0].issuer, "O=tlsprobe test"));
    assert_string_equal(cm->certs[0].key_type, "RSA");
    assert_int_equal(cm->certs[0].key_bits, 2048);
    assert_string_equal(cm->certs[0].sig_alg, "sha256WithRSAEncryption");

    assert_int_equal(parse_msg(&fl, 2, &ctx, &m), TP_OK);
    const wire_server_key_exchange *ske = &m.u.server_key_exchange;
    assert_int_equal(ske->family, WIRE_KX_ECDHE);
    assert_int_equal(ske->named_group, 29);
    assert_int_equal(cur_len(&ske->public_value), 32);
    assert_true(ske->has_sigalg);
    assert_true(ske->has_signature);
    assert_int_equal(ske->sigalg, 0x0804);
    assert_int_equal(cur_len(&ske->signature), 256);

    assert_int_equal(parse_msg(&fl, 3, &ctx, &m), TP_OK);
    assert_int_equal(m.type, WIRE_HS_SERVER_HELLO_DONE);
    assert_int_equal(m.length, 0);

    assert_int_equal(parse_msg(&fl, 4, &ctx, &m), TP_OK);
    assert_int_equal(m.type, WIRE_HS_NEW_SESSION_TICKET);
    assert_int_equal(m.u.new_session_ticket.lifetime, 7200);
    assert_int_equal(cur_len(&m.u.new_session_ticket.ticket), 176);

    /* the client's side of the same session */
    load_flight("flight-tls12-ecdhe-rsa-c2s.bin", &fl);
    assert_int_equal(fl.n, 2);
    assert_int_equal(parse_msg(&fl, 1, &ctx, &m), TP_OK);
    assert_int_equal(m.type, WIRE_HS_CLIENT_KEY_EXCHANGE);
    assert_int_equal(m.u.client_key_exchange.family, WIRE_KX_ECDHE);
    assert_int_equal(cur_len(&m.u.client_key_exchange.exchange), 32);
    /* without a negotiated suite the CKE cannot be interpreted */
    wire_hs_ctx none = {0, 0};
    assert_int_equal(parse_msg(&fl, 1, &none, &m), TP_ERR_UNSUPPORTED);
}

/* The certificate summary cache: the same DER gives the same summary (and a
 * view into the new buffer), a different DER is summarised afresh. */
static void test_certificate_summary_cache(void **state)
{
    (void)state;
    flight a, b;
    wire_handshake m1, m2, m3;
    load_flight("flight-tls12-ecdhe-rsa-s2c.bin", &a);
    load_flight("flight-tls12-dhe-rsa-s2c.bin", &b);
    wire_hs_ctx ctx = {0x0303, 0xc02f};
    assert_int_equal(parse_msg(&a, 1, &ctx, &m1), TP_OK);
    assert_int_equal(parse_msg(&a, 1, &ctx, &m2), TP_OK); /* cache hit */
    assert_string_equal(m1.u.certificate.certs[0].subject, m2.u.certificate.certs[0].subject);
    assert_string_equal(m1.u.certificate.certs[0].key_type, m2.u.certificate.certs[0].key_type);
    assert_int_equal(m1.u.certificate.certs[0].key_bits, m2.u.certificate.certs[0].key_bits);
    assert_ptr_equal(cur_data(&m2.u.certificate.certs[0].der),
                     cur_data(&m1.u.certificate.certs[0].der));
    ctx.cipher_suite = 0x009e;
    assert_int_equal(parse_msg(&b, 1, &ctx, &m3), TP_OK);
    assert_true(m3.u.certificate.certs[0].parsed);
    assert_string_equal(m3.u.certificate.certs[0].subject, m1.u.certificate.certs[0].subject);
    /* a truncated DER is not served from the cache */
    uint8_t der[4096];
    size_t n = cur_len(&m1.u.certificate.certs[0].der);
    assert_true(n < sizeof der);
    memcpy(der, cur_data(&m1.u.certificate.certs[0].der), n);
    uint8_t msg[4200];
    size_t body = 3 + 3 + (n - 1);
    msg[0] = WIRE_HS_CERTIFICATE;
    msg[1] = (uint8_t)(body >> 16);
    msg[2] = (uint8_t)(body >> 8);
    msg[3] = (uint8_t)body;
    size_t list = 3 + (n - 1);
    msg[4] = (uint8_t)(list >> 16);
    msg[5] = (uint8_t)(list >> 8);
    msg[6] = (uint8_t)list;
    msg[7] = (uint8_t)((n - 1) >> 16);
    msg[8] = (uint8_t)((n - 1) >> 8);
    msg[9] = (uint8_t)(n - 1);
    memcpy(msg + 10, der, n - 1);
    wire_handshake m4;
    ctx.cipher_suite = 0xc02f;
    tp_status st = wire_hs_parse(&ctx, msg, 4 + body, &m4);
    assert_int_equal(st, TP_OK);
    assert_false(m4.u.certificate.certs[0].parsed);
}

static void test_server_flight_dhe(void **state)
{
    (void)state;
    flight fl;
    wire_handshake m;
    load_flight("flight-tls12-dhe-rsa-s2c.bin", &fl);
    wire_hs_ctx ctx = {0, 0};
    assert_int_equal(parse_msg(&fl, 0, &ctx, &m), TP_OK);
    assert_int_equal(m.u.server_hello.cipher_suite, 0x006b);
    ctx.version = 0x0303;
    ctx.cipher_suite = 0x006b;
    assert_int_equal(parse_msg(&fl, 2, &ctx, &m), TP_OK);
    const wire_server_key_exchange *ske = &m.u.server_key_exchange;
    assert_int_equal(ske->family, WIRE_KX_DHE);
    assert_int_equal(ske->dh_p_bits, 2048);
    assert_int_equal(cur_len(&ske->public_value), 256);
    assert_int_equal(ske->sigalg, 0x0804);

    /* The same ServerKeyExchange as TLS 1.0 wrote it: no SignatureAndHash */
    uint8_t old[1024];
    size_t len = fl.len[2];
    const uint8_t *src = fl.hs + fl.off[2];
    size_t sig_at = len - 2 - 256 - 2; /* sigalg, length, 256-byte signature */
    memcpy(old, src, sig_at);
    memcpy(old + sig_at, src + sig_at + 2, len - sig_at - 2);
    len -= 2;
    old[1] = 0;
    old[2] = (uint8_t)((len - 4) >> 8);
    old[3] = (uint8_t)(len - 4);
    wire_hs_ctx ctx10 = {0x0301, 0x0039};
    assert_int_equal(wire_hs_parse(&ctx10, old, len, &m), TP_OK);
    assert_false(m.u.server_key_exchange.has_sigalg);
    assert_true(m.u.server_key_exchange.has_signature);
    assert_int_equal(cur_len(&m.u.server_key_exchange.signature), 256);
    /* ...which under TLS 1.2 rules does not consume exactly */
    assert_int_not_equal(wire_hs_parse(&ctx, old, len, &m), TP_OK);

    load_flight("flight-tls12-dhe-rsa-c2s.bin", &fl);
    assert_int_equal(parse_msg(&fl, 1, &ctx, &m), TP_OK);
    assert_int_equal(m.u.client_key_exchange.family, WIRE_KX_DHE);
    assert_int_equal(cur_len(&m.u.client_key_exchange.exchange), 256);
}

static void test_server_hello_tls13_and_hrr(void **state)
{
    (void)state;
    flight fl;
    wire_handshake m;
    cur_t body;
    wire_ext_key_share ks;
    load_flight("flight-tls13-s2c.bin", &fl);
    assert_int_equal(parse_msg(&fl, 0, NULL, &m), TP_OK);
    const wire_server_hello *sh = &m.u.server_hello;
    assert_int_equal(sh->legacy_version, 0x0303);
    assert_int_equal(sh->selected_version, 0x0304);
    assert_int_equal(sh->cipher_suite, 0x1302);
    assert_false(sh->hello_retry_request);
    assert_true(wire_ext_find(sh->extensions, WIRE_EXT_KEY_SHARE, &body));
    assert_int_equal(wire_ext_key_share_parse(body, WIRE_EXT_FROM_SERVER_HELLO, &ks), TP_OK);
    assert_int_equal(ks.selected_group, 29);
    assert_int_equal(cur_len(&ks.server_key), 32);

    load_flight("flight-tls13-hrr-s2c.bin", &fl);
    assert_int_equal(parse_msg(&fl, 0, NULL, &m), TP_OK);
    assert_true(sh->hello_retry_request);
    assert_int_equal(sh->selected_version, 0x0304);
    assert_true(wire_ext_find(sh->extensions, WIRE_EXT_KEY_SHARE, &body));
    assert_int_equal(wire_ext_key_share_parse(body, WIRE_EXT_FROM_HRR, &ks), TP_OK);
    assert_int_equal(ks.selected_group, 23);
    /* an HRR key_share read as a ServerHello one is malformed */
    assert_int_equal(wire_ext_key_share_parse(body, WIRE_EXT_FROM_SERVER_HELLO, &ks),
                     TP_ERR_DECODE);
}

/* Builds a handshake message: header + body. */
static size_t make_msg(uint8_t *out, uint8_t type, const uint8_t *body, size_t len)
{
    out[0] = type;
    out[1] = (uint8_t)(len >> 16);
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    memcpy(out + 4, body, len);
    return len + 4;
}

static void test_certificate_tls13_layout(void **state)
{
    (void)state;
    flight fl;
    wire_handshake m;
    load_flight("flight-tls12-ecdhe-rsa-s2c.bin", &fl);
    /* take the DER out of the TLS 1.2 Certificate */
    const uint8_t *cert12 = fl.hs + fl.off[1] + 4 + 3 + 3;
    size_t der_len = fl.len[1] - 10;
    static uint8_t body[4096], msg[4096];
    size_t n = 0;
    body[n++] = 0; /* empty certificate_request_context */
    size_t list = der_len + 3 + 2;
    body[n++] = (uint8_t)(list >> 16);
    body[n++] = (uint8_t)(list >> 8);
    body[n++] = (uint8_t)list;
    body[n++] = (uint8_t)(der_len >> 16);
    body[n++] = (uint8_t)(der_len >> 8);
    body[n++] = (uint8_t)der_len;
    memcpy(body + n, cert12, der_len);
    n += der_len;
    body[n++] = 0; /* no CertificateEntry extensions */
    body[n++] = 0;
    size_t len = make_msg(msg, WIRE_HS_CERTIFICATE, body, n);
    wire_hs_ctx ctx13 = {0x0304, 0x1301};
    assert_int_equal(wire_hs_parse(&ctx13, msg, len, &m), TP_OK);
    assert_int_equal(m.u.certificate.num_certs, 1);
    assert_true(m.u.certificate.certs[0].parsed);
    assert_int_equal(m.u.certificate.certs[0].key_bits, 2048);
    /* unknown version: the layout that fits is chosen */
    assert_int_equal(wire_hs_parse(NULL, msg, len, &m), TP_OK);
    assert_int_equal(m.u.certificate.num_certs, 1);
    /* TLS 1.2 rules on TLS 1.3 bytes fail */
    wire_hs_ctx ctx12 = {0x0303, 0xc02f};
    assert_int_not_equal(wire_hs_parse(&ctx12, msg, len, &m), TP_OK);
    /* a garbage DER is counted but not summarised as parsed */
    body[7] ^= 0xff;
    len = make_msg(msg, WIRE_HS_CERTIFICATE, body, n);
    assert_int_equal(wire_hs_parse(&ctx13, msg, len, &m), TP_OK);
    assert_false(m.u.certificate.certs[0].parsed);
}

static void test_small_messages(void **state)
{
    (void)state;
    uint8_t msg[512];
    size_t len;
    wire_handshake m;
    wire_hs_ctx ctx12 = {0x0303, 0xc02f}, ctx13 = {0x0304, 0x1301};

    static const uint8_t fin[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    len = make_msg(msg, WIRE_HS_FINISHED, fin, sizeof fin);
    assert_int_equal(wire_hs_parse(&ctx12, msg, len, &m), TP_OK);
    assert_int_equal(cur_len(&m.u.finished), 12);
    len = make_msg(msg, WIRE_HS_FINISHED, fin, 0);
    assert_int_equal(wire_hs_parse(&ctx12, msg, len, &m), TP_ERR_DECODE);

    static const uint8_t cv[] = {0x08, 0x04, 0x00, 0x03, 0xaa, 0xbb, 0xcc};
    len = make_msg(msg, WIRE_HS_CERTIFICATE_VERIFY, cv, sizeof cv);
    assert_int_equal(wire_hs_parse(&ctx13, msg, len, &m), TP_OK);
    assert_int_equal(m.u.certificate_verify.sigalg, 0x0804);
    assert_int_equal(cur_len(&m.u.certificate_verify.signature), 3);
    /* TLS 1.0 CertificateVerify has no scheme: same bytes leave 2 extra */
    wire_hs_ctx ctx10 = {0x0301, 0x002f};
    static const uint8_t cv10[] = {0x00, 0x02, 0xaa, 0xbb};
    len = make_msg(msg, WIRE_HS_CERTIFICATE_VERIFY, cv10, sizeof cv10);
    assert_int_equal(wire_hs_parse(&ctx10, msg, len, &m), TP_OK);
    assert_int_equal(cur_len(&m.u.certificate_verify.signature), 2);

    /* EncryptedExtensions with ALPN "h2" */
    static const uint8_t ee[] = {0x00, 0x09, 0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2'};
    len = make_msg(msg, WIRE_HS_ENCRYPTED_EXTENSIONS, ee, sizeof ee);
    assert_int_equal(wire_hs_parse(&ctx13, msg, len, &m), TP_OK);
    cur_t body;
    assert_true(wire_ext_find(m.u.encrypted_extensions, WIRE_EXT_ALPN, &body));

    /* TLS 1.3 NewSessionTicket with early_data */
    static const uint8_t nst[] = {0x00, 0x00, 0x1c, 0x20, 0x01, 0x02, 0x03, 0x04,
                                  0x01, 0x00, 0x00, 0x02, 0xde, 0xad, 0x00, 0x08,
                                  0x00, 0x2a, 0x00, 0x04, 0x00, 0x00, 0x40, 0x00};
    len = make_msg(msg, WIRE_HS_NEW_SESSION_TICKET, nst, sizeof nst);
    assert_int_equal(wire_hs_parse(&ctx13, msg, len, &m), TP_OK);
    assert_int_equal(m.u.new_session_ticket.lifetime, 7200);
    assert_int_equal(m.u.new_session_ticket.age_add, 0x01020304);
    assert_int_equal(cur_len(&m.u.new_session_ticket.nonce), 1);
    assert_int_equal(cur_len(&m.u.new_session_ticket.ticket), 2);
    assert_true(wire_ext_find(m.u.new_session_ticket.extensions, WIRE_EXT_EARLY_DATA, &body));
    wire_ext_early_data ed;
    assert_int_equal(wire_ext_early_data_parse(body, WIRE_EXT_FROM_NEW_SESSION_TICKET, &ed), TP_OK);
    assert_int_equal(ed.max_early_data_size, 0x4000);
    /* the same body read with TLS 1.2 rules (RFC 5077 layout) is malformed */
    assert_int_equal(wire_hs_parse(&ctx12, msg, len, &m), TP_ERR_DECODE);

    /* TLS 1.2 CertificateRequest: rsa_sign, one sigalg, no CAs */
    static const uint8_t cr12[] = {0x01, 0x01, 0x00, 0x02, 0x04, 0x01, 0x00, 0x00};
    len = make_msg(msg, WIRE_HS_CERTIFICATE_REQUEST, cr12, sizeof cr12);
    assert_int_equal(wire_hs_parse(&ctx12, msg, len, &m), TP_OK);
    assert_int_equal(cur_len(&m.u.certificate_request.cert_types), 1);
    assert_int_equal(cur_len(&m.u.certificate_request.sigalgs), 2);
    /* TLS 1.3 CertificateRequest: context, extensions with signature_algorithms */
    static const uint8_t cr13[] = {0x00, 0x00, 0x08, 0x00, 0x0d, 0x00,
                                   0x04, 0x00, 0x02, 0x08, 0x07};
    len = make_msg(msg, WIRE_HS_CERTIFICATE_REQUEST, cr13, sizeof cr13);
    assert_int_equal(wire_hs_parse(&ctx13, msg, len, &m), TP_OK);
    assert_int_equal(cur_len(&m.u.certificate_request.sigalgs), 2);
    /* without signature_algorithms it is malformed (RFC 8446 4.3.2) */
    static const uint8_t cr13_bad[] = {0x00, 0x00, 0x00};
    len = make_msg(msg, WIRE_HS_CERTIFICATE_REQUEST, cr13_bad, sizeof cr13_bad);
    assert_int_equal(wire_hs_parse(&ctx13, msg, len, &m), TP_ERR_DECODE);

    /* ServerHelloDone must be empty */
    static const uint8_t one[] = {0};
    len = make_msg(msg, WIRE_HS_SERVER_HELLO_DONE, one, 1);
    assert_int_equal(wire_hs_parse(&ctx12, msg, len, &m), TP_ERR_TRAILING);
    /* unknown type */
    len = make_msg(msg, 99, one, 1);
    assert_int_equal(wire_hs_parse(&ctx12, msg, len, &m), TP_ERR_UNSUPPORTED);
    assert_int_equal(m.type, 99);
    assert_null(wire_hs_type_name(99));
    assert_string_equal(wire_hs_type_name(WIRE_HS_SERVER_KEY_EXCHANGE), "ServerKeyExchange");

    /* PSK ServerKeyExchange: only the identity hint */
    wire_hs_ctx ctx_psk = {0x0303, 0x00a8};
    static const uint8_t ske_psk[] = {0x00, 0x03, 'a', 'b', 'c'};
    len = make_msg(msg, WIRE_HS_SERVER_KEY_EXCHANGE, ske_psk, sizeof ske_psk);
    assert_int_equal(wire_hs_parse(&ctx_psk, msg, len, &m), TP_OK);
    assert_int_equal(m.u.server_key_exchange.family, WIRE_KX_PSK);
    assert_true(view_eq(m.u.server_key_exchange.psk_hint, "abc"));
    assert_false(m.u.server_key_exchange.has_signature);
    /* anonymous ECDH: params without a signature */
    wire_hs_ctx ctx_anon = {0x0303, 0xc018};
    static const uint8_t ske_anon[] = {0x03, 0x00, 0x1d, 0x02, 0x11, 0x22};
    len = make_msg(msg, WIRE_HS_SERVER_KEY_EXCHANGE, ske_anon, sizeof ske_anon);
    assert_int_equal(wire_hs_parse(&ctx_anon, msg, len, &m), TP_OK);
    assert_false(m.u.server_key_exchange.has_signature);
    /* explicit curves (curve_type 1) are refused */
    static const uint8_t ske_explicit[] = {0x01, 0x00, 0x1d, 0x02, 0x11, 0x22};
    len = make_msg(msg, WIRE_HS_SERVER_KEY_EXCHANGE, ske_explicit, sizeof ske_explicit);
    assert_int_equal(wire_hs_parse(&ctx_anon, msg, len, &m), TP_ERR_DECODE);
}

static void test_negative_hello(void **state)
{
    (void)state;
    blob b;
    wire_handshake m;
    load_client_hello("clienthello-openssl-tls12.bin", &b, &m);
    const uint8_t *msg = b.data + 5;
    size_t len = b.len - 5;
    static uint8_t buf[1024];

    /* message shorter than its header says */
    assert_int_equal(wire_hs_parse(NULL, msg, len - 1, &m), TP_ERR_TRUNCATED);
    assert_int_equal(wire_hs_parse(NULL, msg, 3, &m), TP_ERR_TRUNCATED);
    /* bytes after the message */
    memcpy(buf, msg, len);
    buf[len] = 0;
    assert_int_equal(wire_hs_parse(NULL, buf, len + 1, &m), TP_ERR_TRAILING);
    /* a trailing byte inside the body (header length grown by one) */
    memcpy(buf, msg, len);
    buf[len] = 0;
    buf[3] = (uint8_t)(buf[3] + 1);
    assert_int_equal(wire_hs_parse(NULL, buf, len + 1, &m), TP_ERR_TRAILING);

    /* body offsets: 4 hdr, 2 version, 32 random, 1 sid len (0) */
    const size_t suites_len_at = 4 + 2 + 32 + 1;
    memcpy(buf, msg, len);
    buf[suites_len_at + 1] = 0xff; /* cipher suite length runs past the body */
    assert_int_equal(wire_hs_parse(NULL, buf, len, &m), TP_ERR_DECODE);
    memcpy(buf, msg, len);
    buf[suites_len_at + 1] -= 1; /* odd cipher suite length */
    assert_int_equal(wire_hs_parse(NULL, buf, len, &m), TP_ERR_DECODE);
    memcpy(buf, msg, len);
    buf[4 + 2 + 32] = 33; /* session id over 32 bytes */
    assert_int_equal(wire_hs_parse(NULL, buf, len, &m), TP_ERR_DECODE);

    /* every cut of the body: never OK except exactly before the extensions */
    unsigned ok = 0;
    for (size_t cut = 0; cut < len - 4; cut++) {
        memcpy(buf, msg, 4 + cut);
        buf[1] = 0;
        buf[2] = (uint8_t)(cut >> 8);
        buf[3] = (uint8_t)cut;
        if (wire_hs_parse(NULL, buf, 4 + cut, &m) == TP_OK)
            ok++;
    }
    assert_int_equal(ok, 1);

    /* an extension whose inner length overruns the block */
    memcpy(buf, msg, len);
    size_t ext_block = 4 + 2 + 32 + 1 + 2 + 56 + 1 + 1;
    assert_int_equal(buf[ext_block + 2], 0x00); /* first extension type 0 */
    assert_int_equal(buf[ext_block + 3], 0x00);
    buf[ext_block + 5] = 0xf0;
    assert_int_equal(wire_hs_parse(NULL, buf, len, &m), TP_ERR_DECODE);

    /* duplicate extension: rename the second extension (ec_point_formats, 11)
     * to server_name (0) */
    memcpy(buf, msg, len);
    cur_t exts;
    cur_init(&exts, buf + ext_block + 2, len - ext_block - 2);
    uint16_t t;
    cur_t body;
    assert_true(wire_ext_next(&exts, &t, &body, NULL));
    size_t second = (size_t)(cur_data(&exts) - buf);
    assert_int_equal(buf[second + 1], 11);
    buf[second + 1] = 0;
    assert_int_equal(wire_hs_parse(NULL, buf, len, &m), TP_ERR_DECODE);
}

/* ---- extension decoders ------------------------------------------------ */

static cur_t view(const uint8_t *p, size_t n)
{
    cur_t c;
    cur_init(&c, p, n);
    return c;
}

static void test_ext_decoders(void **state)
{
    (void)state;
    wire_ext_sni sni;
    static const uint8_t sni_ok[] = {0x00, 0x06, 0x00, 0x00, 0x03, 'a', '.', 'b'};
    assert_int_equal(wire_ext_sni_parse(view(sni_ok, sizeof sni_ok), &sni), TP_OK);
    assert_true(view_eq(sni.host, "a.b"));
    assert_int_equal(sni.num_names, 1);
    assert_int_equal(wire_ext_sni_parse(view(sni_ok, 0), &sni), TP_OK); /* server ack */
    assert_false(sni.has_host);
    assert_int_equal(wire_ext_sni_parse(view(sni_ok, sizeof sni_ok - 1), &sni), TP_ERR_DECODE);
    static const uint8_t sni_empty_name[] = {0x00, 0x03, 0x00, 0x00, 0x00};
    assert_int_equal(wire_ext_sni_parse(view(sni_empty_name, 5), &sni), TP_ERR_DECODE);
    static const uint8_t sni_trailing[] = {0x00, 0x04, 0x00, 0x00, 0x01, 'x', 0x00};
    assert_int_equal(wire_ext_sni_parse(view(sni_trailing, sizeof sni_trailing), &sni),
                     TP_ERR_TRAILING);

    wire_ext_alpn a;
    static const uint8_t alpn_empty_proto[] = {0x00, 0x03, 0x02, 'h', '2', 0x00};
    assert_int_equal(wire_ext_alpn_parse(view(alpn_empty_proto, 5), &a), TP_OK);
    assert_int_equal(a.num_protocols, 1);
    static const uint8_t alpn_bad[] = {0x00, 0x04, 0x02, 'h', '2', 0x00};
    assert_int_equal(wire_ext_alpn_parse(view(alpn_bad, sizeof alpn_bad), &a), TP_ERR_DECODE);

    wire_ext_versions v;
    static const uint8_t sv_client[] = {0x04, 0x7a, 0x7a, 0x03, 0x03};
    assert_int_equal(wire_ext_versions_parse(view(sv_client, 5), false, &v), TP_OK);
    assert_int_equal(v.versions.num, 2);
    assert_int_equal(v.highest, 0x0303); /* GREASE skipped */
    assert_int_equal(wire_ext_versions_parse(view(sv_client, 4), false, &v), TP_ERR_DECODE);
    static const uint8_t sv_odd[] = {0x03, 0x03, 0x04, 0x03};
    assert_int_equal(wire_ext_versions_parse(view(sv_odd, 4), false, &v), TP_ERR_DECODE);
    static const uint8_t sv_server[] = {0x03, 0x04};
    assert_int_equal(wire_ext_versions_parse(view(sv_server, 2), true, &v), TP_OK);
    assert_int_equal(v.selected, 0x0304);
    assert_int_equal(wire_ext_versions_parse(view(sv_client, 5), true, &v), TP_ERR_TRAILING);

    wire_list l;
    static const uint8_t groups[] = {0x00, 0x04, 0x00, 0x1d, 0x00, 0x17};
    assert_int_equal(wire_ext_u16_list_parse(view(groups, 6), &l), TP_OK);
    assert_int_equal(l.num, 2);
    assert_int_equal(wire_list_get(&l, 1), 23);
    assert_int_equal(wire_list_get(&l, 2), 0);
    static const uint8_t groups_odd[] = {0x00, 0x03, 0x00, 0x1d, 0x00};
    assert_int_equal(wire_ext_u16_list_parse(view(groups_odd, 5), &l), TP_ERR_DECODE);
    static const uint8_t groups_empty[] = {0x00, 0x00};
    assert_int_equal(wire_ext_u16_list_parse(view(groups_empty, 2), &l), TP_ERR_DECODE);

    wire_ext_key_share ks;
    static const uint8_t ks_client[] = {0x00, 0x0a, 0x00, 0x1d, 0x00, 0x02,
                                        0xaa, 0xbb, 0x00, 0x17, 0x00, 0x00};
    assert_int_equal(wire_ext_key_share_parse(view(ks_client, 8), WIRE_EXT_FROM_CLIENT_HELLO, &ks),
                     TP_ERR_DECODE); /* list length says 10, only 6 there */
    static const uint8_t ks_client_ok[] = {0x00, 0x06, 0x00, 0x1d, 0x00, 0x02, 0xaa, 0xbb};
    assert_int_equal(
        wire_ext_key_share_parse(view(ks_client_ok, 8), WIRE_EXT_FROM_CLIENT_HELLO, &ks), TP_OK);
    assert_int_equal(ks.num_entries, 1);
    assert_int_equal(ks.entries[0].group, 29);
    static const uint8_t ks_empty_list[] = {0x00, 0x00};
    assert_int_equal(
        wire_ext_key_share_parse(view(ks_empty_list, 2), WIRE_EXT_FROM_CLIENT_HELLO, &ks),
        TP_OK); /* RFC 8446 allows an empty client_shares */
    assert_int_equal(ks.num_entries, 0);

    assert_int_equal(wire_ext_empty_parse(view(groups, 0)), TP_OK);
    assert_int_equal(wire_ext_empty_parse(view(groups, 1)), TP_ERR_TRAILING);

    cur_t out;
    static const uint8_t reneg[] = {0x02, 0x01, 0x02};
    assert_int_equal(wire_ext_reneg_parse(view(reneg, 3), &out), TP_OK);
    assert_int_equal(cur_len(&out), 2);
    assert_int_equal(wire_ext_reneg_parse(view(reneg, 2), &out), TP_ERR_DECODE);

    static const uint8_t cookie[] = {0x00, 0x01, 0x42};
    assert_int_equal(wire_ext_cookie_parse(view(cookie, 3), &out), TP_OK);
    static const uint8_t cookie_empty[] = {0x00, 0x00};
    assert_int_equal(wire_ext_cookie_parse(view(cookie_empty, 2), &out), TP_ERR_DECODE);

    uint16_t limit;
    static const uint8_t rsl[] = {0x40, 0x01};
    assert_int_equal(wire_ext_record_size_limit_parse(view(rsl, 2), &limit), TP_OK);
    assert_int_equal(limit, 16385);
    assert_int_equal(wire_ext_record_size_limit_parse(view(rsl, 1), &limit), TP_ERR_DECODE);

    wire_ext_padding p;
    static const uint8_t pad[] = {0, 0, 1};
    assert_int_equal(wire_ext_padding_parse(view(pad, 3), &p), TP_OK);
    assert_false(p.all_zero);
    assert_int_equal(p.len, 3);

    wire_ext_status_request sr;
    static const uint8_t ocsp[] = {0x01, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(wire_ext_status_request_parse(view(ocsp, 5), &sr), TP_OK);
    assert_int_equal(sr.status_type, 1);
    assert_int_equal(wire_ext_status_request_parse(view(ocsp, 4), &sr), TP_ERR_DECODE);
    assert_int_equal(wire_ext_status_request_parse(view(ocsp, 0), &sr), TP_OK);
    assert_true(sr.is_ack);

    /* pre_shared_key: one identity "abc" + age, one 32-byte binder */
    uint8_t psk[64];
    size_t n = 0;
    static const uint8_t ids[] = {0x00, 0x09, 0x00, 0x03, 'a', 'b', 'c', 0, 0, 0, 7};
    memcpy(psk, ids, sizeof ids);
    n = sizeof ids;
    psk[n++] = 0x00;
    psk[n++] = 33;
    psk[n++] = 32;
    memset(psk + n, 0x5a, 32);
    n += 32;
    wire_ext_psk ps;
    assert_int_equal(wire_ext_psk_parse(view(psk, n), false, &ps), TP_OK);
    assert_int_equal(ps.num_identities, 1);
    assert_int_equal(ps.num_binders, 1);
    assert_int_equal(ps.first_obfuscated_age, 7);
    assert_true(view_eq(ps.first_identity, "abc"));
    assert_int_equal(wire_ext_psk_parse(view(psk, n - 1), false, &ps), TP_ERR_DECODE);
    static const uint8_t psk_server[] = {0x00, 0x00};
    assert_int_equal(wire_ext_psk_parse(view(psk_server, 2), true, &ps), TP_OK);

    /* the dispatcher */
    wire_ext_decoded d;
    wire_ext_decode(WIRE_EXT_SUPPORTED_GROUPS, view(groups, 6), WIRE_EXT_FROM_CLIENT_HELLO, &d);
    assert_true(d.known);
    assert_int_equal(d.status, TP_OK);
    assert_int_equal(d.u.list.num, 2);
    wire_ext_decode(12345, view(groups, 6), WIRE_EXT_FROM_CLIENT_HELLO, &d);
    assert_false(d.known);
    assert_int_equal(d.status, TP_OK);
    wire_ext_decode(WIRE_EXT_EXTENDED_MASTER_SECRET, view(groups, 1), WIRE_EXT_FROM_SERVER_HELLO,
                    &d);
    assert_int_equal(d.status, TP_ERR_TRAILING);

    /* malformed extension block */
    static const uint8_t block[] = {0x00, 0x0a, 0x00, 0x05, 0x00};
    cur_t it = view(block, sizeof block), b2;
    uint16_t t;
    tp_status err = TP_OK;
    assert_false(wire_ext_next(&it, &t, &b2, &err));
    assert_int_equal(err, TP_ERR_DECODE);
    assert_int_equal(cur_len(&it), sizeof block);
}

/* ---- IANA tables ------------------------------------------------------- */

static void test_iana(void **state)
{
    (void)state;
    const wire_suite *s = wire_suite_find(0xc02f);
    assert_non_null(s);
    assert_string_equal(s->iana, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_string_equal(s->kx, "ECDHE-RSA");
    assert_string_equal(s->cipher, "AES-128-GCM");
    assert_string_equal(s->mac, "AEAD");
    assert_string_equal(s->prf, "SHA256");
    assert_int_equal(s->family, WIRE_KX_ECDHE);
    s = wire_suite_find(0x002f);
    assert_string_equal(s->kx, "RSA");
    assert_string_equal(s->cipher, "AES-128-CBC");
    assert_string_equal(s->mac, "SHA1");
    s = wire_suite_find(0x0005);
    assert_string_equal(s->cipher, "ARCFOUR-128");
    s = wire_suite_find(0x000a);
    assert_string_equal(s->cipher, "3DES-CBC");
    s = wire_suite_find(0x1302);
    assert_true(s->tls13);
    assert_null(s->kx);
    assert_string_equal(s->prf, "SHA384");
    assert_int_equal(s->family, WIRE_KX_TLS13);
    s = wire_suite_find(0xcca8);
    assert_string_equal(s->cipher, "CHACHA20-POLY1305");
    s = wire_suite_find(0xc0a0);
    assert_string_equal(s->cipher, "AES-128-CCM-8");
    s = wire_suite_find(0x0041);
    assert_string_equal(s->cipher, "CAMELLIA-128-CBC");
    s = wire_suite_find(0x0003);
    assert_true(s->export_grade);
    s = wire_suite_find(0xc01a);
    assert_string_equal(s->kx, "SRP");
    s = wire_suite_find(0x0034);
    assert_string_equal(s->kx, "ANON-DH");
    assert_null(wire_suite_find(0x00ff));
    assert_string_equal(wire_suite_name(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    assert_string_equal(wire_suite_name(0x5600), "TLS_FALLBACK_SCSV");
    assert_string_equal(wire_suite_name(0x3a3a), "GREASE");
    assert_null(wire_suite_name(0xfefe));

    /* the table is sorted and has every TLS 1.3 suite */
    unsigned n;
    const wire_suite *t = wire_suite_table(&n);
    assert_true(n > 200);
    for (unsigned i = 1; i < n; i++)
        assert_true(t[i - 1].id < t[i].id);
    for (uint16_t id = 0x1301; id <= 0x1305; id++)
        assert_non_null(wire_suite_find(id));

    assert_true(wire_is_grease(0x0a0a));
    assert_true(wire_is_grease(0xfafa));
    assert_false(wire_is_grease(0x0a1a));
    assert_false(wire_is_grease(0x0b0b));

    assert_string_equal(wire_ext_name(0), "server_name");
    assert_string_equal(wire_ext_name(16), "application_layer_protocol_negotiation");
    assert_string_equal(wire_ext_name(0xff01), "renegotiation_info");
    assert_string_equal(wire_ext_name(0x2a2a), "GREASE");
    assert_null(wire_ext_name(12345));
    assert_string_equal(wire_group_name(23), "SECP256R1");
    assert_string_equal(wire_group_name(29), "X25519");
    assert_string_equal(wire_group_name(256), "FFDHE2048");
    assert_string_equal(wire_group_name(260), "FFDHE8192");

    /* names joined, a number for an unknown id, cut before what does not fit */
    const uint16_t groups[] = {29, 23, 0x7777};
    char joined[32];
    assert_int_equal(wire_names_join(joined, sizeof joined, groups, 3, ",", wire_group_name), 23);
    assert_string_equal(joined, "X25519,SECP256R1,0x7777");
    char small[12];
    assert_int_equal(wire_names_join(small, sizeof small, groups, 3, ", ", wire_group_name), 6);
    assert_string_equal(small, "X25519");
    assert_string_equal(wire_sigalg_name(0x0401), "RSA-SHA256");
    assert_string_equal(wire_sigalg_name(0x0804), "RSA-PSS-RSAE-SHA256");
    assert_string_equal(wire_sigalg_name(0x0809), "RSA-PSS-SHA256");
    assert_string_equal(wire_sigalg_name(0x0403), "ECDSA-SECP256R1-SHA256");
    assert_string_equal(wire_sigalg_name(0x0807),
                        "EdDSA-Ed25519"); /* GnuTLS spelling, as in `tlsprobe list` */
    assert_string_equal(wire_sigalg_name(0x0202), "DSA-SHA1");
    assert_string_equal(wire_compression_name(1), "DEFLATE");
    assert_null(wire_compression_name(7));
    uint16_t v;
    assert_true(wire_group_by_name("x25519", &v));
    assert_int_equal(v, 29);
    assert_true(wire_sigalg_by_name("RSA-PSS-RSAE-SHA384", &v));
    assert_int_equal(v, 0x0805);
    assert_false(wire_group_by_name("P-999", &v));

    assert_string_equal(wire_alert_description_name(20), "bad_record_mac");
    assert_string_equal(wire_alert_description_name(40), "handshake_failure");
    assert_string_equal(wire_alert_description_name(0), "close_notify");
    assert_null(wire_alert_description_name(200));
    assert_string_equal(wire_alert_level_name(2), "fatal");
    assert_null(wire_alert_level_name(3));
}

/* ---- rendering --------------------------------------------------------- */

static json_object *roundtrip(json_object *o)
{
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    json_object *back = json_tokener_parse(s);
    assert_non_null(back);
    json_object_put(o);
    return back;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        fail_msg("missing key %s", key);
    return json_object_get_string(v);
}

static json_object *jget(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        fail_msg("missing key %s", key);
    return v;
}

static void test_json_client_hello(void **state)
{
    (void)state;
    blob b;
    wire_handshake m;
    load_client_hello("clienthello-openssl-tls13.bin", &b, &m);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "event", json_object_new_string("handshake"));
    report_json_handshake_fill(o, &m);
    o = roundtrip(o);
    /* the caller's key stays first */
    struct json_object_iterator it = json_object_iter_begin(o);
    assert_string_equal(json_object_iter_peek_name(&it), "event");
    assert_string_equal(jstr(o, "msg"), "ClientHello");
    assert_string_equal(jstr(o, "version"), "TLS1.2");
    assert_string_equal(jstr(o, "max_version"), "TLS1.3");
    assert_int_equal(strlen(jstr(o, "random")), 64);
    json_object *ciphers = jget(o, "ciphers");
    assert_int_equal(json_object_array_length(ciphers), 4);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(ciphers, 0)),
                        "TLS_AES_256_GCM_SHA384");
    assert_string_equal(jstr(o, "sni"), "localhost");
    json_object *alpn = jget(o, "alpn");
    assert_int_equal(json_object_array_length(alpn), 2);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(alpn, 1)), "http/1.1");
    json_object *groups = jget(o, "groups");
    assert_string_equal(json_object_get_string(json_object_array_get_idx(groups, 0)), "X25519");
    json_object *ks = jget(o, "key_share");
    assert_string_equal(jstr(json_object_array_get_idx(ks, 0), "group"), "X25519");
    assert_int_equal(json_object_get_int(jget(json_object_array_get_idx(ks, 0), "length")), 32);
    json_object *exts = jget(o, "extensions");
    json_object *e0 = json_object_array_get_idx(exts, 0);
    assert_int_equal(json_object_get_int(jget(e0, "type")), 0);
    assert_string_equal(jstr(e0, "name"), "server_name");
    assert_string_equal(jstr(e0, "host_name"), "localhost");
    json_object_put(o);

    /* GREASE in Chrome's hello */
    load_client_hello("vector-ssl-chrome.bin", &b, &m);
    o = roundtrip(report_json_client_hello(&m.u.client_hello));
    ciphers = jget(o, "ciphers");
    assert_string_equal(json_object_get_string(json_object_array_get_idx(ciphers, 0)), "GREASE");
    exts = jget(o, "extensions");
    assert_string_equal(jstr(json_object_array_get_idx(exts, 0), "name"), "GREASE");
    json_object_put(o);

    /* unknown suites print as numbers, SSLv2 hellos say so */
    load("clienthello-sslv2-handmade.bin", &b);
    assert_int_equal(wire_hs_parse_sslv2(b.data + 2, b.len - 2, &m), TP_OK);
    o = roundtrip(report_json_handshake(&m));
    assert_true(json_object_get_boolean(jget(o, "sslv2")));
    ciphers = jget(o, "ciphers");
    assert_string_equal(json_object_get_string(json_object_array_get_idx(ciphers, 1)),
                        "SSL_CK_DES_192_EDE3_CBC_WITH_MD5");
    json_object_put(o);
}

static void test_json_server_messages(void **state)
{
    (void)state;
    flight fl;
    wire_handshake m;
    wire_hs_ctx ctx = {0x0303, 0xc02f};
    load_flight("flight-tls12-ecdhe-rsa-s2c.bin", &fl);
    assert_int_equal(parse_msg(&fl, 0, &ctx, &m), TP_OK);
    json_object *o = roundtrip(report_json_handshake(&m));
    assert_string_equal(jstr(o, "msg"), "ServerHello");
    assert_string_equal(jstr(o, "cipher_suite"), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_string_equal(jstr(o, "kx"), "ECDHE-RSA");
    assert_string_equal(jstr(o, "cipher"), "AES-128-GCM");
    json_object_put(o);

    assert_int_equal(parse_msg(&fl, 1, &ctx, &m), TP_OK);
    o = roundtrip(report_json_handshake(&m));
    json_object *c0 = json_object_array_get_idx(jget(o, "certificates"), 0);
    assert_string_equal(jstr(c0, "key_type"), "RSA");
    assert_int_equal(json_object_get_int(jget(c0, "key_bits")), 2048);
    json_object_put(o);

    assert_int_equal(parse_msg(&fl, 2, &ctx, &m), TP_OK);
    o = roundtrip(report_json_handshake(&m));
    assert_string_equal(jstr(o, "group"), "X25519");
    assert_string_equal(jstr(o, "sigalg"), "RSA-PSS-RSAE-SHA256");
    json_object_put(o);

    load_flight("flight-tls13-hrr-s2c.bin", &fl);
    assert_int_equal(parse_msg(&fl, 0, NULL, &m), TP_OK);
    o = roundtrip(report_json_handshake(&m));
    assert_string_equal(jstr(o, "msg"), "HelloRetryRequest");
    assert_string_equal(jstr(o, "version"), "TLS1.3");
    assert_string_equal(jstr(o, "key_share"), "SECP256R1");
    json_object_put(o);

    /* a malformed message renders its error, not its fields */
    uint8_t bad[] = {WIRE_HS_SERVER_HELLO_DONE, 0, 0, 1, 0};
    assert_int_not_equal(wire_hs_parse(&ctx, bad, sizeof bad, &m), TP_OK);
    o = roundtrip(report_json_handshake(&m));
    assert_string_equal(jstr(o, "msg"), "ServerHelloDone");
    assert_string_equal(jstr(o, "error"), "trailing_bytes");
    json_object_put(o);

    /* peer bytes stay valid JSON */
    static const uint8_t ch_sni[] = {0x00, 0x06, 0x00, 0x00, 0x03, 0xff, '"', 0x01};
    cur_t body;
    cur_init(&body, ch_sni, sizeof ch_sni);
    uint8_t blk[32] = {0x00, 0x00, 0x00, sizeof ch_sni};
    memcpy(blk + 4, ch_sni, sizeof ch_sni);
    cur_init(&body, blk, 4 + sizeof ch_sni);
    o = roundtrip(report_json_extensions(body, WIRE_EXT_FROM_CLIENT_HELLO));
    assert_string_equal(jstr(json_object_array_get_idx(o, 0), "host_name"), "\\xff\"\\x01");
    json_object_put(o);
}

static void test_text(void **state)
{
    (void)state;
    blob b;
    wire_handshake m;
    char buf[4096];
    load_client_hello("clienthello-openssl-tls13.bin", &b, &m);
    size_t n = report_text_handshake(buf, sizeof buf, &m, 0);
    assert_int_equal(n, strlen(buf));
    assert_true(strncmp(buf, "TLS1.3 max, 4 suites (TLS_AES_256_GCM_SHA384, ", 46) == 0);
    assert_non_null(strstr(buf, "SNI localhost"));
    assert_non_null(strstr(buf, "ALPN h2,http/1.1"));
    assert_non_null(strstr(buf, "groups X25519,SECP256R1,"));
    assert_null(strchr(buf, '\n'));

    report_text_handshake(buf, sizeof buf, &m, 1);
    assert_true(strncmp(buf, "ClientHello TLS1.3 max (legacy TLS1.2)", 38) == 0);
    assert_non_null(strstr(buf, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"));
    assert_non_null(strstr(buf, "key_share X25519(32)"));

    n = report_text_client_hello_full(buf, sizeof buf, &m.u.client_hello);
    assert_non_null(strstr(buf, "cipher suites (4):\n  0x1302 TLS_AES_256_GCM_SHA384\n"));
    assert_non_null(strstr(buf, "  server_name (0): localhost\n"));
    assert_non_null(strstr(buf, "  application_layer_protocol_negotiation (16): h2,http/1.1\n"));
    assert_non_null(strstr(buf, "ja3: 9dffdb8b608a430b774a2ff7d36c1a0c\n"));
    assert_non_null(strstr(buf, "ja4: t13d0411h2_"));

    /* unknown extension by number */
    load_client_hello("vector-ssl-chrome.bin", &b, &m);
    report_text_client_hello_full(buf, sizeof buf, &m.u.client_hello);
    assert_non_null(strstr(buf, "  GREASE (10794): 0 bytes\n"));
    assert_non_null(strstr(buf, "  channel_id (30032): 0 bytes\n"));

    /* truncation never overruns */
    char small[16];
    memset(small, 'x', sizeof small);
    n = report_text_handshake(small, 10, &m, 1);
    assert_true(n <= 9);
    assert_int_equal(small[n], '\0');
    assert_int_equal(small[10], 'x');
    n = report_text_handshake(small, 0, &m, 1);
    assert_int_equal(n, 0);

    flight fl;
    wire_hs_ctx ctx = {0x0303, 0x006b};
    load_flight("flight-tls12-dhe-rsa-s2c.bin", &fl);
    assert_int_equal(parse_msg(&fl, 2, &ctx, &m), TP_OK);
    report_text_handshake(buf, sizeof buf, &m, 1);
    assert_string_equal(buf,
                        "ServerKeyExchange DHE 2048-bit p, signed RSA-PSS-RSAE-SHA256 (256 bytes)");
    assert_int_equal(parse_msg(&fl, 3, &ctx, &m), TP_OK);
    report_text_handshake(buf, sizeof buf, &m, 1);
    assert_string_equal(buf, "ServerHelloDone");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_normal),
        cmocka_unit_test(test_record_stream),
        cmocka_unit_test(test_record_truncated),
        cmocka_unit_test(test_record_oversized),
        cmocka_unit_test(test_record_not_tls),
        cmocka_unit_test(test_record_sslv2),
        cmocka_unit_test(test_record_names),
        cmocka_unit_test(test_client_hello_openssl),
        cmocka_unit_test(test_client_hello_tls13_clients),
        cmocka_unit_test(test_client_hello_alpn_padding),
        cmocka_unit_test(test_server_flight_ecdhe),
        cmocka_unit_test(test_certificate_summary_cache),
        cmocka_unit_test(test_server_flight_dhe),
        cmocka_unit_test(test_server_hello_tls13_and_hrr),
        cmocka_unit_test(test_certificate_tls13_layout),
        cmocka_unit_test(test_small_messages),
        cmocka_unit_test(test_negative_hello),
        cmocka_unit_test(test_ext_decoders),
        cmocka_unit_test(test_iana),
        cmocka_unit_test(test_json_client_hello),
        cmocka_unit_test(test_json_server_messages),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
