/* Pre-shared keys (--psk ID:HEX, RFC 4279 and RFC 8446 4.2.11) and SRP
 * (--srp USER:PASSWORD, RFC 5054) for the GnuTLS engine: checking the
 * values (parsed by psk_table.c, which the openssl engine shares), the
 * server credentials and their lookup callbacks.
 * A PSK identity the server does not have is answered with
 * unknown_psk_identity (RFC 4279 2 allows it; a test server names the
 * problem rather than hiding it behind decrypt_error). */
#include "psk.h"
#include "internal.h"
#include "psk_table.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct engine_psk {
    engine_psk *next; /* the registry below */
    psk_table t;      /* the values (psk_table.c) */
    gnutls_psk_server_credentials_t psk_cred;
    gnutls_srp_server_credentials_t srp_cred;
};

/* GnuTLS's lookup callbacks get the session only: the credentials it uses
 * (gnutls_credentials_get) lead to ours through this registry of the live
 * engines' credentials (one per engine; a sweep has a few). */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static engine_psk *registry;

static void registry_add(engine_psk *p)
{
    pthread_mutex_lock(&registry_lock);
    p->next = registry;
    registry = p;
    pthread_mutex_unlock(&registry_lock);
}

static void registry_remove(engine_psk *p)
{
    pthread_mutex_lock(&registry_lock);
    for (engine_psk **pp = &registry; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    pthread_mutex_unlock(&registry_lock);
}

static const engine_psk *session_psk(gnutls_session_t s, gnutls_credentials_type_t type)
{
    void *cred = NULL;
    if (gnutls_credentials_get(s, type, &cred) < 0 || !cred)
        return NULL;
    pthread_mutex_lock(&registry_lock);
    const engine_psk *p = registry;
    while (p && (void *)p->psk_cred != cred && (void *)p->srp_cred != cred)
        p = p->next;
    pthread_mutex_unlock(&registry_lock);
    return p;
}

bool tp_engine_psk_valid(const char *arg, char *err, size_t err_len)
{
    psk_entry e;
    bool ok = psk_entry_parse("--psk", arg, true, &e, err, err_len);
    psk_wipe(&e, sizeof e);
    return ok;
}

bool tp_engine_srp_valid(const char *arg, char *err, size_t err_len)
{
    psk_entry e;
    bool ok = psk_entry_parse("--srp", arg, false, &e, err, err_len);
    psk_wipe(&e, sizeof e);
    return ok;
}

/* GnuTLS asks for the key of the identity the client named: -1 (unknown)
 * makes it fail the handshake, which we answer with unknown_psk_identity. */
static int psk_lookup(gnutls_session_t s, const gnutls_datum_t *id, gnutls_datum_t *key)
{
    const engine_psk *p = session_psk(s, GNUTLS_CRD_PSK);
    const psk_entry *e = p ? psk_table_find(&p->t, false, id->data, id->size) : NULL;
    if (!e)
        return -1;
    key->data = gnutls_malloc(e->key_len);
    if (!key->data)
        return -1;
    memcpy(key->data, e->key, e->key_len);
    key->size = (unsigned)e->key_len;
    return 0;
}

/* A copy GnuTLS frees (gnutls_free). */
static bool datum_dup(gnutls_datum_t *out, const gnutls_datum_t *in)
{
    out->data = gnutls_malloc(in->size);
    if (!out->data)
        return false;
    memcpy(out->data, in->data, in->size);
    out->size = in->size;
    return true;
}

/* SRP: the verifier is made from the password when the client asks
 * (RFC 5054 2.4), with the 2048-bit group of RFC 5054 appendix A. */
static int srp_lookup(gnutls_session_t s, const char *user, gnutls_datum_t *salt,
                      gnutls_datum_t *verifier, gnutls_datum_t *g, gnutls_datum_t *n)
{
    const engine_psk *p = session_psk(s, GNUTLS_CRD_SRP);
    const psk_entry *e = p ? psk_table_find(&p->t, true, user, strlen(user)) : NULL;
    if (!e)
        return 1; /* GnuTLS then fakes a verifier, and the client's Finished fails */
    salt->size = 16;
    salt->data = gnutls_malloc(salt->size);
    if (!salt->data || gnutls_rnd(GNUTLS_RND_NONCE, salt->data, salt->size) < 0)
        return -1;
    char pass[SRP_PASS_MAX + 1];
    memcpy(pass, e->key, e->key_len);
    pass[e->key_len] = '\0';
    int rc = gnutls_srp_verifier(user, pass, salt, &gnutls_srp_2048_group_generator,
                                 &gnutls_srp_2048_group_prime, verifier);
    gnutls_memset(pass, 0, sizeof pass);
    if (rc < 0)
        return -1;
    return datum_dup(g, &gnutls_srp_2048_group_generator) &&
                   datum_dup(n, &gnutls_srp_2048_group_prime)
               ? 0
               : -1;
}

engine_psk *engine_psk_new(const tp_engine_config *cfg, gnutls_params_function *params, char *err,
                           size_t err_len)
{
    if (!cfg->num_psk && !cfg->num_srp)
        return NULL;
    engine_psk *p = calloc(1, sizeof(*p));
    if (!p) {
        engine_err_set(err, err_len, "out of memory");
        return NULL;
    }
    if (!psk_table_load(&p->t, cfg, err, err_len))
        goto fail;
    if (p->t.num_psk) {
        if (gnutls_psk_allocate_server_credentials(&p->psk_cred) < 0)
            goto fail_cred;
        gnutls_psk_set_server_credentials_function2(p->psk_cred, psk_lookup);
        gnutls_psk_set_server_params_function(p->psk_cred, params);
    }
    if (p->t.num_srp) {
        if (gnutls_srp_allocate_server_credentials(&p->srp_cred) < 0)
            goto fail_cred;
        gnutls_srp_set_server_credentials_function(p->srp_cred, srp_lookup);
    }
    registry_add(p);
    return p;
fail_cred:
    engine_err_set(err, err_len, "cannot allocate PSK/SRP credentials");
fail:
    engine_psk_free(p);
    return NULL;
}

void engine_psk_free(engine_psk *p)
{
    if (!p)
        return;
    registry_remove(p);
    if (p->psk_cred)
        gnutls_psk_free_server_credentials(p->psk_cred);
    if (p->srp_cred)
        gnutls_srp_free_server_credentials(p->srp_cred);
    psk_table_clear(&p->t);
    free(p);
}

bool engine_psk_session_set(const engine_psk *p, gnutls_session_t s)
{
    if (!p)
        return true;
    if (p->psk_cred && gnutls_credentials_set(s, GNUTLS_CRD_PSK, p->psk_cred) < 0)
        return false;
    return !p->srp_cred || gnutls_credentials_set(s, GNUTLS_CRD_SRP, p->srp_cred) >= 0;
}

const char *engine_psk_identities(const engine_psk *p)
{
    return p && p->t.num_psk ? p->t.ids : NULL;
}

bool engine_psk_has(const engine_psk *p, bool srp)
{
    return p && (srp ? p->t.num_srp : p->t.num_psk) > 0;
}

const char *engine_psk_priority(const tp_engine_config *cfg, const char *prio, char *out,
                                size_t out_len)
{
    /* --kx (the lists) or a priority that names key exchanges decides */
    if ((!cfg->num_psk && !cfg->num_srp) || strstr(prio, "-KX-ALL") || strstr(prio, "PSK") ||
        strstr(prio, "SRP"))
        return prio;
    int n = snprintf(out, out_len, "%s%s%s", prio,
                     cfg->num_psk ? ":+ECDHE-PSK:+DHE-PSK:+PSK" : "",
                     cfg->num_srp ? ":+SRP:+SRP-RSA" : "");
    return n > 0 && (size_t)n < out_len ? out : prio;
}

bool engine_conn_external_psk(gnutls_session_t s)
{
    return gnutls_auth_get_type(s) == GNUTLS_CRD_PSK && !gnutls_session_is_resumed(s);
}

/* The lookup failed for the identity the client named (GnuTLS reports it
 * as a password file error): say unknown_psk_identity (RFC 4279 2, RFC
 * 8446 6.2) rather than GnuTLS's internal_error. */
bool engine_psk_alert(const engine_psk *p, gnutls_session_t s, int rc)
{
    if (!engine_psk_has(p, false) || rc != GNUTLS_E_SRP_PWD_ERROR)
        return false;
    (void)gnutls_alert_send(s, GNUTLS_AL_FATAL, GNUTLS_A_UNKNOWN_PSK_IDENTITY);
    return true;
}

bool engine_psk_key(const engine_psk *p, const char *identity, uint8_t *out, size_t cap,
                    size_t *out_len)
{
    return p && psk_table_key(&p->t, identity, out, cap, out_len);
}
