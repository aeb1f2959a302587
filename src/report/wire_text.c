/* Text rendering of wire structures; see wire_text.h. */
#include <stdio.h>
#include <string.h>

#include "wire_names.h"
#include "wire_text.h"

#include "wire/buf.h"
#include "wire/ext_desc.h"
#include "wire/iana.h"
#include "wire/ja.h"
#include "wire/record.h"

/* Every line is built whole in the one builder, then copied into the
 * caller's buffer; a line longer than the buffer ends in "...". */
/* A generous ceiling: messages are bounded by the session's handshake limit. */
#define TEXT_MAX (4u << 20)

static size_t sb_done(wire_buf *sb, char *buf, size_t cap)
{
    size_t n = wire_buf_copy_out(sb, buf, cap, "...");
    wire_buf_cleanup(sb);
    return n;
}

/* Peer bytes as printable ASCII with \xNN escapes. */
static void sb_text(wire_buf *sb, cur_t c)
{
    wire_buf_add_escaped(sb, c, false);
}

static void sb_hex(wire_buf *sb, cur_t c)
{
    wire_buf_add_hex(sb, c);
}

static void sb_name(wire_buf *sb, const char *name, unsigned v)
{
    if (name)
        wire_buf_printf(sb, "%s", name);
    else
        wire_buf_printf(sb, "0x%04x", v);
}

static void sb_version(wire_buf *sb, uint16_t v)
{
    sb_name(sb, wire_version_name(v), v);
}

static void sb_suite(wire_buf *sb, const wire_client_hello *ch, uint32_t id)
{
    if (ch && ch->sslv2)
        sb_name(sb, wire_sslv2_cipher_name(id), id);
    else
        sb_name(sb, wire_suite_name((uint16_t)id), id);
}

static void sb_list(wire_buf *sb, const wire_list *l, wire_namer fn, const char *sep)
{
    for (unsigned i = 0; i < l->num; i++) {
        uint16_t v = wire_list_get(l, i);
        if (i)
            wire_buf_printf(sb, "%s", sep);
        sb_name(sb, fn ? fn(v) : NULL, v);
    }
}

static void sb_alpn(wire_buf *sb, cur_t list, const char *sep)
{
    cur_t it = list, p;
    bool first = true;
    while (wire_alpn_next(&it, &p)) {
        if (!first)
            wire_buf_add_str(sb, sep);
        first = false;
        sb_text(sb, p);
    }
}

/* ---- the text back-end of the extension emitter (wire/ext_desc.h) ---- */

typedef struct {
    wire_ext_emitter base;
    wire_buf *sb;
} text_emitter;

static wire_buf *sb_of(wire_ext_emitter *e)
{
    return ((text_emitter *)e)->sb;
}

static void t_num(wire_ext_emitter *e, const char *key, uint64_t v, const char *pre,
                  const char *post)
{
    (void)key;
    wire_buf_add_str(sb_of(e), pre);
    wire_buf_add_uint(sb_of(e), v);
    wire_buf_add_str(sb_of(e), post);
}

static void t_code(wire_ext_emitter *e, const char *key, uint64_t v, const char *word)
{
    (void)key, (void)v;
    wire_buf_add_str(sb_of(e), word);
}

static void t_flag(wire_ext_emitter *e, const char *key, bool v, const char *if_true,
                   const char *if_false)
{
    (void)key;
    wire_buf_add_str(sb_of(e), v ? if_true : if_false);
}

static void t_name(wire_ext_emitter *e, const char *key, uint16_t v, wire_namer names)
{
    (void)key;
    sb_name(sb_of(e), names(v), v);
}

static void t_list(wire_ext_emitter *e, const char *key, const wire_list *l, wire_namer names)
{
    (void)key;
    sb_list(sb_of(e), l, names, ",");
}

static void t_text(wire_ext_emitter *e, const char *key, cur_t s)
{
    (void)key;
    sb_text(sb_of(e), s);
}

static void t_texts(wire_ext_emitter *e, const char *key, cur_t list)
{
    (void)key;
    sb_alpn(sb_of(e), list, ",");
}

static void t_hex(wire_ext_emitter *e, const char *key, cur_t bytes, const char *if_empty)
{
    (void)key;
    if (cur_len(&bytes) == 0)
        wire_buf_add_str(sb_of(e), if_empty);
    else
        sb_hex(sb_of(e), bytes);
}

static void t_shares(wire_ext_emitter *e, const char *key, const wire_ext_key_share *ks)
{
    (void)key;
    wire_buf *sb = sb_of(e);
    unsigned n = ks->num_entries < WIRE_KEY_SHARE_MAX ? ks->num_entries : WIRE_KEY_SHARE_MAX;
    for (unsigned i = 0; i < n; i++) {
        if (i)
            wire_buf_add_char(sb, ',');
        sb_name(sb, wire_group_name(ks->entries[i].group), ks->entries[i].group);
        wire_buf_printf(sb, "(%zu)", cur_len(&ks->entries[i].key));
    }
    if (ks->num_entries > n)
        wire_buf_printf(sb, ",... (%u shares)", ks->num_entries);
}

static void t_note(wire_ext_emitter *e, const char *text)
{
    wire_buf_add_str(sb_of(e), text);
}

static void t_error(wire_ext_emitter *e, tp_status st, size_t body_len)
{
    wire_buf_printf(sb_of(e), "malformed (%s), %zu bytes", tp_status_name(st), body_len);
}

static const wire_ext_emitter_ops text_ops = {
    t_num, t_code, t_flag, t_name, t_list, t_text, t_texts, t_hex, t_shares, t_note, t_error,
};

/* Decoded content of one extension, no type name. */
static void sb_ext_content(wire_buf *sb, const wire_ext_decoded *d, wire_ext_origin origin)
{
    text_emitter te = {{&text_ops}, sb};
    wire_ext_emit(d, origin, &te.base);
}

static bool find_decoded(cur_t exts, uint16_t type, wire_ext_origin origin, wire_ext_decoded *d)
{
    cur_t body;
    if (!wire_ext_find(exts, type, &body))
        return false;
    wire_ext_decode(type, body, origin, d);
    return d->status == TP_OK;
}

/* label and content of one extension of a block, when present and well-formed */
static void labelled(wire_buf *sb, cur_t exts, uint16_t type, wire_ext_origin o, const char *label)
{
    wire_ext_decoded d;
    if (!find_decoded(exts, type, o, &d))
        return;
    wire_buf_add_str(sb, label);
    sb_ext_content(sb, &d, o);
}

static void sb_ext_names(wire_buf *sb, cur_t exts)
{
    uint16_t t;
    cur_t body;
    bool first = true;
    while (wire_ext_next(&exts, &t, &body, NULL)) {
        wire_buf_printf(sb, "%s", first ? "" : ",");
        first = false;
        sb_name(sb, wire_ext_name(t), t);
    }
}

static void client_hello_line(wire_buf *sb, const wire_client_hello *ch, bool full)
{
    wire_ext_decoded d;
    uint16_t max = ch->legacy_version;
    bool exts = ch->has_extensions;
    wire_ext_origin o = WIRE_EXT_FROM_CLIENT_HELLO;

    if (exts && find_decoded(ch->extensions, WIRE_EXT_SUPPORTED_VERSIONS, o, &d) &&
        d.u.versions.highest)
        max = d.u.versions.highest;
    sb_version(sb, max);
    wire_buf_printf(sb, " max");
    if (ch->sslv2)
        wire_buf_printf(sb, " (SSLv2 hello)");
    if (full && max != ch->legacy_version) {
        wire_buf_printf(sb, " (legacy ");
        sb_version(sb, ch->legacy_version);
        wire_buf_printf(sb, ")");
    }
    unsigned n = wire_ch_num_suites(ch);
    unsigned shown = full ? n : (n < 3 ? n : 3);
    wire_buf_printf(sb, ", %u suites (", n);
    for (unsigned i = 0; i < shown; i++) {
        if (i)
            wire_buf_printf(sb, ", ");
        sb_suite(sb, ch, wire_ch_suite_at(ch, i));
    }
    wire_buf_printf(sb, "%s)", shown < n ? ", ..." : "");
    if (exts && find_decoded(ch->extensions, WIRE_EXT_SERVER_NAME, o, &d) && d.u.sni.has_host) {
        wire_buf_printf(sb, ", SNI ");
        sb_text(sb, d.u.sni.host);
    } else {
        wire_buf_printf(sb, ", no SNI");
    }
    if (!exts)
        return;
    labelled(sb, ch->extensions, WIRE_EXT_ALPN, o, ", ALPN ");
    labelled(sb, ch->extensions, WIRE_EXT_SUPPORTED_GROUPS, o, ", groups ");
    if (!full)
        return;
    labelled(sb, ch->extensions, WIRE_EXT_SIGNATURE_ALGORITHMS, o, ", sigalgs ");
    labelled(sb, ch->extensions, WIRE_EXT_KEY_SHARE, o, ", key_share ");
    wire_buf_add_str(sb, ", extensions ");
    sb_ext_names(sb, ch->extensions);
}

static void server_hello_line(wire_buf *sb, const wire_server_hello *sh, bool full)
{
    wire_ext_origin o = sh->hello_retry_request ? WIRE_EXT_FROM_HRR : WIRE_EXT_FROM_SERVER_HELLO;
    sb_version(sb, sh->selected_version);
    wire_buf_printf(sb, " ");
    sb_name(sb, wire_suite_name(sh->cipher_suite), sh->cipher_suite);
    if (sh->compression)
        wire_buf_printf(sb, ", compression %u", sh->compression);
    if (!sh->has_extensions)
        return;
    labelled(sb, sh->extensions, WIRE_EXT_KEY_SHARE, o, ", key_share ");
    labelled(sb, sh->extensions, WIRE_EXT_ALPN, o, ", ALPN ");
    if (full) {
        wire_buf_printf(sb, ", extensions ");
        sb_ext_names(sb, sh->extensions);
    }
}

static const char *family_name(wire_kx_family f)
{
    const char *name = report_kx_family_name(f);
    return name ? name : "unknown kx";
}

static void certificate_line(wire_buf *sb, const wire_certificate *cm, bool full)
{
    wire_buf_printf(sb, "%u cert%s", cm->num_certs, cm->num_certs == 1 ? "" : "s");
    unsigned n = full ? cm->num_summaries : (cm->num_summaries ? 1 : 0);
    for (unsigned i = 0; i < n; i++) {
        const wire_cert_summary *s = &cm->certs[i];
        wire_buf_printf(sb, "%s", i ? "; " : ": ");
        if (!s->parsed) {
            wire_buf_printf(sb, "(unparsable, %zu bytes)", cur_len(&s->der));
            continue;
        }
        wire_buf_printf(sb, "%s (%s %u, %s", s->subject, s->key_type, s->key_bits, s->sig_alg);
        if (full)
            wire_buf_printf(sb, ", issuer %s", s->issuer);
        wire_buf_printf(sb, ")");
    }
}

static void ske_line(wire_buf *sb, const wire_server_key_exchange *ske)
{
    wire_buf_printf(sb, "%s", family_name(ske->family));
    if (ske->family == WIRE_KX_ECDHE || ske->family == WIRE_KX_ECDHE_PSK) {
        wire_buf_printf(sb, " ");
        sb_name(sb, wire_group_name(ske->named_group), ske->named_group);
    }
    if (ske->dh_p_bits)
        wire_buf_printf(sb, " %u-bit %s", ske->dh_p_bits,
                        ske->family == WIRE_KX_RSA ? "modulus" : "p");
    if (ske->has_signature) {
        wire_buf_printf(sb, ", signed");
        if (ske->has_sigalg) {
            wire_buf_printf(sb, " ");
            sb_name(sb, wire_sigalg_name(ske->sigalg), ske->sigalg);
        }
        wire_buf_printf(sb, " (%zu bytes)", cur_len(&ske->signature));
    } else {
        wire_buf_printf(sb, ", unsigned");
    }
}

static void handshake_line(wire_buf *sb, const wire_handshake *m, bool full)
{
    switch (m->type) {
    case WIRE_HS_CLIENT_HELLO:
        client_hello_line(sb, &m->u.client_hello, full);
        break;
    case WIRE_HS_SERVER_HELLO:
        server_hello_line(sb, &m->u.server_hello, full);
        break;
    case WIRE_HS_CERTIFICATE:
        certificate_line(sb, &m->u.certificate, full);
        break;
    case WIRE_HS_SERVER_KEY_EXCHANGE:
        ske_line(sb, &m->u.server_key_exchange);
        break;
    case WIRE_HS_CERTIFICATE_REQUEST: {
        const wire_certificate_request *cr = &m->u.certificate_request;
        wire_list l = {cr->sigalgs, (unsigned)(cur_len(&cr->sigalgs) / 2), 2};
        wire_buf_printf(sb, "sigalgs ");
        sb_list(sb, &l, wire_sigalg_name, ",");
        break;
    }
    case WIRE_HS_CLIENT_KEY_EXCHANGE:
        wire_buf_printf(sb, "%s, %zu bytes", family_name(m->u.client_key_exchange.family),
                        cur_len(&m->u.client_key_exchange.exchange));
        break;
    case WIRE_HS_NEW_SESSION_TICKET:
        wire_buf_printf(sb, "lifetime %us, ticket %zu bytes", m->u.new_session_ticket.lifetime,
                        cur_len(&m->u.new_session_ticket.ticket));
        break;
    case WIRE_HS_CERTIFICATE_VERIFY:
        if (m->u.certificate_verify.sigalg) {
            sb_name(sb, wire_sigalg_name(m->u.certificate_verify.sigalg),
                    m->u.certificate_verify.sigalg);
            wire_buf_printf(sb, " ");
        }
        wire_buf_printf(sb, "(%zu bytes)", cur_len(&m->u.certificate_verify.signature));
        break;
    case WIRE_HS_FINISHED:
        wire_buf_printf(sb, "verify_data ");
        sb_hex(sb, m->u.finished);
        break;
    case WIRE_HS_ENCRYPTED_EXTENSIONS:
        wire_buf_printf(sb, "extensions ");
        sb_ext_names(sb, m->u.encrypted_extensions);
        break;
    default:
        wire_buf_printf(sb, "%u bytes", m->length);
        break;
    }
}

size_t report_text_handshake(char *buf, size_t len, const wire_handshake *m, int verbosity)
{
    wire_buf sb;
    wire_buf_init(&sb, TEXT_MAX);
    const char *name = report_handshake_name(m);
    bool offered = verbosity <= 0 && m->type == WIRE_HS_CLIENT_HELLO && m->status == TP_OK;
    if (!offered) {
        if (name)
            wire_buf_printf(&sb, "%s", name);
        else
            wire_buf_printf(&sb, "handshake type %u", m->type);
    }
    if (m->status != TP_OK) {
        wire_buf_printf(&sb, " (malformed: %s, %u bytes)", tp_status_name(m->status), m->length);
        return sb_done(&sb, buf, len);
    }
    if (m->type == WIRE_HS_SERVER_HELLO_DONE || m->type == WIRE_HS_HELLO_REQUEST ||
        m->type == WIRE_HS_END_OF_EARLY_DATA)
        return sb_done(&sb, buf, len);
    if (!offered)
        wire_buf_printf(&sb, " ");
    handshake_line(&sb, m, verbosity > 0);
    return sb_done(&sb, buf, len);
}

size_t report_text_client_hello_full(char *buf, size_t len, const wire_client_hello *ch)
{
    wire_buf sb;
    wire_buf_init(&sb, TEXT_MAX);
    wire_buf_printf(&sb, "version: ");
    sb_version(&sb, ch->legacy_version);
    wire_buf_printf(&sb, " (0x%04x)%s\n", ch->legacy_version, ch->sslv2 ? ", SSLv2 framing" : "");
    wire_buf_printf(&sb, "%s: ", ch->sslv2 ? "challenge" : "random");
    sb_hex(&sb, ch->sslv2 ? ch->challenge : ch->random);
    wire_buf_printf(&sb, "\nsession_id: ");
    if (cur_len(&ch->session_id))
        sb_hex(&sb, ch->session_id);
    else
        wire_buf_printf(&sb, "(empty)");
    unsigned n = wire_ch_num_suites(ch);
    wire_buf_printf(&sb, "\ncipher suites (%u):\n", n);
    for (unsigned i = 0; i < n; i++) {
        uint32_t id = wire_ch_suite_at(ch, i);
        wire_buf_printf(&sb, ch->sslv2 ? "  0x%06x " : "  0x%04x ", id);
        sb_suite(&sb, ch, id);
        if (!ch->sslv2) {
            const wire_suite *s = wire_suite_find((uint16_t)id);
            if (s && s->kx)
                wire_buf_printf(&sb, "  [%s %s %s]", s->kx, s->cipher, s->mac);
        }
        wire_buf_printf(&sb, "\n");
    }
    wire_buf_printf(&sb, "compression:");
    cur_t c = ch->compression;
    uint8_t m;
    while (cur_get_u8(&c, &m)) {
        wire_buf_printf(&sb, " ");
        sb_name(&sb, wire_compression_name(m), m);
    }
    wire_buf_printf(&sb, "\n");
    if (ch->has_extensions) {
        unsigned count = 0;
        cur_t it = ch->extensions, body;
        uint16_t t;
        while (wire_ext_next(&it, &t, &body, NULL))
            count++;
        wire_buf_printf(&sb, "extensions (%u):\n", count);
        it = ch->extensions;
        while (wire_ext_next(&it, &t, &body, NULL)) {
            wire_ext_decoded d;
            wire_ext_decode(t, body, WIRE_EXT_FROM_CLIENT_HELLO, &d);
            const char *en = wire_ext_name(t);
            wire_buf_printf(&sb, "  %s (%u): ", en ? en : "unknown", t);
            sb_ext_content(&sb, &d, WIRE_EXT_FROM_CLIENT_HELLO);
            wire_buf_printf(&sb, "\n");
        }
    } else {
        wire_buf_printf(&sb, "extensions: none\n");
    }
    char ja3[WIRE_JA3_STR_MAX], md5[33], ja4[40];
    if (wire_ja3(ch, ja3, sizeof ja3, md5) == TP_OK)
        wire_buf_printf(&sb, "ja3: %s\nja3_string: %s\n", md5, ja3);
    if (wire_ja4(ch, ja4) == TP_OK)
        wire_buf_printf(&sb, "ja4: %s\n", ja4);
    return sb_done(&sb, buf, len);
}
