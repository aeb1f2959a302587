/* JA3 / JA4 against published values: the JA3 README examples, the
 * fingerprint captures of the JA3 and JA4 projects (tests/data/fingerprints/,
 * their ClientHellos stored as tests/data/vector-*), tshark 4.0's JA3 of our
 * own captured hellos, and the JA4 of every fixture as computed by the
 * independent tests/data/ja4_ref.py (see tests/data/README.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/handshake.h"
#include "wire/ja.h"
#include "wire/record.h"

typedef struct {
    uint8_t data[8192];
    size_t len;
} blob;

static void load_hello(const char *name, blob *b, wire_handshake *m)
{
    const char *dir = getenv("TP_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s", path);
    b->len = fread(b->data, 1, sizeof b->data, f);
    fclose(f);
    cur_t in;
    wire_record r;
    cur_init(&in, b->data, b->len);
    assert_int_equal(wire_record_parse(&in, &r, NULL), TP_OK);
    assert_int_equal(wire_hs_parse(NULL, cur_data(&r.fragment), cur_len(&r.fragment), m), TP_OK);
    assert_int_equal(m->type, WIRE_HS_CLIENT_HELLO);
}

/* Writes a ClientHello with the given suites and a raw extension block
 * (NULL for none). */
typedef struct {
    uint8_t b[1024];
    size_t n;
} builder;

static void put8(builder *w, unsigned v)
{
    w->b[w->n++] = (uint8_t)v;
}

static void put16(builder *w, unsigned v)
{
    put8(w, v >> 8);
    put8(w, v & 0xff);
}

static size_t build_hello(uint8_t *out, uint16_t version, const uint16_t *suites, size_t ns,
                          const builder *exts)
{
    builder w = {{0}, 0};
    put8(&w, 1);
    put8(&w, 0);
    put16(&w, 0); /* length, patched below */
    put16(&w, version);
    for (int i = 0; i < 32; i++)
        put8(&w, i);
    put8(&w, 0);
    put16(&w, (unsigned)(ns * 2));
    for (size_t i = 0; i < ns; i++)
        put16(&w, suites[i]);
    put8(&w, 1);
    put8(&w, 0);
    if (exts) {
        put16(&w, (unsigned)exts->n);
        memcpy(w.b + w.n, exts->b, exts->n);
        w.n += exts->n;
    }
    w.b[2] = (uint8_t)((w.n - 4) >> 8);
    w.b[3] = (uint8_t)(w.n - 4);
    memcpy(out, w.b, w.n);
    return w.n;
}

static void test_ja3_readme_examples(void **state)
{
    (void)state;
    uint8_t msg[1024];
    wire_handshake m;
    char s[512], md5[33];

    static const uint16_t s1[] = {47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4};
    builder e = {{0}, 0};
    put16(&e, 0); /* server_name "a" */
    put16(&e, 6);
    put16(&e, 4);
    put8(&e, 0);
    put16(&e, 1);
    put8(&e, 'a');
    put16(&e, 10); /* supported_groups 23,24,25 */
    put16(&e, 8);
    put16(&e, 6);
    put16(&e, 23);
    put16(&e, 24);
    put16(&e, 25);
    put16(&e, 11); /* ec_point_formats: uncompressed */
    put16(&e, 2);
    put8(&e, 1);
    put8(&e, 0);
    size_t len = build_hello(msg, 0x0301, s1, sizeof s1 / sizeof s1[0], &e);
    assert_int_equal(wire_hs_parse(NULL, msg, len, &m), TP_OK);
    assert_int_equal(wire_ja3(&m.u.client_hello, s, sizeof s, md5), TP_OK);
    assert_string_equal(s, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
    assert_string_equal(md5, "ada70206e40642a3e4461f35503241d5");

    static const uint16_t s2[] = {4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99};
    len = build_hello(msg, 0x0301, s2, sizeof s2 / sizeof s2[0], NULL);
    assert_int_equal(wire_hs_parse(NULL, msg, len, &m), TP_OK);
    assert_int_equal(wire_ja3(&m.u.client_hello, s, sizeof s, md5), TP_OK);
    assert_string_equal(s, "769,4-5-10-9-100-98-3-6-19-18-99,,,");
    assert_string_equal(md5, "de350869b8c85de67a350c8d186f11e6");

    /* JA4 of a hello without extensions: TLS 1.0, no SNI, no ALPN, and the
     * extension hash of an empty list */
    char ja4[40];
    assert_int_equal(wire_ja4(&m.u.client_hello, ja4), TP_OK);
    assert_int_equal(strlen(ja4), WIRE_JA4_LEN);
    assert_true(strncmp(ja4, "t10i110000_", 11) == 0);
    assert_string_equal(ja4 + 24, "000000000000");
}

static void test_published_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *md5;
        const char *ja4;
    } cases[] = {
        /* JA4 of these two: tests/data/ja4_ref.py (the JA3 project publishes none) */
        {"vector-ssl-curl.bin", "2a26b1a62e40d25d4de3babc9d532f30",
         "t12d6707h2_2955a3196ffa_c83f907a73d3"},
        {"vector-ssl-chrome.bin", "14eff09463c9d6dc6e14e954eba239c2",
         "t00d1615h2_46e7e9700bed_eb153343c55e"},
        {"vector-tls12.bin", "579ccef312d18482fc42e2b822ca2430",
         "t13d1715h2_5b57614c22b0_3d5424432f57"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        blob b;
        wire_handshake m;
        char s[WIRE_JA3_STR_MAX], md5[33], ja4[40];
        load_hello(cases[i].file, &b, &m);
        assert_int_equal(wire_ja3(&m.u.client_hello, s, sizeof s, md5), TP_OK);
        assert_string_equal(md5, cases[i].md5);
        assert_int_equal(wire_ja4(&m.u.client_hello, ja4), TP_OK);
        assert_string_equal(ja4, cases[i].ja4);
    }
}

static void test_chrome_grease_dropped(void **state)
{
    (void)state;
    blob b;
    wire_handshake m;
    char s[WIRE_JA3_STR_MAX], md5[33], ja4[40];
    load_hello("vector-ssl-chrome.bin", &b, &m);
    assert_int_equal(wire_ja3(&m.u.client_hello, s, sizeof s, md5), TP_OK);
    /* tshark 4.0's ja3_full of the same capture */
    assert_string_equal(
        s, "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-"
           "47-53-10,65281-0-23-35-13-5-18-16-30032-11-51-45-43-10-21,29-23-24,0");
    assert_null(strstr(s, "6682"));  /* 0x1a1a */
    assert_null(strstr(s, "10794")); /* 0x2a2a */
    /* 17 suites with one GREASE: 16 counted; 17 extensions with two GREASE: 15;
     * supported_versions holds only a draft version, so "00" */
    assert_int_equal(wire_ja4(&m.u.client_hello, ja4), TP_OK);
    assert_string_equal(ja4, "t00d1615h2_46e7e9700bed_eb153343c55e"); /* ja4_ref.py */
}

static void test_tshark_crosscheck(void **state)
{
    (void)state;
    /* JA3: tshark -T fields -e tls.handshake.ja3 over text2pcap'd fixtures;
     * JA4: python3 tests/data/ja4_ref.py tests/data/clienthello-*.bin */
    static const struct {
        const char *file;
        const char *md5;
        const char *ja4;
    } cases[] = {
        {"clienthello-curl.bin", "78f0dc5ac5b19daf131a133cfdee9691",
         "t13i3111h2_e8f1e7e78f70_b26ce05bbdd6"},
        {"clienthello-gnutls-cli.bin", "f35ce21b44ac0b87d3266294bb1b0e20",
         "t13d291300_723694b0fccc_2cc26d266019"},
        {"clienthello-openssl-tls10.bin", "c6dbf3152a545382a95425e390e2d2e8",
         "t10d090600_c491f621fb4c_195413a0cc0f"},
        {"clienthello-openssl-tls12.bin", "871a754af286dfb70c1b53c6887c62e0",
         "t12d280700_d943125447b4_e7e480e5a997"},
        {"clienthello-openssl-tls13.bin", "9dffdb8b608a430b774a2ff7d36c1a0c",
         "t13d0411h2_16476d049b0b_78f1d400d464"},
        {"clienthello-python.bin", "304734bb1c086c3453b387400cf83f11",
         "t13d1812h2_85036bcba153_d41ae481755e"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        blob b;
        wire_handshake m;
        char s[WIRE_JA3_STR_MAX], md5[33], ja4[40];
        load_hello(cases[i].file, &b, &m);
        assert_int_equal(wire_ja3(&m.u.client_hello, s, sizeof s, md5), TP_OK);
        assert_string_equal(md5, cases[i].md5);
        assert_int_equal(wire_ja4(&m.u.client_hello, ja4), TP_OK);
        assert_string_equal(ja4, cases[i].ja4);
    }
}

static void test_ja3_small_buffer(void **state)
{
    (void)state;
    blob b;
    wire_handshake m;
    char s[16], md5[33];
    memset(s, 'x', sizeof s);
    load_hello("vector-tls12.bin", &b, &m);
    assert_int_equal(wire_ja3(&m.u.client_hello, s, 10, md5), TP_ERR_LIMIT);
    assert_int_equal(strlen(s), 9);
    assert_int_equal(s[10], 'x');
    /* the digest still covers the whole string */
    assert_string_equal(md5, "579ccef312d18482fc42e2b822ca2430");
    assert_int_equal(wire_ja3(&m.u.client_hello, NULL, 0, md5), TP_OK);
    assert_string_equal(md5, "579ccef312d18482fc42e2b822ca2430");
}

static void test_ja_rejects(void **state)
{
    (void)state;
    uint8_t msg[1024];
    wire_handshake m;
    char s[64], md5[33], ja4[40];
    /* SSLv2 hellos have no JA3/JA4 */
    memset(&m, 0, sizeof m);
    m.u.client_hello.sslv2 = true;
    assert_int_equal(wire_ja3(&m.u.client_hello, s, sizeof s, md5), TP_ERR_UNSUPPORTED);
    assert_int_equal(wire_ja4(&m.u.client_hello, ja4), TP_ERR_UNSUPPORTED);

    /* ALPN with a non-alphanumeric first byte uses hex digits */
    static const uint16_t suites[] = {0x1301};
    builder e = {{0}, 0};
    put16(&e, 16);
    put16(&e, 5);
    put16(&e, 3);
    put8(&e, 2);
    put8(&e, 0xab);
    put8(&e, 0xcd);
    size_t len = build_hello(msg, 0x0303, suites, 1, &e);
    assert_int_equal(wire_hs_parse(NULL, msg, len, &m), TP_OK);
    assert_int_equal(wire_ja4(&m.u.client_hello, ja4), TP_OK);
    assert_true(strncmp(ja4, "t12i0101ad_", 11) == 0);

    /* a hello whose extension block is malformed cannot be fingerprinted */
    wire_client_hello ch = m.u.client_hello;
    static const uint8_t broken[] = {0x00, 0x10, 0x00, 0x09, 0x00};
    cur_init(&ch.extensions, broken, sizeof broken);
    assert_int_equal(wire_ja3(&ch, s, sizeof s, md5), TP_ERR_DECODE);
    assert_int_equal(wire_ja4(&ch, ja4), TP_ERR_DECODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ja3_readme_examples),   cmocka_unit_test(test_published_vectors),
        cmocka_unit_test(test_chrome_grease_dropped), cmocka_unit_test(test_tshark_crosscheck),
        cmocka_unit_test(test_ja3_small_buffer),      cmocka_unit_test(test_ja_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
