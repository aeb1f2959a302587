/* Client fingerprints: JA3 (salesforce/ja3 README) and JA4 (FoxIO JA4
 * technical details, TLS over TCP).  Pure functions of a parsed ClientHello;
 * the caller owns every buffer.  Hashes come from OpenSSL EVP. */
#ifndef TP_WIRE_JA_H
#define TP_WIRE_JA_H

#include <stddef.h>

#include "handshake.h"

/* Largest JA3 string: 5 fields of up to 32767 numbers of 5 digits each
 * cannot be bounded usefully; callers pass a buffer and get TP_ERR_LIMIT
 * when it is too small (out_md5 is still correct: the hash is computed
 * on the full string regardless).  1024 bytes suffice for every real
 * client seen so far; WIRE_JA3_STR_MAX is a comfortable size. */
#define WIRE_JA3_STR_MAX 4096
#define WIRE_JA4_LEN 36
/* JA4 sorts without allocating: hellos with more non-GREASE suites or
 * extensions than this give TP_ERR_LIMIT (real clients send < 100). */
#define WIRE_JA4_MAX_ITEMS 512 /* "t13d1715h2_5b57614c22b0_3d5424432f57" */

/* JA3: "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats"
 * in decimal, '-'-joined, GREASE values dropped.  Writes the NUL-terminated
 * string to out_str (truncated when str_len is too small, then
 * TP_ERR_LIMIT) and the lowercase hex MD5 to out_md5.  TP_ERR_DECODE when
 * the hello's extensions do not parse, TP_ERR_UNSUPPORTED for SSLv2 hellos,
 * TP_ERR_CRYPTO when the digest fails.  out_str may be NULL with str_len 0. */
TP_MUST_CHECK tp_status wire_ja3(const wire_client_hello *ch, char *out_str, size_t str_len,
                                 char out_md5[33]);

/* JA4 (TCP): "t" + version + d/i + cipher count + extension count + ALPN
 * first/last character, "_", 12 hex of SHA-256 over the sorted cipher list,
 * "_", 12 hex of SHA-256 over the sorted extensions (without SNI and ALPN)
 * "_" signature algorithms in offered order.  NUL-terminated in out. */
TP_MUST_CHECK tp_status wire_ja4(const wire_client_hello *ch, char out[40]);

#endif
