/* Resumption on the GnuTLS engine: see resume.h.
 *
 * The session cache and the set of tickets whose 0-RTT data was taken are
 * per server (one tp_engine, shared by the worker threads) and bounded: the
 * engine-neutral store of resume_store.c, which the openssl engine shares.  The ticket key is generated
 * per server at start, so tickets of another tlsprobe process (or an
 * earlier run) are unknown here. */
#include "resume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "../wire/ext.h"
#include "../wire/handshake.h"
#include "internal.h"
#include "resume_store.h"

#define EARLY_MAX 16384 /* max_early_data_size announced in TLS 1.3 tickets */

struct engine_resume {
    unsigned modes;
    unsigned tickets;
    bool early_data;
    gnutls_datum_t ticket_key;
    gnutls_anti_replay_t anti_replay;
    engine_store *store; /* the session cache, the tickets whose 0-RTT was taken */
};

/* The connection whose handshake runs on this thread (the anti-replay
 * callback is per server and names no session). */
static _Thread_local engine_resume_conn *current;

engine_resume *engine_resume_new(const tp_engine_config *cfg, char *err, size_t err_len)
{
    engine_resume *r = calloc(1, sizeof *r);
    if (!r || !(r->store = engine_store_new())) {
        engine_err_set(err, err_len, "out of memory");
        free(r);
        return NULL;
    }
    r->modes = TP_RESUME_ALL & ~cfg->resumption_off;
    /* GnuTLS cannot issue a TLS 1.2 ticket in a renegotiation's handshake
     * (packing the session fails: internal_error), so a server that takes
     * renegotiations issues none; the session-ID cache still resumes */
    if (cfg->renegotiation)
        r->modes &= ~(unsigned)TP_RESUME_TICKET;
    r->tickets = cfg->tickets_set ? cfg->tickets : TP_TICKETS_DEFAULT;
    r->early_data = cfg->early_data && (r->modes & TP_RESUME_PSK);
    if ((r->modes & (TP_RESUME_TICKET | TP_RESUME_PSK)) &&
        gnutls_session_ticket_key_generate(&r->ticket_key) < 0) {
        engine_err_set(err, err_len, "cannot generate the session ticket key");
        engine_resume_free(r);
        return NULL;
    }
    if (r->early_data && gnutls_anti_replay_init(&r->anti_replay) < 0) {
        engine_err_set(err, err_len, "cannot set up the 0-RTT replay check");
        engine_resume_free(r);
        return NULL;
    }
    return r;
}

void engine_resume_free(engine_resume *r)
{
    if (!r)
        return;
    engine_store_free(r->store);
    if (r->ticket_key.data) {
        gnutls_memset(r->ticket_key.data, 0, r->ticket_key.size);
        gnutls_free(r->ticket_key.data);
    }
    if (r->anti_replay)
        gnutls_anti_replay_deinit(r->anti_replay);
    free(r);
}

unsigned engine_resume_modes(const engine_resume *r)
{
    return r->modes;
}

unsigned engine_resume_init_flags(const engine_resume *r)
{
    unsigned f = 0;
    if (!(r->modes & (TP_RESUME_TICKET | TP_RESUME_PSK)))
        f |= GNUTLS_NO_TICKETS;
    else if (!(r->modes & TP_RESUME_TICKET))
        f |= GNUTLS_NO_TICKETS_TLS12;
    /* TLS 1.3 tickets: sent by us once the handshake is done.  The engine's
     * own go out right after its Finished, before the client's: a client
     * that fails the handshake would then seem to answer a ticket. */
    f |= GNUTLS_NO_AUTO_SEND_TICKET;
    if (r->early_data)
        f |= GNUTLS_ENABLE_EARLY_DATA;
    return f;
}

/* ---- the session-ID cache (gnutls_db_set_*_function) ---- */

static int db_store(void *p, gnutls_datum_t key, gnutls_datum_t data)
{
    engine_resume_conn *rc = p;
    return engine_store_put(rc->r->store, key.data, key.size, data.data, data.size) ? 0 : -1;
}

static void *datum_alloc(size_t n)
{
    return gnutls_malloc(n);
}

static gnutls_datum_t db_retrieve(void *p, gnutls_datum_t key)
{
    engine_resume_conn *rc = p;
    gnutls_datum_t out = {NULL, 0};
    if (rc->handshaken) /* a renegotiation runs a full handshake, as the trace says */
        return out;
    size_t n = 0;
    out.data = engine_store_get(rc->r->store, key.data, key.size, datum_alloc, &n);
    out.size = (unsigned)n;
    rc->cache_miss = out.data == NULL;
    return out;
}

static int db_remove(void *p, gnutls_datum_t key)
{
    engine_resume_conn *rc = p;
    engine_store_remove(rc->r->store, key.data, key.size);
    return 0;
}

/* ---- 0-RTT: once per ticket ---- */

/* The first PSK identity of a ClientHello body (RFC 8446 4.2.11), hashed. */
static void note_psk_identity(engine_resume_conn *rc, const gnutls_datum_t *body)
{
    uint8_t *msg = malloc(body->size + 4u);
    if (!msg)
        return;
    msg[0] = WIRE_HS_CLIENT_HELLO;
    msg[1] = (uint8_t)(body->size >> 16);
    msg[2] = (uint8_t)(body->size >> 8);
    msg[3] = (uint8_t)body->size;
    memcpy(msg + 4, body->data, body->size);
    wire_hs_ctx ctx = {0};
    static _Thread_local wire_handshake m;
    cur_t ext, ids, id;
    uint16_t ids_len, id_len;
    if (wire_hs_parse(&ctx, msg, body->size + 4u, &m) == TP_OK &&
        wire_ch_find_ext(&m.u.client_hello, WIRE_EXT_PRE_SHARED_KEY, &ext) &&
        cur_get_u16(&ext, &ids_len) && cur_get_bytes(&ext, &ids, ids_len) &&
        cur_get_u16(&ids, &id_len) && cur_get_bytes(&ids, &id, id_len) &&
        gnutls_hash_fast(GNUTLS_DIG_SHA256, cur_data(&id), cur_len(&id), rc->psk_id) == 0)
        rc->have_psk_id = true;
    free(msg);
}

/* GnuTLS asks before it takes 0-RTT data (its own check of the binder and
 * the ticket's age has passed): refuse a ticket whose early data was taken. */
static int early_add(void *p, time_t exp, const gnutls_datum_t *key, const gnutls_datum_t *data)
{
    engine_resume *r = p;
    (void)exp;
    (void)key;
    (void)data;
    engine_resume_conn *rc = current;
    if (!rc || !rc->have_psk_id)
        return 0;
    bool replay = engine_store_ticket_used(r->store, rc->psk_id, true);
    rc->early_replay |= replay;
    return replay ? GNUTLS_E_DB_ENTRY_EXISTS : 0;
}

/* ---- the handshake hook ---- */

/* A resumed TLS <= 1.2 session takes its master secret from the cache or
 * the ticket: GnuTLS logs no CLIENT_RANDOM line for it, so we write one,
 * with the engine's own key log function, once its record keys are set
 * (at the first ChangeCipherSpec or Finished: the ServerHello is too early,
 * the secret there is not yet the resumed one). */
static void log_resumed_master(engine_resume_conn *rc, gnutls_session_t s)
{
    if (rc->master_logged || !gnutls_session_is_resumed(s) ||
        gnutls_protocol_get_version(s) == GNUTLS_TLS1_3)
        return;
    gnutls_keylog_func f = gnutls_session_get_keylog_function(s);
    gnutls_datum_t master = {NULL, 0};
    gnutls_session_get_master_secret(s, &master);
    if (f && master.size == 48) {
        rc->master_logged = true;
        (void)f(s, "CLIENT_RANDOM", &master);
    }
}

static int hook(gnutls_session_t s, unsigned htype, unsigned when, unsigned incoming,
                const gnutls_datum_t *msg)
{
    engine_resume_conn *rc = gnutls_db_get_ptr(s);
    if (!rc)
        return 0;
    if (htype == GNUTLS_HANDSHAKE_CLIENT_HELLO && when == GNUTLS_HOOK_PRE && incoming) {
        current = rc;
        rc->have_psk_id = false;
        if (rc->r->early_data && msg)
            note_psk_identity(rc, msg);
        /* a replay whoever refuses it: GnuTLS's ticket-age check may come first */
        rc->early_replay = rc->have_psk_id && engine_store_ticket_used(rc->r->store, rc->psk_id, false);
    }
    /* the keys are in place once a ChangeCipherSpec went either way */
    if (htype == GNUTLS_HANDSHAKE_FINISHED || htype == GNUTLS_HANDSHAKE_CHANGE_CIPHER_SPEC)
        log_resumed_master(rc, s);
    return 0;
}

int engine_resume_conn_setup(engine_resume *r, gnutls_session_t s, engine_resume_conn *rc)
{
    memset(rc, 0, sizeof *rc);
    rc->r = r;
    gnutls_db_set_ptr(s, rc);
    if (r->modes & TP_RESUME_ID) {
        gnutls_db_set_store_function(s, db_store);
        gnutls_db_set_retrieve_function(s, db_retrieve);
        gnutls_db_set_remove_function(s, db_remove);
    }
    if ((r->modes & (TP_RESUME_TICKET | TP_RESUME_PSK)) &&
        gnutls_session_ticket_enable_server(s, &r->ticket_key) < 0)
        return -1;
    if (r->early_data) {
        if (gnutls_record_set_max_early_data_size(s, EARLY_MAX) < 0)
            return -1;
        gnutls_anti_replay_set_ptr(r->anti_replay, r);
        gnutls_anti_replay_set_add_function(r->anti_replay, early_add);
        gnutls_anti_replay_enable(s, r->anti_replay);
    }
    gnutls_handshake_set_hook_function(s, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_BOTH, hook);
    return 0;
}

void engine_resume_after_handshake(engine_resume_conn *rc, gnutls_session_t s)
{
    engine_resume *r = rc->r;
    if (current == rc)
        current = NULL;
    rc->handshaken = true;
    log_resumed_master(rc, s); /* in case the hook did not see it */
    if (!(r->modes & TP_RESUME_PSK) || r->tickets == 0 ||
        gnutls_protocol_get_version(s) != GNUTLS_TLS1_3)
        return;
    /* the server's transport queues what it is given (no push-back here) */
    (void)gnutls_session_ticket_send(s, r->tickets, 0);
}

size_t engine_resume_read_early(gnutls_session_t s, uint8_t *buf, size_t len)
{
    if (!(gnutls_session_get_flags(s) & GNUTLS_SFLAGS_EARLY_DATA))
        return 0;
    ssize_t n = gnutls_record_recv_early_data(s, buf, len);
    return n > 0 ? (size_t)n : 0;
}

void engine_resume_info(const engine_resume_conn *rc, gnutls_session_t s, tp_engine_info *out)
{
    out->resumed = gnutls_session_is_resumed(s) != 0;
    out->early_accepted = (gnutls_session_get_flags(s) & GNUTLS_SFLAGS_EARLY_DATA) != 0;
    out->early_replay = rc->early_replay;
    out->cache_miss = rc->cache_miss && !out->resumed;
    if (out->resumed && gnutls_protocol_get_version(s) == GNUTLS_TLS1_3) {
        engine_tls13_psk_kx(out); /* psk_dhe_ke or psk_ke */
    }
}
