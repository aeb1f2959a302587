/* IANA registries (TLS parameters) with GnuTLS spelling for everything a
 * user can type.  The suite rows were derived from the registry as GnuTLS
 * 3.7 (`gnutls-cli -l`: ids, kx/cipher/mac, minimum version) and OpenSSL 3.0
 * (`openssl ciphers -stdname`: IANA names) report it, plus static-DH/ECDH,
 * ARIA, SEED, DES and EXPORT suites from the registry so that old clients'
 * offers read as names.  Kept sorted by id for binary search. */
#include <stddef.h>
#include <stdio.h>
#include <strings.h>

#include "iana.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* {id, iana, kx, cipher, mac, prf, family, min_version, tls13, export} */
/* One suite per line reads and diffs best. */
/* clang-format off */
static const wire_suite suite_rows[] = {
    {0x0001, "TLS_RSA_WITH_NULL_MD5", "RSA", "NULL", "MD5", "SHA256", WIRE_KX_RSA, 0x0301, false, false},
    {0x0002, "TLS_RSA_WITH_NULL_SHA", "RSA", "NULL", "SHA1", "SHA256", WIRE_KX_RSA, 0x0301, false, false},
    {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "RSA-EXPORT", "ARCFOUR-40", "MD5", "SHA256", WIRE_KX_RSA, 0x0300, false, true},
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RSA", "ARCFOUR-128", "MD5", "SHA256", WIRE_KX_RSA, 0x0301, false, false},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RSA", "ARCFOUR-128", "SHA1", "SHA256", WIRE_KX_RSA, 0x0301, false, false},
    {0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "RSA-EXPORT", "RC2-40-CBC", "MD5", "SHA256", WIRE_KX_RSA, 0x0300, false, true},
    {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "RSA", "IDEA-CBC", "SHA1", "SHA256", WIRE_KX_RSA, 0x0300, false, false},
    {0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "RSA-EXPORT", "DES-40-CBC", "SHA1", "SHA256", WIRE_KX_RSA, 0x0300, false, true},
    {0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "RSA", "DES-CBC", "SHA1", "SHA256", WIRE_KX_RSA, 0x0300, false, false},
    {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "RSA", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_RSA, 0x0301, false, false},
    {0x000b, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", "DH-DSS-EXPORT", "DES-40-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, true},
    {0x000c, "TLS_DH_DSS_WITH_DES_CBC_SHA", "DH-DSS", "DES-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x000d, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", "DH-DSS", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x000e, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", "DH-RSA-EXPORT", "DES-40-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, true},
    {0x000f, "TLS_DH_RSA_WITH_DES_CBC_SHA", "DH-RSA", "DES-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", "DH-RSA", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", "DHE-DSS-EXPORT", "DES-40-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0300, false, true},
    {0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", "DHE-DSS", "DES-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0300, false, false},
    {0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "DHE-DSS", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "DHE-RSA-EXPORT", "DES-40-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0300, false, true},
    {0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", "DHE-RSA", "DES-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0300, false, false},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "DHE-RSA", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", "ANON-DH-EXPORT", "ARCFOUR-40", "MD5", "SHA256", WIRE_KX_DHE, 0x0300, false, true},
    {0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ANON-DH", "ARCFOUR-128", "MD5", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", "ANON-DH-EXPORT", "DES-40-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0300, false, true},
    {0x001a, "TLS_DH_anon_WITH_DES_CBC_SHA", "ANON-DH", "DES-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0300, false, false},
    {0x001b, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "ANON-DH", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x002c, "TLS_PSK_WITH_NULL_SHA", "PSK", "NULL", "SHA1", "SHA256", WIRE_KX_PSK, 0x0301, false, false},
    {0x002d, "TLS_DHE_PSK_WITH_NULL_SHA", "DHE-PSK", "NULL", "SHA1", "SHA256", WIRE_KX_DHE_PSK, 0x0301, false, false},
    {0x002e, "TLS_RSA_PSK_WITH_NULL_SHA", "RSA-PSK", "NULL", "SHA1", "SHA256", WIRE_KX_RSA_PSK, 0x0301, false, false},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_RSA, 0x0301, false, false},
    {0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", "DH-DSS", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "DH-RSA", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ANON-DH", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_RSA, 0x0301, false, false},
    {0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", "DH-DSS", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", "DH-RSA", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "DHE-DSS", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA", "ANON-DH", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x003b, "TLS_RSA_WITH_NULL_SHA256", "RSA", "NULL", "SHA256", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", "RSA", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", "RSA", "AES-256-CBC", "SHA256", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0x003e, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", "DH-DSS", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0x003f, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", "DH-RSA", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "DHE-DSS", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "RSA", "CAMELLIA-128-CBC", "SHA1", "SHA256", WIRE_KX_RSA, 0x0301, false, false},
    {0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", "DH-DSS", "CAMELLIA-128-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", "DH-RSA", "CAMELLIA-128-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", "DHE-DSS", "CAMELLIA-128-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", "DHE-RSA", "CAMELLIA-128-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", "ANON-DH", "CAMELLIA-128-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5", "RSA-EXPORT", "ARCFOUR-56", "MD5", "SHA256", WIRE_KX_RSA, 0x0300, false, true},
    {0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5", "RSA-EXPORT", "RC2-56-CBC", "MD5", "SHA256", WIRE_KX_RSA, 0x0300, false, true},
    {0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", "RSA-EXPORT", "DES-CBC", "SHA1", "SHA256", WIRE_KX_RSA, 0x0300, false, true},
    {0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", "DHE-DSS-EXPORT", "DES-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0300, false, true},
    {0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", "RSA-EXPORT", "ARCFOUR-56", "SHA1", "SHA256", WIRE_KX_RSA, 0x0300, false, true},
    {0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", "DHE-DSS-EXPORT", "ARCFOUR-56", "SHA1", "SHA256", WIRE_KX_DHE, 0x0300, false, true},
    {0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA", "DHE-DSS", "ARCFOUR-128", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", "DH-DSS", "AES-256-CBC", "SHA256", "SHA256", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", "DH-RSA", "AES-256-CBC", "SHA256", "SHA256", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "DHE-DSS", "AES-256-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA", "AES-256-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", "ANON-DH", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", "ANON-DH", "AES-256-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "RSA", "CAMELLIA-256-CBC", "SHA1", "SHA256", WIRE_KX_RSA, 0x0301, false, false},
    {0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", "DH-DSS", "CAMELLIA-256-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", "DH-RSA", "CAMELLIA-256-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", "DHE-DSS", "CAMELLIA-256-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", "DHE-RSA", "CAMELLIA-256-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", "ANON-DH", "CAMELLIA-256-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0301, false, false},
    {0x008a, "TLS_PSK_WITH_RC4_128_SHA", "PSK", "ARCFOUR-128", "SHA1", "SHA256", WIRE_KX_PSK, 0x0301, false, false},
    {0x008b, "TLS_PSK_WITH_3DES_EDE_CBC_SHA", "PSK", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_PSK, 0x0301, false, false},
    {0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_PSK, 0x0301, false, false},
    {0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA", "PSK", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_PSK, 0x0301, false, false},
    {0x008e, "TLS_DHE_PSK_WITH_RC4_128_SHA", "DHE-PSK", "ARCFOUR-128", "SHA1", "SHA256", WIRE_KX_DHE_PSK, 0x0301, false, false},
    {0x008f, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA", "DHE-PSK", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_DHE_PSK, 0x0301, false, false},
    {0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA", "DHE-PSK", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_DHE_PSK, 0x0301, false, false},
    {0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA", "DHE-PSK", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_DHE_PSK, 0x0301, false, false},
    {0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA", "RSA-PSK", "ARCFOUR-128", "SHA1", "SHA256", WIRE_KX_RSA_PSK, 0x0301, false, false},
    {0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA", "RSA-PSK", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_RSA_PSK, 0x0301, false, false},
    {0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", "RSA-PSK", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_RSA_PSK, 0x0301, false, false},
    {0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA", "RSA-PSK", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_RSA_PSK, 0x0301, false, false},
    {0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "RSA", "SEED-CBC", "SHA1", "SHA256", WIRE_KX_RSA, 0x0300, false, false},
    {0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", "DHE-DSS", "SEED-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0300, false, false},
    {0x009a, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "DHE-RSA", "SEED-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0300, false, false},
    {0x009b, "TLS_DH_anon_WITH_SEED_CBC_SHA", "ANON-DH", "SEED-CBC", "SHA1", "SHA256", WIRE_KX_DHE, 0x0300, false, false},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_RSA, 0x0303, false, false},
    {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_DHE, 0x0303, false, false},
    {0x00a0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", "DH-RSA", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0x00a1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", "DH-RSA", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "DHE-DSS", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "DHE-DSS", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_DHE, 0x0303, false, false},
    {0x00a4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", "DH-DSS", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0x00a5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", "DH-DSS", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0x00a6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", "ANON-DH", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x00a7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", "ANON-DH", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_DHE, 0x0303, false, false},
    {0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256", "PSK", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_PSK, 0x0303, false, false},
    {0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384", "PSK", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_PSK, 0x0303, false, false},
    {0x00aa, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", "DHE-PSK", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0x00ab, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", "DHE-PSK", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0x00ac, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", "RSA-PSK", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0x00ad, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384", "RSA-PSK", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0x00ae, "TLS_PSK_WITH_AES_128_CBC_SHA256", "PSK", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_PSK, 0x0303, false, false},
    {0x00af, "TLS_PSK_WITH_AES_256_CBC_SHA384", "PSK", "AES-256-CBC", "SHA384", "SHA384", WIRE_KX_PSK, 0x0303, false, false},
    {0x00b0, "TLS_PSK_WITH_NULL_SHA256", "PSK", "NULL", "SHA256", "SHA256", WIRE_KX_PSK, 0x0303, false, false},
    {0x00b1, "TLS_PSK_WITH_NULL_SHA384", "PSK", "NULL", "SHA384", "SHA384", WIRE_KX_PSK, 0x0303, false, false},
    {0x00b2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256", "DHE-PSK", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0x00b3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384", "DHE-PSK", "AES-256-CBC", "SHA384", "SHA384", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0x00b4, "TLS_DHE_PSK_WITH_NULL_SHA256", "DHE-PSK", "NULL", "SHA256", "SHA256", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0x00b5, "TLS_DHE_PSK_WITH_NULL_SHA384", "DHE-PSK", "NULL", "SHA384", "SHA384", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0x00b6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256", "RSA-PSK", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0x00b7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384", "RSA-PSK", "AES-256-CBC", "SHA384", "SHA384", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0x00b8, "TLS_RSA_PSK_WITH_NULL_SHA256", "RSA-PSK", "NULL", "SHA256", "SHA256", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0x00b9, "TLS_RSA_PSK_WITH_NULL_SHA384", "RSA-PSK", "NULL", "SHA384", "SHA384", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0x00ba, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", "RSA", "CAMELLIA-128-CBC", "SHA256", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0x00bd, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DHE-DSS", "CAMELLIA-128-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x00be, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DHE-RSA", "CAMELLIA-128-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x00bf, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", "ANON-DH", "CAMELLIA-128-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x00c0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", "RSA", "CAMELLIA-256-CBC", "SHA256", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0x00c3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DHE-DSS", "CAMELLIA-256-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x00c4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DHE-RSA", "CAMELLIA-256-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x00c5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", "ANON-DH", "CAMELLIA-256-CBC", "SHA256", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0x1301, "TLS_AES_128_GCM_SHA256", NULL, "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_TLS13, 0x0304, true, false},
    {0x1302, "TLS_AES_256_GCM_SHA384", NULL, "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_TLS13, 0x0304, true, false},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", NULL, "CHACHA20-POLY1305", "AEAD", "SHA256", WIRE_KX_TLS13, 0x0304, true, false},
    {0x1304, "TLS_AES_128_CCM_SHA256", NULL, "AES-128-CCM", "AEAD", "SHA256", WIRE_KX_TLS13, 0x0304, true, false},
    {0x1305, "TLS_AES_128_CCM_8_SHA256", NULL, "AES-128-CCM-8", "AEAD", "SHA256", WIRE_KX_TLS13, 0x0304, true, false},
    {0xc001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", "ECDH-ECDSA", "NULL", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0xc002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", "ECDH-ECDSA", "ARCFOUR-128", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0xc003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDH-ECDSA", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0xc004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "ECDH-ECDSA", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0xc005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "ECDH-ECDSA", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0xc006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "ECDHE-ECDSA", "NULL", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA", "ARCFOUR-128", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-ECDSA", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc00b, "TLS_ECDH_RSA_WITH_NULL_SHA", "ECDH-RSA", "NULL", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0xc00c, "TLS_ECDH_RSA_WITH_RC4_128_SHA", "ECDH-RSA", "ARCFOUR-128", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0xc00d, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", "ECDH-RSA", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0xc00e, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "ECDH-RSA", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0xc00f, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", "ECDH-RSA", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_UNKNOWN, 0x0300, false, false},
    {0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA", "ECDHE-RSA", "NULL", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA", "ARCFOUR-128", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc015, "TLS_ECDH_anon_WITH_NULL_SHA", "ANON-ECDH", "NULL", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA", "ANON-ECDH", "ARCFOUR-128", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", "ANON-ECDH", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "ANON-ECDH", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "ANON-ECDH", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE, 0x0301, false, false},
    {0xc01a, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", "SRP", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_SRP, 0x0301, false, false},
    {0xc01b, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA", "SRP-RSA", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_SRP, 0x0301, false, false},
    {0xc01c, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA", "SRP-DSS", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_SRP, 0x0301, false, false},
    {0xc01d, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA", "SRP", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_SRP, 0x0301, false, false},
    {0xc01e, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", "SRP-RSA", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_SRP, 0x0301, false, false},
    {0xc01f, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA", "SRP-DSS", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_SRP, 0x0301, false, false},
    {0xc020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA", "SRP", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_SRP, 0x0301, false, false},
    {0xc021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA", "SRP-RSA", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_SRP, 0x0301, false, false},
    {0xc022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA", "SRP-DSS", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_SRP, 0x0301, false, false},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA", "AES-256-CBC", "SHA384", "SHA384", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", "ECDH-ECDSA", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0xc026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", "ECDH-ECDSA", "AES-256-CBC", "SHA384", "SHA384", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA", "AES-256-CBC", "SHA384", "SHA384", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", "ECDH-RSA", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0xc02a, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", "ECDH-RSA", "AES-256-CBC", "SHA384", "SHA384", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc02d, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "ECDH-ECDSA", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0xc02e, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", "ECDH-ECDSA", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "ECDH-RSA", "AES-128-GCM", "AEAD", "SHA256", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0xc032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", "ECDH-RSA", "AES-256-GCM", "AEAD", "SHA384", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0xc033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA", "ECDHE-PSK", "ARCFOUR-128", "SHA1", "SHA256", WIRE_KX_ECDHE_PSK, 0x0301, false, false},
    {0xc034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", "ECDHE-PSK", "3DES-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE_PSK, 0x0301, false, false},
    {0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE-PSK", "AES-128-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE_PSK, 0x0301, false, false},
    {0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", "ECDHE-PSK", "AES-256-CBC", "SHA1", "SHA256", WIRE_KX_ECDHE_PSK, 0x0301, false, false},
    {0xc037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", "ECDHE-PSK", "AES-128-CBC", "SHA256", "SHA256", WIRE_KX_ECDHE_PSK, 0x0303, false, false},
    {0xc038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", "ECDHE-PSK", "AES-256-CBC", "SHA384", "SHA384", WIRE_KX_ECDHE_PSK, 0x0303, false, false},
    {0xc039, "TLS_ECDHE_PSK_WITH_NULL_SHA", "ECDHE-PSK", "NULL", "SHA1", "SHA256", WIRE_KX_ECDHE_PSK, 0x0301, false, false},
    {0xc03a, "TLS_ECDHE_PSK_WITH_NULL_SHA256", "ECDHE-PSK", "NULL", "SHA256", "SHA256", WIRE_KX_ECDHE_PSK, 0x0303, false, false},
    {0xc03b, "TLS_ECDHE_PSK_WITH_NULL_SHA384", "ECDHE-PSK", "NULL", "SHA384", "SHA384", WIRE_KX_ECDHE_PSK, 0x0301, false, false},
    {0xc050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", "RSA", "ARIA-128-GCM", "AEAD", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0xc051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", "RSA", "ARIA-256-GCM", "AEAD", "SHA384", WIRE_KX_RSA, 0x0303, false, false},
    {0xc052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", "DHE-RSA", "ARIA-128-GCM", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0xc053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", "DHE-RSA", "ARIA-256-GCM", "AEAD", "SHA384", WIRE_KX_DHE, 0x0303, false, false},
    {0xc056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", "DHE-DSS", "ARIA-128-GCM", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0xc057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", "DHE-DSS", "ARIA-256-GCM", "AEAD", "SHA384", WIRE_KX_DHE, 0x0303, false, false},
    {0xc05c, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ECDSA", "ARIA-128-GCM", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc05d, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ECDSA", "ARIA-256-GCM", "AEAD", "SHA384", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-RSA", "ARIA-128-GCM", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-RSA", "ARIA-256-GCM", "AEAD", "SHA384", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc06a, "TLS_PSK_WITH_ARIA_128_GCM_SHA256", "PSK", "ARIA-128-GCM", "AEAD", "SHA256", WIRE_KX_PSK, 0x0303, false, false},
    {0xc06b, "TLS_PSK_WITH_ARIA_256_GCM_SHA384", "PSK", "ARIA-256-GCM", "AEAD", "SHA384", WIRE_KX_PSK, 0x0303, false, false},
    {0xc06c, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256", "DHE-PSK", "ARIA-128-GCM", "AEAD", "SHA256", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0xc06d, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384", "DHE-PSK", "ARIA-256-GCM", "AEAD", "SHA384", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0xc06e, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256", "RSA-PSK", "ARIA-128-GCM", "AEAD", "SHA256", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0xc06f, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384", "RSA-PSK", "ARIA-256-GCM", "AEAD", "SHA384", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0xc072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-ECDSA", "CAMELLIA-128-CBC", "SHA256", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-ECDSA", "CAMELLIA-256-CBC", "SHA384", "SHA384", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-RSA", "CAMELLIA-128-CBC", "SHA256", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-RSA", "CAMELLIA-256-CBC", "SHA384", "SHA384", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc07a, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", "RSA", "CAMELLIA-128-GCM", "AEAD", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0xc07b, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", "RSA", "CAMELLIA-256-GCM", "AEAD", "SHA384", WIRE_KX_RSA, 0x0303, false, false},
    {0xc07c, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", "DHE-RSA", "CAMELLIA-128-GCM", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0xc07d, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", "DHE-RSA", "CAMELLIA-256-GCM", "AEAD", "SHA384", WIRE_KX_DHE, 0x0303, false, false},
    {0xc080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256", "DHE-DSS", "CAMELLIA-128-GCM", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0xc081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384", "DHE-DSS", "CAMELLIA-256-GCM", "AEAD", "SHA384", WIRE_KX_DHE, 0x0303, false, false},
    {0xc084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256", "ANON-DH", "CAMELLIA-128-GCM", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0xc085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384", "ANON-DH", "CAMELLIA-256-GCM", "AEAD", "SHA384", WIRE_KX_DHE, 0x0303, false, false},
    {0xc086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", "ECDHE-ECDSA", "CAMELLIA-128-GCM", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", "ECDHE-ECDSA", "CAMELLIA-256-GCM", "AEAD", "SHA384", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc08a, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", "ECDHE-RSA", "CAMELLIA-128-GCM", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc08b, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", "ECDHE-RSA", "CAMELLIA-256-GCM", "AEAD", "SHA384", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc08e, "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256", "PSK", "CAMELLIA-128-GCM", "AEAD", "SHA256", WIRE_KX_PSK, 0x0303, false, false},
    {0xc08f, "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384", "PSK", "CAMELLIA-256-GCM", "AEAD", "SHA384", WIRE_KX_PSK, 0x0303, false, false},
    {0xc090, "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256", "DHE-PSK", "CAMELLIA-128-GCM", "AEAD", "SHA256", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0xc091, "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384", "DHE-PSK", "CAMELLIA-256-GCM", "AEAD", "SHA384", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0xc092, "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256", "RSA-PSK", "CAMELLIA-128-GCM", "AEAD", "SHA256", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0xc093, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384", "RSA-PSK", "CAMELLIA-256-GCM", "AEAD", "SHA384", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0xc094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256", "PSK", "CAMELLIA-128-CBC", "SHA256", "SHA256", WIRE_KX_PSK, 0x0303, false, false},
    {0xc095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384", "PSK", "CAMELLIA-256-CBC", "SHA384", "SHA384", WIRE_KX_PSK, 0x0303, false, false},
    {0xc096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "DHE-PSK", "CAMELLIA-128-CBC", "SHA256", "SHA256", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0xc097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "DHE-PSK", "CAMELLIA-256-CBC", "SHA384", "SHA384", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0xc098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256", "RSA-PSK", "CAMELLIA-128-CBC", "SHA256", "SHA256", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0xc099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384", "RSA-PSK", "CAMELLIA-256-CBC", "SHA384", "SHA384", WIRE_KX_RSA_PSK, 0x0303, false, false},
    {0xc09a, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-PSK", "CAMELLIA-128-CBC", "SHA256", "SHA256", WIRE_KX_ECDHE_PSK, 0x0303, false, false},
    {0xc09b, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-PSK", "CAMELLIA-256-CBC", "SHA384", "SHA384", WIRE_KX_ECDHE_PSK, 0x0303, false, false},
    {0xc09c, "TLS_RSA_WITH_AES_128_CCM", "RSA", "AES-128-CCM", "AEAD", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0xc09d, "TLS_RSA_WITH_AES_256_CCM", "RSA", "AES-256-CCM", "AEAD", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM", "DHE-RSA", "AES-128-CCM", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM", "DHE-RSA", "AES-256-CCM", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8", "RSA", "AES-128-CCM-8", "AEAD", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8", "RSA", "AES-256-CCM-8", "AEAD", "SHA256", WIRE_KX_RSA, 0x0303, false, false},
    {0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", "DHE-RSA", "AES-128-CCM-8", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", "DHE-RSA", "AES-256-CCM-8", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0xc0a4, "TLS_PSK_WITH_AES_128_CCM", "PSK", "AES-128-CCM", "AEAD", "SHA256", WIRE_KX_PSK, 0x0303, false, false},
    {0xc0a5, "TLS_PSK_WITH_AES_256_CCM", "PSK", "AES-256-CCM", "AEAD", "SHA256", WIRE_KX_PSK, 0x0303, false, false},
    {0xc0a6, "TLS_DHE_PSK_WITH_AES_128_CCM", "DHE-PSK", "AES-128-CCM", "AEAD", "SHA256", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0xc0a7, "TLS_DHE_PSK_WITH_AES_256_CCM", "DHE-PSK", "AES-256-CCM", "AEAD", "SHA256", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0xc0a8, "TLS_PSK_WITH_AES_128_CCM_8", "PSK", "AES-128-CCM-8", "AEAD", "SHA256", WIRE_KX_PSK, 0x0303, false, false},
    {0xc0a9, "TLS_PSK_WITH_AES_256_CCM_8", "PSK", "AES-256-CCM-8", "AEAD", "SHA256", WIRE_KX_PSK, 0x0303, false, false},
    {0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE-PSK", "AES-128-CCM-8", "AEAD", "SHA256", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0xc0ab, "TLS_PSK_DHE_WITH_AES_256_CCM_8", "DHE-PSK", "AES-256-CCM-8", "AEAD", "SHA256", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE-ECDSA", "AES-128-CCM", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "ECDHE-ECDSA", "AES-256-CCM", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA", "AES-128-CCM-8", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", "ECDHE-ECDSA", "AES-256-CCM-8", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xc102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT", "VKO-GOST-12", "GOST28147-TC26Z-CNT", "GOST28147-TC26Z-IMIT", "STREEBOG-256", WIRE_KX_UNKNOWN, 0x0303, false, false},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD", "SHA256", WIRE_KX_ECDHE, 0x0303, false, false},
    {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA", "CHACHA20-POLY1305", "AEAD", "SHA256", WIRE_KX_DHE, 0x0303, false, false},
    {0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", "PSK", "CHACHA20-POLY1305", "AEAD", "SHA256", WIRE_KX_PSK, 0x0303, false, false},
    {0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-PSK", "CHACHA20-POLY1305", "AEAD", "SHA256", WIRE_KX_ECDHE_PSK, 0x0303, false, false},
    {0xccad, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "DHE-PSK", "CHACHA20-POLY1305", "AEAD", "SHA256", WIRE_KX_DHE_PSK, 0x0303, false, false},
    {0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", "RSA-PSK", "CHACHA20-POLY1305", "AEAD", "SHA256", WIRE_KX_RSA_PSK, 0x0303, false, false},
};
/* clang-format on */

const wire_suite *wire_suite_table(unsigned *out_n)
{
    if (out_n)
        *out_n = (unsigned)N_ELEMS(suite_rows);
    return suite_rows;
}

const wire_suite *wire_suite_find(uint16_t id)
{
    size_t lo = 0, hi = N_ELEMS(suite_rows);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (suite_rows[mid].id == id)
            return &suite_rows[mid];
        if (suite_rows[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* RFC 8701 2: both bytes equal and of the form 0x?A */
bool wire_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

const char *wire_suite_name(uint16_t id)
{
    const wire_suite *s = wire_suite_find(id);
    if (s)
        return s->iana;
    if (id == 0x00ff)
        return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"; /* RFC 5746 3.3 */
    if (id == 0x5600)
        return "TLS_FALLBACK_SCSV"; /* RFC 7507 */
    if (wire_is_grease(id))
        return "GREASE";
    return NULL;
}

typedef struct {
    uint32_t id;
    const char *name;
} name_row;

static const char *name_lookup(const name_row *rows, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].id == id)
            return rows[i].name;
    return NULL;
}

static bool name_reverse(const name_row *rows, size_t n, const char *name, uint16_t *out)
{
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(rows[i].name, name) == 0) {
            *out = (uint16_t)rows[i].id;
            return true;
        }
    }
    *out = 0;
    return false;
}

const char *wire_sslv2_cipher_name(uint32_t spec)
{
    static const name_row rows[] = {
        {0x010080, "SSL_CK_RC4_128_WITH_MD5"},
        {0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5"},
        {0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5"},
        {0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"},
        {0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5"},
        {0x060040, "SSL_CK_DES_64_CBC_WITH_MD5"},
        {0x0700c0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"},
    };
    if ((spec >> 16) == 0)
        return wire_suite_name((uint16_t)spec);
    return name_lookup(rows, N_ELEMS(rows), spec);
}

/* IANA "TLS ExtensionType Values": the names of the types tlsprobe does not
 * decode (ext_desc.c names the others in their descriptor rows) */
static const name_row ext_rows[] = {
    {2, "client_certificate_url"},
    {3, "trusted_ca_keys"},
    {4, "truncated_hmac"},
    {6, "user_mapping"},
    {7, "client_authz"},
    {8, "server_authz"},
    {9, "cert_type"},
    {12, "srp"},
    {14, "use_srtp"},
    {15, "heartbeat"},
    {17, "status_request_v2"},
    {18, "signed_certificate_timestamp"},
    {19, "client_certificate_type"},
    {20, "server_certificate_type"},
    {24, "token_binding"},
    {25, "cached_info"},
    {26, "tls_lts"},
    {27, "compress_certificate"},
    {29, "pwd_protect"},
    {30, "pwd_clear"},
    {31, "password_salt"},
    {32, "ticket_pinning"},
    {33, "tls_cert_with_extern_psk"},
    {34, "delegated_credential"},
    {36, "TLMSP"},
    {37, "TLMSP_proxying"},
    {38, "TLMSP_delegate"},
    {39, "supported_ekt_ciphers"},
    {47, "certificate_authorities"},
    {48, "oid_filters"},
    {52, "transparency_info"},
    {53, "connection_id_deprecated"},
    {54, "connection_id"},
    {55, "external_id_hash"},
    {56, "external_session_id"},
    {57, "quic_transport_parameters"},
    {58, "ticket_request"},
    {59, "dnssec_chain"},
    {60, "sequence_number_encryption_algorithms"},
    {61, "rrc"},
    /* widely deployed, not (or no longer) in the registry */
    {13172, "next_protocol_negotiation"},
    {17513, "application_settings"},
    {17613, "application_settings"},
    {30031, "channel_id_old"},
    {30032, "channel_id"},
    {65037, "encrypted_client_hello"},
};

const char *wire_ext_registry_name(uint16_t type)
{
    return name_lookup(ext_rows, N_ELEMS(ext_rows), type);
}

/* RFC 8422 5.1.2 */
const char *wire_point_format_name(uint16_t format)
{
    static const name_row rows[] = {
        {0, "uncompressed"},
        {1, "ansiX962_compressed_prime"},
        {2, "ansiX962_compressed_char2"},
    };
    return name_lookup(rows, N_ELEMS(rows), format);
}

/* RFC 8446 4.2.9 */
const char *wire_psk_mode_name(uint16_t mode)
{
    static const name_row rows[] = {
        {0, "psk_ke"},
        {1, "psk_dhe_ke"},
    };
    return name_lookup(rows, N_ELEMS(rows), mode);
}

/* IANA "TLS Supported Groups"; GnuTLS spelling where GnuTLS has the group */
static const name_row group_rows[] = {
    {1, "sect163k1"},
    {2, "sect163r1"},
    {3, "sect163r2"},
    {4, "sect193r1"},
    {5, "sect193r2"},
    {6, "sect233k1"},
    {7, "sect233r1"},
    {8, "sect239k1"},
    {9, "sect283k1"},
    {10, "sect283r1"},
    {11, "sect409k1"},
    {12, "sect409r1"},
    {13, "sect571k1"},
    {14, "sect571r1"},
    {15, "secp160k1"},
    {16, "secp160r1"},
    {17, "secp160r2"},
    {18, "secp192k1"},
    {19, "SECP192R1"},
    {20, "secp224k1"},
    {21, "SECP224R1"},
    {22, "secp256k1"},
    {23, "SECP256R1"},
    {24, "SECP384R1"},
    {25, "SECP521R1"},
    {26, "brainpoolP256r1"},
    {27, "brainpoolP384r1"},
    {28, "brainpoolP512r1"},
    {29, "X25519"},
    {30, "X448"},
    {31, "brainpoolP256r1tls13"},
    {32, "brainpoolP384r1tls13"},
    {33, "brainpoolP512r1tls13"},
    {34, "GC256A"},
    {35, "GC256B"},
    {36, "GC256C"},
    {37, "GC256D"},
    {38, "GC512A"},
    {39, "GC512B"},
    {40, "GC512C"},
    {41, "curveSM2"},
    {256, "FFDHE2048"},
    {257, "FFDHE3072"},
    {258, "FFDHE4096"},
    {259, "FFDHE6144"},
    {260, "FFDHE8192"},
    {512, "MLKEM512"},
    {513, "MLKEM768"},
    {514, "MLKEM1024"},
    {4587, "SecP256r1MLKEM768"},
    {4588, "X25519MLKEM768"},
    {4589, "SecP384r1MLKEM1024"},
    {25497, "X25519Kyber768Draft00"},
    {65281, "arbitrary_explicit_prime_curves"},
    {65282, "arbitrary_explicit_char2_curves"},
};

const char *wire_group_name(uint16_t group)
{
    if (wire_is_grease(group))
        return "GREASE";
    return name_lookup(group_rows, N_ELEMS(group_rows), group);
}

bool wire_group_by_name(const char *name, uint16_t *out_group)
{
    return name_reverse(group_rows, N_ELEMS(group_rows), name, out_group);
}

/* IANA "TLS SignatureScheme" (and the RFC 5246 hash/signature pairs) */
static const name_row sigalg_rows[] = {
    {0x0101, "RSA-MD5"},
    {0x0201, "RSA-SHA1"},
    {0x0202, "DSA-SHA1"},
    {0x0203, "ECDSA-SHA1"},
    {0x0301, "RSA-SHA224"},
    {0x0302, "DSA-SHA224"},
    {0x0303, "ECDSA-SHA224"},
    {0x0401, "RSA-SHA256"},
    {0x0402, "DSA-SHA256"},
    {0x0403, "ECDSA-SECP256R1-SHA256"},
    {0x0501, "RSA-SHA384"},
    {0x0502, "DSA-SHA384"},
    {0x0503, "ECDSA-SECP384R1-SHA384"},
    {0x0601, "RSA-SHA512"},
    {0x0602, "DSA-SHA512"},
    {0x0603, "ECDSA-SECP521R1-SHA512"},
    {0x0708, "ECDSA-SM2-SM3"},
    {0x0709, "GOSTR341012-256A"},
    {0x070a, "GOSTR341012-256B"},
    {0x070b, "GOSTR341012-256C"},
    {0x070c, "GOSTR341012-256D"},
    {0x070d, "GOSTR341012-512A"},
    {0x070e, "GOSTR341012-512B"},
    {0x070f, "GOSTR341012-512C"},
    {0x0804, "RSA-PSS-RSAE-SHA256"},
    {0x0805, "RSA-PSS-RSAE-SHA384"},
    {0x0806, "RSA-PSS-RSAE-SHA512"},
    {0x0807, "EdDSA-Ed25519"},
    {0x0808, "EdDSA-Ed448"},
    {0x0809, "RSA-PSS-SHA256"},
    {0x080a, "RSA-PSS-SHA384"},
    {0x080b, "RSA-PSS-SHA512"},
    {0x081a, "ECDSA-BRAINPOOLP256R1TLS13-SHA256"},
    {0x081b, "ECDSA-BRAINPOOLP384R1TLS13-SHA384"},
    {0x081c, "ECDSA-BRAINPOOLP512R1TLS13-SHA512"},
    {0x0904, "MLDSA44"},
    {0x0905, "MLDSA65"},
    {0x0906, "MLDSA87"},
};

const char *wire_sigalg_name(uint16_t scheme)
{
    if (wire_is_grease(scheme))
        return "GREASE";
    return name_lookup(sigalg_rows, N_ELEMS(sigalg_rows), scheme);
}

bool wire_sigalg_by_name(const char *name, uint16_t *out_scheme)
{
    return name_reverse(sigalg_rows, N_ELEMS(sigalg_rows), name, out_scheme);
}

/* IANA "TLS Compression Method Identifiers" */
const char *wire_compression_name(uint8_t m)
{
    switch (m) {
    case 0:
        return "NULL";
    case 1:
        return "DEFLATE";
    case 64:
        return "LZS";
    default:
        return NULL;
    }
}

size_t wire_names_join(char *out, size_t out_len, const uint16_t *ids, unsigned n,
                       const char *sep, const char *(*name)(uint16_t))
{
    size_t used = 0;
    if (out_len == 0)
        return 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        const char *known = name(ids[i]);
        char num[12];
        snprintf(num, sizeof num, "0x%04x", ids[i]);
        int w = snprintf(out + used, out_len - used, "%s%s", i ? sep : "", known ? known : num);
        if (w < 0 || (size_t)w >= out_len - used) {
            out[used] = '\0';
            return used;
        }
        used += (size_t)w;
    }
    return used;
}
