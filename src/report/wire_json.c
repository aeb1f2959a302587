/* JSON rendering of wire structures; see wire_json.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "wire_json.h"
#include "wire_names.h"

#include "wire/ext_desc.h"

#include "wire/iana.h"
#include "wire/record.h"

/* Every key here is a literal or a static table's (ext_desc.c). */
static void add(json_object *o, const char *key, json_object *v)
{
    report_json_add_static(o, key, v);
}

/* Writes one byte's rendering at out; returns how many chars it took. */
typedef size_t (*byte_render)(char *out, uint8_t b);

static size_t render_hex(char *out, uint8_t b)
{
    static const char digits[] = "0123456789abcdef";
    out[0] = digits[b >> 4];
    out[1] = digits[b & 15];
    return 2;
}

/* Peer-chosen bytes (host names, ALPN ids) become printable ASCII with
 * \xNN escapes, so the trace stays valid UTF-8 whatever a client sends. */
static size_t render_text(char *out, uint8_t b)
{
    if (b >= 0x20 && b < 0x7f && b != '\\') {
        out[0] = (char)b;
        return 1;
    }
    out[0] = '\\';
    out[1] = 'x';
    return 2 + render_hex(out + 2, b);
}

/* A JSON string of every byte of c through render, which writes at most
 * max_per_byte chars a byte; short input stays on the stack. */
static json_object *string_of(cur_t c, size_t max_per_byte, byte_render render)
{
    char small[256];
    size_t cap = cur_len(&c) * max_per_byte + 1;
    char *s = cap <= sizeof small ? small : malloc(cap);
    if (!s)
        return NULL;
    size_t i = 0;
    cur_t it = c;
    uint8_t b;
    while (cur_get_u8(&it, &b))
        i += render(s + i, b);
    s[i] = '\0';
    json_object *j = json_object_new_string_len(s, (int)i);
    if (s != small)
        free(s);
    return j;
}

static json_object *hex_of(cur_t c)
{
    return string_of(c, 2, render_hex);
}

static json_object *text_of(cur_t c)
{
    return string_of(c, 4, render_text);
}

static json_object *name_or_num(const char *name, unsigned v, int width)
{
    char tmp[16];
    if (name)
        return json_object_new_string(name);
    snprintf(tmp, sizeof tmp, width == 6 ? "0x%06x" : width == 2 ? "0x%02x" : "0x%04x", v);
    return json_object_new_string(tmp);
}

static json_object *version_of(uint16_t v)
{
    return name_or_num(wire_version_name(v), v, 4);
}

static json_object *group_of(uint16_t g)
{
    return name_or_num(wire_group_name(g), g, 4);
}

static json_object *sigalg_of(uint16_t s)
{
    return name_or_num(wire_sigalg_name(s), s, 4);
}

static json_object *suite_of(uint32_t id, bool sslv2)
{
    if (sslv2)
        return name_or_num(wire_sslv2_cipher_name(id), id, (id >> 16) ? 6 : 4);
    return name_or_num(wire_suite_name((uint16_t)id), id, 4);
}

static json_object *list_of(const wire_list *l, wire_namer fn, int width)
{
    json_object *a = json_object_new_array();
    for (unsigned i = 0; i < l->num; i++) {
        uint16_t v = wire_list_get(l, i);
        json_object_array_add(a, name_or_num(fn ? fn(v) : NULL, v, width));
    }
    return a;
}

static json_object *alpn_list(cur_t list)
{
    json_object *arr = json_object_new_array();
    cur_t it = list, p;
    while (wire_alpn_next(&it, &p))
        json_object_array_add(arr, text_of(p));
    return arr;
}

static json_object *key_share_list(const wire_ext_key_share *ks)
{
    json_object *arr = json_object_new_array();
    unsigned n = ks->num_entries < WIRE_KEY_SHARE_MAX ? ks->num_entries : WIRE_KEY_SHARE_MAX;
    for (unsigned i = 0; i < n; i++) {
        json_object *e = json_object_new_object();
        add(e, "group", group_of(ks->entries[i].group));
        add(e, "length", json_object_new_int64((int64_t)cur_len(&ks->entries[i].key)));
        json_object_array_add(arr, e);
    }
    return arr;
}

/* ---- the JSON back-end of the extension emitter (wire/ext_desc.h) ---- */

/* The hello summary: fields of some extensions again at the top level of
 * the message under short keys; every other field is left out there. */
typedef struct {
    uint16_t type;
    const char *field; /* the key in "extensions" */
    const char *key;   /* the key at top level */
} summary_key;

static const summary_key summary_keys[] = {
    {WIRE_EXT_SERVER_NAME, "host_name", "sni"},
    {WIRE_EXT_ALPN, "protocols", "alpn"},
    {WIRE_EXT_SUPPORTED_VERSIONS, "versions", "supported_versions"},
    {WIRE_EXT_SUPPORTED_GROUPS, "groups", "groups"},
    {WIRE_EXT_SIGNATURE_ALGORITHMS, "sigalgs", "sigalgs"},
    {WIRE_EXT_KEY_SHARE, "shares", "key_share"},
    {WIRE_EXT_KEY_SHARE, "group", "key_share"},
};

typedef struct {
    wire_ext_emitter base;
    json_object *o;
    bool summary;  /* keys through summary_keys */
    uint16_t type; /* of the extension being emitted */
} json_emitter;

static json_object *obj_of(wire_ext_emitter *e)
{
    return ((json_emitter *)e)->o;
}

/* Whether a field goes into the object, and under which key. */
static bool keep(wire_ext_emitter *e, const char **key)
{
    const json_emitter *je = (const json_emitter *)e;
    if (!je->summary)
        return true;
    for (size_t i = 0; i < sizeof summary_keys / sizeof summary_keys[0]; i++) {
        if (summary_keys[i].type == je->type && strcmp(summary_keys[i].field, *key) == 0) {
            *key = summary_keys[i].key;
            return true;
        }
    }
    return false;
}

static void j_num(wire_ext_emitter *e, const char *key, uint64_t v, const char *pre,
                  const char *post)
{
    (void)pre, (void)post;
    if (keep(e, &key))
        add(obj_of(e), key, json_object_new_int64((int64_t)v));
}

static void j_code(wire_ext_emitter *e, const char *key, uint64_t v, const char *word)
{
    (void)word;
    if (keep(e, &key))
        add(obj_of(e), key, json_object_new_int64((int64_t)v));
}

static void j_flag(wire_ext_emitter *e, const char *key, bool v, const char *if_true,
                   const char *if_false)
{
    (void)if_true, (void)if_false;
    if (keep(e, &key))
        add(obj_of(e), key, json_object_new_boolean(v));
}

static void j_name(wire_ext_emitter *e, const char *key, uint16_t v, wire_namer names)
{
    if (keep(e, &key))
        add(obj_of(e), key, name_or_num(names(v), v, 4));
}

static void j_list(wire_ext_emitter *e, const char *key, const wire_list *l, wire_namer names)
{
    if (keep(e, &key))
        add(obj_of(e), key, list_of(l, names, (int)l->item_len * 2));
}

static void j_text(wire_ext_emitter *e, const char *key, cur_t s)
{
    if (keep(e, &key))
        add(obj_of(e), key, text_of(s));
}

static void j_texts(wire_ext_emitter *e, const char *key, cur_t list)
{
    if (keep(e, &key))
        add(obj_of(e), key, alpn_list(list));
}

static void j_hex(wire_ext_emitter *e, const char *key, cur_t bytes, const char *if_empty)
{
    (void)if_empty;
    if (keep(e, &key))
        add(obj_of(e), key, hex_of(bytes));
}

static void j_shares(wire_ext_emitter *e, const char *key, const wire_ext_key_share *ks)
{
    if (keep(e, &key))
        add(obj_of(e), key, key_share_list(ks));
}

static void j_note(wire_ext_emitter *e, const char *text)
{
    (void)e, (void)text;
}

static void j_error(wire_ext_emitter *e, tp_status st, size_t body_len)
{
    (void)body_len;
    const char *key = "error";
    if (keep(e, &key))
        add(obj_of(e), key, json_object_new_string(tp_status_name(st)));
}

static const wire_ext_emitter_ops json_ops = {
    j_num, j_code, j_flag, j_name, j_list, j_text, j_texts, j_hex, j_shares, j_note, j_error,
};

json_object *report_json_extensions(cur_t exts, wire_ext_origin origin)
{
    json_object *arr = json_object_new_array();
    uint16_t t;
    cur_t body;
    if (!arr)
        return NULL;
    while (wire_ext_next(&exts, &t, &body, NULL)) {
        json_object *e = json_object_new_object();
        wire_ext_decoded d;
        add(e, "type", json_object_new_int(t));
        add(e, "name", wire_ext_name(t) ? json_object_new_string(wire_ext_name(t)) : NULL);
        wire_ext_decode(t, body, origin, &d);
        json_emitter je = {{&json_ops}, e, false, t};
        wire_ext_emit(&d, origin, &je.base);
        json_object_array_add(arr, e);
    }
    return arr;
}

/* The summary keys (summary_keys) for a hello or EncryptedExtensions. */
static void hello_summary(json_object *o, cur_t exts, wire_ext_origin origin)
{
    uint16_t t;
    cur_t body;
    while (wire_ext_next(&exts, &t, &body, NULL)) {
        wire_ext_decoded d;
        wire_ext_decode(t, body, origin, &d);
        json_emitter je = {{&json_ops}, o, true, t};
        wire_ext_emit(&d, origin, &je.base);
        if (t == WIRE_EXT_SUPPORTED_VERSIONS && d.status == TP_OK &&
            origin == WIRE_EXT_FROM_CLIENT_HELLO && d.u.versions.highest)
            add(o, "max_version", version_of(d.u.versions.highest));
    }
}

/* "extensions" and the summary keys, for hellos and EncryptedExtensions. */
static void add_extensions(json_object *o, cur_t exts, wire_ext_origin origin)
{
    add(o, "extensions", report_json_extensions(exts, origin));
    hello_summary(o, exts, origin);
}

static void fill_client_hello(json_object *o, const wire_client_hello *ch)
{
    add(o, "version", version_of(ch->legacy_version));
    if (ch->sslv2) {
        add(o, "sslv2", json_object_new_boolean(true));
        add(o, "challenge", hex_of(ch->challenge));
    } else {
        add(o, "random", hex_of(ch->random));
    }
    add(o, "session_id", hex_of(ch->session_id));
    json_object *suites = json_object_new_array();
    unsigned n = wire_ch_num_suites(ch);
    for (unsigned i = 0; i < n; i++)
        json_object_array_add(suites, suite_of(wire_ch_suite_at(ch, i), ch->sslv2));
    add(o, "ciphers", suites);
    json_object *comp = json_object_new_array();
    cur_t c = ch->compression;
    uint8_t m;
    while (cur_get_u8(&c, &m))
        json_object_array_add(comp, name_or_num(wire_compression_name(m), m, 2));
    add(o, "compression", comp);
    if (ch->has_extensions)
        add_extensions(o, ch->extensions, WIRE_EXT_FROM_CLIENT_HELLO);
}

json_object *report_json_client_hello(const wire_client_hello *ch)
{
    json_object *o = json_object_new_object();
    if (o)
        fill_client_hello(o, ch);
    return o;
}

static void fill_suite_fields(json_object *o, uint16_t id)
{
    const wire_suite *s = wire_suite_find(id);
    add(o, "cipher_suite", suite_of(id, false));
    if (!s)
        return;
    if (s->kx)
        add(o, "kx", json_object_new_string(s->kx));
    add(o, "cipher", json_object_new_string(s->cipher));
    add(o, "mac", json_object_new_string(s->mac));
}

static void fill_server_hello(json_object *o, const wire_server_hello *sh)
{
    wire_ext_origin origin =
        sh->hello_retry_request ? WIRE_EXT_FROM_HRR : WIRE_EXT_FROM_SERVER_HELLO;
    add(o, "version", version_of(sh->selected_version));
    add(o, "legacy_version", version_of(sh->legacy_version));
    if (!sh->hello_retry_request)
        add(o, "random", hex_of(sh->random));
    add(o, "session_id", hex_of(sh->session_id));
    fill_suite_fields(o, sh->cipher_suite);
    add(o, "compression", name_or_num(wire_compression_name(sh->compression), sh->compression, 2));
    if (sh->has_extensions)
        add_extensions(o, sh->extensions, origin);
}

static json_object *kx_of(wire_kx_family f)
{
    const char *name = report_kx_family_name(f);
    return json_object_new_string(name ? name : "unknown");
}

static void fill_certificate(json_object *o, const wire_certificate *cm)
{
    if (cur_len(&cm->request_context))
        add(o, "request_context", hex_of(cm->request_context));
    add(o, "num_certs", json_object_new_int((int)cm->num_certs));
    json_object *arr = json_object_new_array();
    for (unsigned i = 0; i < cm->num_summaries; i++) {
        const wire_cert_summary *s = &cm->certs[i];
        json_object *c = json_object_new_object();
        add(c, "der_length", json_object_new_int64((int64_t)cur_len(&s->der)));
        if (s->parsed) {
            add(c, "subject", json_object_new_string(s->subject));
            add(c, "issuer", json_object_new_string(s->issuer));
            add(c, "key_type", json_object_new_string(s->key_type));
            add(c, "key_bits", json_object_new_int((int)s->key_bits));
            add(c, "sig_alg", json_object_new_string(s->sig_alg));
        } else {
            add(c, "parsed", json_object_new_boolean(false));
        }
        json_object_array_add(arr, c);
    }
    add(o, "certificates", arr);
}

static void fill_ske(json_object *o, const wire_server_key_exchange *ske)
{
    add(o, "kx", kx_of(ske->family));
    if (ske->family == WIRE_KX_ECDHE || ske->family == WIRE_KX_ECDHE_PSK)
        add(o, "group", group_of(ske->named_group));
    if (ske->dh_p_bits)
        add(o, ske->family == WIRE_KX_RSA ? "rsa_modulus_bits" : "dh_p_bits",
            json_object_new_int((int)ske->dh_p_bits));
    add(o, "public_length", json_object_new_int64((int64_t)cur_len(&ske->public_value)));
    if (cur_len(&ske->psk_hint))
        add(o, "psk_hint", text_of(ske->psk_hint));
    if (ske->has_sigalg)
        add(o, "sigalg", sigalg_of(ske->sigalg));
    if (ske->has_signature)
        add(o, "signature_length", json_object_new_int64((int64_t)cur_len(&ske->signature)));
}

static void fill_cert_request(json_object *o, const wire_certificate_request *cr)
{
    if (cur_len(&cr->cert_types)) {
        json_object *a = json_object_new_array();
        cur_t c = cr->cert_types;
        uint8_t t;
        while (cur_get_u8(&c, &t))
            json_object_array_add(a, json_object_new_int(t));
        add(o, "cert_types", a);
    }
    wire_list l = {cr->sigalgs, (unsigned)(cur_len(&cr->sigalgs) / 2), 2};
    add(o, "sigalgs", list_of(&l, wire_sigalg_name, 4));
    if (cur_len(&cr->cas))
        add(o, "ca_names_length", json_object_new_int64((int64_t)cur_len(&cr->cas)));
    if (cur_len(&cr->request_context))
        add(o, "request_context", hex_of(cr->request_context));
    if (cur_len(&cr->extensions))
        add(o, "extensions",
            report_json_extensions(cr->extensions, WIRE_EXT_FROM_CERTIFICATE_REQUEST));
}

void report_json_handshake_fill(json_object *o, const wire_handshake *m)
{
    const char *name = report_handshake_name(m);
    if (name) {
        add(o, "msg", json_object_new_string(name));
    } else {
        char tmp[24];
        snprintf(tmp, sizeof tmp, "unknown_%u", m->type);
        add(o, "msg", json_object_new_string(tmp));
    }
    add(o, "length", json_object_new_int64(m->length));
    if (m->status != TP_OK) {
        add(o, "error", json_object_new_string(tp_status_name(m->status)));
        return;
    }
    switch (m->type) {
    case WIRE_HS_CLIENT_HELLO:
        fill_client_hello(o, &m->u.client_hello);
        break;
    case WIRE_HS_SERVER_HELLO:
        fill_server_hello(o, &m->u.server_hello);
        break;
    case WIRE_HS_CERTIFICATE:
        fill_certificate(o, &m->u.certificate);
        break;
    case WIRE_HS_SERVER_KEY_EXCHANGE:
        fill_ske(o, &m->u.server_key_exchange);
        break;
    case WIRE_HS_CERTIFICATE_REQUEST:
        fill_cert_request(o, &m->u.certificate_request);
        break;
    case WIRE_HS_CLIENT_KEY_EXCHANGE: {
        const wire_client_key_exchange *cke = &m->u.client_key_exchange;
        add(o, "kx", kx_of(cke->family));
        add(o, "exchange_length", json_object_new_int64((int64_t)cur_len(&cke->exchange)));
        if (cur_len(&cke->psk_identity))
            add(o, "psk_identity", text_of(cke->psk_identity));
        break;
    }
    case WIRE_HS_NEW_SESSION_TICKET: {
        const wire_new_session_ticket *t = &m->u.new_session_ticket;
        add(o, "lifetime", json_object_new_int64(t->lifetime));
        add(o, "ticket_length", json_object_new_int64((int64_t)cur_len(&t->ticket)));
        if (cur_len(&t->nonce) || t->age_add) {
            add(o, "age_add", json_object_new_int64(t->age_add));
            add(o, "nonce", hex_of(t->nonce));
        }
        if (cur_len(&t->extensions))
            add(o, "extensions",
                report_json_extensions(t->extensions, WIRE_EXT_FROM_NEW_SESSION_TICKET));
        break;
    }
    case WIRE_HS_CERTIFICATE_VERIFY: {
        const wire_certificate_verify *cv = &m->u.certificate_verify;
        if (cv->sigalg)
            add(o, "sigalg", sigalg_of(cv->sigalg));
        add(o, "signature_length", json_object_new_int64((int64_t)cur_len(&cv->signature)));
        break;
    }
    case WIRE_HS_FINISHED:
        add(o, "verify_data", hex_of(m->u.finished));
        break;
    case WIRE_HS_ENCRYPTED_EXTENSIONS:
        add_extensions(o, m->u.encrypted_extensions, WIRE_EXT_FROM_ENCRYPTED_EXTENSIONS);
        break;
    default:
        break;
    }
}

json_object *report_json_handshake(const wire_handshake *m)
{
    json_object *o = json_object_new_object();
    if (o)
        report_json_handshake_fill(o, m);
    return o;
}
