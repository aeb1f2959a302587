/* One table of every error tlsprobe's parsers and checks can report.
 * Each row: code, short name (used in traces), message, TLS alert that a
 * peer would send for it (or -1). */
#ifndef TP_WIRE_STATUS_H
#define TP_WIRE_STATUS_H

#define TP_STATUS_TABLE(X)                                                                         \
    X(TP_OK, "ok", "no error", -1)                                                                 \
    X(TP_ERR_TRUNCATED, "truncated", "input ends inside a structure", 50)                          \
    X(TP_ERR_DECODE, "decode_error", "structure does not parse", 50)                               \
    X(TP_ERR_TRAILING, "trailing_bytes", "bytes left after a structure", 50)                       \
    X(TP_ERR_OVERSIZED, "record_overflow", "length over the protocol limit", 22)                   \
    X(TP_ERR_NOT_TLS, "not_tls", "bytes are not a TLS record", -1)                                 \
    X(TP_ERR_UNSUPPORTED, "unsupported", "not supported by tlsprobe", -1)                          \
    X(TP_ERR_NO_KEYS, "no_keys", "no keys for this record", -1)                                    \
    X(TP_ERR_BAD_MAC, "bad_record_mac", "MAC or tag does not verify", 20)                          \
    X(TP_ERR_BAD_PADDING, "bad_padding", "CBC padding is malformed", 20)                           \
    X(TP_ERR_CRYPTO, "crypto_error", "libcrypto call failed", 80)                                  \
    X(TP_ERR_NOMEM, "out_of_memory", "allocation failed", 80)                                      \
    X(TP_ERR_LIMIT, "limit", "a bounded buffer is full", 80)                                       \
    X(TP_ERR_IO, "io_error", "reading or writing failed", -1)                                      \
    X(TP_ERR_USAGE, "usage", "bad command-line value", -1)

typedef enum {
#define TP_X(code, name, msg, alert) code,
    TP_STATUS_TABLE(TP_X)
#undef TP_X
        TP_STATUS_COUNT
} tp_status;

/* Static strings; never NULL (unknown codes give "unknown"). */
const char *tp_status_name(tp_status s);
const char *tp_status_message(tp_status s);
/* TLS alert description number that fits the error, or -1. */
int tp_status_alert(tp_status s);

#endif
