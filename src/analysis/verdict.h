/* Verdict rules: a pure function from what a session observed to the one
 * verdict of the connection.  Kept apart from session.c so each rule is
 * unit-tested on a hand-made observation. */
#ifndef TP_ANALYSIS_VERDICT_H
#define TP_ANALYSIS_VERDICT_H

#include "events.h"
#include "mail_obs.h"
#include "session.h"

#define TP_OBS_MAX_SUITES 64

typedef struct {
    const char *name;     /* last handshake message name, or NULL */
    unsigned num_records; /* records sent */
    unsigned num_protected;
    unsigned long long bytes;
    bool sent_appdata;
    bool fatal_alert;    /* sent a fatal alert (alert below) */
    tp_alert_info alert; /* first fatal alert, or the first alert when none fatal */
    bool has_alert;
    unsigned alert_record; /* index of the record that carried it */
    bool close_notify;
    int finished_verified; /* -1 unchecked, 0 wrong, 1 right */
    bool bad_record;       /* our check found a record of this side invalid */
    unsigned bad_record_index;
    char bad_record_detail[96];
    tp_record_tally recs;         /* records of this side by check result (layers.records) */
    unsigned long long app_bytes; /* opened application data bytes */
} tp_obs_side;

/* What the session saw, in the terms the rules need. */
typedef struct {
    tp_end_reason end;
    double t_end;
    double timeout; /* unknown: 0 */
    bool not_tls;
    bool not_tls_dir_c2s;
    char first_bytes[40]; /* printable rendering of the first bytes that were not TLS */
    bool looks_http, looks_smtp;
    bool broken_stream; /* oversized or garbled record inside a TLS stream */
    char broken_detail[128];
    bool client_hello, server_hello, hello_retry;
    bool handshake_done;
    bool handshake_unchecked; /* done by what the record types show (TLS <= 1.2, no keys) */
    bool app_exchanged;
    tp_obs_side client, server;
    /* the server's last record before the client's alert / close: */
    bool server_last_protected;
    bool server_last_first_protected; /* it was the server's first protected record */
    tp_integrity server_last_integrity;
    bool server_last_has_padding;
    size_t server_last_padding_len;
    bool server_last_padding_valid, server_last_padding_minimal;
    const char *server_last_detail;
    char server_last_quirk[64]; /* live: the --quirk that shaped it, "" for none */
    /* offers vs configuration */
    uint16_t offered_suites[TP_OBS_MAX_SUITES];
    unsigned num_offered_suites, num_offered_total;
    bool suite_overlap_known, suite_overlap;
    uint16_t client_max_version;
    bool version_overlap_known, version_overlap;
    char client_versions[64], server_versions[64];
    bool group_overlap_known, group_overlap;
    char offered_groups[128];
    char allowed_groups[128];
    const tp_server_config *server_cfg;
    const char *engine_error_name;
    const char *engine_error_text;
    /* negotiated */
    const char *protocol, *kx, *cipher, *mac, *group, *sigalg;
    /* transport: who opened and who closed first (NONE: opened by the
     * client, closed as tp_end_reason says) */
    tp_actor opened_by, closed_by;
    /* the first FIN or RST (tp_session_note_close; closed_by is its sender):
     * when, and the TCP bytes each way before it; the closer reset later */
    bool first_close_known, first_close_rst;
    double first_close_t;
    unsigned long long first_close_c2s, first_close_s2c;
    bool closer_reset_later;
    /* every alert, both sides, in order (the first TP_LAYER_MAX_ALERTS) */
    tp_alert_info alerts[TP_LAYER_MAX_ALERTS];
    unsigned num_alerts;
    char alert_descs[TP_LAYER_MAX_ALERTS][32]; /* their descriptions, copied */
    /* the client's record count when the server's last record (server_last_*)
     * went out: the client's reaction followed that record when its alert is
     * record number server_last_client_records + 1, or when it sent nothing more */
    unsigned server_last_client_records;
    double server_last_t; /* when that record went out (seconds since accept) */
    /* application layer, set by the mode (server) when it knows better than
     * byte counts: fit id ("not-http", ...) and a sentence; NULL / "" else */
    const char *app_fit;
    char app_note[160];
    /* renegotiation (analysis/session_hs.c) */
    bool renegotiation;           /* the client sent a ClientHello after the completed handshake */
    bool renegotiation_accepted;  /* the server answered it with a ServerHello */
    bool renegotiation_resumed;   /* ... and resumed the session: its Finished came before any
                                     ServerHelloDone (an abbreviated handshake, RFC 5246 7.3) */
    bool server_no_renegotiation; /* the server sent no_renegotiation after that ClientHello */
    bool client_no_renegotiation; /* the client answered a HelloRequest with no_renegotiation */
    bool server_empty_ticket;     /* a TLS 1.3 NewSessionTicket with an empty ticket (out of spec) */
    /* ---- server helper's block: relations (SNI, ALPN, client certificate,
     * renegotiation), the server's mode and refusals, the client's timing and
     * first application bytes (relations.h) ---- */
    tp_facts facts;
    /* ---- mail helper's block: the SMTP/IMAP/POP3 dialogue (mail_obs.h) ---- */
    tp_mail_obs mail;
} tp_observation;

/* Observation helpers for the session: one record (with its check), one
 * alert, opened application data. */
void tp_obs_note_record(tp_observation *o, tp_dir dir, const tp_record_check *chk, unsigned index);
void tp_obs_note_alert(tp_observation *o, const tp_alert_info *a);
void tp_obs_note_appdata(tp_observation *o, tp_dir dir, size_t len);

/* The layers of a verdict, filled from the observation (verdict_layers.c). */
void tp_layers_fill(const tp_observation *obs, tp_layers *out);

/* The rule table, for tests and the mutation script. */
unsigned tp_verdict_num_rules(void);
const char *tp_verdict_rule_cause(unsigned i);

/* Fills *out from *obs.  Never fails; always writes a summary sentence. */
void tp_verdict_decide(const tp_observation *obs, tp_verdict *out);

#endif
