/* Session events: the one stream every output is rendered from.
 *
 * The analysis module turns a connection's bytes (live, from the transport
 * shim, or offline, from TCP reassembly of a capture) into this sequence of
 * events and hands each to every sink.  Pointers inside an event are valid
 * only during the sink call: a sink that needs data later copies it. */
#ifndef TP_ANALYSIS_EVENTS_H
#define TP_ANALYSIS_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../wire/handshake.h"
#include "../wire/record.h"

typedef enum { TP_C2S = 0, TP_S2C = 1 } tp_dir;

static inline const char *tp_dir_name(tp_dir d)
{
    return d == TP_C2S ? "c2s" : "s2c";
}

typedef enum {
    TP_EV_ACCEPT,    /* connection opened */
    TP_EV_DATA,      /* raw bytes on the wire, one direction (for pcapng and -vv) */
    TP_EV_RECORD,    /* one TLS record (plaintext part; protected records with check result) */
    TP_EV_HANDSHAKE, /* one handshake message, reassembled */
    TP_EV_ALERT,     /* one alert */
    TP_EV_APPDATA,   /* decrypted application data (when keys are known) */
    TP_EV_SECRET,    /* a key log line learnt for this connection */
    TP_EV_NOTE,      /* free-text remark (e.g. not TLS, gap in capture) */
    TP_EV_VERDICT,   /* last event of every connection */
    TP_EV_CLOSE,     /* connection closed (after the verdict); sinks flush */
} tp_event_type;

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

typedef struct {
    const char *from;        /* "client" or "server" */
    const char *level;       /* "warning" / "fatal" / "unknown" */
    const char *description; /* "bad_record_mac" or "unknown(123)" */
    bool is_protected;
} tp_alert_info;

typedef enum {
    TP_PHASE_HANDSHAKE,
    TP_PHASE_AFTER_HANDSHAKE,
    TP_PHASE_NOT_TLS,
    TP_PHASE_TIMEOUT,
} tp_phase;

const char *tp_phase_name(tp_phase p);

typedef struct {
    bool ok;
    tp_phase phase;
    /* negotiated parameters, NULL when not known (GnuTLS spelling) */
    const char *protocol, *kx, *cipher, *mac, *group, *sigalg;
    bool has_alert;
    tp_alert_info alert;
    char summary[640];
} tp_verdict;

typedef struct {
    tp_event_type type;
    unsigned conn; /* connection number, from 1 */
    double t;      /* seconds since accept */
    tp_dir dir;    /* for DATA, RECORD, HANDSHAKE, ALERT, APPDATA */
    union {
        struct {
            const char *peer; /* "127.0.0.1:50412", "[::1]:50412" */
            const char *local;
            const struct sockaddr *peer_sa; /* may be NULL offline without addresses */
            const struct sockaddr *local_sa;
            double wall; /* absolute time of accept, seconds since the epoch */
        } accept;
        struct {
            const uint8_t *bytes;
            size_t len;
        } data;
        struct {
            const wire_record *rec;
            const tp_record_check *check;
            unsigned index; /* record number within the direction, from 1 */
            const char *quirk; /* live s2c: the --quirk that shaped it ("cbc-padding=max"), or NULL */
        } record;
        struct {
            const wire_handshake *msg;
            bool is_protected;
            int verified;            /* Finished: 1 right, 0 wrong, -1 not checked */
            const uint8_t *expected; /* Finished: expected verify_data when checked */
            size_t expected_len;
            const char *ja3; /* ClientHello only: JA3 string and md5; JA4 */
            const char *ja3_md5;
            const char *ja4;
        } handshake;
        tp_alert_info alert;
        struct {
            const uint8_t *bytes;
            size_t len;
        } appdata;
        struct {
            const char *line; /* NSS key log line, no newline */
        } secret;
        struct {
            const char *text;
        } note;
        const tp_verdict *verdict;
    } u;
} tp_event;

/* An event consumer.  on_event is called for every event of every session
 * the sink is attached to, in order. */
typedef struct tp_sink tp_sink;
struct tp_sink {
    void (*on_event)(tp_sink *self, const tp_event *ev);
};

#endif
