/* The sweep's pure parts: matrix expansion and skipping, the probe's offer
 * (from real ClientHellos in tests/data), the journal (torn last line,
 * corrupt lines, resume), result objects, and the HTML report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sweep/journal.h"
#include "sweep/mask.h"
#include "sweep/matrix.h"
#include "sweep/results.h"

static int load_hello(const char *name, uint8_t *buf, size_t cap, size_t *out_len)
{
    const char *dir = getenv("TP_TEST_DATA");
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t rec[4096];
    size_t n = fread(rec, 1, sizeof(rec), f);
    fclose(f);
    /* one handshake record: strip the 5-byte record header */
    if (n < 9 || rec[0] != 22)
        return -1;
    size_t len = ((size_t)rec[3] << 8 | rec[4]);
    if (len + 5 > n || len > cap)
        return -1;
    memcpy(buf, rec + 5, len);
    *out_len = len;
    return 0;
}

static unsigned count_state(const sweep_matrix *m, sweep_cfg_state st)
{
    unsigned n = 0;
    for (unsigned i = 0; i < m->num_configs; i++)
        n += m->configs[i].state == st;
    return n;
}

static const sweep_config *find_cfg(const sweep_matrix *m, const char *a, const char *b,
                                    const char *c, const char *d)
{
    const char *v[] = {a, b, c, d};
    int i = sweep_matrix_find(m, v);
    return i < 0 ? NULL : &m->configs[i];
}

static void test_matrix_default_axes(void **state)
{
    (void)state;
    sweep_matrix m;
    char err[512];
    sweep_limit lim[] = {{"--protocols", "TLS1.2,TLS1.3"},
                         {"--kx", "ECDHE-RSA,RSA"},
                         {"--ciphers", "AES-128-CBC,AES-128-GCM"},
                         {"--macs", "SHA1,SHA256,AEAD"}};
    assert_true(sweep_matrix_init(&m, NULL, lim, 4, NULL, err, sizeof(err)));
    assert_int_equal(m.num_axes, 4);
    assert_string_equal(m.axis_names[0], "protocol");
    assert_string_equal(m.axis_names[3], "mac");
    assert_true(sweep_matrix_expand(&m, NULL, false));
    assert_int_equal(m.num_configs, 2 * 2 * 2 * 3);
    assert_int_equal(m.num_run + m.num_skipped + m.num_not_offered, m.num_configs);
    assert_int_equal(m.num_not_offered, 0); /* no probe: everything counts as offered */
    /* the engine's rules: AEAD cipher with SHA1, TLS1.3 with RSA kx or CBC */
    const sweep_config *c = find_cfg(&m, "TLS1.2", "RSA", "AES-128-GCM", "SHA1");
    assert_non_null(c);
    assert_int_equal(c->state, SWEEP_CFG_SKIPPED);
    assert_non_null(strstr(c->why, "AEAD"));
    c = find_cfg(&m, "TLS1.3", "RSA", "AES-128-GCM", "AEAD");
    assert_int_equal(c->state, SWEEP_CFG_SKIPPED);
    c = find_cfg(&m, "TLS1.3", "ECDHE-RSA", "AES-128-CBC", "SHA256");
    assert_int_equal(c->state, SWEEP_CFG_SKIPPED);
    c = find_cfg(&m, "TLS1.2", "ECDHE-RSA", "AES-128-CBC", "SHA256");
    assert_int_equal(c->state, SWEEP_CFG_RUN);
    c = find_cfg(&m, "TLS1.3", "ECDHE-RSA", "AES-128-GCM", "AEAD");
    assert_int_equal(c->state, SWEEP_CFG_RUN);
    /* TLS1.2: RSA/ECDHE x (CBC SHA1, CBC SHA256, GCM) = 6; TLS1.3: ECDHE GCM = 1 */
    assert_int_equal(m.num_run, 7);
    assert_int_equal(count_state(&m, SWEEP_CFG_SKIPPED), 24 - 7);

    char label[128], key[256];
    sweep_config_label(&m, c, label, sizeof(label));
    assert_string_equal(label, "TLS1.3 ECDHE-RSA AES-128-GCM AEAD");
    sweep_config_key(&m, c, key, sizeof(key));
    assert_string_equal(key, "protocol=TLS1.3,kx=ECDHE-RSA,cipher=AES-128-GCM,mac=AEAD");
    sweep_setup su;
    sweep_config_setup(&m, c, &su);
    assert_string_equal(su.combo.cipher, "AES-128-GCM");
    assert_null(su.combo.group);
    const char *nope[] = {"TLS1.2", "RSA", "AES-256-CBC", "SHA1"};
    assert_int_equal(sweep_matrix_find(&m, nope), -1);
    sweep_matrix_cleanup(&m);
}

static void test_matrix_bad_input(void **state)
{
    (void)state;
    sweep_matrix m;
    char err[1024];
    assert_false(sweep_matrix_init(&m, "protocol,colour", NULL, 0, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "unknown axis 'colour'"));
    assert_non_null(strstr(err, "valid: protocol, kx, cipher, mac, group, sigalg, key-type"));
    sweep_matrix_cleanup(&m);
    assert_false(sweep_matrix_init(&m, "mac,mac", NULL, 0, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "twice"));
    sweep_matrix_cleanup(&m);
    sweep_limit bad[] = {{"--ciphers", "AES-128-CBC,AES-129-GCM"}};
    assert_false(sweep_matrix_init(&m, "cipher", bad, 1, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "AES-129-GCM"));
    assert_non_null(strstr(err, "AES-256-GCM")); /* lists the valid ones */
    sweep_matrix_cleanup(&m);
    sweep_limit badkey[] = {{"--key-types", "rsa:2048,dsa:1024"}};
    assert_false(sweep_matrix_init(&m, "key-type", badkey, 1, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "unknown key type 'dsa:1024'"));
    assert_non_null(strstr(err, "ecdsa:p256"));
    sweep_matrix_cleanup(&m);
    assert_false(sweep_matrix_init(&m, ",", NULL, 0, NULL, err, sizeof(err)));
    sweep_matrix_cleanup(&m);
}

static void test_matrix_key_type_axis(void **state)
{
    (void)state;
    sweep_matrix m;
    char err[512];
    sweep_limit lim[] = {{"--kx", "ECDHE-RSA,ECDHE-ECDSA"}, {"--key-types", "rsa:2048,ecdsa:p256"}};
    assert_true(sweep_matrix_init(&m, "kx,key-type", lim, 2, NULL, err, sizeof(err)));
    assert_true(sweep_matrix_expand(&m, NULL, false));
    assert_int_equal(m.num_configs, 4);
    /* a kx only forms with the certificate it signs with */
    assert_int_equal(m.num_run, 2);
    const char *v[] = {"ECDHE-ECDSA", "rsa:2048"};
    int i = sweep_matrix_find(&m, v);
    assert_true(i >= 0);
    assert_int_equal(m.configs[i].state, SWEEP_CFG_SKIPPED);
    sweep_matrix_cleanup(&m);
}

/* The session's parse of a ClientHello message (the sweep takes the offer
 * from the handshake event, it does not parse the bytes itself). */
static bool offer_parse(sweep_offer *o, const uint8_t *msg, size_t len)
{
    static wire_handshake hs;
    wire_hs_ctx ctx = {0};
    if (!msg)
        return sweep_offer_from_hello(o, NULL);
    tp_status st = wire_hs_parse(&ctx, msg, len, &hs);
    (void)st; /* hs.status says it: the sweep checks */
    return sweep_offer_from_hello(o, &hs);
}

static void test_offer_and_offered_filter(void **state)
{
    (void)state;
    uint8_t hello[4096];
    size_t len;
    assert_int_equal(load_hello("clienthello-openssl-tls12.bin", hello, sizeof(hello), &len), 0);
    sweep_offer o;
    assert_true(offer_parse(&o, hello, len));
    assert_true(o.valid);
    assert_true(o.num_suites > 10);
    assert_true(o.num_groups > 0);
    assert_true(o.num_sigalgs > 0);
    /* without supported_versions, everything up to legacy_version counts */
    bool has12 = false, has13 = false;
    for (unsigned i = 0; i < o.num_versions; i++) {
        has12 |= o.versions[i] == 0x0303;
        has13 |= o.versions[i] == 0x0304;
    }
    assert_true(has12);

    sweep_matrix m;
    char err[512];
    sweep_limit lim[] = {{"--protocols", "TLS1.2,TLS1.3"},
                         {"--kx", "ECDHE-RSA,RSA"},
                         {"--ciphers", "AES-128-CBC,AES-128-GCM,ARCFOUR-128"},
                         {"--macs", "SHA1,SHA256,AEAD"}};
    assert_true(sweep_matrix_init(&m, NULL, lim, 4, NULL, err, sizeof(err)));
    assert_true(sweep_matrix_expand(&m, &o, false));
    /* OpenSSL 3 offers no RC4: those are not offered (or not formable) */
    const sweep_config *c = find_cfg(&m, "TLS1.2", "RSA", "ARCFOUR-128", "SHA1");
    assert_non_null(c);
    assert_false(c->offered);
    assert_int_not_equal(c->state, SWEEP_CFG_RUN);
    c = find_cfg(&m, "TLS1.2", "ECDHE-RSA", "AES-128-GCM", "AEAD");
    assert_true(c->offered);
    assert_int_equal(c->state, SWEEP_CFG_RUN);
    if (!has13) {
        c = find_cfg(&m, "TLS1.3", "ECDHE-RSA", "AES-128-GCM", "AEAD");
        assert_false(c->offered);
        assert_int_equal(c->state, SWEEP_CFG_NOT_OFFERED);
    }
    unsigned run_offered = m.num_run;
    assert_true(m.num_not_offered > 0);
    /* --include-unoffered: the same configurations become runnable */
    assert_true(sweep_matrix_expand(&m, &o, true));
    assert_int_equal(m.num_not_offered, 0);
    assert_true(m.num_run > run_offered);
    sweep_matrix_cleanup(&m);

    /* a TLS 1.3 hello offers TLS1.3 through supported_versions */
    assert_int_equal(load_hello("clienthello-openssl-tls13.bin", hello, sizeof(hello), &len), 0);
    assert_true(offer_parse(&o, hello, len));
    has13 = false;
    for (unsigned i = 0; i < o.num_versions; i++)
        has13 |= o.versions[i] == 0x0304;
    assert_true(has13);

    /* garbage is not a hello */
    uint8_t junk[] = {1, 0, 0, 3, 3, 3, 0};
    assert_false(offer_parse(&o, junk, sizeof(junk)));
    assert_false(o.valid);
    assert_false(offer_parse(&o, NULL, 0));
}

/* ---- journal ---- */

typedef struct {
    unsigned n;
    unsigned lines[16];
    char warnings[8][256];
    unsigned num_warnings;
} collect;

static bool on_res(void *ctx, json_object *o, unsigned line, char *why, size_t why_len)
{
    collect *c = ctx;
    json_object *v;
    if (json_object_object_get_ex(o, "status", &v) && !strcmp(json_object_get_string(v), "bogus")) {
        snprintf(why, why_len, "unknown status");
        return false;
    }
    if (c->n < 16)
        c->lines[c->n] = line;
    c->n++;
    return true;
}

static void on_warn(void *ctx, const char *msg)
{
    collect *c = ctx;
    if (c->num_warnings < 8)
        snprintf(c->warnings[c->num_warnings++], 256, "%s", msg);
}

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(s, f);
    fclose(f);
}

static void test_journal_torn_and_corrupt(void **state)
{
    (void)state;
    char path[] = "/tmp/tp_test_journal_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    const char *good = "{\"config\":{\"mac\":\"SHA1\"},\"status\":\"ok\",\"attempts\":1}\n";
    char content[2048];
    snprintf(content, sizeof(content),
             "%s"                                                    /* 1 good */
             "{\"config\":{\"mac\":\"SHA256\"},\"status\":\n"        /* 2 corrupt: cut JSON */
             "\n"                                                    /* 3 blank: fine */
             "[1,2,3]\n"                                             /* 4 corrupt: not a result */
             "{\"config\":{\"mac\":\"MD5\"},\"status\":\"bogus\"}\n" /* 5 rejected by caller */
             "%s"                                                    /* 6 good */
             "{\"config\":{\"mac\":\"SHA384\"},\"sta",               /* 7 torn */
             good, good);
    write_file(path, content);
    collect c = {0};
    sweep_journal_stats st;
    char err[256];
    assert_true(sweep_journal_load(path, on_res, &c, on_warn, &c, &st, err, sizeof(err)));
    assert_int_equal(st.num_results, 2);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.lines[0], 1);
    assert_int_equal(c.lines[1], 6);
    assert_int_equal(st.num_corrupt, 3);
    assert_true(st.torn);
    assert_int_equal(c.num_warnings, 4);
    assert_non_null(strstr(c.warnings[0], "line 2: not JSON"));
    assert_non_null(strstr(c.warnings[1], "line 4: not a JSON object"));
    assert_non_null(strstr(c.warnings[2], "line 5: unknown status"));
    assert_non_null(strstr(c.warnings[3], "line 7: torn last line"));
    long expect = (long)(strlen(content) - strlen("{\"config\":{\"mac\":\"SHA384\"},\"sta"));
    assert_int_equal(st.good_len, expect);

    /* resume: the torn tail is cut, new lines start clean */
    sweep_journal *j = sweep_journal_open(path, true, st.good_len, err, sizeof(err));
    assert_non_null(j);
    json_object *o = json_tokener_parse("{\"config\":{\"mac\":\"AEAD\"},\"status\":\"fail\"}");
    assert_true(sweep_journal_append(j, o));
    json_object_put(o);
    sweep_journal_close(j);
    collect c2 = {0};
    assert_true(sweep_journal_load(path, on_res, &c2, on_warn, &c2, &st, err, sizeof(err)));
    assert_int_equal(st.num_results, 3);
    assert_false(st.torn);
    assert_int_equal(c2.lines[2], 7);

    /* not resuming truncates */
    j = sweep_journal_open(path, false, 0, err, sizeof(err));
    assert_non_null(j);
    sweep_journal_close(j);
    collect c3 = {0};
    assert_true(sweep_journal_load(path, on_res, &c3, NULL, NULL, &st, err, sizeof(err)));
    assert_int_equal(st.num_results, 0);
    assert_int_equal(st.good_len, 0);
    unlink(path);

    /* a missing journal is an empty one; an unopenable one is an error */
    assert_true(sweep_journal_load("/nonexistent/dir/j.jsonl", on_res, &c3, NULL, NULL, &st, err,
                                   sizeof(err)));
    assert_int_equal(st.num_results, 0);
    assert_null(sweep_journal_open("/nonexistent/dir/j.jsonl", false, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "tlsprobe sweep: --journal /nonexistent/dir/j.jsonl: cannot open"));
    sweep_journal_close(NULL);
}

/* ---- results and reports ---- */

static void small_matrix(sweep_matrix *m)
{
    char err[512];
    sweep_limit lim[] = {{"--protocols", "TLS1.2"},
                         {"--kx", "RSA"},
                         {"--ciphers", "AES-128-CBC,AES-256-CBC,AES-128-GCM"},
                         {"--macs", "SHA1,SHA256,AEAD"}};
    assert_true(sweep_matrix_init(m, NULL, lim, 4, NULL, err, sizeof(err)));
    assert_true(sweep_matrix_expand(m, NULL, false));
}

static void test_result_roundtrip(void **state)
{
    (void)state;
    sweep_matrix m;
    small_matrix(&m);
    const sweep_config *c = find_cfg(&m, "TLS1.2", "RSA", "AES-128-CBC", "SHA256");
    assert_non_null(c);
    sweep_result r = {0};
    r.done = true;
    r.status = SWEEP_ST_FAIL;
    r.attempts = 2;
    r.verdict =
        json_tokener_parse("{\"event\":\"verdict\",\"outcome\":\"fail\",\"summary\":\"x\"}");
    json_object *o = sweep_result_to_json(&m, c, &r);
    assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                        "{\"config\":{\"protocol\":\"TLS1.2\",\"kx\":\"RSA\",\"cipher\":\"AES-128-"
                        "CBC\",\"mac\":\"SHA256\"},\"status\":\"fail\",\"attempts\":2,\"verdict\":{"
                        "\"event\":\"verdict\",\"outcome\":\"fail\",\"summary\":\"x\"}}");
    unsigned idx;
    sweep_result back;
    char why[256];
    assert_true(sweep_result_from_json(&m, o, &idx, &back, why, sizeof(why)));
    assert_int_equal(idx, c->index);
    assert_int_equal(back.status, SWEEP_ST_FAIL);
    assert_int_equal(back.attempts, 2);
    assert_non_null(back.verdict);
    sweep_result_cleanup(&back);
    json_object_put(o);

    /* a configuration from another matrix is refused with a reason */
    o = json_tokener_parse("{\"config\":{\"protocol\":\"TLS1.0\",\"kx\":\"RSA\",\"cipher\":\"AES-"
                           "128-CBC\",\"mac\":\"SHA1\"},\"status\":\"ok\"}");
    assert_false(sweep_result_from_json(&m, o, &idx, &back, why, sizeof(why)));
    assert_non_null(strstr(why, "not in this sweep"));
    json_object_put(o);
    o = json_tokener_parse("{\"config\":{\"protocol\":\"TLS1.2\"},\"status\":\"ok\"}");
    assert_false(sweep_result_from_json(&m, o, &idx, &back, why, sizeof(why)));
    assert_non_null(strstr(why, "no kx"));
    json_object_put(o);
    o = json_tokener_parse("{\"config\":{\"protocol\":\"TLS1.2\",\"kx\":\"RSA\",\"cipher\":\"AES-"
                           "128-CBC\",\"mac\":\"SHA1\"},\"status\":\"great\"}");
    assert_false(sweep_result_from_json(&m, o, &idx, &back, why, sizeof(why)));
    json_object_put(o);
    sweep_result_cleanup(&r);
    sweep_matrix_cleanup(&m);
}

static void test_reports(void **state)
{
    (void)state;
    sweep_matrix m;
    small_matrix(&m);
    sweep_result *res = calloc(m.num_configs, sizeof(*res));
    assert_non_null(res);
    /* mac SHA256 fails; one result carries markup in its summary */
    for (unsigned i = 0; i < m.num_configs; i++) {
        const sweep_config *c = &m.configs[i];
        if (c->state != SWEEP_CFG_RUN)
            continue;
        bool fail = !strcmp(c->values[3], "SHA256");
        res[i].done = true;
        res[i].status = fail ? SWEEP_ST_FAIL : SWEEP_ST_OK;
        res[i].attempts = 1;
        char buf[256];
        snprintf(buf, sizeof(buf), "{\"event\":\"verdict\",\"summary\":\"%s\"}",
                 fail ? "client sent <b>fatal</b> bad_record_mac & left" : "fine");
        res[i].verdict = json_tokener_parse(buf);
    }
    /* leave one runnable configuration not done: "pending" */
    const sweep_config *pend = find_cfg(&m, "TLS1.2", "RSA", "AES-128-GCM", "AEAD");
    sweep_result_cleanup(&res[pend->index]);

    sweep_row *rows;
    unsigned *map, n;
    assert_true(sweep_rows_build(&m, res, &rows, &map, &n));
    assert_int_equal(n, m.num_configs - 1);
    sweep_decision d;
    assert_true(sweep_decide(&d, m.axis_names, m.num_axes, rows, n));
    assert_true(d.exact);
    assert_string_equal(d.rules[0].text, "fails exactly when mac = SHA256");

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sweep_report_html(f, &m, res, &d, rows);
    fclose(f);
    assert_non_null(strstr(buf, "<!DOCTYPE html>"));
    assert_null(strstr(buf, "<b>fatal</b>")); /* escaped */
    assert_non_null(strstr(buf, "&lt;b&gt;fatal&lt;/b&gt; bad_record_mac &amp; left"));
    assert_non_null(strstr(buf, "class=\"ok\""));
    assert_non_null(strstr(buf, "class=\"fail\""));
    assert_non_null(strstr(buf, "class=\"skipped\""));
    assert_non_null(strstr(buf, "class=\"pending\""));
    assert_non_null(strstr(buf, "fails exactly when mac = SHA256"));
    assert_null(strstr(buf, "http://")); /* self-contained */
    assert_null(strstr(buf, "<script"));
    free(buf);

    buf = NULL;
    f = open_memstream(&buf, &len);
    sweep_report_text(f, &m, res, &d, rows);
    fclose(f);
    assert_non_null(strstr(buf, "decides: fails exactly when mac = SHA256"));
    assert_non_null(strstr(
        buf, "typical failure: \"client sent <b>fatal</b> bad_record_mac & left\" in 2 of 2"));
    assert_non_null(strstr(buf, "failing combinations:"));
    free(buf);

    json_object *j = sweep_report_json(&m, res, &d, rows);
    json_object *v;
    assert_true(json_object_object_get_ex(j, "axes", &v));
    assert_int_equal(json_object_array_length(v), 4);
    assert_true(json_object_object_get_ex(j, "results", &v));
    assert_int_equal(json_object_array_length(v), m.num_configs - 1);
    assert_true(json_object_object_get_ex(j, "decides", &v));
    json_object *rule;
    assert_true(json_object_object_get_ex(v, "rule", &rule));
    assert_string_equal(json_object_get_string(rule), "fails exactly when mac = SHA256");
    json_object_put(j);

    sweep_decision_cleanup(&d);
    free(rows);
    free(map);
    for (unsigned i = 0; i < m.num_configs; i++)
        sweep_result_cleanup(&res[i]);
    free(res);
    sweep_matrix_cleanup(&m);
}

/* What `openssl s_client` prints (TLS 1.2 and 1.3 session blocks) and key
 * log lines: the secrets go, the rest of the output stays. */
static void test_mask_secrets(void **state)
{
    (void)state;
    char out[] =
        "    Protocol  : TLSv1.2\n"
        "    Cipher    : ECDHE-RSA-AES128-GCM-SHA256\n"
        "    Session-ID: 5F3A9C0B5F3A9C0B5F3A9C0B5F3A9C0B5F3A9C0B5F3A9C0B5F3A9C0B5F3A9C0B\n"
        "    Master-Key: 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
        "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n"
        "    Resumption PSK: aabbccddeeff00112233445566778899aabbccddeeff0011\n"
        "CLIENT_RANDOM 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff "
        "ffeeddccbbaa9988\n"
        "SERVER_TRAFFIC_SECRET_0 0011223344556677 8899aabbccddeeff\n"
        "    Verify return code: 18 (self-signed certificate)\n"
        "    Start Time: 1733040000\n";
    size_t n = sweep_mask_secrets(out, strlen(out), false);
    assert_true(n > 0);
    assert_null(strstr(out, "5F3A9C0B"));
    assert_null(strstr(out, "0123456789ABCDEF"));
    assert_null(strstr(out, "aabbccdd"));
    assert_null(strstr(out, "00112233"));
    assert_null(strstr(out, "ffeeddcc"));
    assert_null(strstr(out, "8899aabb"));
    assert_non_null(strstr(out, "Master-Key: ****"));
    /* what is not a secret is kept: names, the cipher, short numbers */
    assert_non_null(strstr(out, "ECDHE-RSA-AES128-GCM-SHA256"));
    assert_non_null(strstr(out, "Verify return code: 18 (self-signed certificate)"));
    assert_non_null(strstr(out, "Start Time: 1733040000"));
    assert_non_null(strstr(out, "CLIENT_RANDOM ****"));

    /* a tail that starts inside a Master-Key line: the name is gone */
    char cut[] = "89ABCDEF0123\n    Timeout   : 7200 (sec)\n";
    assert_int_equal(sweep_mask_secrets(cut, strlen(cut), true), 12);
    assert_string_equal(cut, "************\n    Timeout   : 7200 (sec)\n");
    /* a long hex run without a name is masked anyway; a short one is not */
    char bare[] = "x deadbeefdeadbeefdeadbeefdeadbeef y cafe\n";
    sweep_mask_secrets(bare, strlen(bare), false);
    assert_string_equal(bare, "x ******************************** y cafe\n");
}

/* The client command's exit beside the verdict's status. */
static void test_client_note(void **state)
{
    (void)state;
    static const struct {
        sweep_status st;
        const char *client, *want;
    } cases[] = {
        {SWEEP_ST_OK, "{\"exit\":52,\"timed_out\":false}",
         "client exited 52 although the TLS session worked"},
        {SWEEP_ST_OK, "{\"exit\":0,\"timed_out\":false}", ""},
        {SWEEP_ST_FAIL, "{\"exit\":0,\"timed_out\":false}",
         "client exited 0 although the TLS session failed"},
        {SWEEP_ST_FAIL, "{\"exit\":1,\"timed_out\":false}", ""},
        {SWEEP_ST_OK, "{\"exit\":0,\"timed_out\":true}",
         "the client command timed out although the TLS session worked"},
        {SWEEP_ST_OK, "{\"exit\":0,\"signal\":9,\"timed_out\":false}",
         "the client was killed by signal 9; the TLS session worked"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sweep_result r = {.done = true, .status = cases[i].st};
        r.client = json_tokener_parse(cases[i].client);
        char note[160];
        sweep_result_client_note(&r, note, sizeof note);
        assert_string_equal(note, cases[i].want);
        sweep_result_cleanup(&r);
    }
    sweep_result none = {.done = true, .status = SWEEP_ST_OK};
    char note[160];
    sweep_result_client_note(&none, note, sizeof note);
    assert_string_equal(note, ""); /* device mode: no client command */
}

/* A typical failure never shows the normalised template. */
static void test_typical_phrase(void **state)
{
    (void)state;
    static const char *const axes[] = {"protocol", "cipher"};
    sweep_row rows[3] = {
        {.values = {"TLS1.2", "AES-128-GCM"},
         .status = SWEEP_ST_FAIL,
         .summary = "handshake completed (TLS1.2, AES-128-GCM); the client left"},
        {.values = {"TLS1.2", "AES-256-GCM"},
         .status = SWEEP_ST_FAIL,
         .summary = "handshake completed (TLS1.2, AES-256-GCM); the client left"},
        {.values = {"TLS1.3", "AES-128-GCM"}, .status = SWEEP_ST_OK, .summary = "fine"},
    };
    sweep_decision d;
    assert_true(sweep_decide(&d, axes, 2, rows, 3));
    assert_int_equal(d.num_typical, 1);
    assert_non_null(strstr(d.typical[0].normalised, "{cipher}"));
    char out[900];
    sweep_typical_phrase(&d, &d.typical[0], out, sizeof out);
    assert_string_equal(out, "handshake completed (TLS1.2, AES-128-GCM); the client left (one "
                             "example of 2; they differ in cipher)");
    json_object *j = sweep_decision_to_json(&d, rows);
    json_object *typ, *sum;
    assert_true(json_object_object_get_ex(j, "typical_failure", &typ));
    assert_true(json_object_object_get_ex(json_object_array_get_idx(typ, 0), "summary", &sum));
    assert_string_equal(json_object_get_string(sum), out);
    json_object_put(j);
    sweep_decision_cleanup(&d);
    /* the same words, other numbers only */
    rows[1].values[1] = "AES-128-GCM";
    rows[0].summary = "stalled after 30 bytes";
    rows[1].summary = "stalled after 31 bytes";
    assert_true(sweep_decide(&d, axes, 2, rows, 3));
    sweep_typical_phrase(&d, &d.typical[0], out, sizeof out);
    assert_string_equal(out, "stalled after 30 bytes (one example of 2; they differ in numbers "
                             "only)");
    sweep_decision_cleanup(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_default_axes),
        cmocka_unit_test(test_matrix_bad_input),
        cmocka_unit_test(test_matrix_key_type_axis),
        cmocka_unit_test(test_offer_and_offered_filter),
        cmocka_unit_test(test_journal_torn_and_corrupt),
        cmocka_unit_test(test_result_roundtrip),
        cmocka_unit_test(test_reports),
        cmocka_unit_test(test_mask_secrets),
        cmocka_unit_test(test_client_note),
        cmocka_unit_test(test_typical_phrase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
