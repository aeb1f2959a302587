/* IANA registries tlsprobe names things from: cipher suites, extensions,
 * groups, signature schemes, alerts.  Names use GnuTLS spelling wherever a
 * user can type them (protocol "TLS1.2", kx "ECDHE-RSA", cipher
 * "AES-128-GCM", mac "SHA256", group "X25519", sigalg "RSA-PSS-RSAE-SHA256"),
 * so the trace, `tlsprobe list` and the command line agree. */
#ifndef TP_WIRE_IANA_H
#define TP_WIRE_IANA_H

#include <stdbool.h>
#include <stdint.h>

#include "handshake.h"

typedef struct {
    uint16_t id;
    const char *iana;   /* "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
    const char *kx;     /* "RSA","DHE-RSA","DHE-DSS","ECDHE-RSA","ECDHE-ECDSA",
                           "ANON-DH","ANON-ECDH","PSK","DHE-PSK","ECDHE-PSK",
                           "RSA-PSK","SRP","SRP-RSA","SRP-DSS"; NULL for TLS 1.3 suites */
    const char *cipher; /* "AES-128-CBC","AES-256-CBC","3DES-CBC","ARCFOUR-128",
                           "CAMELLIA-128-CBC","CAMELLIA-256-CBC","AES-128-GCM",
                           "AES-256-GCM","AES-128-CCM","AES-256-CCM","AES-128-CCM-8",
                           "AES-256-CCM-8","CHACHA20-POLY1305","NULL", ... */
    const char *mac;    /* "SHA1","SHA256","SHA384","MD5" or "AEAD" */
    const char *prf;    /* "SHA256" or "SHA384" for TLS 1.2 / 1.3 PRF/HKDF hash */
    wire_kx_family family;
    uint16_t min_version; /* 0x0300 .. 0x0304 */
    bool tls13;           /* a TLS 1.3 suite (0x13xx) */
    bool export_grade;    /* EXPORT suites: known only to be named */
} wire_suite;

/* NULL when the suite is not in the table (callers print 0x%04x). */
const wire_suite *wire_suite_find(uint16_t id);
/* Whole table, for `tlsprobe list` and sweeps; *out_n set to its size. */
const wire_suite *wire_suite_table(unsigned *out_n);

/* RFC 8701 GREASE values (0x?A?A) */
bool wire_is_grease(uint16_t v);

/* Names or NULL when unknown (callers print the number); RFC 8701 GREASE
 * values give "GREASE". */
/* The registry's name of an extension type tlsprobe does not decode
 * (wire_ext_name, ext_desc.h, names every type). */
const char *wire_ext_registry_name(uint16_t type);
const char *wire_group_name(uint16_t group);         /* "SECP256R1","X25519","FFDHE2048",... */
const char *wire_sigalg_name(uint16_t scheme);       /* "RSA-SHA256","ECDSA-SECP256R1-SHA256",
                                                        "RSA-PSS-RSAE-SHA256","ED25519",... */
const char *wire_compression_name(uint8_t m);        /* "NULL","DEFLATE","LZS" */
const char *wire_point_format_name(uint16_t format); /* ec_point_formats (RFC 8422 5.1.2) */
const char *wire_psk_mode_name(uint16_t mode);       /* "psk_ke","psk_dhe_ke" (RFC 8446 4.2.9) */

/* IANA name of a suite, also for the signalling values that are not real
 * suites (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV), "GREASE"
 * for RFC 8701 values; NULL when unknown. */
const char *wire_suite_name(uint16_t id);
/* SSLv2 CIPHER-SPEC names (RFC 6101 E / SSLv2 draft), e.g.
 * "SSL_CK_RC4_128_WITH_MD5"; specs with a zero first byte are TLS suites
 * and get their wire_suite_name.  NULL when unknown. */
const char *wire_sslv2_cipher_name(uint32_t spec);
/* Reverse look-ups for command-line names (case-insensitive); 0 with
 * false when unknown. */
bool wire_group_by_name(const char *name, uint16_t *out_group);
bool wire_sigalg_by_name(const char *name, uint16_t *out_scheme);

/* The names of ids[0..n) joined by sep into out, "0x%04x" for an id that
 * name() does not know; stops before the first name that does not fit
 * (out stays NUL-terminated).  Returns the length written. */
size_t wire_names_join(char *out, size_t out_len, const uint16_t *ids, unsigned n,
                       const char *sep, const char *(*name)(uint16_t));

#endif
