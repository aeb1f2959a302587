/* The extension descriptor table; see ext_desc.h. */
#include "ext_desc.h"

#include "iana.h"
#include "record.h"

static bool from_client(wire_ext_origin origin)
{
    return origin == WIRE_EXT_FROM_CLIENT_HELLO;
}

/* ---- decoders: the parsers of ext.c under one signature ---- */

/* The parsers whose result depends on the body alone. */
#define BODY_DECODER(fn, parse, member)                                                            \
    static tp_status fn(cur_t body, wire_ext_origin o, wire_ext_decoded *d)                        \
    {                                                                                              \
        (void)o;                                                                                   \
        return parse(body, &d->u.member);                                                          \
    }

BODY_DECODER(dec_sni, wire_ext_sni_parse, sni)
BODY_DECODER(dec_max_fragment_length, wire_ext_max_fragment_length_parse, max_fragment_length)
BODY_DECODER(dec_status_request, wire_ext_status_request_parse, status_request)
BODY_DECODER(dec_u16_list, wire_ext_u16_list_parse, list)
BODY_DECODER(dec_u8_list, wire_ext_u8_list_parse, list)
BODY_DECODER(dec_alpn, wire_ext_alpn_parse, alpn)
BODY_DECODER(dec_padding, wire_ext_padding_parse, padding)
BODY_DECODER(dec_record_size_limit, wire_ext_record_size_limit_parse, record_size_limit)
BODY_DECODER(dec_session_ticket, wire_ext_session_ticket_parse, opaque)
BODY_DECODER(dec_cookie, wire_ext_cookie_parse, opaque)
BODY_DECODER(dec_reneg, wire_ext_reneg_parse, opaque)

static tp_status dec_empty(cur_t body, wire_ext_origin o, wire_ext_decoded *d)
{
    (void)o, (void)d;
    return wire_ext_empty_parse(body);
}

static tp_status dec_psk(cur_t body, wire_ext_origin o, wire_ext_decoded *d)
{
    return wire_ext_psk_parse(body, !from_client(o), &d->u.psk);
}

static tp_status dec_early_data(cur_t body, wire_ext_origin o, wire_ext_decoded *d)
{
    return wire_ext_early_data_parse(body, o, &d->u.early_data);
}

static tp_status dec_versions(cur_t body, wire_ext_origin o, wire_ext_decoded *d)
{
    return wire_ext_versions_parse(body, !from_client(o), &d->u.versions);
}

static tp_status dec_key_share(cur_t body, wire_ext_origin o, wire_ext_decoded *d)
{
    return wire_ext_key_share_parse(body, o, &d->u.key_share);
}

/* ---- fields ---- */

typedef const wire_ext_desc row_t;

static void f_sni(row_t *r, const wire_ext_decoded *d, wire_ext_origin o, wire_ext_emitter *e)
{
    (void)r, (void)o;
    if (d->u.sni.has_host)
        e->ops->text(e, "host_name", d->u.sni.host);
    else
        e->ops->note(e, "(acknowledged)");
}

static void f_max_fragment_length(row_t *r, const wire_ext_decoded *d, wire_ext_origin o,
                                  wire_ext_emitter *e)
{
    (void)r, (void)o;
    e->ops->num(e, "code", d->u.max_fragment_length, "code ", "");
}

static void f_status_request(row_t *r, const wire_ext_decoded *d, wire_ext_origin o,
                             wire_ext_emitter *e)
{
    (void)r, (void)o;
    const wire_ext_status_request *sr = &d->u.status_request;
    if (sr->is_ack)
        e->ops->note(e, "(acknowledged)");
    else
        e->ops->code(e, "status_type", sr->status_type,
                     sr->status_type == 1 ? "ocsp" : "other type");
}

static void f_list(row_t *r, const wire_ext_decoded *d, wire_ext_origin o, wire_ext_emitter *e)
{
    (void)o;
    e->ops->list(e, r->key, &d->u.list, r->names);
}

static void f_alpn(row_t *r, const wire_ext_decoded *d, wire_ext_origin o, wire_ext_emitter *e)
{
    (void)r, (void)o;
    e->ops->texts(e, "protocols", d->u.alpn.list);
}

static void f_padding(row_t *r, const wire_ext_decoded *d, wire_ext_origin o, wire_ext_emitter *e)
{
    (void)r, (void)o;
    e->ops->num(e, "length", d->u.padding.len, "", " bytes");
    e->ops->flag(e, "all_zero", d->u.padding.all_zero, "", " (not zero)");
}

static void f_record_size_limit(row_t *r, const wire_ext_decoded *d, wire_ext_origin o,
                                wire_ext_emitter *e)
{
    (void)r, (void)o;
    e->ops->num(e, "limit", d->u.record_size_limit, "", "");
}

/* session_ticket, cookie: only the size of the opaque value */
static void f_opaque_length(row_t *r, const wire_ext_decoded *d, wire_ext_origin o,
                            wire_ext_emitter *e)
{
    (void)r, (void)o;
    e->ops->num(e, "length", cur_len(&d->u.opaque), "", " bytes");
}

static bool psk_identity_printable(cur_t id)
{
    size_t n = cur_len(&id);
    const uint8_t *p = cur_data(&id);
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return false;
    return n > 0 && n <= 128;
}

static void f_psk(row_t *r, const wire_ext_decoded *d, wire_ext_origin o, wire_ext_emitter *e)
{
    (void)r;
    if (from_client(o)) {
        e->ops->num(e, "identities", d->u.psk.num_identities, "", " identities");
        e->ops->num(e, "binders", d->u.psk.num_binders, ", ", " binders");
        /* an external PSK's identity is the name both sides agreed on (never
         * the key); a resumption ticket is opaque bytes: not shown */
        if (psk_identity_printable(d->u.psk.first_identity))
            e->ops->text(e, "identity", d->u.psk.first_identity);
    } else {
        e->ops->num(e, "selected_identity", d->u.psk.selected_identity, "selected identity ", "");
    }
}

static void f_early_data(row_t *r, const wire_ext_decoded *d, wire_ext_origin o,
                         wire_ext_emitter *e)
{
    (void)r, (void)o;
    if (d->u.early_data.has_max_size)
        e->ops->num(e, "max_early_data_size", d->u.early_data.max_early_data_size, "max ",
                    " bytes");
}

static void f_versions(row_t *r, const wire_ext_decoded *d, wire_ext_origin o, wire_ext_emitter *e)
{
    (void)r;
    if (from_client(o))
        e->ops->list(e, "versions", &d->u.versions.versions, wire_version_name);
    else
        e->ops->name(e, "selected", d->u.versions.selected, wire_version_name);
}

static void f_key_share(row_t *r, const wire_ext_decoded *d, wire_ext_origin o, wire_ext_emitter *e)
{
    (void)r;
    const wire_ext_key_share *ks = &d->u.key_share;
    if (from_client(o)) {
        e->ops->shares(e, "shares", ks);
        return;
    }
    e->ops->name(e, "group", ks->selected_group, wire_group_name);
    if (o == WIRE_EXT_FROM_SERVER_HELLO)
        e->ops->num(e, "length", cur_len(&ks->server_key), "(", ")");
}

static void f_reneg(row_t *r, const wire_ext_decoded *d, wire_ext_origin o, wire_ext_emitter *e)
{
    (void)r, (void)o;
    e->ops->hex(e, "renegotiated_connection", d->u.opaque, "initial");
}

/* ---- the table: one row per extension ---- */

static const wire_ext_desc rows[] = {
    {WIRE_EXT_SERVER_NAME, "server_name", dec_sni, f_sni, NULL, NULL},
    {WIRE_EXT_MAX_FRAGMENT_LENGTH, "max_fragment_length", dec_max_fragment_length,
     f_max_fragment_length, NULL, NULL},
    {WIRE_EXT_STATUS_REQUEST, "status_request", dec_status_request, f_status_request, NULL, NULL},
    {WIRE_EXT_SUPPORTED_GROUPS, "supported_groups", dec_u16_list, f_list, "groups",
     wire_group_name},
    {WIRE_EXT_EC_POINT_FORMATS, "ec_point_formats", dec_u8_list, f_list, "formats",
     wire_point_format_name},
    {WIRE_EXT_SIGNATURE_ALGORITHMS, "signature_algorithms", dec_u16_list, f_list, "sigalgs",
     wire_sigalg_name},
    {WIRE_EXT_ALPN, "application_layer_protocol_negotiation", dec_alpn, f_alpn, NULL, NULL},
    {WIRE_EXT_PADDING, "padding", dec_padding, f_padding, NULL, NULL},
    {WIRE_EXT_ENCRYPT_THEN_MAC, "encrypt_then_mac", dec_empty, NULL, NULL, NULL},
    {WIRE_EXT_EXTENDED_MASTER_SECRET, "extended_master_secret", dec_empty, NULL, NULL, NULL},
    {WIRE_EXT_RECORD_SIZE_LIMIT, "record_size_limit", dec_record_size_limit, f_record_size_limit,
     NULL, NULL},
    {WIRE_EXT_SESSION_TICKET, "session_ticket", dec_session_ticket, f_opaque_length, NULL, NULL},
    {WIRE_EXT_PRE_SHARED_KEY, "pre_shared_key", dec_psk, f_psk, NULL, NULL},
    {WIRE_EXT_EARLY_DATA, "early_data", dec_early_data, f_early_data, NULL, NULL},
    {WIRE_EXT_SUPPORTED_VERSIONS, "supported_versions", dec_versions, f_versions, NULL, NULL},
    {WIRE_EXT_COOKIE, "cookie", dec_cookie, f_opaque_length, NULL, NULL},
    {WIRE_EXT_PSK_KEY_EXCHANGE_MODES, "psk_key_exchange_modes", dec_u8_list, f_list, "modes",
     wire_psk_mode_name},
    {WIRE_EXT_POST_HANDSHAKE_AUTH, "post_handshake_auth", dec_empty, NULL, NULL, NULL},
    {WIRE_EXT_SIGNATURE_ALGORITHMS_CERT, "signature_algorithms_cert", dec_u16_list, f_list,
     "sigalgs", wire_sigalg_name},
    {WIRE_EXT_KEY_SHARE, "key_share", dec_key_share, f_key_share, NULL, NULL},
    {WIRE_EXT_RENEGOTIATION_INFO, "renegotiation_info", dec_reneg, f_reneg, NULL, NULL},
};

const wire_ext_desc *wire_ext_desc_at(unsigned i)
{
    return i < sizeof rows / sizeof rows[0] ? &rows[i] : NULL;
}

const wire_ext_desc *wire_ext_desc_find(uint16_t type)
{
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].type == type)
            return &rows[i];
    return NULL;
}

const char *wire_ext_name(uint16_t type)
{
    if (wire_is_grease(type))
        return "GREASE";
    const wire_ext_desc *row = wire_ext_desc_find(type);
    return row ? row->name : wire_ext_registry_name(type);
}

void wire_ext_decode(uint16_t type, cur_t body, wire_ext_origin origin, wire_ext_decoded *out)
{
    const wire_ext_desc *row = wire_ext_desc_find(type);
    out->type = type;
    out->body = body;
    out->known = row != NULL;
    out->status = row ? row->decode(body, origin, out) : TP_OK;
}

void wire_ext_emit(const wire_ext_decoded *d, wire_ext_origin origin, wire_ext_emitter *e)
{
    const wire_ext_desc *row = wire_ext_desc_find(d->type);
    if (d->status != TP_OK)
        e->ops->error(e, d->status, cur_len(&d->body));
    else if (!d->known || !row)
        e->ops->num(e, "length", cur_len(&d->body), "", " bytes");
    else if (row->fields)
        row->fields(row, d, origin, e);
}
