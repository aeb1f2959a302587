/* Inside the session model: the state shared by its files.  The calls go one
 * way: session.c (the public API, framing) -> session_held.c (records held
 * for their keys) -> session_record.c (one record) -> session_hs.c
 * (handshake messages and alerts) -> session_naming.c (negotiated names),
 * and each of them -> session_out.c (emit, notes); never back. */
#ifndef TP_ANALYSIS_SESSION_INT_H
#define TP_ANALYSIS_SESSION_INT_H

#include "../crypto/conn.h"
#include "../crypto/keylog.h"
#include "../wire/reasm.h"
#include "session.h"
#include "session_mail.h"
#include "verdict.h"

/* At most this much is held back per direction waiting for keys: the
 * engine logs a secret as soon as it derives it, so in practice one flight. */
#define TP_HELD_MAX 16
#define TP_HELD_BYTES_MAX (64 * 1024)

typedef struct {
    wire_framer fr;   /* records (an incomplete one buffered) */
    wire_hs_reasm hs; /* handshake messages (an incomplete one buffered) */
    unsigned records;
    bool is_protected;    /* records from now on are protected */
    bool dead;            /* stream unparseable: stop framing it */
    const char *quirk;    /* records framed now were shaped by this quirk (--quirk) */
    unsigned key_updates; /* TLS 1.3: KeyUpdates in the current record */
    bool key_update_requested;
    unsigned long long bytes;
    /* protected records held back until their keys arrive (live only) */
    struct held_record {
        double t;
        uint8_t *bytes; /* header + fragment */
        size_t len;
        char *quirk; /* the quirk that shaped it (live, s2c), or NULL */
    } held[TP_HELD_MAX];
    unsigned num_held;
    size_t held_bytes;
} dir_state;

struct tp_session {
    unsigned conn;
    char *peer, *local;
    tp_sink *sinks[TP_MAX_SINKS];
    unsigned num_sinks;
    bool want_data, want_record_bytes, expect_secrets;
    const tp_server_config *server;

    dir_state d[2];
    wire_hs_ctx ctx;
    bool tls13;
    uint8_t *client_hello; /* first ClientHello, raw */
    size_t client_hello_len;
    wire_client_hello hello; /* as parsed, a view into client_hello */
    uint8_t client_random[32];
    bool have_client_random;
    uint8_t reneg_random[32]; /* a renegotiation ClientHello's random */
    bool have_reneg_random;
    bool reneg_hello_done; /* the renegotiation's ServerHelloDone went by (a full handshake) */
    char pending_secrets[8][200];
    unsigned num_pending_secrets;
    crypto_conn *cc; /* the independent verifier (crypto/conn.h) */
    const crypto_keylog_store *store;
    bool client_finished, server_finished;
    bool engine_done;
    bool server_frozen; /* client gave up: server_last_* describe its last record before that */

    tp_observation obs;
    char neg_protocol[16], neg_kx[24], neg_cipher[32], neg_mac[16], neg_group[32], neg_sigalg[40];
    char err_name[64], err_text[160];
    char alert_desc[2][32];
    char bad_detail_buf[2][96];
    bool ended;
    double t_last;
    double t_emitted; /* the latest t of an event emitted */
    tp_verdict verdict;
    sess_mail mail; /* the mail preamble and dialogue (session_mail.c) */
};

/* session_out.c: hands ev to every sink of s (sets ev->conn). */
void sess_emit(tp_session *s, tp_event *ev);
/* A TP_EV_NOTE. */
void sess_note(tp_session *s, double t, tp_dir dir, const char *text);
/* The observation side of dir. */
tp_obs_side *sess_side(tp_session *s, tp_dir dir);
/* One NSS key log line for the verifier; false when it is malformed or
 * for another connection. */
bool sess_add_secret_line(tp_session *s, const char *nss_line);
/* dir's stream is unparseable from here on: a note, and framing stops. */
void sess_broken(tp_session *s, tp_dir dir, double t, const char *detail);

/* session_hs.c: handshake bytes of one record (messages may span records)
 * and alert bytes of one record. */
void sess_handshake_bytes(tp_session *s, tp_dir dir, double t, const uint8_t *p, size_t len,
                          bool is_protected);
/* A key log line for a renegotiation's ClientHello that came before the
 * server took it up: kept (true), or false. */
bool sess_reneg_secret_keep(tp_session *s, const char *nss_line);
/* What a ClientHello offers (also the SSLv2-format one). */
void sess_client_hello(tp_session *s, const wire_handshake *m);
void sess_alert_bytes(tp_session *s, tp_dir dir, double t, const uint8_t *p, size_t len,
                      bool is_protected, unsigned record_index);
/* One alert of dir: noted for the verdict (the first, or the first fatal)
 * and emitted. */
void sess_alert(tp_session *s, tp_dir dir, double t, const tp_alert_info *a, bool fatal,
                unsigned record_index);

/* session_record.c: one whole record of dir (opened, noted, its content
 * handled); quirk: what shaped it (live, --quirk), or NULL. */
void sess_process_record(tp_session *s, tp_dir dir, double t, const wire_record *rec,
                         const char *quirk);
/* Whether rec is protected (dir switched and it is not a CCS). */
bool sess_record_protected(const tp_session *s, tp_dir dir, const wire_record *rec);

/* session_held.c: protected records held back until their keys arrive (live
 * only).  Whether the verifier can open dir's records of its current epoch. */
bool sess_keys_known(const tp_session *s, tp_dir dir);
/* Holds a copy of rec; false when the bounds are reached (or no memory). */
bool sess_hold_record(tp_session *s, tp_dir dir, double t, const wire_record *rec);
/* Processes the held records of dir; with `force`, also those whose keys
 * are still missing (they are then reported unchecked). */
void sess_release_held(tp_session *s, tp_dir dir, bool force);
/* When a secret logged at t is stamped: at the first held record it opens
 * (the engine derived it from those bytes), never before an event emitted. */
double sess_held_secret_t(const tp_session *s, double t);
/* Frees what d holds. */
void sess_held_free(dir_state *d);

/* session_naming.c: the negotiated parameters' names, from the server's
 * messages when the engine has not named them. */
void sess_name_server_hello(tp_session *s, const wire_server_hello *sh);
void sess_name_server_key_exchange(tp_session *s, const wire_server_key_exchange *ske);
void sess_name_tls13_kx(tp_session *s, const wire_certificate *cert);
/* A TLS 1.3 ServerHello that took the client's external PSK names a PSK kx. */
void sess_name_tls13_psk(tp_session *s);
void sess_name_sigalg(tp_session *s, uint16_t sigalg);
/* The names into s->obs (NULL for those never named). */
void sess_naming_to_obs(tp_session *s);

/* session_resume.c: resumption (resumption.h) and the client's 0-RTT
 * records.  The first ClientHello's offer; whether the ServerHello keeps
 * the client's records under the early keys; every parsed handshake
 * message; whether dir's held records wait for the ServerHello; after each
 * record (true once: release the held client records now); a protected
 * record opened (0-RTT aware). */
void sess_resume_client_hello(tp_session *s, const wire_client_hello *ch);
bool sess_resume_keep_early(const tp_session *s);
void sess_resume_message(tp_session *s, tp_dir dir, const wire_handshake *m);
bool sess_resume_holds(const tp_session *s, tp_dir dir);
bool sess_resume_release_now(tp_session *s);
void sess_resume_open(tp_session *s, tp_dir dir, const wire_record *rec, uint8_t *plain,
                      size_t cap, tp_record_check *chk);

#endif
