/* Extension content decoders; see ext.h for the contracts. */
#include "ext.h"

#include "iana.h"

/* An exactly-consumed check shared by every decoder. */
static tp_status ext_done(const cur_t *c)
{
    return cur_len(c) == 0 ? TP_OK : TP_ERR_TRAILING;
}

/* A body that is the fields just read (`got`: they were there) and nothing else. */
static tp_status ext_fields(bool got, const cur_t *c)
{
    return got ? ext_done(c) : TP_ERR_DECODE;
}

uint16_t wire_list_get(const wire_list *l, unsigned i)
{
    if (i >= l->num)
        return 0;
    cur_t c = l->list;
    if (!cur_skip(&c, (size_t)i * l->item_len))
        return 0;
    if (l->item_len == 1) {
        uint8_t v;
        return cur_get_u8(&c, &v) ? v : 0;
    }
    uint16_t v;
    return cur_get_u16(&c, &v) ? v : 0;
}

static tp_status list_parse(cur_t body, size_t prefix, unsigned item_len, wire_list *out)
{
    cur_t c = body;
    cur_t list;
    if (!cur_get_prefixed(&c, prefix, &list))
        return TP_ERR_DECODE;
    /* every list decoded here is "<1..2^n-1>": at least one item */
    if (cur_len(&list) == 0 || cur_len(&list) % item_len != 0)
        return TP_ERR_DECODE;
    out->list = list;
    out->item_len = item_len;
    out->num = (unsigned)(cur_len(&list) / item_len);
    return ext_done(&c);
}

tp_status wire_ext_u16_list_parse(cur_t body, wire_list *out)
{
    return list_parse(body, 2, 2, out);
}

tp_status wire_ext_u8_list_parse(cur_t body, wire_list *out)
{
    return list_parse(body, 1, 1, out);
}

tp_status wire_ext_sni_parse(cur_t body, wire_ext_sni *out)
{
    out->num_names = 0;
    out->has_host = false;
    cur_init(&out->host, NULL, 0);
    /* RFC 6066 3: the server's acknowledgement is empty */
    if (cur_len(&body) == 0)
        return TP_OK;
    cur_t c = body, list;
    if (!cur_get_u16_prefixed(&c, &list) || cur_len(&list) == 0)
        return TP_ERR_DECODE;
    while (cur_len(&list) > 0) {
        uint8_t name_type;
        cur_t name;
        if (!cur_get_u8(&list, &name_type) || !cur_get_u16_prefixed(&list, &name))
            return TP_ERR_DECODE;
        /* RFC 6066 3: HostName is <1..2^16-1> */
        if (name_type == 0 && cur_len(&name) == 0)
            return TP_ERR_DECODE;
        if (name_type == 0 && !out->has_host) {
            out->has_host = true;
            out->host = name;
        }
        out->num_names++;
    }
    return ext_done(&c);
}

bool wire_alpn_next(cur_t *list, cur_t *out_proto)
{
    return cur_get_u8_prefixed(list, out_proto);
}

tp_status wire_ext_alpn_parse(cur_t body, wire_ext_alpn *out)
{
    cur_t c = body, list;
    out->num_protocols = 0;
    cur_init(&out->first, NULL, 0);
    cur_init(&out->last, NULL, 0);
    /* RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1> */
    if (!cur_get_u16_prefixed(&c, &list) || cur_len(&list) < 2)
        return TP_ERR_DECODE;
    out->list = list;
    cur_t it = list, p;
    while (cur_len(&it) > 0) {
        /* RFC 7301 3.1: opaque ProtocolName<1..2^8-1> */
        if (!wire_alpn_next(&it, &p) || cur_len(&p) == 0)
            return TP_ERR_DECODE;
        if (out->num_protocols == 0)
            out->first = p;
        out->last = p;
        out->num_protocols++;
    }
    return ext_done(&c);
}

tp_status wire_ext_versions_parse(cur_t body, bool from_server, wire_ext_versions *out)
{
    cur_t c = body;
    out->selected = 0;
    out->highest = 0;
    out->versions.num = 0;
    out->versions.item_len = 2;
    cur_init(&out->versions.list, NULL, 0);
    if (from_server) {
        /* RFC 8446 4.2.1: ServerHello carries selected_version only */
        if (!cur_get_u16(&c, &out->selected))
            return TP_ERR_DECODE;
        out->highest = out->selected;
        return ext_done(&c);
    }
    /* RFC 8446 4.2.1: ProtocolVersion versions<2..254> */
    tp_status st = list_parse(body, 1, 2, &out->versions);
    if (st != TP_OK)
        return st;
    for (unsigned i = 0; i < out->versions.num; i++) {
        uint16_t v = wire_list_get(&out->versions, i);
        if (!wire_is_grease(v) && v > out->highest)
            out->highest = v;
    }
    return TP_OK;
}

tp_status wire_ext_key_share_parse(cur_t body, wire_ext_origin origin, wire_ext_key_share *out)
{
    cur_t c = body;
    out->num_entries = 0;
    out->selected_group = 0;
    cur_init(&out->server_key, NULL, 0);
    switch (origin) {
    case WIRE_EXT_FROM_HRR:
        /* RFC 8446 4.2.8: KeyShareHelloRetryRequest { selected_group } */
        return ext_fields(cur_get_u16(&c, &out->selected_group), &c);
    case WIRE_EXT_FROM_SERVER_HELLO:
        /* RFC 8446 4.2.8: KeyShareServerHello { KeyShareEntry server_share } */
        return ext_fields(cur_get_u16(&c, &out->selected_group) &&
                              cur_get_u16_prefixed(&c, &out->server_key) &&
                              cur_len(&out->server_key) > 0,
                          &c);
    default: {
        cur_t list;
        /* RFC 8446 4.2.8: KeyShareEntry client_shares<0..2^16-1> */
        if (!cur_get_u16_prefixed(&c, &list))
            return TP_ERR_DECODE;
        while (cur_len(&list) > 0) {
            uint16_t group;
            cur_t key;
            /* opaque key_exchange<1..2^16-1> */
            if (!cur_get_u16(&list, &group) || !cur_get_u16_prefixed(&list, &key) ||
                cur_len(&key) == 0)
                return TP_ERR_DECODE;
            if (out->num_entries < WIRE_KEY_SHARE_MAX) {
                out->entries[out->num_entries].group = group;
                out->entries[out->num_entries].key = key;
            }
            out->num_entries++;
        }
        return ext_done(&c);
    }
    }
}

tp_status wire_ext_empty_parse(cur_t body)
{
    return cur_len(&body) == 0 ? TP_OK : TP_ERR_TRAILING;
}

tp_status wire_ext_early_data_parse(cur_t body, wire_ext_origin origin, wire_ext_early_data *out)
{
    out->has_max_size = false;
    out->max_early_data_size = 0;
    if (origin != WIRE_EXT_FROM_NEW_SESSION_TICKET)
        return wire_ext_empty_parse(body);
    /* RFC 8446 4.2.10: uint32 max_early_data_size in NewSessionTicket */
    cur_t c = body;
    out->has_max_size = cur_get_u32(&c, &out->max_early_data_size);
    return ext_fields(out->has_max_size, &c);
}

tp_status wire_ext_reneg_parse(cur_t body, cur_t *out_renegotiated)
{
    cur_t c = body;
    /* RFC 5746 3.2: opaque renegotiated_connection<0..255> */
    return ext_fields(cur_get_u8_prefixed(&c, out_renegotiated), &c);
}

tp_status wire_ext_session_ticket_parse(cur_t body, cur_t *out_ticket)
{
    /* RFC 5077 3.2: the body is the ticket itself, possibly empty */
    *out_ticket = body;
    return TP_OK;
}

tp_status wire_ext_status_request_parse(cur_t body, wire_ext_status_request *out)
{
    cur_t c = body;
    out->is_ack = false;
    out->status_type = 0;
    cur_init(&out->responder_id_list, NULL, 0);
    cur_init(&out->request_extensions, NULL, 0);
    if (cur_len(&body) == 0) {
        /* RFC 6066 8: the server acknowledges with an empty extension */
        out->is_ack = true;
        return TP_OK;
    }
    if (!cur_get_u8(&c, &out->status_type))
        return TP_ERR_DECODE;
    if (out->status_type != 1) {
        /* unknown status types are opaque to us */
        out->request_extensions = c;
        return TP_OK;
    }
    /* RFC 6066 8: OCSPStatusRequest { ResponderID list<0..2^16-1>; Extensions } */
    if (!cur_get_u16_prefixed(&c, &out->responder_id_list) ||
        !cur_get_u16_prefixed(&c, &out->request_extensions))
        return TP_ERR_DECODE;
    return ext_done(&c);
}

tp_status wire_ext_padding_parse(cur_t body, wire_ext_padding *out)
{
    out->len = cur_len(&body);
    out->all_zero = true;
    cur_t c = body;
    uint8_t b;
    /* RFC 7685 3: the padding consists of zero bytes */
    while (cur_get_u8(&c, &b))
        if (b != 0)
            out->all_zero = false;
    return TP_OK;
}

tp_status wire_ext_record_size_limit_parse(cur_t body, uint16_t *out_limit)
{
    cur_t c = body;
    *out_limit = 0;
    return ext_fields(cur_get_u16(&c, out_limit), &c);
}

tp_status wire_ext_max_fragment_length_parse(cur_t body, uint8_t *out_code)
{
    cur_t c = body;
    *out_code = 0;
    return ext_fields(cur_get_u8(&c, out_code), &c);
}

tp_status wire_ext_psk_parse(cur_t body, bool from_server, wire_ext_psk *out)
{
    cur_t c = body;
    out->num_identities = 0;
    out->num_binders = 0;
    out->first_obfuscated_age = 0;
    out->selected_identity = 0;
    cur_init(&out->first_identity, NULL, 0);
    cur_init(&out->binders, NULL, 0);
    if (from_server) {
        if (!cur_get_u16(&c, &out->selected_identity))
            return TP_ERR_DECODE;
        return ext_done(&c);
    }
    cur_t ids, binders;
    /* RFC 8446 4.2.11: PskIdentity identities<7..2^16-1>;
     * PskBinderEntry binders<33..2^16-1> */
    if (!cur_get_u16_prefixed(&c, &ids) || cur_len(&ids) < 7 ||
        !cur_get_u16_prefixed(&c, &binders) || cur_len(&binders) < 33)
        return TP_ERR_DECODE;
    while (cur_len(&ids) > 0) {
        cur_t id;
        uint32_t age;
        if (!cur_get_u16_prefixed(&ids, &id) || cur_len(&id) == 0 || !cur_get_u32(&ids, &age))
            return TP_ERR_DECODE;
        if (out->num_identities == 0) {
            out->first_identity = id;
            out->first_obfuscated_age = age;
        }
        out->num_identities++;
    }
    out->binders = binders;
    while (cur_len(&binders) > 0) {
        cur_t b;
        /* opaque PskBinderEntry<32..255> */
        if (!cur_get_u8_prefixed(&binders, &b) || cur_len(&b) < 32)
            return TP_ERR_DECODE;
        out->num_binders++;
    }
    return ext_done(&c);
}

tp_status wire_ext_cookie_parse(cur_t body, cur_t *out_cookie)
{
    cur_t c = body;
    /* RFC 8446 4.2.2: opaque cookie<1..2^16-1> */
    return ext_fields(cur_get_u16_prefixed(&c, out_cookie) && cur_len(out_cookie) > 0, &c);
}

unsigned wire_ch_num_suites(const wire_client_hello *ch)
{
    return (unsigned)(cur_len(&ch->cipher_suites) / (ch->sslv2 ? 3 : 2));
}

uint32_t wire_ch_suite_at(const wire_client_hello *ch, unsigned i)
{
    size_t w = ch->sslv2 ? 3 : 2;
    cur_t c = ch->cipher_suites;
    uint32_t v = 0;
    if (!cur_skip(&c, (size_t)i * w) || !cur_get_uN(&c, w, &v))
        return 0;
    return v;
}

bool wire_ch_find_ext(const wire_client_hello *ch, uint16_t type, cur_t *out_body)
{
    if (!ch->has_extensions)
        return false;
    return wire_ext_find(ch->extensions, type, out_body);
}
