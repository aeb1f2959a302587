/* Resumption and 0-RTT on the openssl engine (see openssl_sess.h).
 *
 * The session-ID cache is the engine-neutral store (resume_store.c) behind
 * libssl's external cache callbacks, not libssl's internal cache: libssl
 * drops a session from its cache when the connection ends with a fatal
 * alert, an end of file without close_notify included, so a client that
 * just closes the socket could never resume by session id; GnuTLS keeps
 * it, and so does this cache (the oldest entry gives way; libssl checks a
 * session's age when it is looked up).  A renegotiation never resumes
 * (SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION), as on the gnutls
 * engine.  TLS 1.3 tickets go out after the client's Finished (libssl's
 * way); with TLS 1.2 tickets off they are stateful (libssl keeps their
 * sessions in the same cache).
 *
 * 0-RTT (--early-data): SSL_read_early_data before the handshake, the data
 * kept for the first reads; libssl's own anti-replay (single-use stateful
 * tickets, which would refuse the resumption too) is off, and the early
 * data of a ticket is taken once: the ClientHello's first PSK identity is
 * hashed and checked against the store's set of used tickets, so the
 * second use resumes without 0-RTT and is named a replay. */
#include "openssl_sess.h"
#include "../crypto/prf.h"
#include "../wire/handshake.h"
#include "../wire/hex.h"
#include "internal.h"
#include "resume_store.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EARLY_MAX 16384 /* max_early_data_size announced in TLS 1.3 tickets */

struct ossl_resume {
    unsigned modes; /* TP_RESUME_* on */
    bool early_data;
    const ossl_psk *psk;
    engine_store *store;
};

static int ssl_index = -1, ctx_index = -1;
static void index_make(void)
{
    ssl_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ctx_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static ossl_resume_conn *conn_of(SSL *s)
{
    return ssl_index < 0 ? NULL : SSL_get_ex_data(s, ssl_index);
}

/* ---- the session-ID cache ---- */

/* TLS <= 1.2 sessions only with the session-ID cache on (TLS 1.3 ones are
 * the stateful tickets). */
static bool cache_takes(const ossl_resume *r, SSL *s)
{
    return SSL_version(s) == TLS1_3_VERSION ? (r->modes & TP_RESUME_PSK) != 0
                                            : (r->modes & TP_RESUME_ID) != 0;
}

static int cache_new(SSL *s, SSL_SESSION *sess)
{
    ossl_resume *r = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(s), ctx_index);
    unsigned id_len = 0;
    const unsigned char *id = SSL_SESSION_get_id(sess, &id_len);
    int n = r && cache_takes(r, s) ? i2d_SSL_SESSION(sess, NULL) : 0;
    unsigned char *der = n > 0 ? malloc((size_t)n) : NULL, *p = der;
    if (der && i2d_SSL_SESSION(sess, &p) == n)
        (void)engine_store_put(r->store, id, id_len, der, (size_t)n);
    if (der)
        OPENSSL_cleanse(der, (size_t)n);
    free(der);
    return 0; /* we keep no reference */
}

static SSL_SESSION *cache_get(SSL *s, const unsigned char *id, int id_len, int *copy)
{
    ossl_resume *r = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(s), ctx_index);
    ossl_resume_conn *rc = conn_of(s);
    *copy = 0;
    if (!r || !rc || rc->handshaken || id_len <= 0 || !cache_takes(r, s))
        return NULL;
    size_t n = 0;
    uint8_t *der = engine_store_get(r->store, id, (size_t)id_len, malloc, &n);
    const unsigned char *p = der;
    SSL_SESSION *sess = der ? d2i_SSL_SESSION(NULL, &p, (long)n) : NULL;
    if (der)
        OPENSSL_cleanse(der, n);
    free(der);
    if (SSL_version(s) != TLS1_3_VERSION)
        rc->cache_miss = sess == NULL;
    return sess;
}

static void cache_remove(SSL_CTX *ctx, SSL_SESSION *sess)
{
    (void)ctx;
    (void)sess; /* kept: see the top of this file */
}

/* ---- 0-RTT once per ticket; the ClientHello ---- */

/* "LABEL <hex a> <hex b>" into line; "" when cap is below
 * label + 2 * (a_len + b_len) + 3. */
static void keylog_line(char *line, size_t cap, const char *label, const uint8_t *a, size_t a_len,
                        const uint8_t *b, size_t b_len)
{
    size_t n = strlen(label);
    line[0] = '\0';
    if (cap < n + 2 * (a_len + b_len) + 3)
        return;
    memcpy(line, label, n);
    line[n++] = ' ';
    wire_hex_encode(line + n, a, a_len);
    n += 2 * a_len;
    line[n++] = ' ';
    wire_hex_encode(line + n, b, b_len);
}

/* libssl keeps the first ClientHello (handshake header and body) for the
 * early secret below. */
static void msg_cb(int write_p, int version, int type, const void *buf, size_t len, SSL *s,
                   void *arg)
{
    (void)version;
    (void)arg;
    ossl_resume_conn *rc = conn_of(s);
    const uint8_t *m = buf;
    if (!write_p && type == SSL3_RT_HANDSHAKE && rc && !rc->hello && !rc->handshaken &&
        len >= 4 && m[0] == WIRE_HS_CLIENT_HELLO && (rc->hello = malloc(len)) != NULL) {
        memcpy(rc->hello, buf, len);
        rc->hello_len = len;
    }
}

/* libssl derives no early traffic secret for 0-RTT data it refuses: the
 * resumed session's PSK gives it (RFC 8446 7.1: Derive-Secret(HKDF-Extract
 * (0, PSK), "c e traffic", ClientHello)), written as libssl would, so the
 * refused early records are checked too (GnuTLS logs it in that case). */
static void log_early_secret(SSL *s, const ossl_resume_conn *rc)
{
    SSL_SESSION *sess = SSL_get_session(s);
    const SSL_CIPHER *c = sess ? SSL_SESSION_get0_cipher(sess) : NULL;
    const EVP_MD *md = c ? SSL_CIPHER_get_handshake_digest(c) : NULL;
    SSL_CTX_keylog_cb_func log = SSL_CTX_get_keylog_callback(SSL_get_SSL_CTX(s));
    if (!md || !log || !rc->hello)
        return;
    crypto_hash h = EVP_MD_get_type(md) == NID_sha384 ? CRYPTO_HASH_SHA384 : CRYPTO_HASH_SHA256;
    uint8_t psk[64], early[64], th[64], cets[64], cr[32];
    size_t psk_len = SSL_SESSION_get_master_key(sess, psk, sizeof psk), hl = crypto_hash_len(h);
    char line[32 + 2 * (32 + 64) + 4];
    if (psk_len && SSL_get_client_random(s, cr, sizeof cr) == sizeof cr &&
        crypto_hkdf_extract(h, NULL, 0, psk, psk_len, early) == TP_OK &&
        crypto_hash_digest(h, rc->hello, rc->hello_len, th) == TP_OK &&
        crypto_tls13_derive_secret(h, early, "c e traffic", th, cets) == TP_OK) {
        keylog_line(line, sizeof line, "CLIENT_EARLY_TRAFFIC_SECRET", cr, sizeof cr, cets, hl);
        log(s, line);
    }
    OPENSSL_cleanse(psk, sizeof psk);
    OPENSSL_cleanse(early, sizeof early);
    OPENSSL_cleanse(cets, sizeof cets);
}

static int allow_early_cb(SSL *s, void *arg)
{
    ossl_resume *r = arg;
    ossl_resume_conn *rc = conn_of(s);
    if (!rc || !rc->have_psk_id)
        return 1;
    rc->early_replay = engine_store_ticket_used(r->store, rc->psk_id, true);
    if (rc->early_replay)
        log_early_secret(s, rc);
    return !rc->early_replay;
}

/* Whether the ClientHello offers the suite id. */
static bool client_offers(SSL *s, uint16_t id)
{
    const unsigned char *p = NULL;
    size_t len = SSL_client_hello_get0_ciphers(s, &p);
    for (size_t i = 0; p && i + 1 < len; i += 2)
        if ((p[i] << 8 | p[i + 1]) == id)
            return true;
    return false;
}

/* An external PSK is bound with SHA-256 (openssl_psk.c): libssl ignores it
 * when the suite chosen has another hash, so the connection's TLS 1.3
 * suites become the server's SHA-256 ones the client offers too, if there
 * are any (RFC 8446 4.2.11: the server selects a cipher suite compatible
 * with the PSK). */
static void sha256_suites_only(SSL *s)
{
    STACK_OF(SSL_CIPHER) *sk = SSL_get_ciphers(s);
    char list[256] = "";
    for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
        const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
        size_t n = strlen(list);
        const EVP_MD *md = SSL_CIPHER_get_handshake_digest(c);
        uint16_t id = (uint16_t)SSL_CIPHER_get_protocol_id(c);
        if ((id & 0xff00) == 0x1300 && md && EVP_MD_get_type(md) == NID_sha256 &&
            client_offers(s, id))
            snprintf(list + n, sizeof list - n, "%s%s", n ? ":" : "", SSL_CIPHER_get_name(c));
    }
    if (list[0]) /* else the PSK goes unused: a certificate handshake */
        (void)SSL_set_ciphersuites(s, list);
}

static int client_hello_cb(SSL *s, int *al, void *arg)
{
    ossl_resume *r = arg;
    ossl_resume_conn *rc = conn_of(s);
    const unsigned char *d = NULL;
    size_t len = 0;
    wire_ext_psk ext;
    cur_t body;
    if (!rc || SSL_client_hello_get0_ext(s, WIRE_EXT_PRE_SHARED_KEY, &d, &len) != 1)
        return SSL_CLIENT_HELLO_SUCCESS;
    cur_init(&body, d, len);
    if (wire_ext_psk_parse(body, false, &ext) != TP_OK)
        return SSL_CLIENT_HELLO_SUCCESS; /* libssl answers a bad extension */
    int ext_psk = ossl_psk_client_hello(r->psk, &ext, al);
    if (ext_psk < 0)
        return SSL_CLIENT_HELLO_ERROR;
    rc->external = ext_psk > 0;
    if (rc->external)
        sha256_suites_only(s);
    unsigned int hl = 0;
    rc->have_psk_id = EVP_Digest(cur_data(&ext.first_identity), cur_len(&ext.first_identity),
                                 rc->psk_id, &hl, EVP_sha256(), NULL) == 1;
    /* a replay whoever refuses it */
    rc->early_replay = r->early_data && rc->have_psk_id &&
                       SSL_client_hello_get0_ext(s, WIRE_EXT_EARLY_DATA, &d, &len) == 1 &&
                       engine_store_ticket_used(r->store, rc->psk_id, false);
    return SSL_CLIENT_HELLO_SUCCESS;
}

/* ---- setup ---- */

static void tickets_setup(SSL_CTX *ctx, const ossl_resume *r, const tp_engine_config *cfg)
{
    static const unsigned char sid_ctx[] = "tlsprobe";
    SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1);
    /* psk_ke (RFC 8446 4.2.9) taken as GnuTLS takes it */
    SSL_CTX_set_options(ctx, SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION | SSL_OP_NO_ANTI_REPLAY |
                                 SSL_OP_ALLOW_NO_DHE_KEX);
    if (!(r->modes & TP_RESUME_TICKET))
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET); /* TLS 1.3's become stateful */
    /* on with --resumption none too: the ServerHello still has a session id
     * (as GnuTLS's), which the cache then does not take */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(ctx, cache_new);
    SSL_CTX_sess_set_get_cb(ctx, cache_get);
    SSL_CTX_sess_set_remove_cb(ctx, cache_remove);
    if (!(r->modes & TP_RESUME_PSK))
        SSL_CTX_set_num_tickets(ctx, 0);
    else
        SSL_CTX_set_num_tickets(ctx, cfg->tickets_set ? cfg->tickets : TP_TICKETS_DEFAULT);
    if (r->early_data) {
        SSL_CTX_set_max_early_data(ctx, EARLY_MAX);
        SSL_CTX_set_recv_max_early_data(ctx, EARLY_MAX);
        SSL_CTX_set_allow_early_data_cb(ctx, allow_early_cb, (void *)r);
        SSL_CTX_set_msg_callback(ctx, msg_cb);
    }
}

ossl_resume *ossl_resume_setup(SSL_CTX *ctx, const tp_engine_config *cfg, const ossl_psk *psk,
                               char *err, size_t err_len)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, index_make);
    ossl_resume *r = calloc(1, sizeof *r);
    if (!r || ssl_index < 0 || ctx_index < 0 || !(r->store = engine_store_new())) {
        free(r);
        engine_err_set(err, err_len, "out of memory");
        return NULL;
    }
    r->modes = TP_RESUME_ALL & ~cfg->resumption_off;
    r->early_data = cfg->early_data && (r->modes & TP_RESUME_PSK);
    r->psk = psk;
    SSL_CTX_set_ex_data(ctx, ctx_index, r);
    tickets_setup(ctx, r, cfg);
    SSL_CTX_set_client_hello_cb(ctx, client_hello_cb, r);
    return r;
}

void ossl_resume_free(ossl_resume *r)
{
    if (!r)
        return;
    engine_store_free(r->store);
    free(r);
}

bool ossl_resume_conn_setup(ossl_resume *r, SSL *s, ossl_resume_conn *rc)
{
    memset(rc, 0, sizeof *rc);
    rc->r = r;
    rc->early_done = !r->early_data;
    return SSL_set_ex_data(s, ssl_index, rc) == 1;
}

void ossl_resume_conn_clear(ossl_resume_conn *rc)
{
    free(rc->hello);
    rc->hello = NULL;
    if (rc->early)
        OPENSSL_cleanse(rc->early, EARLY_MAX);
    free(rc->early);
    rc->early = NULL;
}

/* ---- the connection ---- */

int ossl_resume_early(ossl_resume_conn *rc, SSL *s)
{
    if (!rc->early && !(rc->early = malloc(EARLY_MAX)))
        return 0;
    while (!rc->early_done) {
        size_t n = 0;
        int ret = SSL_read_early_data(s, rc->early + rc->early_len, EARLY_MAX - rc->early_len, &n);
        if (ret == SSL_READ_EARLY_DATA_ERROR)
            return 0;
        rc->early_len += n;
        rc->early_done = ret == SSL_READ_EARLY_DATA_FINISH || rc->early_len == EARLY_MAX;
    }
    return 1;
}

void ossl_resume_handshake_done(ossl_resume_conn *rc)
{
    rc->handshaken = true;
}

size_t ossl_resume_read_early(ossl_resume_conn *rc, uint8_t *buf, size_t len)
{
    size_t n = rc->early_len - rc->early_off;
    if (n > len)
        n = len;
    if (n) {
        memcpy(buf, rc->early + rc->early_off, n);
        rc->early_off += n;
    }
    return n;
}

void ossl_resume_info(const ossl_resume_conn *rc, SSL *s, tp_engine_info *out)
{
    bool psk = SSL_session_reused(s) == 1; /* a resumption or an external PSK */
    out->resumed = psk && !rc->external;
    out->early_accepted = SSL_get_early_data_status(s) == SSL_EARLY_DATA_ACCEPTED;
    out->early_replay = rc->early_replay;
    out->cache_miss = rc->cache_miss && !out->resumed;
    if (psk && SSL_version(s) == TLS1_3_VERSION)
        engine_tls13_psk_kx(out);
}

/* The client random of a CLIENT_RANDOM line, hex (64 digits), or NULL. */
static const char *line_random(const char *line)
{
    return strncmp(line, "CLIENT_RANDOM ", 14) == 0 && strlen(line) > 14 + 64 ? line + 14 : NULL;
}

bool ossl_resume_keylog_seen(ossl_resume_conn *rc, const char *line)
{
    const char *cr = line_random(line);
    if (!cr)
        return true;
    if (memcmp(cr, rc->logged_random, 64) == 0)
        return false; /* ours came first */
    memcpy(rc->logged_random, cr, 64);
    return true;
}

/* Where the server has the master secret of this handshake: the client's
 * key exchange read (a full handshake), or its own ChangeCipherSpec next
 * (an abbreviated one: the resumed session's). */
static bool master_known(SSL *s)
{
    switch (SSL_get_state(s)) {
    case TLS_ST_SR_KEY_EXCH:
    case TLS_ST_SR_CERT_VRFY:
    case TLS_ST_SR_NEXT_PROTO:
    case TLS_ST_SR_CHANGE:
    case TLS_ST_SR_FINISHED:
    case TLS_ST_SW_CHANGE:
    case TLS_ST_SW_FINISHED:
        return true;
    default:
        return false;
    }
}

bool ossl_resume_master_line(ossl_resume_conn *rc, SSL *s, char *line, size_t cap)
{
    unsigned char cr[32], master[48];
    SSL_SESSION *sess = SSL_get_session(s);
    if (!SSL_in_init(s) || SSL_version(s) >= TLS1_3_VERSION || !sess || !master_known(s) ||
        cap < 14 + 65 + 97 || SSL_get_client_random(s, cr, sizeof cr) != sizeof cr)
        return false;
    if (SSL_SESSION_get_master_key(sess, master, sizeof master) != sizeof master)
        return false;
    keylog_line(line, cap, "CLIENT_RANDOM", cr, sizeof cr, master, sizeof master);
    OPENSSL_cleanse(master, sizeof master);
    return memcmp(line + 14, rc->logged_random, 64) != 0;
}
