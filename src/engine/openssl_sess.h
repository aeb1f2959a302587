/* The openssl engine's session features (engine-private): --psk / --srp
 * (openssl_psk.c) and resumption, 0-RTT with its once-per-ticket check
 * (openssl_resume.c).  openssl.c calls them at a few points: the context's
 * setup, a connection's setup, the handshake, reads, the connection info.
 * Include after OPENSSL_SUPPRESS_DEPRECATED where the SRP API is used. */
#ifndef TP_ENGINE_OPENSSL_SESS_H
#define TP_ENGINE_OPENSSL_SESS_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../wire/ext.h"
#include "engine.h"
#include "names.h"

/* ---- openssl_psk.c ---- */

typedef struct ossl_psk ossl_psk;

/* The lists the cipher suites are made from: cfg's, or with --psk / --srp
 * and lists but no --kx, a copy in *buf whose --kx adds the PSK (PSK,
 * DHE-PSK, ECDHE-PSK) and SRP (SRP, SRP-RSA) key exchanges, as the gnutls
 * engine adds them to its priority (RSA-PSK only when --kx names it). */
const engine_lists *ossl_psk_lists(const tp_engine_config *cfg, engine_lists *buf);
/* The credentials and callbacks of --psk / --srp on ctx (after the names
 * are applied: without lists the PSK / SRP suites join OpenSSL's default
 * list); *out NULL when neither was given.  0, or -1 with err set. */
int ossl_psk_setup(SSL_CTX *ctx, const tp_engine_config *cfg, ossl_psk **out, char *err,
                   size_t err_len);
void ossl_psk_free(ossl_psk *p);
/* "'dev', 'lab'" or NULL; the key of an identity (engine.h's psk_key). */
const char *ossl_psk_identities(const ossl_psk *p);
bool ossl_psk_key(const ossl_psk *p, const char *identity, uint8_t *out, size_t cap,
                  size_t *out_len);
/* A TLS 1.3 ClientHello's pre_shared_key: 1 when it names one external
 * identity (obfuscated age 0, RFC 8446 4.2.11) the server has; -1 with *al
 * set when the server does not have it: unknown_psk_identity, as the
 * gnutls engine and TLS 1.2 (RFC 4279 2) answer, rather than libssl's
 * quiet fall-back to a certificate handshake; 0 for anything else. */
int ossl_psk_client_hello(const ossl_psk *p, const wire_ext_psk *ext, int *al);

/* ---- openssl_resume.c ---- */

typedef struct ossl_resume ossl_resume;

/* One connection's state (inside the engine's connection). */
typedef struct {
    ossl_resume *r;
    uint8_t psk_id[32]; /* SHA-256 of the first PSK identity offered */
    bool have_psk_id;
    bool external;     /* the ClientHello named one of the --psk identities */
    bool early_replay; /* 0-RTT refused: that ticket's early data was taken before */
    bool cache_miss;   /* a session id was looked up and not found */
    bool early_done;   /* the 0-RTT phase is over (or there is none) */
    bool handshaken;   /* the first handshake is done */
    char logged_random[64]; /* hex client random of the last CLIENT_RANDOM line */
    uint8_t *hello;    /* --early-data: the first ClientHello message */
    size_t hello_len;
    uint8_t *early;    /* 0-RTT data taken, not yet read */
    size_t early_len, early_off;
} ossl_resume_conn;

/* --resumption, --tickets, --early-data on ctx: the per-server session-ID
 * cache, TLS 1.2 / 1.3 tickets, 0-RTT; psk (or NULL) answers a
 * ClientHello's external PSK identity.  NULL with err set on failure. */
ossl_resume *ossl_resume_setup(SSL_CTX *ctx, const tp_engine_config *cfg, const ossl_psk *psk,
                               char *err, size_t err_len);
void ossl_resume_free(ossl_resume *r);
/* A new connection's state; false without memory. */
bool ossl_resume_conn_setup(ossl_resume *r, SSL *s, ossl_resume_conn *rc);
void ossl_resume_conn_clear(ossl_resume_conn *rc);
/* Before the first SSL_do_handshake: the 0-RTT phase (SSL_read_early_data,
 * the data kept for reads).  1 when it is over, else libssl's <= 0 (for
 * SSL_get_error). */
int ossl_resume_early(ossl_resume_conn *rc, SSL *s);
/* At the first handshake's end. */
void ossl_resume_handshake_done(ossl_resume_conn *rc);
/* 0-RTT data not yet read: bytes copied into buf, or 0. */
size_t ossl_resume_read_early(ossl_resume_conn *rc, uint8_t *buf, size_t len);
/* The key log.  libssl writes a TLS <= 1.2 master secret late, after its
 * answer to the client's Finished: a handshake that fails there (a wrong
 * PSK or SRP password) would leave that Finished unchecked, since the
 * server's alert goes out first.  So before each record the server sends
 * in a handshake, master_line gives the CLIENT_RANDOM line once the master
 * secret is known and no line for this client random was written (false:
 * none to write), and keylog_seen notes each line going out: false for
 * libssl's own copy of a line already written (drop it). */
bool ossl_resume_keylog_seen(ossl_resume_conn *rc, const char *line);
bool ossl_resume_master_line(ossl_resume_conn *rc, SSL *s, char *line, size_t cap);
/* Resumed, 0-RTT, the cache, and a PSK handshake's TLS 1.3 kx (ECDHE-PSK,
 * DHE-PSK, PSK: RFC 8446 4.2.9), into the info. */
void ossl_resume_info(const ossl_resume_conn *rc, SSL *s, tp_engine_info *out);

#endif
