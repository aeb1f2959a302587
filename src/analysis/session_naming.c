/* The session model, naming the negotiated parameters (protocol, key
 * exchange, cipher, MAC, group, signature algorithm): from what the engine
 * reports (live) or from the server's handshake messages (offline, or what
 * the engine left out); the first name given for a parameter stays. */
#include <stdio.h>
#include <string.h>

#include "../wire/ext.h"
#include "../wire/iana.h"
#include "session_int.h"

void tp_session_set_negotiated(tp_session *s, const tp_negotiated *n)
{
#define TP_SET(field, value)                                                                       \
    if ((value) && *(value))                                                                       \
    snprintf(s->field, sizeof s->field, "%s", (value))
    TP_SET(neg_protocol, n->protocol);
    TP_SET(neg_kx, n->kx);
    TP_SET(neg_cipher, n->cipher);
    TP_SET(neg_mac, n->mac);
    TP_SET(neg_group, n->group);
    TP_SET(neg_sigalg, n->sigalg);
#undef TP_SET
}

void sess_name_server_hello(tp_session *s, const wire_server_hello *sh)
{
    cur_t body;
    const wire_suite *suite = wire_suite_find(sh->cipher_suite);
    if (!s->neg_protocol[0]) {
        const char *v = wire_version_name(sh->selected_version);
        snprintf(s->neg_protocol, sizeof s->neg_protocol, "%s", v ? v : "unknown");
    }
    if (suite && !s->neg_cipher[0]) {
        snprintf(s->neg_cipher, sizeof s->neg_cipher, "%s", suite->cipher);
        snprintf(s->neg_mac, sizeof s->neg_mac, "%s", suite->mac);
        if (suite->kx)
            snprintf(s->neg_kx, sizeof s->neg_kx, "%s", suite->kx);
    }
    wire_ext_key_share ks;
    if (s->tls13 && !s->neg_group[0] && sh->has_extensions &&
        wire_ext_find(sh->extensions, WIRE_EXT_KEY_SHARE, &body) &&
        wire_ext_key_share_parse(body, WIRE_EXT_FROM_SERVER_HELLO, &ks) == TP_OK) {
        const char *gn = wire_group_name(ks.selected_group);
        snprintf(s->neg_group, sizeof s->neg_group, "%s", gn ? gn : "unknown");
    }
}

void sess_name_server_key_exchange(tp_session *s, const wire_server_key_exchange *ske)
{
    if (!s->neg_group[0]) {
        if (ske->named_group) {
            const char *gn = wire_group_name(ske->named_group);
            snprintf(s->neg_group, sizeof s->neg_group, "%s", gn ? gn : "unknown");
        } else if (ske->dh_p_bits) {
            snprintf(s->neg_group, sizeof s->neg_group, "DH-%u", ske->dh_p_bits);
        }
    }
    if (ske->has_sigalg)
        sess_name_sigalg(s, ske->sigalg);
}

/* RFC 8446 B.4: TLS 1.3 suites name no key exchange; name it as the
 * engine does, from the group's kind and the certificate's key. */
void sess_name_tls13_kx(tp_session *s, const wire_certificate *cert)
{
    if (s->tls13 && !s->neg_kx[0] && s->neg_group[0] && cert->num_summaries > 0 &&
        cert->certs[0].parsed) {
        const char *kt = cert->certs[0].key_type;
        snprintf(s->neg_kx, sizeof s->neg_kx, "%s-%s",
                 strncmp(s->neg_group, "FFDHE", 5) == 0 ? "DHE" : "ECDHE",
                 strncmp(kt, "RSA", 3) == 0 ? "RSA" : "ECDSA");
    }
}

/* RFC 8446 4.2.9, 4.2.11: the server took the client's PSK (its
 * pre_shared_key); an external PSK has a printable identity, a resumption
 * ticket has not.  psk_dhe_ke with a key share, psk_ke without; as the
 * engine names them (ECDHE-PSK, DHE-PSK, PSK). */
void sess_name_tls13_psk(tp_session *s)
{
    const tp_rel_psk *p = &s->obs.facts.rel.psk;
    if (!s->tls13 || s->neg_kx[0] || !p->selected || !p->printable)
        return;
    const char *kx = !s->neg_group[0]                         ? "PSK"
                     : strncmp(s->neg_group, "FFDHE", 5) == 0 ? "DHE-PSK"
                                                              : "ECDHE-PSK";
    snprintf(s->neg_kx, sizeof s->neg_kx, "%s", kx);
}

void sess_name_sigalg(tp_session *s, uint16_t sigalg)
{
    if (!s->neg_sigalg[0]) {
        const char *n = wire_sigalg_name(sigalg);
        snprintf(s->neg_sigalg, sizeof s->neg_sigalg, "%s", n ? n : "unknown");
    }
}

static const char *opt(const char *field)
{
    return field[0] ? field : NULL;
}

void sess_naming_to_obs(tp_session *s)
{
    tp_observation *o = &s->obs;
    o->protocol = opt(s->neg_protocol);
    o->kx = opt(s->neg_kx);
    o->cipher = opt(s->neg_cipher);
    o->mac = opt(s->neg_mac);
    o->group = opt(s->neg_group);
    o->sigalg = opt(s->neg_sigalg);
}
