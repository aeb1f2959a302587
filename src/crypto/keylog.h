/* NSS key log format (the SSLKEYLOGFILE lines written by NSS, OpenSSL,
 * GnuTLS, curl, browsers): "<LABEL> <client_random hex> <secret hex>".
 *
 * Parsing does no I/O: crypto_keylog_parse_line() reads one line, and
 * crypto_keylog_store_add_text() a whole buffer.  The only file reading is
 * crypto_keylog_store_load_file() in keylog_file.c.
 *
 * Secrets are wiped (OPENSSL_cleanse) when the store is freed. */
#ifndef TP_CRYPTO_KEYLOG_H
#define TP_CRYPTO_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../wire/cursor.h"
#include "../wire/status.h"

typedef enum {
    CRYPTO_KL_NONE = 0,      /* blank line or comment */
    CRYPTO_KL_CLIENT_RANDOM, /* TLS <= 1.2 master secret (48 bytes) */
    CRYPTO_KL_CLIENT_EARLY_TRAFFIC_SECRET,
    CRYPTO_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
    CRYPTO_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET,
    CRYPTO_KL_CLIENT_TRAFFIC_SECRET_0,
    CRYPTO_KL_SERVER_TRAFFIC_SECRET_0,
    CRYPTO_KL_EARLY_EXPORTER_SECRET,
    CRYPTO_KL_EXPORTER_SECRET,
    CRYPTO_KL_COUNT
} crypto_keylog_label;

#define CRYPTO_KEYLOG_SECRET_MAX 64

typedef struct {
    crypto_keylog_label label;
    uint8_t client_random[32];
    uint8_t secret[CRYPTO_KEYLOG_SECRET_MAX];
    size_t secret_len; /* 48 for CLIENT_RANDOM; 32 or 48 (hash length) for TLS 1.3 labels */
} crypto_keylog_entry;

/* "CLIENT_RANDOM", "SERVER_TRAFFIC_SECRET_0", ...; NULL for NONE/unknown. */
const char *crypto_keylog_label_name(crypto_keylog_label l);

/* Parses one line (len bytes, no NUL needed; a trailing "\n" or "\r\n" is
 * allowed).  Hex may be upper or lower case; fields are separated by spaces
 * or tabs.
 *   TP_OK: *out filled; out->label == CRYPTO_KL_NONE for a blank or '#' line.
 *   TP_ERR_UNSUPPORTED: a well-formed line with a label tlsprobe does not use
 *     (e.g. "RSA", "CLIENT_TRAFFIC_SECRET_1"); callers usually ignore it.
 *   TP_ERR_DECODE: malformed (bad hex, wrong length, missing/extra field).
 * *out is zeroed on failure. */
TP_MUST_CHECK tp_status crypto_keylog_parse_line(const char *line, size_t len,
                                                 crypto_keylog_entry *out);

/* The same, with a static string saying what is wrong (NULL on TP_OK). */
TP_MUST_CHECK tp_status crypto_keylog_parse_line_ex(const char *line, size_t len,
                                                    crypto_keylog_entry *out,
                                                    const char **out_reason);

/* Writes the NSS line for e (no newline) into out, NUL-terminated.
 * Returns the length, or 0 when cap is too small (needs 2*(32+64)+40). */
size_t crypto_keylog_entry_format(const crypto_keylog_entry *e, char *out, size_t cap);

/* ---- store: many entries, looked up by (label, client_random) ---- */

typedef struct crypto_keylog_store crypto_keylog_store;

/* NULL on allocation failure. */
crypto_keylog_store *crypto_keylog_store_new(void);
/* Wipes and frees; NULL is a no-op. */
void crypto_keylog_store_free(crypto_keylog_store *s);

/* Adds (copies) one entry; a later entry with the same label and client
 * random replaces the earlier one.  NONE entries are ignored (TP_OK).
 * TP_ERR_NOMEM on allocation failure (the store is unchanged). */
TP_MUST_CHECK tp_status crypto_keylog_store_add(crypto_keylog_store *s,
                                                const crypto_keylog_entry *e);

/* NULL when absent.  The pointer stays valid until the next add or free. */
const crypto_keylog_entry *crypto_keylog_store_find(const crypto_keylog_store *s,
                                                    crypto_keylog_label label,
                                                    const uint8_t client_random[32]);

size_t crypto_keylog_store_count(const crypto_keylog_store *s);

/* Called for each line that is not added: line_no counts from 1; st is
 * TP_ERR_DECODE (malformed) or TP_ERR_UNSUPPORTED (unknown label); reason
 * is a static string; line/len is the line without its newline. */
typedef void (*crypto_keylog_error_fn)(void *arg, size_t line_no, tp_status st, const char *reason,
                                       const char *line, size_t len);

typedef struct {
    size_t num_lines;     /* lines seen, including blank ones */
    size_t num_added;     /* entries added */
    size_t num_malformed; /* TP_ERR_DECODE lines */
    size_t num_unknown;   /* TP_ERR_UNSUPPORTED lines */
} crypto_keylog_stats;

/* Parses every line of text/len ("\n" or "\r\n" separated; a last line
 * without newline counts) into the store, skipping bad lines after
 * reporting them to on_error (may be NULL).  first_line_no numbers the
 * first line (1 for a whole file).  *stats (may be NULL) is added to.
 * TP_OK unless allocation failed (TP_ERR_NOMEM: stops there). */
TP_MUST_CHECK tp_status crypto_keylog_store_add_text(crypto_keylog_store *s, const char *text,
                                                     size_t len, size_t first_line_no,
                                                     crypto_keylog_error_fn on_error, void *arg,
                                                     crypto_keylog_stats *stats);

/* keylog_file.c: reads the file at path line by line into the store, as
 * add_text does.  TP_ERR_IO when it cannot be opened or read (errno is
 * kept), TP_ERR_NOMEM.  Lines longer than 1 KiB are reported malformed. */
TP_MUST_CHECK tp_status crypto_keylog_store_load_file(crypto_keylog_store *s, const char *path,
                                                      crypto_keylog_error_fn on_error, void *arg,
                                                      crypto_keylog_stats *stats);

#endif
