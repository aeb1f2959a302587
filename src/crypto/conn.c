#include "conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"
#include "prf.h"

/* transcript hashes kept in parallel, since ClientHello arrives before
 * the suite (and so the hash) is known */
enum { TH_MD5, TH_SHA1, TH_SHA256, TH_SHA384, TH_COUNT };
static const crypto_hash th_hash[TH_COUNT] = {CRYPTO_HASH_MD5, CRYPTO_HASH_SHA1, CRYPTO_HASH_SHA256,
                                              CRYPTO_HASH_SHA384};

typedef struct {
    crypto_epoch epoch;
    uint64_t seq;       /* next record to open */
    crypto_record open; /* ready when open.ops != NULL */
    crypto_record seal;
    bool seal_ready;
    uint8_t app_secret[CRYPTO_MAX_HASH_LEN]; /* TLS 1.3 current application secret */
    size_t app_secret_len;
    unsigned generation;      /* KeyUpdates applied to app_secret */
    unsigned pending_updates; /* KeyUpdates seen before the secret was known */
    char detail[96];
} dir_state;

struct crypto_conn {
    bool have_cr, have_hello, have_master;
    bool no_key_source; /* no key log given at all (offline, without --keylog) */
    uint8_t cr[32], sr[32];
    uint16_t version, suite_id;
    bool etm;
    tp_status suite_status;
    crypto_suite suite;
    EVP_MD_CTX *th[TH_COUNT];
    bool th_ok;
    size_t num_hs; /* messages in the transcript */
    bool hrr_seen;
    bool finished_seen; /* a Finished has been added: a new ClientHello restarts */
    /* TLS 1.3 post-handshake authentication (RFC 8446 4.4, 4.6.2): the
     * transcript through the client's Finished, and a request's context */
    unsigned num_finished;
    EVP_MD_CTX *post_th, *pha_th;
    bool pha_ok; /* pha_th holds CertificateRequest (+ Certificate, CertificateVerify) */
    uint8_t master[48];
    uint8_t secret[CRYPTO_KL_COUNT][CRYPTO_MAX_HASH_LEN];
    size_t secret_len[CRYPTO_KL_COUNT];
    dir_state dir[2];
};

/* RFC 8446 4.1.3: SHA-256("HelloRetryRequest") as the ServerHello.random */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

static bool th_reset(crypto_conn *c)
{
    c->th_ok = true;
    c->num_hs = 0;
    c->hrr_seen = false;
    c->finished_seen = false;
    c->num_finished = 0;
    c->pha_ok = false;
    for (int i = 0; i < TH_COUNT; i++) {
        const EVP_MD *md = crypto_md(th_hash[i]);
        if (!c->th[i] || !md || !EVP_DigestInit_ex(c->th[i], md, NULL))
            c->th_ok = false;
    }
    return c->th_ok;
}

crypto_conn *crypto_conn_new(void)
{
    crypto_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    for (int i = 0; i < TH_COUNT; i++) {
        c->th[i] = EVP_MD_CTX_new();
        if (!c->th[i]) {
            crypto_conn_free(c);
            return NULL;
        }
    }
    th_reset(c);
    c->suite_status = TP_ERR_NO_KEYS;
    return c;
}

void crypto_conn_free(crypto_conn *c)
{
    if (!c)
        return;
    for (int d = 0; d < 2; d++) {
        crypto_record_cleanup(&c->dir[d].open);
        crypto_record_cleanup(&c->dir[d].seal);
    }
    for (int i = 0; i < TH_COUNT; i++)
        EVP_MD_CTX_free(c->th[i]);
    EVP_MD_CTX_free(c->post_th);
    EVP_MD_CTX_free(c->pha_th);
    OPENSSL_cleanse(c, sizeof *c);
    free(c);
}

static void forget_secrets(crypto_conn *c)
{
    c->have_master = false;
    OPENSSL_cleanse(c->master, sizeof c->master);
    OPENSSL_cleanse(c->secret, sizeof c->secret);
    memset(c->secret_len, 0, sizeof c->secret_len);
    for (int d = 0; d < 2; d++) {
        OPENSSL_cleanse(c->dir[d].app_secret, sizeof c->dir[d].app_secret);
        c->dir[d].app_secret_len = 0;
        c->dir[d].generation = c->dir[d].pending_updates = 0;
    }
}

void crypto_conn_set_client_random(crypto_conn *c, const uint8_t client_random[32])
{
    if (c->have_cr && memcmp(c->cr, client_random, 32) == 0)
        return;
    if (c->have_cr)
        forget_secrets(c);
    memcpy(c->cr, client_random, 32);
    c->have_cr = true;
}

void crypto_conn_set_hello(crypto_conn *c, const uint8_t client_random[32],
                           const uint8_t server_random[32], uint16_t version, uint16_t suite,
                           bool encrypt_then_mac)
{
    crypto_conn_set_client_random(c, client_random);
    memcpy(c->sr, server_random, 32);
    c->version = version;
    c->suite_id = suite;
    c->etm = encrypt_then_mac;
    c->have_hello = true;
    c->suite_status = crypto_suite_lookup(suite, &c->suite);
    /* a TLS 1.3 suite must come with version 1.3 and vice versa */
    if (c->suite_status == TP_OK && c->suite.tls13 != (version == 0x0304))
        c->suite_status = TP_ERR_UNSUPPORTED;
    if (c->suite_status == TP_OK && c->suite.family != CRYPTO_FAMILY_CBC)
        c->etm = false; /* RFC 7366 3: only CBC suites use EtM */
}

static int th_index(crypto_hash h);

/* A message after the TLS 1.3 handshake: a CertificateRequest starts a
 * post-handshake authentication's transcript (the Handshake Context
 * "ClientHello ... client Finished + CertificateRequest", RFC 8446 4.4);
 * the client's Certificate and CertificateVerify join it; its Finished
 * ends it.  NewSessionTicket and KeyUpdate join no transcript. */
static void post_handshake_add(crypto_conn *c, uint8_t type, const uint8_t *msg, size_t len)
{
    if (type == 13 && c->post_th) {
        if (!c->pha_th)
            c->pha_th = EVP_MD_CTX_new();
        c->pha_ok = c->pha_th && EVP_MD_CTX_copy_ex(c->pha_th, c->post_th) &&
                    EVP_DigestUpdate(c->pha_th, msg, len);
    } else if ((type == 11 || type == 15) && c->pha_ok) {
        c->pha_ok = EVP_DigestUpdate(c->pha_th, msg, len);
    } else if (type == 20) {
        c->pha_ok = false;
    }
}

/* The TLS 1.3 handshake ended with this client Finished: keep its transcript. */
static void post_handshake_start(crypto_conn *c)
{
    int i = th_index(c->suite.prf);
    if (i < 0 || c->suite_status != TP_OK)
        return;
    if (!c->post_th)
        c->post_th = EVP_MD_CTX_new();
    if (c->post_th && !EVP_MD_CTX_copy_ex(c->post_th, c->th[i])) {
        EVP_MD_CTX_free(c->post_th);
        c->post_th = NULL;
    }
}

void crypto_conn_add_handshake(crypto_conn *c, const uint8_t *msg, size_t len)
{
    if (len < 4 || !c->th_ok)
        return;
    uint8_t type = msg[0];
    if (c->version == 0x0304 && c->num_finished >= 2) {
        post_handshake_add(c, type, msg, len);
        return;
    }
    if (type == 0) /* HelloRequest: RFC 5246 7.4.1.1, not in the transcript */
        return;
    /* TLS 1.3 post-handshake messages (NewSessionTicket, KeyUpdate) are not
     * in it either (RFC 8446 4.4.1); a server may send its tickets before
     * the client's Finished reached us.  TLS 1.2's NewSessionTicket is
     * (RFC 5077 3.3). */
    if (c->have_hello && c->version == 0x0304 && (type == 4 || type == 24))
        return;
    if (type == 1 && c->finished_seen) /* renegotiation: a new handshake */
        th_reset(c);
    /* RFC 8446 4.4.1: after HelloRetryRequest, ClientHello1 is replaced by
     * message_hash(254) 00 00 Hash.length Hash(ClientHello1). */
    if (type == 2 && !c->hrr_seen && len >= 4 + 2 + 32 && memcmp(msg + 6, hrr_random, 32) == 0) {
        c->hrr_seen = true;
        for (int i = 0; i < TH_COUNT; i++) {
            uint8_t h[CRYPTO_MAX_HASH_LEN];
            unsigned hl = 0;
            uint8_t synth[4] = {254, 0, 0, 0};
            if (!EVP_DigestFinal_ex(c->th[i], h, &hl) ||
                !EVP_DigestInit_ex(c->th[i], crypto_md(th_hash[i]), NULL)) {
                c->th_ok = false;
                return;
            }
            synth[3] = (uint8_t)hl;
            if (!EVP_DigestUpdate(c->th[i], synth, 4) || !EVP_DigestUpdate(c->th[i], h, hl))
                c->th_ok = false;
        }
    }
    for (int i = 0; i < TH_COUNT; i++)
        if (!EVP_DigestUpdate(c->th[i], msg, len))
            c->th_ok = false;
    c->num_hs++;
    if (type == 20)
        c->finished_seen = true;
    if (type == 20 && ++c->num_finished == 2 && c->version == 0x0304)
        post_handshake_start(c);
}

/* Hash of a transcript so far, without ending it. */
static bool ctx_peek(const EVP_MD_CTX *th, uint8_t *out, unsigned *out_len)
{
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    bool ok = copy && EVP_MD_CTX_copy_ex(copy, th) && EVP_DigestFinal_ex(copy, out, out_len);
    EVP_MD_CTX_free(copy);
    return ok;
}

static bool th_peek(crypto_conn *c, int which, uint8_t *out, unsigned *out_len)
{
    if (which < 0 || which >= TH_COUNT || !c->th_ok)
        return false;
    return ctx_peek(c->th[which], out, out_len);
}

static int th_index(crypto_hash h)
{
    for (int i = 0; i < TH_COUNT; i++)
        if (th_hash[i] == h)
            return i;
    return -1;
}

/* RFC 8446 7.2: application_traffic_secret_N+1 =
 * HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length) */
static tp_status advance_app_secret(crypto_conn *c, dir_state *d)
{
    if (c->suite_status != TP_OK || d->app_secret_len != crypto_hash_len(c->suite.prf))
        return TP_ERR_NO_KEYS;
    tp_status st =
        crypto_tls13_next_secret(c->suite.prf, d->app_secret, d->app_secret_len, d->app_secret);
    if (st == TP_OK)
        d->generation++;
    return st;
}

tp_status crypto_conn_add_secret(crypto_conn *c, const crypto_keylog_entry *e)
{
    if (e->label == CRYPTO_KL_NONE || (unsigned)e->label >= CRYPTO_KL_COUNT)
        return TP_ERR_UNSUPPORTED;
    if (c->have_cr && memcmp(c->cr, e->client_random, 32) != 0)
        return TP_ERR_NO_KEYS;
    if (e->label == CRYPTO_KL_CLIENT_RANDOM) {
        if (e->secret_len != 48)
            return TP_ERR_DECODE;
        memcpy(c->master, e->secret, 48);
        c->have_master = true;
        return TP_OK;
    }
    if (e->secret_len > CRYPTO_MAX_HASH_LEN)
        return TP_ERR_DECODE;
    memcpy(c->secret[e->label], e->secret, e->secret_len);
    c->secret_len[e->label] = e->secret_len;
    if (e->label == CRYPTO_KL_CLIENT_TRAFFIC_SECRET_0 ||
        e->label == CRYPTO_KL_SERVER_TRAFFIC_SECRET_0) {
        dir_state *d = &c->dir[e->label == CRYPTO_KL_CLIENT_TRAFFIC_SECRET_0 ? TP_C2S : TP_S2C];
        /* only before any KeyUpdate moved it on */
        if (d->app_secret_len == 0) {
            memcpy(d->app_secret, e->secret, e->secret_len);
            d->app_secret_len = e->secret_len;
            /* KeyUpdates that went by before the secret came (live, held records) */
            for (; d->pending_updates > 0; d->pending_updates--)
                if (advance_app_secret(c, d) != TP_OK)
                    break;
        }
    }
    return TP_OK;
}

/* The TLS 1.3 traffic secret for (dir, epoch), or NULL. */
static const uint8_t *tls13_secret(const crypto_conn *c, tp_dir dir, crypto_epoch epoch,
                                   size_t *out_len)
{
    crypto_keylog_label l;
    switch (epoch) {
    case CRYPTO_EPOCH_EARLY:
        if (dir != TP_C2S)
            return NULL;
        l = CRYPTO_KL_CLIENT_EARLY_TRAFFIC_SECRET;
        break;
    case CRYPTO_EPOCH_HANDSHAKE:
        l = dir == TP_C2S ? CRYPTO_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET
                          : CRYPTO_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET;
        break;
    case CRYPTO_EPOCH_APPLICATION:
        if (c->dir[dir].app_secret_len == 0)
            return NULL;
        *out_len = c->dir[dir].app_secret_len;
        return c->dir[dir].app_secret;
    default:
        return NULL;
    }
    if (c->secret_len[l] == 0)
        return NULL;
    *out_len = c->secret_len[l];
    return c->secret[l];
}

/* Why dir/epoch cannot be opened (static or dir's detail), or NULL. */
static tp_status keys_missing(const crypto_conn *c, tp_dir dir, crypto_epoch epoch,
                              const char **why)
{
    if (!c->have_hello) {
        *why = "no ServerHello seen: version and suite unknown";
        return TP_ERR_NO_KEYS;
    }
    if (c->suite_status != TP_OK) {
        *why = "cipher suite not supported by the independent checker";
        return TP_ERR_UNSUPPORTED;
    }
    if (c->version < 0x0301 || c->version > 0x0304) {
        *why = "protocol version not supported by the independent checker";
        return TP_ERR_UNSUPPORTED;
    }
    if (c->no_key_source && !c->have_master) {
        *why = "no key log given (pass --keylog FILE)";
        return TP_ERR_NO_KEYS;
    }
    if (c->version <= 0x0303) {
        if (!c->have_master) {
            *why = "no CLIENT_RANDOM key log entry for this connection";
            return TP_ERR_NO_KEYS;
        }
        return TP_OK;
    }
    size_t len = 0;
    if (!tls13_secret(c, dir, epoch, &len)) {
        *why = "no traffic secret in the key log for this epoch";
        return TP_ERR_NO_KEYS;
    }
    if (len != crypto_hash_len(c->suite.prf)) {
        *why = "traffic secret length does not match the suite's hash";
        return TP_ERR_UNSUPPORTED;
    }
    return TP_OK;
}

void crypto_conn_set_no_key_source(crypto_conn *c, bool none)
{
    if (c)
        c->no_key_source = none;
}

bool crypto_conn_has_keys(const crypto_conn *c, tp_dir dir, crypto_epoch epoch)
{
    const char *why;
    if (epoch == CRYPTO_EPOCH_CLEAR)
        return false;
    if (c->have_hello && c->version <= 0x0303 && epoch != CRYPTO_EPOCH_APPLICATION)
        return false;
    return keys_missing(c, dir, epoch, &why) == TP_OK;
}

/* Sets up r for dir's current epoch. */
static tp_status build_record(crypto_conn *c, tp_dir dir, bool for_seal, crypto_record *r)
{
    const char *why;
    crypto_epoch epoch = c->dir[dir].epoch;
    tp_status st = keys_missing(c, dir, epoch, &why);
    if (st != TP_OK)
        return st;
    if (c->version <= 0x0303) {
        crypto_key_block kb;
        st = crypto_key_block_derive(&c->suite, c->version, c->master, c->cr, c->sr, &kb);
        if (st == TP_OK) {
            bool cl = dir == TP_C2S;
            st = crypto_record_init(
                r, &c->suite, c->version, c->etm, for_seal, cl ? kb.client_mac : kb.server_mac,
                cl ? kb.client_key : kb.server_key, cl ? kb.client_iv : kb.server_iv);
        }
        OPENSSL_cleanse(&kb, sizeof kb);
        return st;
    }
    size_t len = 0;
    const uint8_t *secret = tls13_secret(c, dir, epoch, &len);
    uint8_t key[CRYPTO_MAX_KEY_LEN], iv[12];
    st = crypto_tls13_traffic_keys(&c->suite, secret, len, key, iv);
    if (st == TP_OK)
        st = crypto_record_init(r, &c->suite, 0x0304, false, for_seal, NULL, key, iv);
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(iv, sizeof iv);
    return st;
}

static void dir_restart(crypto_conn *c, tp_dir dir)
{
    dir_state *d = &c->dir[dir];
    crypto_record_cleanup(&d->open);
    crypto_record_cleanup(&d->seal);
    d->seal_ready = false;
    d->seq = 0;
    if (d->epoch != CRYPTO_EPOCH_CLEAR && build_record(c, dir, false, &d->open) != TP_OK)
        crypto_record_cleanup(&d->open);
}

void crypto_conn_activate(crypto_conn *c, tp_dir dir, crypto_epoch epoch)
{
    c->dir[dir].epoch = epoch;
    dir_restart(c, dir);
}

crypto_epoch crypto_conn_epoch(const crypto_conn *c, tp_dir dir)
{
    return c->dir[dir].epoch;
}

tp_status crypto_conn_key_update(crypto_conn *c, tp_dir dir)
{
    dir_state *d = &c->dir[dir];
    if (c->version != 0x0304 || c->suite_status != TP_OK)
        return TP_ERR_NO_KEYS;
    if (d->app_secret_len == 0) {
        d->pending_updates++; /* applied when CLIENT/SERVER_TRAFFIC_SECRET_0 arrives */
        return TP_ERR_NO_KEYS;
    }
    tp_status st = advance_app_secret(c, d);
    if (st != TP_OK)
        return st;
    if (d->epoch == CRYPTO_EPOCH_APPLICATION)
        dir_restart(c, dir);
    return TP_OK;
}

unsigned crypto_conn_key_generation(const crypto_conn *c, tp_dir dir)
{
    return c->dir[dir].generation + c->dir[dir].pending_updates;
}

static void check_clear(tp_record_check *chk, unsigned type, const uint8_t *frag, size_t len)
{
    memset(chk, 0, sizeof *chk);
    chk->is_protected = false;
    chk->integrity = TP_INTEGRITY_UNCHECKED;
    chk->inner_type = type;
    chk->plaintext = frag;
    chk->plaintext_len = len;
}

tp_status crypto_conn_open(crypto_conn *c, tp_dir dir, unsigned type, uint16_t rec_version,
                           const uint8_t *frag, size_t len, uint8_t *out_buf, size_t out_cap,
                           tp_record_check *out_check)
{
    dir_state *d = &c->dir[dir];
    if (d->epoch == CRYPTO_EPOCH_CLEAR ||
        /* RFC 8446 5: protected records are application_data outside; CCS
         * (middlebox compatibility) and alerts of a peer without keys are not */
        (c->have_hello && c->version == 0x0304 && type != WIRE_CT_APPLICATION_DATA)) {
        check_clear(out_check, type, frag, len);
        return TP_OK;
    }
    if (!d->open.ops) {
        tp_status st = build_record(c, dir, false, &d->open);
        if (st != TP_OK) {
            const char *why = NULL;
            tp_status ks = keys_missing(c, dir, d->epoch, &why);
            memset(out_check, 0, sizeof *out_check);
            out_check->is_protected = true;
            out_check->integrity = TP_INTEGRITY_UNCHECKED;
            out_check->inner_type = type;
            if (ks == TP_OK) { /* keys there, but the record code refused */
                snprintf(d->detail, sizeof d->detail, "%s: %s", "cannot set up the record cipher",
                         tp_status_message(st));
                why = d->detail;
            } else {
                st = ks;
            }
            out_check->detail = why;
            if (out_cap >= len)
                d->seq++;
            return st;
        }
    }
    crypto_record_set_seq(&d->open, d->seq);
    tp_status st =
        crypto_record_open(&d->open, type, rec_version, frag, len, out_buf, out_cap, out_check);
    if (st != TP_ERR_LIMIT)
        d->seq++;
    return st;
}

tp_status crypto_conn_seal(crypto_conn *c, tp_dir dir, unsigned type, uint16_t rec_version,
                           const uint8_t *pt, size_t len, const crypto_seal_opts *opts,
                           uint8_t *out, size_t out_cap, size_t *out_len)
{
    dir_state *d = &c->dir[dir];
    *out_len = 0;
    if (d->epoch == CRYPTO_EPOCH_CLEAR)
        return TP_ERR_NO_KEYS;
    if (!d->seal_ready) {
        tp_status st = build_record(c, dir, true, &d->seal);
        if (st != TP_OK)
            return st;
        d->seal_ready = true;
    }
    return crypto_record_seal(&d->seal, type, rec_version, pt, len, opts, out, out_cap, out_len);
}

size_t crypto_conn_seal_size(crypto_conn *c, tp_dir dir, size_t len, const crypto_seal_opts *opts)
{
    dir_state *d = &c->dir[dir];
    if (d->epoch == CRYPTO_EPOCH_CLEAR)
        return 0;
    if (!d->seal_ready) {
        if (build_record(c, dir, true, &d->seal) != TP_OK)
            return 0;
        d->seal_ready = true;
    }
    return crypto_record_seal_size(&d->seal, len, opts);
}

/* Expected verify_data into out; returns its length or 0. */
static size_t finished_expected(crypto_conn *c, tp_dir dir, uint8_t *out)
{
    uint8_t h[2 * CRYPTO_MAX_HASH_LEN];
    unsigned hl = 0, hl2 = 0;
    const char *why;
    if (!c->have_hello || c->suite_status != TP_OK || !c->th_ok)
        return 0;
    if (c->version == 0x0304) {
        crypto_hash hash = c->suite.prf;
        size_t slen = 0;
        bool post = c->num_finished >= 2; /* a post-handshake authentication's (4.4) */
        const uint8_t *secret = post ? c->dir[TP_C2S].app_secret
                                     : tls13_secret(c, dir, CRYPTO_EPOCH_HANDSHAKE, &slen);
        if (post)
            slen = dir == TP_C2S && c->pha_ok ? c->dir[TP_C2S].app_secret_len : 0;
        uint8_t fk[CRYPTO_MAX_HASH_LEN];
        if (!secret || slen != crypto_hash_len(hash) ||
            !(post ? ctx_peek(c->pha_th, h, &hl) : th_peek(c, th_index(hash), h, &hl)))
            return 0;
        /* RFC 8446 4.4.4 */
        bool ok = crypto_tls13_finished_key(hash, secret, slen, fk) == TP_OK &&
                  crypto_hmac(hash, fk, slen, h, hl, out) == TP_OK;
        OPENSSL_cleanse(fk, sizeof fk);
        return ok ? crypto_hash_len(hash) : 0;
    }
    if (keys_missing(c, dir, CRYPTO_EPOCH_APPLICATION, &why) != TP_OK)
        return 0;
    const char *label = dir == TP_C2S ? "client finished" : "server finished";
    tp_status st;
    if (c->version == 0x0303) {
        /* RFC 5246 7.4.9: Hash is the PRF hash */
        if (!th_peek(c, th_index(c->suite.prf), h, &hl))
            return 0;
        st = crypto_prf_tls12(c->suite.prf, c->master, 48, label, h, hl, out, 12);
    } else {
        /* RFC 2246 7.4.9: MD5(handshake_messages) + SHA-1(handshake_messages) */
        if (!th_peek(c, TH_MD5, h, &hl) || !th_peek(c, TH_SHA1, h + hl, &hl2))
            return 0;
        st = crypto_prf_tls10(c->master, 48, label, h, hl + hl2, out, 12);
    }
    return st == TP_OK ? 12 : 0;
}

int crypto_conn_check_finished(crypto_conn *c, tp_dir dir, const uint8_t *verify_data, size_t len,
                               uint8_t *out_expected, size_t *out_expected_len)
{
    uint8_t expected[CRYPTO_FINISHED_MAX];
    size_t n = finished_expected(c, dir, expected);
    if (out_expected_len)
        *out_expected_len = n;
    if (n == 0)
        return -1;
    if (out_expected)
        memcpy(out_expected, expected, n);
    return len == n && CRYPTO_memcmp(expected, verify_data, n) == 0 ? 1 : 0;
}
