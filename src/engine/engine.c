/* engine.h's functions: each calls the engine the configuration chose
 * (tp_engine_config.engine), gnutls.c or openssl.c, by its prefixed name
 * (backend.h).  The handles the callers hold are this file's: an engine or
 * a connection of one engine file, and which. */
#include "backend.h"
#include "internal.h"
#include "openssl_list.h"

#include <stdlib.h>
#include <string.h>

struct tp_engine {
    bool ossl;
    tp_gnutls_engine *g;
    tp_openssl_engine *o;
};

struct tp_engine_conn {
    bool ossl;
    tp_gnutls_conn *g;
    tp_openssl_conn *o;
};

/* Calls the function of the handle's engine with the same arguments. */
#define CALL(h, fn, ...) ((h)->ossl ? tp_openssl_##fn((h)->o, ##__VA_ARGS__) : tp_gnutls_##fn((h)->g, ##__VA_ARGS__))


const char *const tp_engine_kinds[] = {"gnutls", "openssl", NULL};

bool tp_engine_sends_alerts(const tp_engine *e) { return !e->ossl; }

tp_engine *tp_engine_new(const tp_engine_config *cfg, char *err, size_t err_len)
{
    const char *name = cfg->engine ? cfg->engine : "gnutls";
    bool ossl = !strcmp(name, "openssl");
    if (!ossl && strcmp(name, "gnutls")) {
        engine_err_set(err, err_len, "--engine %s: unknown; valid: gnutls, openssl", name);
        return NULL;
    }
    tp_engine *e = calloc(1, sizeof(*e));
    if (!e) {
        engine_err_set(err, err_len, "out of memory");
        return NULL;
    }
    e->ossl = ossl;
    if (ossl)
        e->o = tp_openssl_new(cfg, err, err_len);
    else
        e->g = tp_gnutls_new(cfg, err, err_len);
    if (!e->o && !e->g) {
        free(e);
        return NULL;
    }
    return e;
}

void tp_engine_free(tp_engine *e)
{
    if (!e)
        return;
    CALL(e, free);
    free(e);
}

bool tp_engine_renegotiation_allowed(const tp_engine *e) { return CALL(e, renegotiation_allowed); }
tp_client_cert tp_engine_client_cert(const tp_engine *e) { return CALL(e, client_cert); }
const char *tp_engine_cert_fingerprint(const tp_engine *e) { return CALL(e, cert_fingerprint); }
const char *tp_engine_cert_pem(const tp_engine *e, size_t *out_len)
{
    return CALL(e, cert_pem, out_len);
}
const char *tp_engine_cert_variant(const tp_engine *e, const char **out_detail)
{
    return CALL(e, cert_variant, out_detail);
}
const char *tp_engine_ca_pem(const tp_engine *e, size_t *out_len) { return CALL(e, ca_pem, out_len); }
const char *tp_engine_ocsp(const tp_engine *e) { return CALL(e, ocsp); }
const char *tp_engine_client_ca(const tp_engine *e) { return CALL(e, client_ca); }
const char *tp_engine_conn_client_verify(tp_engine_conn *c) { return CALL(c, conn_client_verify); }
static const engine_allowed *allowed_of(const tp_engine *e)
{
    return e->ossl ? tp_openssl_allowed_lists(e->o) : tp_gnutls_allowed_lists(e->g);
}
unsigned tp_engine_allowed_suites(const tp_engine *e, const uint16_t **out)
{
    *out = allowed_of(e)->suites;
    return allowed_of(e)->num_suites;
}
unsigned tp_engine_allowed_groups(const tp_engine *e, const uint16_t **out)
{
    *out = allowed_of(e)->groups;
    return allowed_of(e)->num_groups;
}
unsigned tp_engine_allowed_versions(const tp_engine *e, const uint16_t **out)
{
    *out = allowed_of(e)->versions;
    return allowed_of(e)->num_versions;
}

tp_engine_conn *tp_engine_conn_new(tp_engine *e, const tp_transport *t)
{
    tp_engine_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->ossl = e->ossl;
    if (e->ossl)
        c->o = tp_openssl_conn_new(e->o, t);
    else
        c->g = tp_gnutls_conn_new(e->g, t);
    if (!c->o && !c->g) {
        free(c);
        return NULL;
    }
    return c;
}

void tp_engine_conn_free(tp_engine_conn *c)
{
    if (!c)
        return;
    CALL(c, conn_free);
    free(c);
}

tp_engine_rc tp_engine_conn_handshake(tp_engine_conn *c) { return CALL(c, conn_handshake); }
tp_engine_rc tp_engine_conn_read(tp_engine_conn *c, uint8_t *buf, size_t len, size_t *out_n)
{
    return CALL(c, conn_read, buf, len, out_n);
}
tp_engine_rc tp_engine_conn_write(tp_engine_conn *c, const uint8_t *buf, size_t len)
{
    return CALL(c, conn_write, buf, len);
}
bool tp_engine_conn_request_renegotiation(tp_engine_conn *c)
{
    return CALL(c, conn_request_renegotiation);
}
void tp_engine_conn_close(tp_engine_conn *c) { CALL(c, conn_close); }
void tp_engine_conn_info(tp_engine_conn *c, tp_engine_info *out) { CALL(c, conn_info, out); }
const char *tp_engine_conn_error_name(const tp_engine_conn *c) { return CALL(c, conn_error_name); }
const char *tp_engine_conn_error_text(const tp_engine_conn *c) { return CALL(c, conn_error_text); }
bool tp_engine_conn_has_pending(const tp_engine_conn *c) { return CALL(c, conn_has_pending); }

bool tp_engine_conn_act(tp_engine_conn *c, tp_engine_action a, uint8_t level, uint8_t desc,
                        bool *out_end, char *why, size_t why_len)
{
    return CALL(c, conn_act, a, level, desc, out_end, why, why_len);
}
const char *tp_engine_psk_identities(const tp_engine *e) { return CALL(e, psk_identities); }
bool tp_engine_psk_key(const void *engine, const char *identity, uint8_t *out, size_t cap,
                       size_t *out_len)
{
    const tp_engine *e = engine;
    return e->ossl ? tp_openssl_psk_key(e->o, identity, out, cap, out_len)
                   : tp_gnutls_psk_key(e->g, identity, out, cap, out_len);
}

void tp_engine_names_info_get(const tp_engine *e, tp_engine_names_info *out)
{
    CALL(e, names_info_get, out);
}
const char *tp_engine_conn_sni_cert(const tp_engine_conn *c) { return CALL(c, conn_sni_cert); }
unsigned tp_engine_resumption(const tp_engine *e) { return CALL(e, resumption); }

bool tp_engine_kind_negotiable(const char *kind, engine_flag flag, const char *name)
{
    return !kind || strcmp(kind, "openssl") != 0 || engine_ossl_negotiable(flag, name, NULL);
}
