/* The GnuTLS engine behind engine.h.
 *
 * Transport: the session never sees a socket.  GnuTLS calls our push/pull
 * functions, which forward to the server's tp_transport; a would-block
 * there becomes GNUTLS_E_AGAIN and TP_ENGINE_AGAIN here.  The session is
 * created with GNUTLS_NONBLOCK and no handshake timeout: the server's event
 * loop owns time.
 *
 * Credentials (generated, loaded, DH parameters) are credentials.c's. */
#include "gnutls_prefix.h" /* engine.h as tp_gnutls_* (engine.c dispatches) */
#include "alpn_sni_int.h"
#include "certgen.h"
#include "credentials.h"
#include "internal.h"
#include "names.h"
#include "psk.h"
#include "resume.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>


#include "gnutls_int.h"


/* Server DH parameters for DHE when the client names no RFC 7919 group.
 * Given through the callback rather than gnutls_certificate_set_dh_params:
 * that one also sets a security level, and GnuTLS then substitutes an
 * FFDHE group of that level from the priority for our parameters, so a
 * DH1024 server could never be reproduced.  The callback also lets
 * engines with different sizes share one credentials object. */
static int dh_params_cb(gnutls_session_t s, gnutls_params_type_t type, gnutls_params_st *st)
{
    tp_engine_conn *c = gnutls_session_get_ptr(s);
    if (type != GNUTLS_PARAMS_DH || !c || !c->e->dh)
        return -1;
    st->type = GNUTLS_PARAMS_DH;
    st->params.dh = c->e->dh;
    st->deinit = 0;
    return 0;
}

/* ---- engine ---------------------------------------------------------- */

static bool kx_fits(const tp_engine *e, gnutls_kx_algorithm_t kx, gnutls_pk_algorithm_t pk)
{
    switch (kx) {
    /* PSK and SRP (psk.c): with their credentials */
    case GNUTLS_KX_PSK:
    case GNUTLS_KX_DHE_PSK:
    case GNUTLS_KX_ECDHE_PSK:
        return engine_psk_has(e->psk, false);
    case GNUTLS_KX_RSA_PSK:
        return engine_psk_has(e->psk, false) && pk == GNUTLS_PK_RSA;
    case GNUTLS_KX_SRP:
        return engine_psk_has(e->psk, true);
    case GNUTLS_KX_SRP_RSA:
        return engine_psk_has(e->psk, true) && pk == GNUTLS_PK_RSA;
    case GNUTLS_KX_RSA:
    case GNUTLS_KX_DHE_RSA:
    case GNUTLS_KX_ECDHE_RSA:
        return pk == GNUTLS_PK_RSA;
    case GNUTLS_KX_ECDHE_ECDSA:
        return pk == GNUTLS_PK_ECDSA || pk == GNUTLS_PK_EDDSA_ED25519 ||
               pk == GNUTLS_PK_EDDSA_ED448;
    case GNUTLS_KX_DHE_DSS:
        return pk == GNUTLS_PK_DSA;
    default:
        return false;
    }
}

static uint16_t protocol_iana(gnutls_protocol_t v)
{
    switch (v) {
    case GNUTLS_SSL3:
        return 0x0300;
    case GNUTLS_TLS1_0:
        return 0x0301;
    case GNUTLS_TLS1_1:
        return 0x0302;
    case GNUTLS_TLS1_2:
        return 0x0303;
    case GNUTLS_TLS1_3:
        return 0x0304;
    default:
        return 0; /* DTLS: not served */
    }
}

static void allowed_fill(tp_engine *e)
{
    for (unsigned i = 0; e->allowed.num_suites < sizeof e->allowed.suites / sizeof e->allowed.suites[0]; i++) {
        unsigned sidx;
        int r = gnutls_priority_get_cipher_suite_index(e->prio, i, &sidx);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        if (r < 0)
            continue;
        uint8_t id[2];
        gnutls_kx_algorithm_t kx;
        gnutls_cipher_algorithm_t ci;
        gnutls_mac_algorithm_t mac;
        gnutls_protocol_t minv;
        if (!gnutls_cipher_suite_info(sidx, id, &kx, &ci, &mac, &minv))
            continue;
        /* only what this certificate can serve */
        if (minv != GNUTLS_TLS1_3 && !kx_fits(e, kx, e->cert_pk))
            continue;
        e->allowed.suites[e->allowed.num_suites++] = (uint16_t)(id[0] << 8 | id[1]);
    }
    const unsigned *list;
    int n = gnutls_priority_protocol_list(e->prio, &list);
    for (int i = 0; i < n && e->allowed.num_versions < sizeof(e->allowed.versions) / sizeof(e->allowed.versions[0]); i++) {
        uint16_t v = protocol_iana((gnutls_protocol_t)list[i]);
        if (v)
            e->allowed.versions[e->allowed.num_versions++] = v;
    }
    const unsigned *glist;
    n = gnutls_priority_group_list(e->prio, &glist);
    for (int i = 0; i < n && e->allowed.num_groups < sizeof(e->allowed.groups) / sizeof(e->allowed.groups[0]); i++) {
        const engine_name *g =
            engine_name_find(ENGINE_FLAG_GROUPS, gnutls_group_get_name((gnutls_group_t)glist[i]));
        if (g && g->num_iana_ids)
            e->allowed.groups[e->allowed.num_groups++] = g->iana_ids[0];
    }
}

tp_engine *tp_engine_new(const tp_engine_config *cfg, char *err, size_t err_len)
{
    if (err && err_len)
        err[0] = '\0';
    tp_engine *e = calloc(1, sizeof(*e));
    if (!e) {
        engine_err_set(err, err_len, "out of memory");
        return NULL;
    }
    e->client_cert = cfg->client_cert;
    if (cfg->client_ca && cfg->client_cert == TP_CLIENT_CERT_NONE)
        e->client_cert = TP_CLIENT_CERT_REQUIRE; /* --client-ca alone: verify, so ask */
    e->renegotiation = cfg->renegotiation;
    const char *prio = cfg->priority && *cfg->priority ? cfg->priority : "NORMAL";
    char prio_psk[1024];
    prio = engine_psk_priority(cfg, prio, prio_psk, sizeof prio_psk);
    const char *errpos = NULL;
    int rc = gnutls_priority_init2(&e->prio, prio, &errpos, 0);
    if (rc < 0) {
        e->prio = NULL;
        if (rc == GNUTLS_E_INVALID_REQUEST && errpos)
            engine_err_set(err, err_len,
                           "invalid priority string at offset %zu: '%s' (near '%.20s')",
                           (size_t)(errpos - prio), prio, errpos);
        else
            engine_err_set(err, err_len, "priority string '%s' rejected: %s", prio,
                           gnutls_strerror(rc));
        goto fail;
    }
    if (cfg->cert_file) {
        if (engine_cred_load(cfg->cert_file, cfg->key_file, dh_params_cb, &e->cred, e->fingerprint,
                             sizeof(e->fingerprint), err, err_len) < 0)
            goto fail;
        e->own_cred = true;
        if (engine_loaded_certs_setup(e->cred, cfg->cert_variant, cfg->ocsp, cfg->client_ca, err,
                                      err_len) < 0)
            goto fail;
    } else if (cfg->key_file) {
        engine_err_set(err, err_len, "--key '%s' given without --cert", cfg->key_file);
        goto fail;
    } else if (cfg->chain || cfg->cert_variant || cfg->ocsp || cfg->client_ca) {
        engine_chain_req req = {cfg->key_type, cfg->cert_variant, cfg->ocsp, cfg->client_ca,
                                cfg->san_dns,  cfg->san_ip};
        if (!(e->chain = engine_chain_get(&req, dh_params_cb, err, err_len)))
            goto fail;
        e->cred = e->chain->cred;
        memcpy(e->fingerprint, e->chain->fingerprint, sizeof(e->fingerprint));
    } else {
        const char *kt = cfg->key_type && *cfg->key_type ? cfg->key_type : "rsa:2048";
        const engine_generated *g =
            engine_cred_generated(kt, cfg->san_dns, cfg->san_ip, dh_params_cb, err, err_len);
        if (!g)
            goto fail;
        e->cred = g->cred;
        e->generated = g;
        memcpy(e->fingerprint, g->fingerprint, sizeof(e->fingerprint));
    }
    e->ocsp = e->chain ? e->chain->ocsp : cfg->ocsp ? "file" : NULL;
    e->client_ca = cfg->client_ca;
    e->cert_pk = engine_cred_pk(e->cred);
    e->psk = engine_psk_new(cfg, dh_params_cb, err, err_len);
    if (!e->psk && (cfg->num_psk || cfg->num_srp))
        goto fail;
    if (engine_dh_get(cfg->dh_bits, &e->dh, err, err_len) < 0) {
        if (err && err_len && !err[0])
            engine_err_set(err, err_len, "cannot set DH parameters");
        goto fail;
    }
    if (!(e->names = engine_an_new(cfg, e->chain != NULL, e->cred, dh_params_cb, err, err_len)))
        goto fail;
    allowed_fill(e);
    if (!(e->resume = engine_resume_new(cfg, err, err_len)))
        goto fail;
    return e;
fail:
    tp_engine_free(e);
    return NULL;
}

void tp_engine_free(tp_engine *e)
{
    if (!e)
        return;
    engine_resume_free(e->resume);
    if (e->prio)
        gnutls_priority_deinit(e->prio);
    if (e->cred && e->own_cred)
        gnutls_certificate_free_credentials(e->cred);
    engine_psk_free(e->psk);
    engine_an_free(e->names);
    free(e);
}

/* ---- per connection ---------------------------------------------------- */

/* What a transport callback returned; a failure's errno is handed to GnuTLS. */
static ssize_t transport_result(tp_engine_conn *c, ssize_t n)
{
    if (n < 0)
        gnutls_transport_set_errno(c->s, errno ? errno : EIO);
    return n;
}

static ssize_t push_cb(gnutls_transport_ptr_t p, const void *data, size_t len)
{
    tp_engine_conn *c = p;
    errno = 0;
    return transport_result(c, c->t.push(c->t.ctx, data, len));
}

static ssize_t pull_cb(gnutls_transport_ptr_t p, void *buf, size_t len)
{
    tp_engine_conn *c = p;
    errno = 0;
    return transport_result(c, c->t.pull(c->t.ctx, buf, len));
}

/* GnuTLS may ask whether data is waiting; we cannot tell without reading,
 * so say "maybe" and let pull answer EAGAIN. */
static int pull_timeout_cb(gnutls_transport_ptr_t p, unsigned ms)
{
    (void)p;
    (void)ms;
    return 1;
}

/* NSS key log format: LABEL <client_random> <secret>, hex. */
static int keylog_cb(gnutls_session_t s, const char *label, const gnutls_datum_t *secret)
{
    tp_engine_conn *c = gnutls_session_get_ptr(s);
    if (!c || !c->t.keylog)
        return 0;
    gnutls_datum_t cr, sr;
    gnutls_session_get_random(s, &cr, &sr);
    char line[64 + 1 + 64 + 1 + 2 * 64 + 1];
    size_t ll = strlen(label);
    if (ll > 64 || cr.size != 32 || secret->size > 64)
        return 0;
    memcpy(line, label, ll);
    line[ll] = ' ';
    /* the engine's own hex encoder (lower case, NUL-terminated) */
    size_t room = sizeof line - (ll + 1);
    if (gnutls_hex_encode(&cr, line + ll + 1, &room) < 0)
        return 0;
    line[ll + 1 + 64] = ' ';
    room = sizeof line - (ll + 2 + 64);
    if (gnutls_hex_encode(secret, line + ll + 2 + 64, &room) < 0)
        return 0;
    c->t.keylog(c->t.ctx, line);
    return 0;
}

/* The certificate for the client's server_name, and --sni-mode (alpn_sni.c). */
static int post_client_hello_cb(gnutls_session_t s)
{
    tp_engine_conn *c = gnutls_session_get_ptr(s);
    return c ? engine_an_client_hello(c->e->names, s, &c->sni_cert, &c->cert_pk) : 0;
}

/* --client-ca: checks a client certificate against the CAs.  None sent is
 * for --client-cert to judge (request goes on, require fails), which
 * gnutls_session_set_verify_cert would fail in either mode. */
static int verify_client_cb(gnutls_session_t s)
{
    tp_engine_conn *c = gnutls_session_get_ptr(s);
    unsigned n = 0, status = 0;
    if (!c || !gnutls_certificate_get_peers(s, &n) || n == 0)
        return 0;
    if (gnutls_certificate_verify_peers2(s, &status) < 0)
        status = GNUTLS_CERT_INVALID;
    c->client_checked = true;
    c->client_status = status;
    return status ? GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR : 0;
}

tp_engine_conn *tp_engine_conn_new(tp_engine *e, const tp_transport *t)
{
    tp_engine_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->e = e;
    c->t = *t;
    c->reneg_ok = e->renegotiation;
    /* POST_HANDSHAKE_AUTH: the server may ask for a certificate after
     * the handshake (RFC 8446 4.6.2; --interactive's "/auth") */
    c->cert_pk = e->cert_pk;
    if (gnutls_init(&c->s, GNUTLS_SERVER | GNUTLS_NONBLOCK | GNUTLS_POST_HANDSHAKE_AUTH |
                               engine_resume_init_flags(e->resume)) < 0) {
        free(c);
        return NULL;
    }
    static const gnutls_certificate_request_t req[] = {
        [TP_CLIENT_CERT_NONE] = GNUTLS_CERT_IGNORE,
        [TP_CLIENT_CERT_REQUEST] = GNUTLS_CERT_REQUEST,
        [TP_CLIENT_CERT_REQUIRE] = GNUTLS_CERT_REQUIRE,
    };
    if (gnutls_priority_set(c->s, e->prio) < 0 ||
        gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE, e->cred) < 0 ||
        !engine_psk_session_set(e->psk, c->s) ||
        engine_an_session(e->names, c->s) < 0 ||
        engine_resume_conn_setup(e->resume, c->s, &c->rc) < 0) {
        gnutls_deinit(c->s);
        free(c);
        return NULL;
    }
    gnutls_certificate_server_set_request(c->s, (unsigned)e->client_cert <= TP_CLIENT_CERT_REQUIRE
                                                    ? req[e->client_cert]
                                                    : GNUTLS_CERT_IGNORE);
    if (e->client_ca) /* the handshake fails when the check does */
        gnutls_session_set_verify_function(c->s, verify_client_cb);
    gnutls_session_set_ptr(c->s, c);
    gnutls_transport_set_ptr(c->s, c);
    gnutls_transport_set_push_function(c->s, push_cb);
    gnutls_transport_set_pull_function(c->s, pull_cb);
    gnutls_transport_set_pull_timeout_function(c->s, pull_timeout_cb);
    gnutls_handshake_set_timeout(c->s, 0);
    gnutls_session_set_keylog_function(c->s, keylog_cb);
    gnutls_handshake_set_post_client_hello_function(c->s, post_client_hello_cb);
    return c;
}

void tp_engine_conn_free(tp_engine_conn *c)
{
    if (!c)
        return;
    gnutls_deinit(c->s);
    free(c);
}

static void conn_set_error(tp_engine_conn *c, int rc)
{
    const char *name = gnutls_strerror_name(rc);
    snprintf(c->err_name, sizeof(c->err_name), "%s", name ? name : "GNUTLS_E_UNKNOWN");
    if (rc == GNUTLS_E_FATAL_ALERT_RECEIVED || rc == GNUTLS_E_WARNING_ALERT_RECEIVED) {
        /* "GNUTLS_A_BAD_RECORD_MAC" -> "bad_record_mac", the RFC spelling */
        const char *an = gnutls_alert_get_strname(gnutls_alert_get(c->s));
        char lower[48] = "unknown alert";
        if (an && strncmp(an, "GNUTLS_A_", 9) == 0) {
            size_t i = 0;
            for (an += 9; an[i] && i + 1 < sizeof(lower); i++)
                lower[i] = (char)(an[i] >= 'A' && an[i] <= 'Z' ? an[i] + 32 : an[i]);
            lower[i] = '\0';
        }
        snprintf(c->err_text, sizeof(c->err_text), "%s (%s)", gnutls_strerror(rc), lower);
    } else {
        snprintf(c->err_text, sizeof(c->err_text), "%s", gnutls_strerror(rc));
    }
}

/* Errors that come with no alert of ours: the peer already alerted or the
 * transport is gone. */
static bool error_gets_alert(int rc)
{
    switch (rc) {
    case GNUTLS_E_FATAL_ALERT_RECEIVED:
    case GNUTLS_E_PREMATURE_TERMINATION:
    case GNUTLS_E_PUSH_ERROR:
    case GNUTLS_E_PULL_ERROR:
    case GNUTLS_E_MEMORY_ERROR:
        return false;
    default:
        return true;
    }
}

/* Shared tail of every call: turns a GnuTLS return into our rc. */
static tp_engine_rc conn_result(tp_engine_conn *c, int rc)
{
    if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) {
        c->want_write = gnutls_record_get_direction(c->s) == 1;
        return TP_ENGINE_AGAIN;
    }
    c->want_write = false;
    conn_set_error(c, rc);
    /* EOF without close_notify: EOF, told apart by the error name */
    if (rc == GNUTLS_E_PREMATURE_TERMINATION)
        return TP_ENGINE_EOF;
    /* Send the alert a real server would, so the client's reaction to it
     * is part of the trace (RFC 5246 7.2.2). */
    if (error_gets_alert(rc) && !engine_psk_alert(c->e->psk, c->s, rc))
        (void)gnutls_alert_send_appropriate(c->s, rc);
    return TP_ENGINE_ERROR;
}

tp_engine_rc tp_engine_conn_handshake(tp_engine_conn *c)
{
    for (int tries = 0; tries < 16; tries++) {
        int rc = gnutls_handshake(c->s);
        if (rc == 0) {
            c->want_write = false;
            if (!c->handshaken)
                engine_resume_after_handshake(&c->rc, c->s);
            c->handshaken = true;
            return TP_ENGINE_OK;
        }
        /* warning alerts (e.g. a client's no_renegotiation) do not end it */
        if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED && !gnutls_error_is_fatal(rc)) {
            conn_set_error(c, rc);
            continue;
        }
        return conn_result(c, rc);
    }
    return TP_ENGINE_AGAIN;
}

/* One step of a renegotiation's handshake: true when the caller goes on
 * reading records (done, declined by the client, application data that
 * came in the middle), false with *out set when it must return. */
static bool rehandshake_step(tp_engine_conn *c, tp_engine_rc *out)
{
    int rc = gnutls_handshake(c->s);
    if (rc == 0 || rc == GNUTLS_E_GOT_APPLICATION_DATA) {
        c->rehandshaking = rc != 0;
        return true;
    }
    if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED && !gnutls_error_is_fatal(rc)) {
        conn_set_error(c, rc); /* e.g. the client's warning no_renegotiation */
        c->rehandshaking = false;
        return true;
    }
    *out = conn_result(c, rc);
    return false;
}

/* The same for a post-handshake authentication (gnutls_reauth(3); started
 * by actions.c): the client's Certificate, CertificateVerify, Finished. */
static bool reauth_step(tp_engine_conn *c, tp_engine_rc *out)
{
    int rc = gnutls_reauth(c->s, 0);
    if (rc == 0 || rc == GNUTLS_E_GOT_APPLICATION_DATA) {
        c->reauthing = rc != 0; /* data first: the record layer reads it */
        return true;
    }
    c->reauthing = rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED;
    *out = conn_result(c, rc);
    return false;
}

bool tp_engine_conn_request_renegotiation(tp_engine_conn *c)
{
    if (gnutls_protocol_get_version(c->s) == GNUTLS_TLS1_3)
        return false;
    int rc = gnutls_rehandshake(c->s);
    if (rc < 0 && rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED) {
        conn_set_error(c, rc);
        return false;
    }
    c->reneg_ok = true;
    return true;
}

tp_engine_rc tp_engine_conn_read(tp_engine_conn *c, uint8_t *buf, size_t len, size_t *out_n)
{
    *out_n = 0;
    for (int tries = 0; tries < 16; tries++) {
        tp_engine_rc hr;
        if (c->rehandshaking && !rehandshake_step(c, &hr))
            return hr;
        if (c->reauthing && !reauth_step(c, &hr))
            return hr;
        /* 0-RTT data the engine took with the ClientHello comes first */
        ssize_t n = (ssize_t)engine_resume_read_early(c->s, buf, len);
        if (n == 0)
            n = gnutls_record_recv(c->s, buf, len);
        if (n > 0) {
            c->want_write = false;
            *out_n = (size_t)n;
            return TP_ENGINE_OK;
        }
        if (n == 0) {
            c->want_write = false;
            c->err_name[0] = c->err_text[0] = '\0';
            return TP_ENGINE_EOF; /* close_notify */
        }
        int rc = (int)n;
        if (rc == GNUTLS_E_REHANDSHAKE && c->reneg_ok) {
            c->rehandshaking = true; /* the client's ClientHello: handshake again */
            continue;
        }
        if (rc == GNUTLS_E_REHANDSHAKE) {
            /* a client-initiated renegotiation: decline (RFC 5246 7.2.2) */
            conn_set_error(c, rc);
            (void)gnutls_alert_send(c->s, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
            continue;
        }
        if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED && !gnutls_error_is_fatal(rc)) {
            conn_set_error(c, rc);
            continue;
        }
        return conn_result(c, rc);
    }
    return TP_ENGINE_AGAIN;
}

/* Writes all len bytes (as many records as needed).  On push-back returns
 * TP_ENGINE_AGAIN with tp_engine_conn_has_pending() true: call again with
 * the same buf and len once the transport drains; bytes already sent are
 * not sent twice.  A call with a different len while a write is pending is
 * an error (GnuTLS holds a sealed record of the old data). */
tp_engine_rc tp_engine_conn_write(tp_engine_conn *c, const uint8_t *buf, size_t len)
{
    if (c->w_pending && len != c->w_len) {
        snprintf(c->err_name, sizeof(c->err_name), "TP_E_WRITE_MISMATCH");
        snprintf(c->err_text, sizeof(c->err_text),
                 "write called with new data while a record is still pending");
        return TP_ENGINE_ERROR;
    }
    size_t off = c->w_pending ? c->w_off : 0;
    while (off < len) {
        /* resume the exact call GnuTLS was left in (gnutls_record_send(3)) */
        size_t ask = c->w_pending ? c->w_inflight : len - off;
        ssize_t n = gnutls_record_send(c->s, buf + off, ask);
        if (n >= 0) {
            c->w_pending = false;
            off += (size_t)n;
            continue;
        }
        tp_engine_rc r = conn_result(c, (int)n);
        if (r == TP_ENGINE_AGAIN) {
            c->w_pending = true;
            c->w_len = len;
            c->w_off = off;
            c->w_inflight = ask;
            c->want_write = true;
        } else {
            c->w_pending = false;
        }
        return r;
    }
    c->w_pending = false;
    c->want_write = false;
    return TP_ENGINE_OK;
}

void tp_engine_conn_close(tp_engine_conn *c)
{
    /* one attempt: the server does not wait for the peer's close_notify */
    (void)gnutls_bye(c->s, GNUTLS_SHUT_WR);
}
