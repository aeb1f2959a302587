/* The two directions of a connection and what the record check found about
 * one protected record.  Kept at the crypto level so that crypto/ and
 * capture/ can use them without reaching up into analysis/ (events.h
 * includes this header). */
#ifndef TP_CRYPTO_DIR_H
#define TP_CRYPTO_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { TP_C2S = 0, TP_S2C = 1 } tp_dir;

static inline const char *tp_dir_name(tp_dir d)
{
    return d == TP_C2S ? "c2s" : "s2c";
}

typedef enum {
    TP_INTEGRITY_UNCHECKED = 0, /* no keys */
    TP_INTEGRITY_OK,
    TP_INTEGRITY_BAD,
} tp_integrity;

/* What the independent check found about one protected record. */
typedef struct {
    bool is_protected;
    tp_integrity integrity;
    unsigned inner_type; /* content type after opening (TLS 1.3 inner type) */
    size_t plaintext_len;
    const uint8_t *plaintext; /* NULL unless opened */
    bool has_padding;         /* CBC only */
    size_t padding_len;       /* padding bytes, not counting the length byte */
    bool padding_valid;
    bool padding_minimal;
    const char *detail; /* why integrity is bad / unchecked, or NULL */
} tp_record_check;

#endif
