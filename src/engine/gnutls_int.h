/* The GnuTLS engine's two objects, shared by gnutls.c (setup, handshake,
 * records) and gnutls_info.c (what the engine and a connection tell the
 * server: accessors, negotiated parameters, errors).  Private to engine/. */
#ifndef TP_ENGINE_GNUTLS_INT_H
#define TP_ENGINE_GNUTLS_INT_H

#include "gnutls_prefix.h" /* engine.h as tp_gnutls_* (first: engine.c dispatches) */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>

#include "alpn_sni_int.h"
#include "certgen.h"
#include "credentials.h"
#include "internal.h"
#include "psk.h"
#include "resume.h"

struct tp_engine {
    gnutls_certificate_credentials_t cred;
    bool own_cred;                     /* loaded from files; generated ones are shared */
    const engine_generated *generated; /* or NULL */
    const engine_chain *chain;         /* --chain, --cert-variant ...: or NULL */
    const char *ocsp, *client_ca;      /* as configured */
    gnutls_dh_params_t dh;             /* process-wide cache; not owned */
    gnutls_priority_t prio;
    tp_client_cert client_cert;
    bool renegotiation; /* take client-initiated renegotiations */
    engine_an *names;  /* ALPN, certificates per SNI name (alpn_sni.c) */
    engine_resume *resume; /* session cache, ticket key, 0-RTT (resume.c) */
    gnutls_pk_algorithm_t cert_pk;
    engine_psk *psk; /* --psk / --srp credentials (psk.c), or NULL */
    char fingerprint[3 * 32];
    engine_allowed allowed; /* what it can negotiate (allowed_fill) */
};

struct tp_engine_conn {
    tp_engine *e;
    gnutls_session_t s;
    tp_transport t;
    bool want_write; /* last AGAIN was GnuTLS waiting to push */
    bool reneg_ok;   /* a renegotiation is taken (allowed, or we asked) */
    bool rehandshaking; /* a renegotiation's handshake is running */
    bool reauthing;     /* a post-handshake authentication is running (actions.c) */
    const char *sni_cert; /* the certificate the ClientHello chose (alpn_sni.c) */
    gnutls_pk_algorithm_t cert_pk; /* its key's algorithm */
    bool client_checked;     /* --client-ca: the client's certificate was checked */
    unsigned client_status;  /* and what the check found (gnutls_certificate_status_t) */
    bool handshaken;    /* the first handshake completed */
    engine_resume_conn rc;
    /* A write that met push-back: GnuTLS holds the encrypted record and
     * must be called again with the same arguments (gnutls_record_send(3)). */
    bool w_pending;
    size_t w_len, w_off, w_inflight;
    char err_name[64];
    char err_text[192];
};

#endif
