/* The OpenSSL engine behind engine.h (libssl 3.x; --engine openssl).
 *
 * Transport: the SSL object's BIO is ours (a BIO_METHOD whose write and
 * read call the server's tp_transport push/pull), so the bytes go socket
 * -> session -> engine exactly as with GnuTLS; a would-block there sets
 * the BIO's retry flag and becomes TP_ENGINE_AGAIN here.  Key log lines
 * come from SSL_CTX_set_keylog_callback (NSS format already).
 *
 * Credentials: the same generated certificate or chain as the gnutls
 * engine, or --cert/--key (openssl_creds.c); names and lists:
 * openssl_names.c. */
#include "openssl_prefix.h" /* engine.c calls it as tp_openssl_* */
#include "engine.h"
#include "certgen.h"
#include "credentials.h"
#include "internal.h"
#include "openssl_int.h"
#include "openssl_sess.h" /* --psk, --srp, resumption, 0-RTT */

#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tp_engine {
    SSL_CTX *ctx;
    ossl_creds creds;
    const char *client_ca;
    tp_client_cert client_cert;
    bool renegotiation;
    unsigned resumption_off; /* --resumption: TP_RESUME_* bits off */
    /* --alpn: the server's list as ALPN wire bytes (RFC 7301 3.1), in its
     * order of preference, and as the trace names it */
    unsigned char alpn[512];
    unsigned alpn_len;
    bool alpn_strict;
    char alpn_text[512];
    engine_allowed allowed; /* what it can negotiate */
    ossl_psk *psk;          /* openssl_psk.c */
    ossl_resume *resume;    /* openssl_resume.c */
    ossl_sni *sni;          /* --sni-cert, --sni-mode, --ocsp (openssl_sni.c) */
};

struct tp_engine_conn {
    tp_engine *e;
    SSL *ssl;
    tp_transport t;
    bool want_write;           /* the last AGAIN was OpenSSL waiting to push */
    const char *client_verify; /* --client-ca: what the check found, or NULL */
    char err_name[64];
    char err_text[192];
    ossl_resume_conn rc; /* openssl_resume.c */
    ossl_sni_pick pick; /* the certificate served and its staple */
};

/* ---- the transport BIO ---- */

static void keylog_cb(const SSL *ssl, const char *line);

static int bio_write(BIO *b, const char *data, int len)
{
    tp_engine_conn *c = BIO_get_data(b);
    char line[200]; /* the master secret before the record: ossl_resume_master_line */
    if (ossl_resume_master_line(&c->rc, c->ssl, line, sizeof line))
        keylog_cb(c->ssl, line);
    BIO_clear_retry_flags(b);
    errno = 0;
    ssize_t n = c->t.push(c->t.ctx, (const uint8_t *)data, (size_t)len);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_write(b);
    return n < 0 ? -1 : (int)n;
}

static int bio_read(BIO *b, char *buf, int len)
{
    tp_engine_conn *c = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    errno = 0;
    ssize_t n = c->t.pull(c->t.ctx, (uint8_t *)buf, (size_t)len);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_read(b);
    return n < 0 ? -1 : (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static BIO_METHOD *bio_method;
static void bio_method_make(void)
{
    bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tlsprobe transport");
    if (bio_method && (!BIO_meth_set_write(bio_method, bio_write) ||
                       !BIO_meth_set_read(bio_method, bio_read) ||
                       !BIO_meth_set_ctrl(bio_method, bio_ctrl) ||
                       !BIO_meth_set_create(bio_method, bio_create))) {
        BIO_meth_free(bio_method);
        bio_method = NULL;
    }
}

/* ---- callbacks ---- */

static void keylog_cb(const SSL *ssl, const char *line)
{
    tp_engine_conn *c = SSL_get_app_data(ssl);
    if (c && ossl_resume_keylog_seen(&c->rc, line) && c->t.keylog)
        c->t.keylog(c->t.ctx, line);
}

/* A verification error as engine_verify_status_name() words it. */
static const char *verify_word(int err)
{
    switch (err) {
    case X509_V_OK:
        return "ok";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return "unknown-ca";
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return "bad-signature";
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return "expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return "not-yet-valid";
    default:
        return "invalid";
    }
}

/* Client certificates: without --client-ca any is taken (the verdict only
 * reports it); with it, the first error fails the handshake. */
static int verify_cb(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    tp_engine_conn *c = ssl ? SSL_get_app_data(ssl) : NULL;
    if (!c || !c->e->client_ca)
        return 1;
    if (!ok && (!c->client_verify || !strcmp(c->client_verify, "ok")))
        c->client_verify = verify_word(X509_STORE_CTX_get_error(store));
    else if (ok && !c->client_verify && X509_STORE_CTX_get_error_depth(store) == 0)
        c->client_verify = "ok";
    return ok;
}

/* --alpn: the first of the server's names the client offers (RFC 7301
 * 3.2); none: no ALPN in the answer, or with --alpn-mode strict a fatal
 * no_application_protocol. */
static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *out_len,
                   const unsigned char *in, unsigned in_len, void *arg)
{
    (void)ssl;
    tp_engine *e = arg;
    unsigned char *sel = NULL;
    if (SSL_select_next_proto(&sel, out_len, e->alpn, e->alpn_len, in, in_len) ==
        OPENSSL_NPN_NEGOTIATED) {
        *out = sel;
        return SSL_TLSEXT_ERR_OK;
    }
    return e->alpn_strict ? SSL_TLSEXT_ERR_ALERT_FATAL : SSL_TLSEXT_ERR_NOACK;
}

static void alpn_setup(tp_engine *e, const tp_engine_names *n)
{
    if (!n->alpn || !*n->alpn)
        return;
    const char *p = n->alpn;
    while (*p) {
        size_t len = strcspn(p, ",");
        if (len && len < 256 && e->alpn_len + 1 + len <= sizeof e->alpn) {
            e->alpn[e->alpn_len++] = (unsigned char)len;
            memcpy(e->alpn + e->alpn_len, p, len);
            e->alpn_len += (unsigned)len;
            size_t t = strlen(e->alpn_text);
            snprintf(e->alpn_text + t, sizeof e->alpn_text - t, "%s%.*s", t ? ", " : "",
                     (int)len, p);
        }
        p += len + (p[len] == ',');
    }
    e->alpn_strict = n->alpn_strict;
    SSL_CTX_set_alpn_select_cb(e->ctx, alpn_cb, e);
}

/* ---- the engine ---- */

static int ctx_setup(tp_engine *e, const tp_engine_config *cfg, char *err, size_t err_len)
{
    engine_lists psk_lists;
    ossl_names_req req = {ossl_psk_lists(cfg, &psk_lists), cfg->cipher_string,
                          cfg->ciphersuites};
    if (ossl_names_apply(e->ctx, &req, err, err_len) < 0 ||
        ossl_creds_setup(e->ctx, cfg, &e->creds, err, err_len) < 0 ||
        !(e->sni = ossl_sni_new(e->ctx, cfg, &e->creds, err, err_len)))
        return -1;
    SSL_CTX_set_keylog_callback(e->ctx, keylog_cb);
    alpn_setup(e, &cfg->names);
    /* --psk, --srp; --resumption, --tickets, --early-data (openssl_sess.h) */
    if (ossl_psk_setup(e->ctx, cfg, &e->psk, err, err_len) < 0 ||
        !(e->resume = ossl_resume_setup(e->ctx, cfg, e->psk, err, err_len)))
        return -1;
    SSL_CTX_set_mode(e->ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_dh_auto(e->ctx, 1);
    static const int verify[] = {
        [TP_CLIENT_CERT_NONE] = SSL_VERIFY_NONE,
        [TP_CLIENT_CERT_REQUEST] = SSL_VERIFY_PEER,
        [TP_CLIENT_CERT_REQUIRE] = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
    };
    SSL_CTX_set_verify(e->ctx, verify[e->client_cert], verify_cb);
    /* RFC 5746 secure renegotiation is OpenSSL's only kind; a client's
     * renegotiation is declined with a no_renegotiation warning unless
     * allowed (RFC 5246 7.2.2) */
    if (e->renegotiation)
        SSL_CTX_set_options(e->ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
    e->allowed.num_suites = ossl_allowed_suites(e->ctx, e->allowed.suites, OSSL_MAX_ALLOWED);
    e->allowed.num_versions = ossl_allowed_versions(e->ctx, e->allowed.versions, 8);
    e->allowed.num_groups = ossl_allowed_groups(&cfg->lists, e->allowed.groups, 32);
    return 0;
}

tp_engine *tp_engine_new(const tp_engine_config *cfg, char *err, size_t err_len)
{
    if (err && err_len)
        err[0] = '\0';
    if (cfg->priority && *cfg->priority && strcmp(cfg->priority, "NORMAL")) {
        engine_err_set(err, err_len, "--priority is a GnuTLS priority string: the openssl engine "
                       "takes --cipher-string and --ciphersuites");
        return NULL;
    }
    if ((unsigned)cfg->client_cert > TP_CLIENT_CERT_REQUIRE) {
        engine_err_set(err, err_len, "bad client certificate mode");
        return NULL;
    }
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, bio_method_make);
    tp_engine *e = calloc(1, sizeof(*e));
    if (!e || !bio_method || !(e->ctx = SSL_CTX_new(TLS_server_method()))) {
        engine_err_set(err, err_len, "the openssl engine cannot start: out of memory");
        free(e);
        return NULL;
    }
    e->client_cert = cfg->client_cert;
    if (cfg->client_ca && cfg->client_cert == TP_CLIENT_CERT_NONE)
        e->client_cert = TP_CLIENT_CERT_REQUIRE; /* --client-ca alone: verify, so ask */
    e->renegotiation = cfg->renegotiation;
    e->client_ca = cfg->client_ca;
    e->resumption_off = cfg->resumption_off & TP_RESUME_ALL;
    if (ctx_setup(e, cfg, err, err_len) < 0) {
        ERR_clear_error();
        tp_engine_free(e);
        return NULL;
    }
    return e;
}

void tp_engine_free(tp_engine *e)
{
    if (!e)
        return;
    SSL_CTX_free(e->ctx);
    ossl_sni_free(e->sni);
    ossl_resume_free(e->resume);
    ossl_psk_free(e->psk);
    free(e);
}

bool tp_engine_renegotiation_allowed(const tp_engine *e) { return e->renegotiation; }
unsigned tp_engine_resumption(const tp_engine *e) { return TP_RESUME_ALL & ~e->resumption_off; }
tp_client_cert tp_engine_client_cert(const tp_engine *e) { return e->client_cert; }
const char *tp_engine_cert_fingerprint(const tp_engine *e) { return e->creds.fingerprint; }
const char *tp_engine_ocsp(const tp_engine *e)
{
    const engine_chain *ch = e->creds.chain;
    return ch ? ch->ocsp : e->creds.staple ? "file" : NULL;
}
const char *tp_engine_client_ca(const tp_engine *e) { return e->client_ca; }
const char *tp_engine_conn_client_verify(tp_engine_conn *c) { return c->client_verify; }

const char *tp_engine_cert_variant(const tp_engine *e, const char **out_detail)
{
    const engine_chain *ch = e->creds.chain;
    if (out_detail)
        *out_detail = ch ? ch->detail : NULL;
    return ch ? ch->variant : NULL;
}

/* A PEM datum as engine.h hands it out. */
static const char *datum_out(const gnutls_datum_t *d, size_t *out_len)
{
    if (d && out_len)
        *out_len = d->size;
    return d ? (const char *)d->data : NULL;
}

const char *tp_engine_ca_pem(const tp_engine *e, size_t *out_len)
{
    return datum_out(e->creds.chain ? engine_ca_root_pem() : NULL, out_len);
}

const char *tp_engine_cert_pem(const tp_engine *e, size_t *out_len)
{
    const engine_chain *ch = e->creds.chain;
    const engine_generated *g = e->creds.generated;
    return datum_out(ch ? &ch->chain_pem : g ? &g->cert_pem : NULL, out_len);
}

const engine_allowed *tp_openssl_allowed_lists(const tp_engine *e)
{
    return &e->allowed;
}

/* ---- per connection ---- */

tp_engine_conn *tp_engine_conn_new(tp_engine *e, const tp_transport *t)
{
    tp_engine_conn *c = calloc(1, sizeof(*c));
    BIO *b = c ? BIO_new(bio_method) : NULL;
    if (!b || !(c->ssl = SSL_new(e->ctx)) || !ossl_resume_conn_setup(e->resume, c->ssl, &c->rc)) {
        SSL_free(c ? c->ssl : NULL);
        BIO_free(b);
        free(c);
        return NULL;
    }
    c->e = e;
    c->t = *t;
    BIO_set_data(b, c);
    SSL_set_bio(c->ssl, b, b); /* the SSL owns it now */
    SSL_set_app_data(c->ssl, c);
    SSL_set_accept_state(c->ssl);
    ossl_sni_conn(e->sni, c->ssl, &c->pick);
    return c;
}

void tp_engine_conn_free(tp_engine_conn *c)
{
    if (!c)
        return;
    SSL_free(c->ssl);
    ossl_resume_conn_clear(&c->rc);
    free(c);
}

/* OpenSSL's reason as a name: "no shared cipher" -> "SSL_R_NO_SHARED_CIPHER". */
static void conn_set_error(tp_engine_conn *c, int ssl_err)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    if (reason) {
        size_t n = (size_t)snprintf(c->err_name, sizeof c->err_name, "SSL_R_");
        for (size_t i = 0; reason[i] && n + 1 < sizeof c->err_name; i++, n++) {
            char ch = reason[i];
            c->err_name[n] = ch == ' ' ? '_' : ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
        }
        c->err_name[n] = '\0';
        snprintf(c->err_text, sizeof c->err_text, "%s", reason);
    } else if (ssl_err == SSL_ERROR_SYSCALL) {
        snprintf(c->err_name, sizeof c->err_name, "SSL_ERROR_SYSCALL");
        snprintf(c->err_text, sizeof c->err_text, "transport error: %s",
                 errno ? strerror(errno) : "end of file");
    } else {
        snprintf(c->err_name, sizeof c->err_name, "SSL_ERROR_%d", ssl_err);
        snprintf(c->err_text, sizeof c->err_text, "OpenSSL error %d", ssl_err);
    }
    ERR_clear_error();
}

/* Shared tail of every call: an OpenSSL return (<= 0) as our rc. */
static tp_engine_rc conn_result(tp_engine_conn *c, int ret)
{
    int se = SSL_get_error(c->ssl, ret);
    c->want_write = se == SSL_ERROR_WANT_WRITE;
    if (se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return TP_ENGINE_AGAIN;
    }
    if (se == SSL_ERROR_ZERO_RETURN) { /* close_notify */
        c->err_name[0] = c->err_text[0] = '\0';
        return TP_ENGINE_EOF;
    }
    unsigned long e = ERR_peek_last_error();
    bool eof = (se == SSL_ERROR_SYSCALL && errno == 0) ||
               (e && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
    conn_set_error(c, se);
    /* EOF without close_notify: EOF, told apart by the error name; OpenSSL
     * has sent the alert a real server would for the rest */
    return eof ? TP_ENGINE_EOF : TP_ENGINE_ERROR;
}

tp_engine_rc tp_engine_conn_handshake(tp_engine_conn *c)
{
    ERR_clear_error();
    int rc = c->rc.early_done ? 1 : ossl_resume_early(&c->rc, c->ssl); /* 0-RTT first */
    if (rc == 1)
        rc = SSL_do_handshake(c->ssl);
    if (rc == 1) {
        c->want_write = false;
        ossl_resume_handshake_done(&c->rc);
        return TP_ENGINE_OK;
    }
    return conn_result(c, rc);
}

bool tp_engine_conn_request_renegotiation(tp_engine_conn *c)
{
    if (SSL_version(c->ssl) >= TLS1_3_VERSION || SSL_renegotiate(c->ssl) != 1) {
        ERR_clear_error();
        return false;
    }
    /* sends the HelloRequest; the client's ClientHello comes through read */
    int rc = SSL_do_handshake(c->ssl);
    if (rc != 1 && conn_result(c, rc) == TP_ENGINE_ERROR)
        return false;
    return true;
}

tp_engine_rc tp_engine_conn_read(tp_engine_conn *c, uint8_t *buf, size_t len, size_t *out_n)
{
    *out_n = 0;
    ERR_clear_error();
    errno = 0;
    if ((*out_n = ossl_resume_read_early(&c->rc, buf, len)) > 0 ||
        SSL_read_ex(c->ssl, buf, len, out_n) == 1) {
        c->want_write = false;
        return TP_ENGINE_OK;
    }
    *out_n = 0;
    return conn_result(c, 0);
}

/* Writes all len bytes; on push-back TP_ENGINE_AGAIN with has_pending()
 * true: call again with the same buf and len (OpenSSL resumes where it
 * stopped; SSL_write(3) without partial writes). */
tp_engine_rc tp_engine_conn_write(tp_engine_conn *c, const uint8_t *buf, size_t len)
{
    size_t n = 0;
    ERR_clear_error();
    errno = 0;
    if (len == 0 || SSL_write_ex(c->ssl, buf, len, &n) == 1) {
        c->want_write = false;
        return TP_ENGINE_OK;
    }
    return conn_result(c, 0);
}

void tp_engine_conn_close(tp_engine_conn *c)
{
    /* one attempt: the server does not wait for the peer's close_notify */
    (void)SSL_shutdown(c->ssl);
    ERR_clear_error();
}

static void client_cert_summary(tp_engine_conn *c, char *out, size_t out_len)
{
    X509 *x = SSL_get0_peer_certificate(c->ssl);
    out[0] = '\0';
    if (!x)
        return;
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(c->ssl); /* server: without the leaf */
    char dn[96] = "?", idn[96] = "?", fp[3 * 32] = "";
    X509_NAME_oneline(X509_get_subject_name(x), dn, sizeof dn);
    X509_NAME_oneline(X509_get_issuer_name(x), idn, sizeof idn);
    ossl_fingerprint(x, fp, sizeof fp);
    EVP_PKEY *pk = X509_get0_pubkey(x);
    snprintf(out, out_len, "subject '%s'; issuer '%s'; %s %d bits; %d in chain; sha256 %s", dn,
             idn, pk ? EVP_PKEY_get0_type_name(pk) : "?", pk ? EVP_PKEY_get_bits(pk) : 0,
             1 + (chain ? sk_X509_num(chain) : 0), fp);
}

void tp_engine_conn_info(tp_engine_conn *c, tp_engine_info *out)
{
    memset(out, 0, sizeof(*out));
    int ver = SSL_version(c->ssl);
    snprintf(out->protocol, sizeof(out->protocol), "%s", ossl_version_name(ver));
    const SSL_CIPHER *sc = SSL_get_current_cipher(c->ssl);
    if (sc)
        ossl_suite_names((uint16_t)SSL_CIPHER_get_protocol_id(sc), out->kx, sizeof out->kx,
                         out->cipher, sizeof out->cipher, out->mac, sizeof out->mac);
    const char *g = ossl_group_name_nid(SSL_get_negotiated_group(c->ssl));
    if (g)
        snprintf(out->group, sizeof(out->group), "%s", g);
    /* TLS 1.3 suites name no key exchange (RFC 8446 B.4); a resumed one
     * authenticates by its PSK (psk_dhe_ke, or psk_ke: no group; 4.2.9) */
    const char *auth = SSL_session_reused(c->ssl) ? "PSK" : ossl_conn_key_rsa(c->ssl) ? "RSA"
                                                                                     : "ECDSA";
    if (ver == TLS1_3_VERSION && g)
        snprintf(out->kx, sizeof(out->kx), "%s-%s", strncmp(g, "FFDHE", 5) ? "ECDHE" : "DHE", auth);
    else if (ver == TLS1_3_VERSION && auth[0] == 'P')
        snprintf(out->kx, sizeof(out->kx), "PSK");
    ossl_conn_sigalg(c->ssl, out->sigalg, sizeof out->sigalg);
    client_cert_summary(c, out->client_cert, sizeof(out->client_cert));
    ossl_resume_info(&c->rc, c->ssl, out);
}

/* --interactive's actions on OpenSSL: KeyUpdate (RFC 8446 4.6.3) and the
 * post-handshake CertificateRequest (4.6.2) go out with the next
 * SSL_do_handshake; libssl has no call to send an alert of one's choice, so
 * the server's transport writes it (its record rewriter seals it and the
 * engine's later records after it). */
static bool act_say(char *why, size_t why_len, const char *text, const SSL *ssl)
{
    if (why && why_len)
        snprintf(why, why_len, "%s; this session is %s", text, ossl_version_name(SSL_version(ssl)));
    return false;
}

bool tp_engine_conn_act(tp_engine_conn *c, tp_engine_action a, uint8_t level, uint8_t desc,
                        bool *out_end, char *why, size_t why_len)
{
    (void)level;
    (void)desc;
    *out_end = false;
    bool tls13 = SSL_version(c->ssl) == TLS1_3_VERSION;
    int ok = 0;
    ERR_clear_error();
    switch (a) {
    case TP_ACT_RENEGOTIATE:
        if (tls13)
            return act_say(why, why_len, "TLS 1.3 has no renegotiation (RFC 8446 4.1.2)", c->ssl);
        return tp_engine_conn_request_renegotiation(c) ||
               act_say(why, why_len, "the openssl engine refused the HelloRequest", c->ssl);
    case TP_ACT_KEY_UPDATE:
    case TP_ACT_KEY_UPDATE_REQUESTED:
        if (!tls13)
            return act_say(why, why_len, "KeyUpdate exists in TLS 1.3 only", c->ssl);
        ok = SSL_key_update(c->ssl, a == TP_ACT_KEY_UPDATE ? SSL_KEY_UPDATE_NOT_REQUESTED
                                                           : SSL_KEY_UPDATE_REQUESTED);
        break;
    case TP_ACT_REQUEST_CERT:
        if (!tls13)
            return act_say(why, why_len, "post-handshake authentication exists in TLS 1.3 "
                           "only (TLS 1.2: renegotiate)", c->ssl);
        SSL_set_verify(c->ssl, SSL_VERIFY_PEER, verify_cb);
        ok = SSL_verify_client_post_handshake(c->ssl);
        break;
    case TP_ACT_ALERT: /* libssl has no call for it: the transport writes it */
        if (!c->t.alert || !c->t.alert(c->t.ctx, level, desc))
            return act_say(why, why_len, "the openssl engine cannot send an alert of choice "
                           "here (libssl has no call for it)", c->ssl);
        *out_end = level == SSL3_AL_FATAL; /* RFC 5246 7.2.2, RFC 8446 6.2 */
        return true;
    }
    if (ok != 1 && ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_EXTENSION_NOT_RECEIVED) {
        ERR_clear_error(); /* RFC 8446 4.6.2: only after the client's post_handshake_auth */
        return act_say(why, why_len, "the client did not offer post_handshake_auth (RFC 8446 "
                       "4.2.6), so the server may not ask (openssl s_client: -enable_pha)", c->ssl);
    }
    if (ok != 1) {
        const char *r = ERR_reason_error_string(ERR_peek_last_error());
        if (why && why_len)
            snprintf(why, why_len, "the openssl engine refused: %s (did the client offer "
                     "post_handshake_auth? openssl s_client: -enable_pha)", r ? r : "?");
        ERR_clear_error();
        return false;
    }
    int rc = SSL_do_handshake(c->ssl); /* sends it */
    return rc == 1 || conn_result(c, rc) != TP_ENGINE_ERROR;
}

void tp_engine_names_info_get(const tp_engine *e, tp_engine_names_info *out)
{
    *out = (tp_engine_names_info){e->alpn_len ? e->alpn_text : NULL,
                                  e->alpn_strict ? "strict" : "ignore", "ignore", ""};
    ossl_sni_info(e->sni, out);
}

const char *tp_engine_conn_sni_cert(const tp_engine_conn *c) { return c->pick.label; }

const char *tp_engine_psk_identities(const tp_engine *e) { return ossl_psk_identities(e->psk); }

bool tp_engine_psk_key(const void *engine, const char *identity, uint8_t *out, size_t cap,
                       size_t *out_len)
{
    return ossl_psk_key(((const tp_engine *)engine)->psk, identity, out, cap, out_len);
}

const char *tp_engine_conn_error_name(const tp_engine_conn *c) { return c->err_name; }
const char *tp_engine_conn_error_text(const tp_engine_conn *c) { return c->err_text; }
bool tp_engine_conn_has_pending(const tp_engine_conn *c) { return c->want_write; }

const char *tp_engine_openssl_version(void)
{
    return OpenSSL_version(OPENSSL_VERSION_STRING);
}
