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

#include "../crypto/dir.h"
#include "../wire/handshake.h"
#include "../wire/mail.h"
#include "../wire/record.h"
#include "relations.h"

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
    TP_EV_MAIL,      /* one mail dialogue line (SMTP/IMAP/POP3), plaintext preamble or inside TLS */
} tp_event_type;

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
    TP_PHASE_TRANSPORT, /* decided before any TLS byte: unused, refused, at capacity */
    TP_PHASE_PREAMBLE,  /* the plaintext mail preamble before STARTTLS */
} tp_phase;

const char *tp_phase_name(tp_phase p);

/* Who acted: the side whose act decided the verdict. */
typedef enum {
    TP_ACTOR_NONE = 0,
    TP_ACTOR_CLIENT,
    TP_ACTOR_SERVER,
    TP_ACTOR_NETWORK, /* capture ended, gap, RST from nowhere */
} tp_actor;

const char *tp_actor_name(tp_actor a); /* "none", "client", "server", "network" */

typedef enum {
    TP_OUTCOME_FAIL = 0,
    TP_OUTCOME_OK,     /* the TLS session worked (app mismatch named in layers.app) */
    TP_OUTCOME_UNUSED, /* TCP opened and closed without one byte (browser preconnect) */
} tp_outcome;

const char *tp_outcome_name(tp_outcome o); /* "fail", "ok", "unused" */

/* How the transport ended. */
typedef enum {
    TP_HOW_NONE = 0,
    TP_HOW_FIN,
    TP_HOW_RST,
    TP_HOW_TIMEOUT,
    TP_HOW_SHUTDOWN,
    TP_HOW_CAPACITY,
    TP_HOW_CAPTURE_END,
    TP_HOW_REFUSED, /* offline: RST to the client's SYN */
} tp_close_how;

const char *tp_close_how_name(tp_close_how h); /* "fin", "rst", ..., "capture-end"; NULL: none */

/* Records of one direction, by what the independent check found. */
typedef struct {
    unsigned total;
    unsigned protected_n; /* protected records (JSON "protected") */
    unsigned ok, bad, unchecked;
    unsigned first_bad; /* record number of the first bad one, 0: none */
} tp_record_tally;

#define TP_LAYER_MAX_ALERTS 6

typedef struct {
    struct {
        tp_actor opened_by, closed_by;
        tp_close_how how;
        unsigned long long c2s_bytes, s2c_bytes;
    } transport;
    struct {
        bool done;
        const char *client_last, *server_last; /* last message name each way, NULL: none */
        bool hello_retry;
        unsigned num_alerts;
        tp_alert_info alerts[TP_LAYER_MAX_ALERTS]; /* both sides, in order */
    } handshake;
    tp_record_tally records[2]; /* [TP_C2S], [TP_S2C] */
    struct {
        unsigned long long c2s_bytes, s2c_bytes; /* opened application data bytes */
        const char *fit;                         /* "exchanged", "no-answer", "no-request",
                                                    "not-http", ...; NULL: no application layer */
        char note[160];                          /* one sentence, or "" */
        tp_upstream_facts upstream; /* proxy: the upstream leg (state TP_UP_NONE: none) */
    } app;
} tp_layers;

typedef struct {
    tp_outcome outcome;
    bool ok; /* outcome == TP_OUTCOME_OK (kept for callers that only ask ok or not) */
    tp_phase phase;
    tp_actor actor;
    const char *cause; /* stable kebab-case id of the rule that decided */
    /* negotiated parameters, NULL when not known (GnuTLS spelling) */
    const char *protocol, *kx, *cipher, *mac, *group, *sigalg;
    bool has_alert;
    tp_alert_info alert;
    tp_layers layers;
    char summary[640];
    tp_relations relations; /* SNI, ALPN, client certificate, renegotiation (relations.h) */
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
        struct {
            tp_mail_proto proto;
            bool tls;          /* inside TLS (opened application data), else the plaintext preamble */
            const char *line;  /* as shown: no terminator, credentials masked (not with --records),
                                  cut to 200 characters */
            size_t len;        /* the line's bytes on the wire, terminator included */
            const char *command; /* c2s: the verb ("EHLO", IMAP: after the tag), or NULL */
            const char *user;    /* credentials offered: the user name, or NULL */
            bool masked;         /* a secret in the line is shown as **** */
            bool too_long;       /* over the protocol's line limit (c2s) */
        } mail;
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
