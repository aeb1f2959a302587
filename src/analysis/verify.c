/* The session's link to the independent verifier in src/crypto. */
#include "verify.h"

#include <stdlib.h>
#include <string.h>

#include "../crypto/conn.h"

struct tp_verify {
    crypto_conn *cc;
    uint8_t client_random[32];
    bool have_cr;
    uint16_t version;
};

tp_verify *tp_verify_new(void)
{
    tp_verify *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->cc = crypto_conn_new();
    if (!v->cc) {
        free(v);
        return NULL;
    }
    return v;
}

void tp_verify_free(tp_verify *v)
{
    if (!v)
        return;
    crypto_conn_free(v->cc);
    free(v);
}

void tp_verify_client_random(tp_verify *v, const uint8_t cr[32])
{
    memcpy(v->client_random, cr, 32);
    v->have_cr = true;
    crypto_conn_set_client_random(v->cc, cr);
}

void tp_verify_server_hello(tp_verify *v, const uint8_t sr[32], uint16_t version, uint16_t suite,
                            bool encrypt_then_mac)
{
    if (!v->have_cr)
        return;
    v->version = version;
    crypto_conn_set_hello(v->cc, v->client_random, sr, version, suite, encrypt_then_mac);
}

bool tp_verify_add_entry(tp_verify *v, const crypto_keylog_entry *e)
{
    return crypto_conn_add_secret(v->cc, e) == TP_OK;
}

bool tp_verify_add_secret(tp_verify *v, const char *nss_line)
{
    crypto_keylog_entry e;
    if (crypto_keylog_parse_line(nss_line, strlen(nss_line), &e) != TP_OK ||
        e.label == CRYPTO_KL_NONE)
        return false;
    return tp_verify_add_entry(v, &e);
}

void tp_verify_handshake(tp_verify *v, tp_dir dir, const uint8_t *msg, size_t len, bool is_finished,
                         int *out_verified, uint8_t *out_expected, size_t *out_expected_len)
{
    *out_verified = -1;
    *out_expected_len = 0;
    if (is_finished && len >= 4)
        *out_verified = crypto_conn_check_finished(v->cc, dir, msg + 4, len - 4, out_expected,
                                                   out_expected_len);
    crypto_conn_add_handshake(v->cc, msg, len);
}

void tp_verify_switch(tp_verify *v, tp_dir dir, tp_epoch epoch)
{
    crypto_conn_activate(v->cc, dir,
                         epoch == TP_EPOCH_HANDSHAKE ? CRYPTO_EPOCH_HANDSHAKE
                                                     : CRYPTO_EPOCH_APPLICATION);
}

void tp_verify_open(tp_verify *v, tp_dir dir, const wire_record *rec, uint8_t *buf, size_t cap,
                    tp_record_check *check)
{
    (void)crypto_conn_open(v->cc, dir, rec->type, rec->version, cur_data(&rec->fragment),
                           cur_len(&rec->fragment), buf, cap, check);
    check->is_protected = true;
}

bool tp_verify_has_keys(const tp_verify *v, tp_dir dir)
{
    return crypto_conn_has_keys(v->cc, dir, crypto_conn_epoch(v->cc, dir));
}

unsigned tp_verify_key_update(tp_verify *v, tp_dir dir)
{
    if (crypto_conn_key_update(v->cc, dir) != TP_OK) {
        /* no keys yet: the update is applied when they come */
    }
    return crypto_conn_key_generation(v->cc, dir);
}
