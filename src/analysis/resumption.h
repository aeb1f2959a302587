/* Resumption, as the handshake messages show it (live and offline alike):
 * what the client offered (a session id, a TLS 1.2 session ticket, a TLS 1.3
 * pre_shared_key, 0-RTT early data), whether the server resumed and how,
 * and when it did a full handshake, why.  The server (live) adds what only
 * it knows: its --resumption setting, a cache miss, a refused 0-RTT replay.
 * Filled by analysis/session_resume.c; part of the relations (relations.h). */
#ifndef TP_ANALYSIS_RESUMPTION_H
#define TP_ANALYSIS_RESUMPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The server's resumption setting (the engine's TP_RESUME_* bits). */
enum { TP_RES_ID = 1, TP_RES_TICKET = 2, TP_RES_PSK = 4 };

typedef struct {
    /* the server's setting (live) */
    bool server_known;
    unsigned server_modes; /* TP_RES_* */
    /* the client's first ClientHello */
    bool offered_id;     /* a non-empty session id (TLS <= 1.2 resumption) */
    bool offered_ticket; /* a non-empty session_ticket extension (RFC 5077) */
    bool offered_psk;    /* a pre_shared_key extension (RFC 8446 4.2.11) */
    bool early_offered;  /* an early_data extension (RFC 8446 4.2.10) */
    bool external_psk;   /* the pre_shared_key names an external PSK (a printable identity,
                            e.g. --psk's), not a ticket: no resumption offer (offered_psk
                            stays false) and, taken, no resumption */
    /* the server's answer */
    bool decided;          /* the server's flight showed full or abbreviated */
    bool resumed;
    const char *how;       /* "session-id", "ticket", "psk"; NULL when not resumed */
    const char *psk_mode;  /* TLS 1.3: "psk_dhe_ke" or "psk_ke" */
    const char *early;     /* NULL (not offered), "accepted", "rejected" */
    bool early_replay;     /* live: 0-RTT refused, that ticket's early data was taken before */
    bool cache_miss;       /* live: the session id was not in the server's cache */
    unsigned early_records; /* the client's records under the early traffic keys */
    unsigned tickets;       /* NewSessionTicket messages the server sent */
    /* the session's bookkeeping */
    uint8_t client_sid[32];
    size_t client_sid_len;
    bool sid_echoed;       /* TLS <= 1.2: the ServerHello echoed the client's session id */
    bool after_sh;         /* TLS <= 1.2: the ServerHello was the server's last message */
    bool c2s_early;        /* the client's records are under the early keys */
    bool c2s_trial;        /* 0-RTT not taken: a record is tried with the early keys, then
                              with the handshake keys (the client switched) */
    bool release_c2s;      /* held client records wait for the ServerHello */
} tp_resumption;

/* Why a full handshake followed an offer: "resumption-off", "cache-miss",
 * "ticket-unknown", "psk-unknown", "not-known" (offline); NULL when the
 * client offered nothing, the server resumed, or it is not decided yet. */
const char *tp_resumption_why(const tp_resumption *r);
/* "resumed by session ticket", "full handshake: ..." for the verdict and the
 * relations line (out gets "" when there is nothing to say). */
void tp_resumption_say(const tp_resumption *r, char *out, size_t out_len);
/* Why, as a phrase ("the session id was not in the server's cache"). */
const char *tp_resumption_why_text(const char *why);

#endif
