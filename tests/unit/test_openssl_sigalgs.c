/* The openssl engine's signature algorithm names (engine/openssl_sigalgs.c):
 * --sigalgs in GnuTLS's and OpenSSL's spellings into the list libssl takes
 * (each one checked against libssl itself), the error for a name it cannot
 * do, and the negotiated scheme named back as the gnutls engine names it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "engine/names.h"
#include "engine/openssl_int.h"
#include "engine/openssl_list.h"

/* Every --sigalgs name the gnutls engine takes: the openssl engine maps it
 * to a name libssl takes alone, or says why it cannot (RSA-MD5 only). */
static void test_every_gnutls_name(void **state)
{
    (void)state;
    const engine_name *t;
    unsigned n = engine_names(ENGINE_FLAG_SIGALGS, &t);
    assert_true(n >= 20);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    assert_non_null(ctx);
    unsigned cannot = 0;
    for (unsigned i = 0; i < n; i++) {
        const char *o = ossl_sigalg_ossl_name(t[i].name), *why = NULL;
        bool can = engine_ossl_negotiable(ENGINE_FLAG_SIGALGS, t[i].name, &why);
        if (!o) {
            assert_false(can);
            assert_non_null(why);
            assert_string_equal(t[i].name, "RSA-MD5");
            cannot++;
            continue;
        }
        assert_true(can);
        if (SSL_CTX_set1_sigalgs_list(ctx, o) != 1)
            fail_msg("%s -> %s: libssl rejects it", t[i].name, o);
    }
    assert_int_equal(cannot, 1);
    SSL_CTX_free(ctx);
}

static void test_spellings(void **state)
{
    (void)state;
    assert_string_equal(ossl_sigalg_ossl_name("RSA-PSS-RSAE-SHA256"), "rsa_pss_rsae_sha256");
    assert_string_equal(ossl_sigalg_ossl_name("RSA-PSS-SHA384"), "rsa_pss_pss_sha384");
    assert_string_equal(ossl_sigalg_ossl_name("ECDSA-SHA256"), "ecdsa_secp256r1_sha256");
    assert_string_equal(ossl_sigalg_ossl_name("ECDSA-SECP384R1-SHA384"), "ecdsa_secp384r1_sha384");
    assert_string_equal(ossl_sigalg_ossl_name("eddsa-ed25519"), "ed25519");
    assert_string_equal(ossl_sigalg_ossl_name("RSA-SHA1"), "rsa_pkcs1_sha1");
    assert_string_equal(ossl_sigalg_ossl_name("ECDSA-SHA1"), "ECDSA+SHA1");
    /* OpenSSL's own spellings */
    assert_string_equal(ossl_sigalg_ossl_name("rsa_pkcs1_sha256"), "rsa_pkcs1_sha256");
    assert_string_equal(ossl_sigalg_ossl_name("RSA+SHA384"), "rsa_pkcs1_sha384");
    assert_string_equal(ossl_sigalg_ossl_name("RSA-PSS+SHA512"), "rsa_pss_rsae_sha512");
    assert_string_equal(ossl_sigalg_ossl_name("ED448"), "ed448");
    assert_null(ossl_sigalg_ossl_name("RSA-SHA257"));
    assert_null(ossl_sigalg_ossl_name("RSA-MD5"));
}

static void test_list(void **state)
{
    (void)state;
    char out[512], err[2048];
    assert_int_equal(ossl_sigalgs_list("RSA-SHA256, ecdsa_secp384r1_sha384,EdDSA-Ed25519", out,
                                       sizeof out, err, sizeof err),
                     0);
    assert_string_equal(out, "rsa_pkcs1_sha256:ecdsa_secp384r1_sha384:ed25519");
    assert_int_equal(ossl_sigalgs_list("RSA-SHA256,RSA-MD5", out, sizeof out, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "--sigalgs RSA-SHA256,RSA-MD5: the openssl engine cannot sign "
                                "with sigalg 'RSA-MD5'"));
    assert_non_null(strstr(err, "takes: RSA-PSS-RSAE-SHA256, "));
    assert_non_null(strstr(err, "EdDSA-Ed25519"));
    assert_null(strstr(err, "RSA-MD5, ")); /* not among the valid ones */
    assert_int_equal(ossl_sigalgs_list("BOGUS", out, sizeof out, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown sigalg 'BOGUS'"));
    assert_non_null(strstr(err, "the openssl engine (OpenSSL 3"));
    assert_int_equal(ossl_sigalgs_list(",", out, sizeof out, err, sizeof err), -1);
    assert_non_null(strstr(err, "empty"));
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    assert_int_equal(ossl_sigalgs_apply(ctx, "ECDSA-SHA256,RSA-PSS-RSAE-SHA384", err, sizeof err),
                     0);
    SSL_CTX_free(ctx);
}

/* The negotiated scheme back in GnuTLS's names: ECDSA's codepoints have a
 * TLS 1.2 and a TLS 1.3 name. */
static void test_names_back(void **state)
{
    (void)state;
    assert_string_equal(ossl_sigalg_name(0x0403, true), "ECDSA-SECP256R1-SHA256");
    assert_string_equal(ossl_sigalg_name(0x0403, false), "ECDSA-SHA256");
    assert_string_equal(ossl_sigalg_name(0x0603, false), "ECDSA-SHA512");
    assert_string_equal(ossl_sigalg_name(0x0804, true), "RSA-PSS-RSAE-SHA256");
    assert_string_equal(ossl_sigalg_name(0x0804, false), "RSA-PSS-RSAE-SHA256");
    assert_string_equal(ossl_sigalg_name(0x0401, false), "RSA-SHA256");
    assert_string_equal(ossl_sigalg_name(0x0807, true), "EdDSA-Ed25519");
    assert_null(ossl_sigalg_name(0x1234, false));
}

/* The first shared scheme that fits the key and the hash libssl signed with. */
static void test_pick(void **state)
{
    (void)state;
    const uint16_t shared[] = {0x0403, 0x0401, 0x0804, 0x0809, 0x0807};
    unsigned n = sizeof shared / sizeof shared[0];
    assert_int_equal(ossl_sigalg_pick(shared, n, EVP_PKEY_RSA, NID_sha256, false), 1);
    assert_int_equal(ossl_sigalg_pick(shared, n, EVP_PKEY_RSA, NID_sha256, true), 2);
    assert_int_equal(ossl_sigalg_pick(shared, n, EVP_PKEY_RSA_PSS, NID_sha256, true), 3);
    assert_int_equal(ossl_sigalg_pick(shared, n, EVP_PKEY_EC, NID_sha256, true), 0);
    assert_int_equal(ossl_sigalg_pick(shared, n, EVP_PKEY_ED25519, NID_undef, false), 4);
    assert_int_equal(ossl_sigalg_pick(shared, n, EVP_PKEY_EC, NID_sha384, false), -1);
    assert_int_equal(ossl_sigalg_pick(shared, 0, EVP_PKEY_RSA, NID_sha256, false), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_gnutls_name), cmocka_unit_test(test_spellings),
        cmocka_unit_test(test_list),              cmocka_unit_test(test_names_back),
        cmocka_unit_test(test_pick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
