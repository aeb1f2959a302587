/* Engine tests: names, priority strings, formability, credentials, and
 * real handshakes of tp_engine_conn (server) against a GnuTLS client over
 * in-memory non-blocking pipes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "engine/engine.h"
#include "engine/names.h"

/* ---- helpers ------------------------------------------------------------ */

static bool prio_ok(const char *p)
{
    gnutls_priority_t pc;
    const char *ep;
    if (gnutls_priority_init2(&pc, p, &ep, 0) < 0)
        return false;
    gnutls_priority_deinit(pc);
    return true;
}

static bool prio_has_suite(const char *p, uint16_t want)
{
    gnutls_priority_t pc;
    const char *ep;
    bool found = false;
    if (gnutls_priority_init2(&pc, p, &ep, 0) < 0)
        return false;
    for (unsigned i = 0; !found; i++) {
        unsigned sidx;
        int r = gnutls_priority_get_cipher_suite_index(pc, i, &sidx);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        if (r < 0)
            continue;
        uint8_t id[2];
        if (gnutls_cipher_suite_info(sidx, id, NULL, NULL, NULL, NULL))
            found = (uint16_t)(id[0] << 8 | id[1]) == want;
    }
    gnutls_priority_deinit(pc);
    return found;
}

static tp_status build(char *out, size_t out_len, char *err, size_t err_len, ...)
{
    engine_lists l;
    memset(&l, 0, sizeof(l));
    va_list ap;
    va_start(ap, err_len);
    for (;;) {
        int f = va_arg(ap, int);
        if (f < 0)
            break;
        l.csv[f] = va_arg(ap, const char *);
    }
    va_end(ap);
    return engine_build_priority(&l, out, out_len, err, err_len);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- names --------------------------------------------------------------- */

static void test_names_tables(void **state)
{
    (void)state;
    const engine_name *e = engine_name_find(ENGINE_FLAG_PROTOCOLS, "TLS1.0");
    assert_non_null(e);
    assert_true(e->negotiable);
    assert_int_equal(e->iana_ids[0], 0x0301);
    e = engine_name_find(ENGINE_FLAG_PROTOCOLS, "SSL3.0");
    assert_non_null(e);
    assert_false(e->negotiable); /* Debian's GnuTLS is built without SSL 3.0 */
    assert_non_null(e->note);
    assert_true(engine_name_find(ENGINE_FLAG_CIPHERS, "3DES-CBC")->negotiable);
    assert_true(engine_name_find(ENGINE_FLAG_CIPHERS, "ARCFOUR-128")->negotiable);
    assert_false(engine_name_find(ENGINE_FLAG_CIPHERS, "DES-CBC")->negotiable);
    assert_true(engine_name_find(ENGINE_FLAG_MACS, "MD5")->negotiable);
    assert_true(engine_name_find(ENGINE_FLAG_KX, "RSA")->negotiable);
    assert_true(engine_name_find(ENGINE_FLAG_KX, "DHE-DSS")->negotiable);
    /* PSK runs on --psk credentials; anonymous DH on none tlsprobe makes */
    assert_true(engine_name_find(ENGINE_FLAG_KX, "PSK")->negotiable);
    assert_string_equal(engine_name_find(ENGINE_FLAG_KX, "PSK")->needs, "--psk");
    assert_null(engine_name_find(ENGINE_FLAG_KX, "RSA")->needs);
    assert_false(engine_name_find(ENGINE_FLAG_KX, "ANON-DH")->negotiable);
    e = engine_name_find(ENGINE_FLAG_GROUPS, "x25519"); /* case-insensitive */
    assert_non_null(e);
    assert_string_equal(e->name, "X25519");
    assert_int_equal(e->iana_ids[0], 29);
    assert_int_equal(engine_name_find(ENGINE_FLAG_SIGALGS, "RSA-PSS-RSAE-SHA256")->iana_ids[0],
                     0x0804);
    assert_false(engine_name_find(ENGINE_FLAG_SIGALGS, "RSA-MD5")->negotiable);
    assert_true(engine_name_find(ENGINE_FLAG_COMP, "NULL")->negotiable);
    assert_false(engine_name_find(ENGINE_FLAG_COMP, "DEFLATE")->negotiable);
    assert_null(engine_name_find(ENGINE_FLAG_CIPHERS, "AES-129-GCM"));
    assert_null(engine_name_find(ENGINE_FLAG_CIPHERS, NULL));

    const engine_name *t;
    for (unsigned f = 0; f < ENGINE_FLAG_COUNT; f++)
        assert_true(engine_names((engine_flag)f, &t) > 0);
    assert_int_equal(engine_names(ENGINE_FLAG_COUNT, &t), 0);
    assert_string_equal(engine_flag_option(ENGINE_FLAG_SIGALGS), "--sigalgs");
    assert_true(engine_key_type_valid("ecdsa:p384"));
    assert_false(engine_key_type_valid("rsa:512"));
    assert_false(engine_key_type_valid(NULL));
}

static void test_list_parse(void **state)
{
    (void)state;
    const engine_name *v[8];
    unsigned n;
    char err[512];
    assert_int_equal(engine_list_parse(ENGINE_FLAG_PROTOCOLS, "tls1.2, TLS1.0,TLS1.2", v, 8, &n,
                                       err, sizeof(err)),
                     TP_OK);
    assert_int_equal(n, 2); /* duplicate dropped */
    assert_string_equal(v[0]->name, "TLS1.2");
    assert_string_equal(v[1]->name, "TLS1.0");
    assert_int_equal(
        engine_list_parse(ENGINE_FLAG_CIPHERS, "AES-128-GCM,", v, 8, &n, err, sizeof(err)),
        TP_ERR_USAGE);
    assert_non_null(strstr(err, "empty cipher name"));
    assert_int_equal(engine_list_parse(ENGINE_FLAG_CIPHERS, "AES-128-GCM,AES-256-GCM", v, 1, &n,
                                       err, sizeof(err)),
                     TP_ERR_LIMIT);
}

/* ---- priority strings ------------------------------------------------------ */

static void test_priority_default(void **state)
{
    (void)state;
    char out[512], err[512];
    assert_int_equal(build(out, sizeof(out), err, sizeof(err), -1), TP_OK);
    assert_string_equal(out, "NORMAL");
    assert_true(prio_ok(out));
    assert_int_equal(engine_build_priority(NULL, out, sizeof(out), err, sizeof(err)), TP_OK);
}

static void test_priority_lists(void **state)
{
    (void)state;
    char out[1024], err[512];
    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_PROTOCOLS,
                           "TLS1.2,TLS1.0", ENGINE_FLAG_CIPHERS, "AES-128-CBC,3DES-CBC",
                           ENGINE_FLAG_MACS, "SHA1", ENGINE_FLAG_KX, "RSA", ENGINE_FLAG_GROUPS,
                           "X25519", ENGINE_FLAG_SIGALGS, "RSA-SHA256", ENGINE_FLAG_COMP, "NULL",
                           -1),
                     TP_OK);
    assert_string_equal(out, "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.0:-CIPHER-ALL:+AES-128-CBC:"
                             "+3DES-CBC:-MAC-ALL:+SHA1:-KX-ALL:+RSA:-GROUP-ALL:+GROUP-X25519:"
                             "-SIGN-ALL:+SIGN-RSA-SHA256:-COMP-ALL:+COMP-NULL");
    assert_true(prio_ok(out));
    assert_true(prio_has_suite(out, 0x002f));  /* RSA AES-128-CBC SHA1 */
    assert_true(prio_has_suite(out, 0x000a));  /* RSA 3DES */
    assert_false(prio_has_suite(out, 0xc02f)); /* ECDHE excluded */

    /* legacy values reachable by naming them alone */
    assert_int_equal(
        build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_CIPHERS, "ARCFOUR-128", -1), TP_OK);
    assert_true(prio_has_suite(out, 0x0005)); /* RSA RC4 SHA1 */
    /* MD5 alone: NORMAL's ciphers have no MD5 suite, so ARCFOUR-128 is added */
    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_MACS, "MD5", -1), TP_OK);
    assert_non_null(strstr(out, "+ARCFOUR-128"));
    assert_null(strstr(out, "+NULL"));
    assert_true(prio_has_suite(out, 0x0004)); /* RSA RC4 MD5 */
    /* SHA256 CBC suites (not in NORMAL) */
    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_PROTOCOLS, "TLS1.2",
                           ENGINE_FLAG_MACS, "SHA256", -1),
                     TP_OK);
    assert_true(prio_has_suite(out, 0xc027));
    /* TLS1.0 only */
    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_PROTOCOLS, "TLS1.0", -1),
                     TP_OK);
    assert_string_equal(out, "NORMAL:-VERS-ALL:+VERS-TLS1.0");
    assert_true(prio_has_suite(out, 0xc013));
    /* DHE-DSS named */
    assert_int_equal(
        build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_KX, "DHE-DSS,DHE-RSA", -1), TP_OK);
    assert_true(prio_has_suite(out, 0x0032));
    /* a DHE-only kx list keeps TLS 1.3 on finite-field groups, ECDHE-only on curves */
    assert_non_null(strstr(out, ":-GROUP-EC-ALL"));
    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_KX, "ECDHE-RSA", -1),
                     TP_OK);
    assert_string_equal(out, "NORMAL:-KX-ALL:+ECDHE-RSA:-GROUP-DH-ALL");
    assert_int_equal(
        build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_KX, "ECDHE-RSA,DHE-RSA", -1), TP_OK);
    assert_string_equal(out, "NORMAL:-KX-ALL:+ECDHE-RSA:+DHE-RSA");
    /* RSA key transport only: no TLS 1.3, which would bring ECDHE back */
    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_KX, "RSA", -1), TP_OK);
    assert_string_equal(out, "NORMAL:-KX-ALL:+RSA:-VERS-TLS1.3");
    assert_false(prio_has_suite(out, 0x1301));
}

static void test_priority_errors(void **state)
{
    (void)state;
    char out[1024], err[1024];
    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_CIPHERS,
                           "AES-128-GCM,AES-129-GCM", -1),
                     TP_ERR_USAGE);
    assert_true(strncmp(err, "unknown cipher 'AES-129-GCM'; valid: ", 37) == 0);
    assert_non_null(strstr(err, "AES-128-CBC"));
    assert_non_null(strstr(err, "3DES-CBC"));
    assert_null(strstr(err, " DES-CBC")); /* non-negotiable ones are not offered as valid */

    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_COMP, "DEFLATE", -1),
                     TP_ERR_USAGE);
    char want[128];
    snprintf(want, sizeof(want), "this engine (%s) has no compression; valid: NULL",
             engine_version_string());
    assert_string_equal(err, want);
    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_COMP, "ZSTD", -1),
                     TP_ERR_USAGE);
    assert_string_equal(err, "unknown compression 'ZSTD'; valid: NULL");

    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_PROTOCOLS, "SSL3.0", -1),
                     TP_ERR_USAGE);
    assert_non_null(strstr(err, "cannot negotiate protocol SSL3.0"));
    assert_non_null(strstr(err, "valid: TLS1.3, TLS1.2, TLS1.1, TLS1.0"));

    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_GROUPS, "P-256", -1),
                     TP_ERR_USAGE);
    assert_true(strncmp(err, "unknown group 'P-256'; valid: X25519, SECP256R1", 47) == 0);

    /* parses, but leaves nothing: GCM needs TLS 1.2 */
    assert_int_equal(build(out, sizeof(out), err, sizeof(err), ENGINE_FLAG_PROTOCOLS, "TLS1.0",
                           ENGINE_FLAG_CIPHERS, "AES-128-GCM", -1),
                     TP_ERR_USAGE);
    assert_non_null(strstr(err, "leave"));

    /* output too small */
    assert_int_equal(build(out, 10, err, sizeof(err), ENGINE_FLAG_PROTOCOLS, "TLS1.2", -1),
                     TP_ERR_LIMIT);

    /* --priority strings */
    assert_int_equal(engine_priority_check("NORMAL:-VERS-TLS1.0", err, sizeof(err)), TP_OK);
    assert_int_equal(engine_priority_check("NORMAL:+FOO", err, sizeof(err)), TP_ERR_USAGE);
    assert_non_null(strstr(err, "offset 7"));
    assert_non_null(strstr(err, "+FOO"));
    assert_int_equal(engine_priority_check("", err, sizeof(err)), TP_ERR_USAGE);
    assert_int_equal(engine_priority_check("NONE:+VERS-TLS1.2", err, sizeof(err)), TP_ERR_USAGE);
}

/* ---- formability -------------------------------------------------------- */

static bool formable(const char *p, const char *kx, const char *c, const char *m, const char *g,
                     const char *s, const char *kt)
{
    engine_combo co = {p, kx, c, m, g, s, kt};
    char why[200];
    bool ok = engine_combo_formable(&co, why, sizeof(why));
    if (!ok)
        assert_true(why[0] != '\0'); /* always a reason */
    return ok;
}

static void test_formable(void **state)
{
    (void)state;
    assert_true(formable("TLS1.2", "ECDHE-RSA", "AES-128-GCM", "AEAD", "X25519", NULL, NULL));
    assert_true(formable("TLS1.0", "RSA", "AES-128-CBC", "SHA1", NULL, NULL, NULL));
    assert_true(formable("TLS1.0", "RSA", "ARCFOUR-128", "MD5", NULL, NULL, "rsa:1024"));
    assert_true(formable("TLS1.2", "ECDHE-RSA", "AES-128-CBC", "SHA256", NULL, NULL, NULL));
    assert_true(formable("TLS1.3", NULL, "AES-256-GCM", "AEAD", "X25519", NULL, NULL));
    assert_true(formable("TLS1.3", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD", NULL,
                         "RSA-PSS-RSAE-SHA256", NULL));
    assert_true(formable("TLS1.2", "ECDHE-ECDSA", "AES-128-GCM", "AEAD", NULL, "ECDSA-SHA256",
                         "ecdsa:p256"));
    assert_true(formable("TLS1.2", "DHE-RSA", "AES-128-CBC", "SHA1", "FFDHE2048", NULL, NULL));
    assert_true(formable(NULL, NULL, NULL, NULL, NULL, NULL, NULL));

    /* AEAD cipher with a SHA1 MAC */
    assert_false(formable("TLS1.2", "ECDHE-RSA", "AES-128-GCM", "SHA1", NULL, NULL, NULL));
    assert_false(formable(NULL, NULL, "AES-128-CBC", "AEAD", NULL, NULL, NULL));
    /* TLS1.3 has no RSA kx, no CBC */
    assert_false(formable("TLS1.3", "RSA", "AES-128-GCM", "AEAD", NULL, NULL, NULL));
    assert_false(formable("TLS1.3", NULL, "AES-128-CBC", "SHA256", NULL, NULL, NULL));
    /* cipher not valid for the protocol */
    assert_false(formable("TLS1.0", "ECDHE-RSA", "AES-128-GCM", "AEAD", NULL, NULL, NULL));
    assert_false(formable("TLS1.1", "RSA", "AES-128-CBC", "SHA256", NULL, NULL, NULL));
    /* kx and certificate */
    assert_false(formable("TLS1.2", "ECDHE-ECDSA", NULL, NULL, NULL, NULL, "rsa:2048"));
    assert_false(formable("TLS1.2", "RSA", NULL, NULL, NULL, NULL, "ed25519"));
    assert_false(formable("TLS1.2", "DHE-DSS", NULL, NULL, NULL, NULL, NULL));
    /* groups */
    assert_false(formable("TLS1.2", "ECDHE-RSA", NULL, NULL, "FFDHE2048", NULL, NULL));
    assert_false(formable("TLS1.2", "DHE-RSA", NULL, NULL, "X25519", NULL, NULL));
    /* sigalgs */
    assert_false(formable("TLS1.3", NULL, NULL, NULL, NULL, "RSA-SHA256", NULL));
    assert_true(formable("TLS1.2", "ECDHE-RSA", NULL, NULL, NULL, "RSA-SHA256", NULL));
    assert_false(formable("TLS1.2", "ECDHE-RSA", NULL, NULL, NULL, "ECDSA-SHA256", NULL));
    assert_false(formable("TLS1.3", NULL, NULL, NULL, NULL, "ECDSA-SHA384", "ecdsa:p256"));
    assert_true(formable("TLS1.0", "ECDHE-RSA", NULL, NULL, NULL, "RSA-PSS-RSAE-SHA256", NULL));
    /* unknown or not negotiable values */
    assert_false(formable("SSL3.0", NULL, NULL, NULL, NULL, NULL, NULL));
    assert_false(formable(NULL, NULL, "AES-129-GCM", NULL, NULL, NULL, NULL));
    assert_false(formable(NULL, NULL, NULL, NULL, NULL, NULL, "rsa:512"));

    /* lists_from_combo builds a usable priority */
    engine_combo co = {"TLS1.2", "RSA", "AES-128-CBC", "SHA256", NULL, NULL, NULL};
    engine_lists l;
    char out[512], err[256];
    engine_lists_from_combo(&l, &co);
    assert_int_equal(engine_build_priority(&l, out, sizeof(out), err, sizeof(err)), TP_OK);
    assert_true(prio_has_suite(out, 0x003c));
}

/* ---- credentials --------------------------------------------------------- */

static bool fingerprint_well_formed(const char *fp)
{
    if (strlen(fp) != 95)
        return false;
    for (size_t i = 0; i < 95; i++) {
        char ch = fp[i];
        if (i % 3 == 2 ? ch != ':' : !((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F')))
            return false;
    }
    return true;
}

static void test_credentials_every_key_type(void **state)
{
    (void)state;
    const char *const *kts;
    unsigned n = engine_key_types(&kts);
    assert_int_equal(n, 6);
    for (unsigned i = 0; i < n; i++) {
        tp_engine_config cfg = {.key_type = kts[i]};
        char err[256];
        tp_engine *e = tp_engine_new(&cfg, err, sizeof(err));
        if (!e)
            fail_msg("%s: %s", kts[i], err);
        const char *fp = tp_engine_cert_fingerprint(e);
        assert_true(fingerprint_well_formed(fp));
        char first[96];
        snprintf(first, sizeof(first), "%s", fp);
        const uint16_t *ids;
        assert_true(tp_engine_allowed_suites(e, &ids) > 0);
        bool has_13 = false, has_ecdsa = false, has_rsa_kx = false;
        for (unsigned k = 0; k < tp_engine_allowed_suites(e, &ids); k++) {
            has_13 |= ids[k] == 0x1301;
            has_ecdsa |= ids[k] == 0xc02b;
            has_rsa_kx |= ids[k] == 0x009c;
        }
        assert_true(has_13);
        bool rsa = strncmp(kts[i], "rsa", 3) == 0;
        assert_int_equal(has_ecdsa, !rsa); /* suites fit the certificate */
        assert_int_equal(has_rsa_kx, rsa);
        tp_engine_free(e);

        /* second engine of the same key type: cached, same certificate */
        double t0 = now_s();
        e = tp_engine_new(&cfg, err, sizeof(err));
        double dt = now_s() - t0;
        assert_non_null(e);
        assert_string_equal(tp_engine_cert_fingerprint(e), first);
        print_message("%s: cached engine in %.1f ms\n", kts[i], dt * 1000);
        assert_true(dt < 0.01); /* no key load: shared credentials */
        tp_engine_free(e);
    }
    tp_engine_config bad = {.key_type = "rsa:512"};
    char err[256];
    assert_null(tp_engine_new(&bad, err, sizeof(err)));
    assert_true(strncmp(err, "unknown key type 'rsa:512'; valid: rsa:2048", 43) == 0);
}

static void test_credentials_save_and_load(void **state)
{
    (void)state;
    char dir[] = "/tmp/tp_engine_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cert_path[256], key_path[256], missing[256];
    snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", dir);
    snprintf(key_path, sizeof(key_path), "%s/key.pem", dir);
    snprintf(missing, sizeof(missing), "%s/nope.pem", dir);

    static const char *const ips[] = {"127.0.0.2", "::", NULL};
    static const char *const dns[] = {"device.test", NULL};
    tp_engine_config cfg = {.key_type = "ecdsa:p256", .san_ip = ips, .san_dns = dns};
    char err[512];
    tp_engine *e = tp_engine_new(&cfg, err, sizeof(err));
    if (!e)
        fail_msg("%s", err);
    /* the engine writes no file (the command saves the PEM, 0644: see
     * tests/interop/test_serve_options.py) */
    struct stat st;
    assert_int_not_equal(stat(cert_path, &st), 0);

    /* the PEM handed back is the certificate in use, with the SANs asked for */
    size_t pem_len = 0;
    const char *pem_text = tp_engine_cert_pem(e, &pem_len);
    assert_non_null(pem_text);
    assert_true(pem_len > 100);
    assert_true(strncmp(pem_text, "-----BEGIN CERTIFICATE-----", 27) == 0);
    gnutls_datum_t pem = {(unsigned char *)pem_text, (unsigned)pem_len};
    gnutls_x509_crt_t crt;
    assert_int_equal(gnutls_x509_crt_init(&crt), 0);
    assert_int_equal(gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM), 0);
    uint8_t served_md[32];
    size_t served_len = sizeof(served_md);
    char served_fp[96];
    assert_int_equal(
        gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, served_md, &served_len), 0);
    for (unsigned i = 0; i < 32; i++)
        snprintf(served_fp + 3 * i, 4, i < 31 ? "%02X:" : "%02X", served_md[i]);
    assert_string_equal(tp_engine_cert_fingerprint(e), served_fp);
    assert_int_not_equal(gnutls_x509_crt_check_hostname(crt, "localhost"), 0);
    assert_int_not_equal(gnutls_x509_crt_check_hostname(crt, "device.test"), 0);
    assert_int_not_equal(gnutls_x509_crt_check_ip(crt, (const unsigned char *)"\x7f\0\0\x02", 4, 0),
                         0);
    assert_int_equal(gnutls_x509_crt_check_hostname(crt, "example.com"), 0);
    char dn[256];
    size_t dn_len = sizeof(dn);
    assert_int_equal(gnutls_x509_crt_get_dn(crt, dn, &dn_len), 0);
    assert_string_equal(dn, "CN=tlsprobe test");
    assert_true(gnutls_x509_crt_get_expiration_time(crt) > time(NULL) + 29 * 24 * 3600);
    assert_true(gnutls_x509_crt_get_activation_time(crt) < time(NULL));
    gnutls_x509_crt_deinit(crt);

    /* load a PEM pair from files: fingerprint follows the file */
    gnutls_x509_privkey_t key;
    assert_int_equal(gnutls_x509_privkey_init(&key), 0);
    assert_int_equal(gnutls_x509_privkey_generate2(key, GNUTLS_PK_ECDSA,
                                                   GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
                                                   0, NULL, 0),
                     0);
    assert_int_equal(gnutls_x509_crt_init(&crt), 0);
    gnutls_x509_crt_set_version(crt, 3);
    gnutls_x509_crt_set_serial(crt, "\x01\x02", 2);
    gnutls_x509_crt_set_activation_time(crt, time(NULL) - 60);
    gnutls_x509_crt_set_expiration_time(crt, time(NULL) + 3600);
    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "loaded", 6);
    gnutls_x509_crt_set_key(crt, key);
    assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);
    gnutls_datum_t cpem, kpem, der;
    assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem), 0);
    assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der), 0);
    assert_int_equal(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kpem), 0);
    FILE *f = fopen(cert_path, "w");
    fwrite(cpem.data, 1, cpem.size, f);
    fclose(f);
    f = fopen(key_path, "w");
    fchmod(fileno(f), 0600);
    fwrite(kpem.data, 1, kpem.size, f);
    fclose(f);
    uint8_t md[32];
    char want[96];
    size_t md_len = sizeof(md);
    assert_int_equal(gnutls_fingerprint(GNUTLS_DIG_SHA256, &der, md, &md_len), 0);
    for (unsigned i = 0; i < 32; i++)
        snprintf(want + 3 * i, 4, i < 31 ? "%02X:" : "%02X", md[i]);

    tp_engine_config lcfg = {.cert_file = cert_path, .key_file = key_path};
    tp_engine *le = tp_engine_new(&lcfg, err, sizeof(err));
    if (!le)
        fail_msg("%s", err);
    assert_string_equal(tp_engine_cert_fingerprint(le), want);
    assert_null(tp_engine_cert_pem(le, NULL)); /* loaded from files: nothing to save */
    assert_string_not_equal(tp_engine_cert_fingerprint(le), tp_engine_cert_fingerprint(e));
    tp_engine_free(le);

    /* bad files are named */
    tp_engine_config m1 = {.cert_file = missing, .key_file = key_path};
    assert_null(tp_engine_new(&m1, err, sizeof(err)));
    assert_non_null(strstr(err, missing));
    assert_non_null(strstr(err, "certificate"));
    tp_engine_config m2 = {.cert_file = cert_path, .key_file = missing};
    assert_null(tp_engine_new(&m2, err, sizeof(err)));
    assert_non_null(strstr(err, missing));
    assert_non_null(strstr(err, "key"));
    tp_engine_config m3 = {.cert_file = key_path, .key_file = cert_path}; /* swapped */
    assert_null(tp_engine_new(&m3, err, sizeof(err)));
    assert_non_null(strstr(err, "cannot load certificate"));
    tp_engine_config m4 = {.priority = "NORMAL:+BOGUS"};
    assert_null(tp_engine_new(&m4, err, sizeof(err)));
    assert_non_null(strstr(err, "offset 7"));
    tp_engine_config m5 = {.dh_bits = 1000};
    assert_null(tp_engine_new(&m5, err, sizeof(err)));
    assert_non_null(strstr(err, "unsupported DH size 1000"));
    static const char *const badip[] = {"not-an-ip", NULL};
    tp_engine_config m6 = {.key_type = "ed25519", .san_ip = badip};
    assert_null(tp_engine_new(&m6, err, sizeof(err)));
    assert_non_null(strstr(err, "not-an-ip"));

    gnutls_free(cpem.data);
    gnutls_free(kpem.data);
    gnutls_free(der.data);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
    tp_engine_free(e);
    unlink(cert_path);
    unlink(key_path);
    rmdir(dir);
}

/* ---- loopback: tp_engine_conn against a GnuTLS client ------------------ */

typedef struct {
    uint8_t buf[1 << 17];
    size_t len;
    size_t limit; /* accept at most this many buffered bytes (push-back) */
    bool eof;
} pipe_buf;

typedef struct {
    pipe_buf c2s, s2c;
    char keylog[16][300];
    unsigned num_keylog;
} loop;

static ssize_t pipe_put(pipe_buf *p, const uint8_t *d, size_t n)
{
    size_t cap = p->limit ? p->limit : sizeof(p->buf);
    if (p->len >= cap) {
        errno = EAGAIN;
        return -1;
    }
    if (n > cap - p->len)
        n = cap - p->len;
    memcpy(p->buf + p->len, d, n);
    p->len += n;
    return (ssize_t)n;
}

static ssize_t pipe_get(pipe_buf *p, uint8_t *d, size_t n)
{
    if (p->len == 0) {
        if (p->eof)
            return 0;
        errno = EAGAIN;
        return -1;
    }
    if (n > p->len)
        n = p->len;
    memcpy(d, p->buf, n);
    memmove(p->buf, p->buf + n, p->len - n);
    p->len -= n;
    return (ssize_t)n;
}

static ssize_t srv_push(void *ctx, const uint8_t *d, size_t n)
{
    return pipe_put(&((loop *)ctx)->s2c, d, n);
}

static ssize_t srv_pull(void *ctx, uint8_t *d, size_t n)
{
    return pipe_get(&((loop *)ctx)->c2s, d, n);
}

static void srv_keylog(void *ctx, const char *line)
{
    loop *l = ctx;
    if (l->num_keylog < 16)
        snprintf(l->keylog[l->num_keylog++], sizeof(l->keylog[0]), "%s", line);
}

static gnutls_session_t cli_session;

static ssize_t cli_push(gnutls_transport_ptr_t p, const void *d, size_t n)
{
    ssize_t r = pipe_put(&((loop *)p)->c2s, d, n);
    if (r < 0)
        gnutls_transport_set_errno(cli_session, errno);
    return r;
}

static ssize_t cli_pull(gnutls_transport_ptr_t p, void *d, size_t n)
{
    ssize_t r = pipe_get(&((loop *)p)->s2c, d, n);
    if (r < 0)
        gnutls_transport_set_errno(cli_session, errno);
    return r;
}

static int cli_pull_timeout(gnutls_transport_ptr_t p, unsigned ms)
{
    (void)ms;
    return ((loop *)p)->s2c.len > 0 || ((loop *)p)->s2c.eof;
}

typedef struct {
    gnutls_session_t s;
    gnutls_certificate_credentials_t cred;
} client;

static void client_open(client *c, loop *l, const char *prio, bool with_cert)
{
    assert_int_equal(gnutls_certificate_allocate_credentials(&c->cred), 0);
    if (with_cert) {
        gnutls_x509_privkey_t key;
        gnutls_x509_crt_t crt;
        assert_int_equal(gnutls_x509_privkey_init(&key), 0);
        assert_int_equal(
            gnutls_x509_privkey_generate2(
                key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0),
            0);
        assert_int_equal(gnutls_x509_crt_init(&crt), 0);
        gnutls_x509_crt_set_version(crt, 3);
        gnutls_x509_crt_set_serial(crt, "\x05", 1);
        gnutls_x509_crt_set_activation_time(crt, time(NULL) - 60);
        gnutls_x509_crt_set_expiration_time(crt, time(NULL) + 3600);
        gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "phone client", 12);
        gnutls_x509_crt_set_key(crt, key);
        gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
        assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);
        assert_int_equal(gnutls_certificate_set_x509_key(c->cred, &crt, 1, key), 0);
        gnutls_x509_crt_deinit(crt);
        gnutls_x509_privkey_deinit(key);
    }
    assert_int_equal(gnutls_init(&c->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK), 0);
    cli_session = c->s;
    const char *ep;
    assert_int_equal(gnutls_priority_set_direct(c->s, prio, &ep), 0);
    assert_int_equal(gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE, c->cred), 0);
    gnutls_transport_set_ptr(c->s, l);
    gnutls_transport_set_push_function(c->s, cli_push);
    gnutls_transport_set_pull_function(c->s, cli_pull);
    gnutls_transport_set_pull_timeout_function(c->s, cli_pull_timeout);
    gnutls_handshake_set_timeout(c->s, 0);
}

static void client_close(client *c)
{
    gnutls_deinit(c->s);
    gnutls_certificate_free_credentials(c->cred);
}

static tp_transport transport_of(loop *l)
{
    tp_transport t = {srv_push, srv_pull, srv_keylog, l};
    return t;
}

/* Steps both sides until both finished or one failed.  Returns the
 * server's final rc; *client_rc gets the client's. */
static tp_engine_rc run_handshake(tp_engine_conn *sc, client *cl, int *client_rc)
{
    tp_engine_rc src = TP_ENGINE_AGAIN;
    int crc = GNUTLS_E_AGAIN;
    for (int i = 0; i < 200; i++) {
        if (crc == GNUTLS_E_AGAIN || crc == GNUTLS_E_INTERRUPTED)
            crc = gnutls_handshake(cl->s);
        if (src == TP_ENGINE_AGAIN)
            src = tp_engine_conn_handshake(sc);
        bool cdone = crc != GNUTLS_E_AGAIN && crc != GNUTLS_E_INTERRUPTED;
        if (cdone && src != TP_ENGINE_AGAIN)
            break;
        /* one side failed and the other is waiting for bytes that never come */
        if ((cdone && crc < 0) || (src == TP_ENGINE_ERROR || src == TP_ENGINE_EOF)) {
            if (!cdone)
                crc = gnutls_handshake(cl->s);
            if (src == TP_ENGINE_AGAIN)
                src = tp_engine_conn_handshake(sc);
            break;
        }
    }
    *client_rc = crc;
    return src;
}

static bool keylog_has(const loop *l, const char *label)
{
    size_t n = strlen(label);
    for (unsigned i = 0; i < l->num_keylog; i++) {
        if (strncmp(l->keylog[i], label, n) == 0 && l->keylog[i][n] == ' ') {
            /* LABEL <64 hex> <hex> */
            const char *r = l->keylog[i] + n + 1;
            if (strlen(r) < 64 + 1 + 64 || r[64] != ' ')
                return false;
            for (int k = 0; k < 64; k++)
                if (!strchr("0123456789abcdef", r[k]))
                    return false;
            return true;
        }
    }
    return false;
}

/* Client random in the key log is the one on the wire. */
static bool keylog_random_matches(const loop *l, gnutls_session_t cs)
{
    gnutls_datum_t cr, sr;
    gnutls_session_get_random(cs, &cr, &sr);
    char hex[65];
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", cr.data[i]);
    for (unsigned i = 0; i < l->num_keylog; i++)
        if (!strstr(l->keylog[i], hex))
            return false;
    return l->num_keylog > 0;
}

static void exchange_data(tp_engine_conn *sc, client *cl, loop *l)
{
    (void)l;
    const char msg[] = "hello from the client";
    assert_int_equal(gnutls_record_send(cl->s, msg, sizeof(msg)), (ssize_t)sizeof(msg));
    uint8_t buf[256];
    size_t n = 0;
    assert_int_equal(tp_engine_conn_read(sc, buf, sizeof(buf), &n), TP_ENGINE_OK);
    assert_int_equal(n, sizeof(msg));
    assert_memory_equal(buf, msg, sizeof(msg));
    /* nothing more: AGAIN, not an error */
    assert_int_equal(tp_engine_conn_read(sc, buf, sizeof(buf), &n), TP_ENGINE_AGAIN);
    assert_false(tp_engine_conn_has_pending(sc));

    assert_int_equal(tp_engine_conn_write(sc, (const uint8_t *)"pong", 4), TP_ENGINE_OK);
    char rb[16];
    ssize_t r;
    do
        r = gnutls_record_recv(cl->s, rb, sizeof(rb));
    while (r == GNUTLS_E_AGAIN);
    assert_int_equal(r, 4);
    assert_memory_equal(rb, "pong", 4);
}

static void handshake_case(const char *server_prio, const char *client_prio, const char *proto,
                           const char *kx, const char *cipher, const char *mac, const char *group,
                           const char *sigalg, const char *const *labels, tp_client_cert cc,
                           bool client_cert)
{
    static loop l;
    memset(&l, 0, sizeof(l));
    tp_engine_config cfg = {.priority = server_prio, .key_type = "rsa:2048", .client_cert = cc};
    char err[256];
    tp_engine *e = tp_engine_new(&cfg, err, sizeof(err));
    if (!e)
        fail_msg("%s", err);
    tp_transport t = transport_of(&l);
    tp_engine_conn *sc = tp_engine_conn_new(e, &t);
    assert_non_null(sc);
    client cl;
    client_open(&cl, &l, client_prio, client_cert);
    int crc;
    tp_engine_rc src = run_handshake(sc, &cl, &crc);
    if (src != TP_ENGINE_OK || crc != 0)
        fail_msg("handshake: server %d %s (%s), client %s", src, tp_engine_conn_error_name(sc),
                 tp_engine_conn_error_text(sc), gnutls_strerror(crc));

    tp_engine_info info;
    tp_engine_conn_info(sc, &info);
    assert_string_equal(info.protocol, proto);
    assert_string_equal(info.kx, kx);
    assert_string_equal(info.cipher, cipher);
    assert_string_equal(info.mac, mac);
    assert_string_equal(info.group, group);
    assert_string_equal(info.sigalg, sigalg);
    if (client_cert) {
        assert_non_null(strstr(info.client_cert, "CN=phone client"));
        assert_non_null(strstr(info.client_cert, "ECDSA"));
    } else {
        assert_string_equal(info.client_cert, "");
    }
    for (unsigned i = 0; labels[i]; i++)
        if (!keylog_has(&l, labels[i]))
            fail_msg("no key log line %s (%u lines)", labels[i], l.num_keylog);
    assert_true(keylog_random_matches(&l, cl.s));

    exchange_data(sc, &cl, &l);

    /* clean close from the client: EOF with no error */
    assert_int_equal(gnutls_bye(cl.s, GNUTLS_SHUT_WR), 0);
    uint8_t buf[64];
    size_t n;
    assert_int_equal(tp_engine_conn_read(sc, buf, sizeof(buf), &n), TP_ENGINE_EOF);
    assert_string_equal(tp_engine_conn_error_name(sc), "");
    tp_engine_conn_close(sc);

    client_close(&cl);
    tp_engine_conn_free(sc);
    tp_engine_free(e);
}

static void test_handshake_tls12(void **state)
{
    (void)state;
    static const char *const labels[] = {"CLIENT_RANDOM", NULL};
    handshake_case("NORMAL",
                   "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-RSA:-"
                   "GROUP-ALL:+GROUP-X25519:-SIGN-ALL:+SIGN-RSA-SHA256",
                   "TLS1.2", "ECDHE-RSA", "AES-128-GCM", "AEAD", "X25519", "RSA-SHA256", labels,
                   TP_CLIENT_CERT_NONE, false);
}

static void test_handshake_tls13(void **state)
{
    (void)state;
    static const char *const labels[] = {
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", NULL};
    handshake_case(
        "NORMAL",
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM:-GROUP-ALL:+GROUP-SECP256R1",
        "TLS1.3", "ECDHE-RSA", "AES-256-GCM", "AEAD", "SECP256R1", "RSA-PSS-RSAE-SHA256", labels,
        TP_CLIENT_CERT_NONE, false);
}

static void test_handshake_tls10_legacy(void **state)
{
    (void)state;
    static const char *const labels[] = {"CLIENT_RANDOM", NULL};
    char prio[512], err[256];
    engine_lists l;
    memset(&l, 0, sizeof(l));
    l.csv[ENGINE_FLAG_PROTOCOLS] = "TLS1.0";
    l.csv[ENGINE_FLAG_KX] = "RSA";
    l.csv[ENGINE_FLAG_CIPHERS] = "3DES-CBC";
    assert_int_equal(engine_build_priority(&l, prio, sizeof(prio), err, sizeof(err)), TP_OK);
    handshake_case(prio, "NORMAL:+VERS-TLS1.0:+3DES-CBC:+RSA", "TLS1.0", "RSA", "3DES-CBC", "SHA1",
                   "", "", labels, TP_CLIENT_CERT_NONE, false);
}

static void test_handshake_rc4_md5(void **state)
{
    (void)state;
    static const char *const labels[] = {"CLIENT_RANDOM", NULL};
    char prio[512], err[256];
    engine_lists l;
    memset(&l, 0, sizeof(l));
    l.csv[ENGINE_FLAG_PROTOCOLS] = "TLS1.1";
    l.csv[ENGINE_FLAG_MACS] = "MD5";
    assert_int_equal(engine_build_priority(&l, prio, sizeof(prio), err, sizeof(err)), TP_OK);
    handshake_case(prio, "NORMAL:+VERS-TLS1.1:+ARCFOUR-128:+MD5:+RSA", "TLS1.1", "RSA",
                   "ARCFOUR-128", "MD5", "", "", labels, TP_CLIENT_CERT_NONE, false);
}

static void test_handshake_client_cert(void **state)
{
    (void)state;
    static const char *const labels[] = {"CLIENT_RANDOM", NULL};
    handshake_case("NORMAL:+SHA256",
                   "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA:-CIPHER-ALL:+AES-256-CBC:-MAC-"
                   "ALL:+SHA256:-GROUP-ALL:+GROUP-FFDHE3072",
                   "TLS1.2", "DHE-RSA", "AES-256-CBC", "SHA256", "FFDHE3072", "RSA-SHA256", labels,
                   TP_CLIENT_CERT_REQUIRE, true);
}

static void dhe_case(unsigned bits)
{
    /* no FFDHE group offered: the server's own parameters are used */
    static loop l;
    memset(&l, 0, sizeof(l));
    tp_engine_config cfg = {.key_type = "rsa:2048", .dh_bits = bits};
    char err[256];
    tp_engine *e = tp_engine_new(&cfg, err, sizeof(err));
    if (!e)
        fail_msg("%s", err);
    tp_transport t = transport_of(&l);
    tp_engine_conn *sc = tp_engine_conn_new(e, &t);
    client cl;
    client_open(&cl, &l, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA:-GROUP-ALL:+GROUP-X25519",
                false);
    gnutls_dh_set_prime_bits(cl.s, 1024); /* let the client accept DH1024 */
    int crc;
    assert_int_equal(run_handshake(sc, &cl, &crc), TP_ENGINE_OK);
    assert_int_equal(crc, 0);
    assert_int_equal(gnutls_dh_get_prime_bits(cl.s), (int)bits);
    tp_engine_info info;
    tp_engine_conn_info(sc, &info);
    assert_string_equal(info.kx, "DHE-RSA");
    char want[16];
    snprintf(want, sizeof(want), "DH%u", bits);
    assert_string_equal(info.group, want);
    client_close(&cl);
    tp_engine_conn_free(sc);
    tp_engine_free(e);
}

static void test_handshake_dhe_custom_params(void **state)
{
    (void)state;
    dhe_case(1024);
    dhe_case(3072);
    dhe_case(4096);
}

/* The sweep's single-value configurations, TLS 1.3 with a DHE kx: the
 * kx list alone must steer GnuTLS to a finite-field group. */
static void test_handshake_tls13_dhe_combo(void **state)
{
    (void)state;
    engine_combo co = {"TLS1.3", "DHE-RSA", "AES-128-GCM", "AEAD", NULL, NULL, NULL};
    assert_true(engine_combo_formable(&co, NULL, 0));
    engine_lists l;
    char prio[512], err[256];
    engine_lists_from_combo(&l, &co);
    assert_int_equal(engine_build_priority(&l, prio, sizeof(prio), err, sizeof(err)), TP_OK);
    static const char *const labels[] = {"SERVER_TRAFFIC_SECRET_0", NULL};
    handshake_case(prio, "NORMAL", "TLS1.3", "DHE-RSA", "AES-128-GCM", "AEAD", "FFDHE2048",
                   "RSA-PSS-RSAE-SHA256", labels, TP_CLIENT_CERT_NONE, false);
}

static void test_allowed_lists(void **state)
{
    (void)state;
    char err[256];
    tp_engine *e = tp_engine_new(&(tp_engine_config){0}, err, sizeof(err));
    assert_non_null(e);
    const uint16_t *ids;
    unsigned n = tp_engine_allowed_versions(e, &ids);
    bool v13 = false, v10 = false;
    for (unsigned i = 0; i < n; i++) {
        v13 |= ids[i] == 0x0304;
        v10 |= ids[i] == 0x0301;
        assert_true(ids[i] >= 0x0300 && ids[i] <= 0x0304); /* no DTLS */
    }
    assert_true(v13 && v10);
    n = tp_engine_allowed_groups(e, &ids);
    bool x25519 = false, ff2048 = false;
    for (unsigned i = 0; i < n; i++) {
        x25519 |= ids[i] == 29;
        ff2048 |= ids[i] == 256;
    }
    assert_true(x25519 && ff2048);
    tp_engine_free(e);

    tp_engine_config cfg = {.priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2:-GROUP-ALL:+GROUP-SECP384R1:"
                                        "-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1:-KX-ALL:+RSA"};
    e = tp_engine_new(&cfg, err, sizeof(err));
    assert_non_null(e);
    assert_int_equal(tp_engine_allowed_versions(e, &ids), 1);
    assert_int_equal(ids[0], 0x0303);
    assert_int_equal(tp_engine_allowed_groups(e, &ids), 1);
    assert_int_equal(ids[0], 24);
    assert_int_equal(tp_engine_allowed_suites(e, &ids), 1);
    assert_int_equal(ids[0], 0x002f);
    tp_engine_free(e);
}

static void test_handshake_failures(void **state)
{
    (void)state;
    static loop l;
    char err[256];

    /* no shared suite: server fails with a named error and alerts */
    memset(&l, 0, sizeof(l));
    tp_engine_config cfg = {.priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM"};
    tp_engine *e = tp_engine_new(&cfg, err, sizeof(err));
    assert_non_null(e);
    tp_transport t = transport_of(&l);
    tp_engine_conn *sc = tp_engine_conn_new(e, &t);
    client cl;
    client_open(&cl, &l, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-CBC", false);
    int crc;
    assert_int_equal(run_handshake(sc, &cl, &crc), TP_ENGINE_ERROR);
    assert_string_equal(tp_engine_conn_error_name(sc), "GNUTLS_E_NO_CIPHER_SUITES");
    assert_true(strlen(tp_engine_conn_error_text(sc)) > 0);
    assert_int_equal(crc, GNUTLS_E_FATAL_ALERT_RECEIVED); /* the alert went out */
    assert_int_equal(gnutls_alert_get(cl.s), GNUTLS_A_HANDSHAKE_FAILURE);
    client_close(&cl);
    tp_engine_conn_free(sc);

    /* client vanishes mid-handshake: EOF told apart by the error name */
    memset(&l, 0, sizeof(l));
    sc = tp_engine_conn_new(e, &t);
    client_open(&cl, &l, "NORMAL", false);
    assert_int_equal(gnutls_handshake(cl.s), GNUTLS_E_AGAIN); /* ClientHello sent */
    l.c2s.eof = true;
    tp_engine_rc rc;
    do
        rc = tp_engine_conn_handshake(sc);
    while (rc == TP_ENGINE_AGAIN && l.c2s.len > 0);
    assert_int_equal(rc, TP_ENGINE_EOF);
    assert_string_equal(tp_engine_conn_error_name(sc), "GNUTLS_E_PREMATURE_TERMINATION");
    client_close(&cl);
    tp_engine_conn_free(sc);

    /* a client that requires what the server will not give: client cert */
    tp_engine_free(e);
    tp_engine_config req = {.client_cert = TP_CLIENT_CERT_REQUIRE};
    e = tp_engine_new(&req, err, sizeof(err));
    memset(&l, 0, sizeof(l));
    sc = tp_engine_conn_new(e, &t);
    client_open(&cl, &l, "NORMAL:-VERS-ALL:+VERS-TLS1.2", false);
    assert_int_equal(run_handshake(sc, &cl, &crc), TP_ENGINE_ERROR);
    assert_string_equal(tp_engine_conn_error_name(sc), "GNUTLS_E_NO_CERTIFICATE_FOUND");
    client_close(&cl);
    tp_engine_conn_free(sc);
    tp_engine_free(e);

    /* garbage instead of a ClientHello */
    e = tp_engine_new(&(tp_engine_config){0}, err, sizeof(err));
    memset(&l, 0, sizeof(l));
    sc = tp_engine_conn_new(e, &t);
    memcpy(l.c2s.buf, "GET / HTTP/1.1\r\n\r\n", 18);
    l.c2s.len = 18;
    assert_int_equal(tp_engine_conn_handshake(sc), TP_ENGINE_ERROR);
    assert_true(strncmp(tp_engine_conn_error_name(sc), "GNUTLS_E_", 9) == 0);
    tp_engine_conn_free(sc);
    tp_engine_free(e);
}

/* Push-back: a large write through a transport that takes 700 bytes at a
 * time arrives complete and in order. */
static void test_write_pushback(void **state)
{
    (void)state;
    static loop l;
    memset(&l, 0, sizeof(l));
    char err[256];
    tp_engine *e = tp_engine_new(&(tp_engine_config){0}, err, sizeof(err));
    assert_non_null(e);
    tp_transport t = transport_of(&l);
    tp_engine_conn *sc = tp_engine_conn_new(e, &t);
    client cl;
    client_open(&cl, &l, "NORMAL:-VERS-ALL:+VERS-TLS1.2", false);
    int crc;
    assert_int_equal(run_handshake(sc, &cl, &crc), TP_ENGINE_OK);

    static uint8_t data[40000], got[40000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + 3);
    l.s2c.limit = 700;
    size_t have = 0;
    unsigned agains = 0;
    tp_engine_rc rc;
    while ((rc = tp_engine_conn_write(sc, data, sizeof(data))) == TP_ENGINE_AGAIN) {
        agains++;
        assert_true(tp_engine_conn_has_pending(sc));
        /* a different write while one is pending is refused */
        if (agains == 2) {
            assert_int_equal(tp_engine_conn_write(sc, data, 10), TP_ENGINE_ERROR);
            assert_string_equal(tp_engine_conn_error_name(sc), "TP_E_WRITE_MISMATCH");
        }
        /* the client drains what arrived */
        for (;;) {
            ssize_t r = gnutls_record_recv(cl.s, got + have, sizeof(got) - have);
            if (r == GNUTLS_E_AGAIN)
                break;
            if (r <= 0)
                fail_msg("client recv %zd %s after %zu bytes", r, gnutls_strerror((int)r), have);
            have += (size_t)r;
        }
        assert_true(agains < 10000);
    }
    assert_int_equal(rc, TP_ENGINE_OK);
    assert_false(tp_engine_conn_has_pending(sc));
    assert_true(agains > 10);
    l.s2c.limit = 0;
    while (have < sizeof(got)) {
        ssize_t r = gnutls_record_recv(cl.s, got + have, sizeof(got) - have);
        if (r == GNUTLS_E_AGAIN)
            break;
        assert_true(r > 0);
        have += (size_t)r;
    }
    assert_int_equal(have, sizeof(data));
    assert_memory_equal(got, data, sizeof(data));

    /* client drops without close_notify after the handshake */
    l.c2s.eof = true;
    uint8_t buf[16];
    size_t n;
    assert_int_equal(tp_engine_conn_read(sc, buf, sizeof(buf), &n), TP_ENGINE_EOF);
    assert_string_equal(tp_engine_conn_error_name(sc), "GNUTLS_E_PREMATURE_TERMINATION");

    client_close(&cl);
    tp_engine_conn_free(sc);
    tp_engine_free(e);
    tp_engine_conn_free(NULL);
    tp_engine_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_tables),
        cmocka_unit_test(test_list_parse),
        cmocka_unit_test(test_priority_default),
        cmocka_unit_test(test_priority_lists),
        cmocka_unit_test(test_priority_errors),
        cmocka_unit_test(test_formable),
        cmocka_unit_test(test_credentials_every_key_type),
        cmocka_unit_test(test_credentials_save_and_load),
        cmocka_unit_test(test_handshake_tls12),
        cmocka_unit_test(test_handshake_tls13),
        cmocka_unit_test(test_handshake_tls10_legacy),
        cmocka_unit_test(test_handshake_rc4_md5),
        cmocka_unit_test(test_handshake_client_cert),
        cmocka_unit_test(test_handshake_dhe_custom_params),
        cmocka_unit_test(test_handshake_tls13_dhe_combo),
        cmocka_unit_test(test_allowed_lists),
        cmocka_unit_test(test_handshake_failures),
        cmocka_unit_test(test_write_pushback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
