/* Shared by the files of src/quirk: the quirk table's row type, the record
 * pieces a quirk reshapes, and what a quirk may know about the connection.
 * Each quirk lives in its own q_<name>.c.  Private to the module. */
#ifndef TP_QUIRK_INTERNAL_H
#define TP_QUIRK_INTERNAL_H

#include "../crypto/suite.h"
#include "quirk.h"

/* One record to write: a slice of the engine's plaintext (or injected
 * bytes), with what the quirks chose for it. */
typedef struct {
    unsigned type; /* content type (TLS 1.3: the inner type) */
    const uint8_t *data;
    size_t len;
    uint16_t version; /* record header version */
    unsigned quirks;  /* the quirks that shaped it: bit i = set->q[i] */
    bool cbc_pad_set; /* CBC padding length chosen by a quirk */
    unsigned cbc_pad_len;
    size_t tls13_pad; /* TLS 1.3 zero padding */
    bool clear;       /* written in the clear even in a protected epoch */
    bool drop;        /* not written at all */
    bool coalesce;    /* joins the following handshake pieces in one record */
    bool rekey;       /* an injected KeyUpdate: the write keys move on after it */
} qr_piece;

typedef struct {
    qr_piece *p;
    unsigned n, cap;
    bool failed; /* out of memory: the record goes out as it came */
} qr_list;

/* What a quirk knows about the connection and the record being shaped. */
typedef struct {
    uint16_t version;  /* negotiated; 0 before the ServerHello */
    bool hello_seen;   /* the (non-HRR) ServerHello went by */
    bool is_protected; /* the engine's record was protected */
    bool suite_known;
    crypto_suite suite;        /* valid when suite_known */
    bool etm;                  /* RFC 7366 negotiated (CBC only) */
    unsigned record;           /* the engine's server record number, from 1 */
    unsigned protected_record; /* among protected ones, from 1 (0: clear) */
    bool handshake_done;       /* the server's Finished went out earlier */
    unsigned appdata_records;  /* application data records of the engine so far */
    bool hs_boundary;          /* the record's handshake bytes start at a message */
    bool coalesced;            /* shaping a record of joined handshake pieces (again:
                                  quirks that insert records must not insert twice) */
} qr_ctx;

struct quirk_def {
    const char *name;    /* "cbc-padding" */
    const char *values;  /* "minimal|max|random|N" ; NULL: takes no value */
    const char *summary; /* one line for `tlsprobe list` */
    bool out_of_spec;    /* clients are allowed to reject it */
    /* Value (NULL when none was given) into q->n / q->mode; false with a
     * message naming the bad value and the valid ones. */
    bool (*parse)(const char *value, tp_quirk *q, char *err, size_t err_len);
    /* Why the quirk cannot apply to this connection (checked once, after
     * the ServerHello), or NULL. */
    const char *(*inapplicable)(const tp_quirk *q, const qr_ctx *c);
    /* Reshapes the pieces of one engine record.  set: the whole set (for
     * modifiers such as cbc-padding-scope). */
    void (*shape)(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l);
};

/* The table, in shaping order: splitting first, then inserted records,
 * then per-record choices (padding, header version). */
const quirk_def *const *quirk_table(unsigned *out_n);

extern const quirk_def quirk_hs_coalesce, quirk_big_records, quirk_hs_fragment, quirk_max_record,
    quirk_appdata_split, quirk_empty_records, quirk_cbc_padding, quirk_cbc_padding_scope,
    quirk_tls13_padding, quirk_record_version, quirk_ccs_compat, quirk_alert_unrecognized_name,
    quirk_key_update, quirk_record_version_scope, quirk_hello_request, quirk_empty_ticket,
    quirk_hs_separate;

/* ---- helpers for the quirk files (list.c) ---- */

/* Replaces piece i by pieces of at most size bytes, each marked with label
 * (qr_mark); returns how many pieces it is now (1: unchanged). */
unsigned qr_split(qr_list *l, unsigned i, size_t size, const tp_quirk *q, const tp_quirk_set *set);
/* Inserts a copy of p before position i; returns its index or -1. */
int qr_insert(qr_list *l, unsigned i, const qr_piece *p);
/* Marks a piece as shaped by q (one of set's quirks). */
void qr_mark(qr_piece *p, const tp_quirk *q, const tp_quirk_set *set);

/* Value parsing helpers: an unsigned in [lo, hi] (decimal or 0x hex). */
bool quirk_parse_uint(const char *value, long lo, long hi, long *out);
/* The usage message for a bad value of q->def. */
bool quirk_bad_value(const quirk_def *d, const char *value, char *err, size_t err_len);
/* For quirks that take no value. */
bool quirk_parse_none(const char *value, tp_quirk *q, char *err, size_t err_len);
/* A record size N in 1..2^14 (hs-fragment, max-record). */
bool quirk_parse_size(const char *value, tp_quirk *q, char *err, size_t err_len);
/* Is the *-scope modifier `scope` set to "all" (when absent: all_by_default)? */
bool quirk_scope_all(const tp_quirk_set *set, const quirk_def *scope, bool all_by_default);
/* "first" (mode 0) or "all" (mode 1): the value of a *-scope modifier. */
bool quirk_parse_scope(const char *value, tp_quirk *q, char *err, size_t err_len);
/* The shape of a modifier quirk: it changes nothing itself (another reads it). */
void quirk_shape_none(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l);

#endif
