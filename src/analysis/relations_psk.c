/* PSK facts (the identity the client offered, whether the server took a
 * PSK) and the server's post-handshake CertificateRequests with the
 * client's answers, from the handshake messages the session parses. */
#include "relations.h"

#include <stdio.h>
#include <string.h>

#include "../crypto/binder.h"
#include "../wire/ext.h"

enum { DIR_C2S = 0, DIR_S2C = 1 }; /* the dir of tp_facts_on_handshake */

static void note_identity(tp_rel_psk *p, cur_t id)
{
    size_t n = cur_len(&id);
    const uint8_t *d = cur_data(&id);
    p->offered = true;
    p->printable = n > 0 && n < sizeof p->identity;
    for (size_t i = 0; i < n && p->printable; i++)
        p->printable = d[i] >= 0x20 && d[i] < 0x7f;
    if (p->printable) { /* printable: copied as it is */
        memcpy(p->identity, d, n);
        p->identity[n] = '\0';
    }
}

static void note_client_hello(tp_rel_psk *p, const wire_client_hello *ch)
{
    cur_t body;
    wire_ext_psk psk;
    p->pha_offered = wire_ch_find_ext(ch, WIRE_EXT_POST_HANDSHAKE_AUTH, &body);
    if (wire_ch_find_ext(ch, WIRE_EXT_PRE_SHARED_KEY, &body) &&
        wire_ext_psk_parse(body, false, &psk) == TP_OK && psk.num_identities)
        note_identity(p, psk.first_identity);
}

void tp_facts_psk_on_handshake(tp_facts *f, int dir, const wire_handshake *m, bool renego)
{
    tp_rel_psk *p = &f->rel.psk;
    cur_t body;
    switch (m->type) {
    case WIRE_HS_CLIENT_HELLO:
        if (dir == DIR_C2S && !renego && f->client_hellos == 0) {
            p->binder_ok = -1;
            note_client_hello(p, &m->u.client_hello);
        }
        break;
    case WIRE_HS_SERVER_HELLO:
        if (dir == DIR_S2C && !renego)
            p->selected = wire_ext_find(m->u.server_hello.extensions, WIRE_EXT_PRE_SHARED_KEY,
                                        &body);
        break;
    case WIRE_HS_CLIENT_KEY_EXCHANGE: /* RFC 4279 2: psk_identity */
        if (dir == DIR_C2S && !renego && cur_len(&m->u.client_key_exchange.psk_identity))
            note_identity(p, m->u.client_key_exchange.psk_identity);
        break;
    case WIRE_HS_CERTIFICATE_REQUEST:
        /* RFC 8446 4.3.2: only a post-handshake request has a context */
        if (dir == DIR_S2C && renego && cur_len(&m->u.certificate_request.request_context)) {
            p->pha_requests++;
            p->pha_answered = p->pha_finished = false;
        }
        break;
    case WIRE_HS_CERTIFICATE:
        if (dir == DIR_C2S && renego && p->pha_requests) {
            p->pha_answered = true;
            p->pha_certs = m->u.certificate.num_certs;
        }
        break;
    case WIRE_HS_KEY_UPDATE: /* RFC 8446 4.6.3: KeyUpdateRequest request_update */
        p->key_updates[dir ? 1 : 0]++;
        p->ku_requested[dir ? 1 : 0] += cur_len(&m->body) == 1 && cur_data(&m->body)[0] == 1;
        break;
    case WIRE_HS_FINISHED:
        if (dir == DIR_C2S && renego && p->pha_answered)
            p->pha_finished = true;
        break;
    default:
        break;
    }
}

int tp_rel_psk_known(const tp_rel_psk *p)
{
    if (!p->server_ids || !p->offered || !p->printable)
        return -1;
    char quoted[TP_REL_NAME_LEN + 3];
    snprintf(quoted, sizeof quoted, "'%s'", p->identity);
    /* the list is "'a', 'b'": a quoted name is a whole entry */
    return strstr(p->server_ids, quoted) != NULL;
}

/* RFC 8446 4.2.11.2: the binder covers the ClientHello up to and including
 * the identities, i.e. without the binders list and its length. */
void tp_facts_psk_binder(tp_facts *f, const uint8_t *msg, size_t len, const wire_client_hello *ch)
{
    tp_rel_psk *p = &f->rel.psk;
    cur_t body, binders, first;
    wire_ext_psk psk;
    uint8_t key[128];
    size_t key_len = 0;
    if (f->client_hellos != 1 || !p->key_of || !p->printable ||
        !wire_ch_find_ext(ch, WIRE_EXT_PRE_SHARED_KEY, &body) ||
        wire_ext_psk_parse(body, false, &psk) != TP_OK ||
        !p->key_of(p->key_ctx, p->identity, key, sizeof key, &key_len))
        return;
    binders = psk.binders;
    const uint8_t *cut = cur_data(&psk.binders) - 2;
    if (cut >= msg && cut <= msg + len && cur_get_u8_prefixed(&binders, &first))
        p->binder_ok = crypto_psk_binder_check(key, key_len, msg, (size_t)(cut - msg),
                                               cur_data(&first), cur_len(&first));
    crypto_wipe(key, sizeof key);
}
