/* Text rendering of wire structures; see wire_text.h. */
#include <stdio.h>
#include <string.h>

#include "wire_names.h"
#include "wire_text.h"

#include "wire/buf.h"
#include "wire/ext.h"
#include "wire/iana.h"
#include "wire/ja.h"
#include "wire/record.h"

/* Every line is built whole in the one builder, then copied into the
 * caller's buffer; a line longer than the buffer ends in "...". */
/* A generous ceiling: messages are bounded by the session's handshake limit. */
#define TEXT_MAX (4u << 20)

static size_t sb_done(wire_buf *sb, char *buf, size_t cap)
{
    size_t n = wire_buf_len(sb);
    bool cut = !wire_buf_ok(sb) || n >= cap;
    if (cap == 0) {
        wire_buf_cleanup(sb);
        return 0;
    }
    if (n > cap - 1)
        n = cap - 1;
    memcpy(buf, wire_buf_str(sb), n);
    buf[n] = '\0';
    /* truncated: mark the cut so a reader knows */
    if (cut && n >= 3)
        memcpy(buf + n - 3, "...", 3);
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

typedef const char *(*namer)(uint16_t);

static void sb_list(wire_buf *sb, const wire_list *l, namer fn, const char *sep)
{
    for (unsigned i = 0; i < l->num; i++) {
        uint16_t v = wire_list_get(l, i);
        if (i)
            wire_buf_printf(sb, "%s", sep);
        sb_name(sb, fn ? fn(v) : NULL, v);
    }
}

static void sb_alpn(wire_buf *sb, const wire_ext_alpn *a, const char *sep)
{
    cur_t it = a->list, p;
    bool first = true;
    while (wire_alpn_next(&it, &p)) {
        if (!first)
            wire_buf_printf(sb, "%s", sep);
        first = false;
        sb_text(sb, p);
    }
}

/* Decoded content of one extension, no type name. */
static void sb_ext_content(wire_buf *sb, const wire_ext_decoded *d, wire_ext_origin origin)
{
    bool client = origin == WIRE_EXT_FROM_CLIENT_HELLO;
    if (d->status != TP_OK) {
        wire_buf_printf(sb, "malformed (%s), %zu bytes", tp_status_name(d->status),
                        cur_len(&d->body));
        return;
    }
    if (!d->known) {
        wire_buf_printf(sb, "%zu bytes", cur_len(&d->body));
        return;
    }
    switch (d->type) {
    case WIRE_EXT_SERVER_NAME:
        if (d->u.sni.has_host)
            sb_text(sb, d->u.sni.host);
        else
            wire_buf_printf(sb, "(acknowledged)");
        break;
    case WIRE_EXT_MAX_FRAGMENT_LENGTH:
        wire_buf_printf(sb, "code %u", d->u.max_fragment_length);
        break;
    case WIRE_EXT_STATUS_REQUEST:
        if (d->u.status_request.is_ack)
            wire_buf_printf(sb, "(acknowledged)");
        else
            wire_buf_printf(sb, "%s", d->u.status_request.status_type == 1 ? "ocsp" : "other type");
        break;
    case WIRE_EXT_SUPPORTED_GROUPS:
        sb_list(sb, &d->u.list, wire_group_name, ",");
        break;
    case WIRE_EXT_SIGNATURE_ALGORITHMS:
    case WIRE_EXT_SIGNATURE_ALGORITHMS_CERT:
        sb_list(sb, &d->u.list, wire_sigalg_name, ",");
        break;
    case WIRE_EXT_EC_POINT_FORMATS:
        sb_list(sb, &d->u.list, report_point_format_name, ",");
        break;
    case WIRE_EXT_PSK_KEY_EXCHANGE_MODES:
        sb_list(sb, &d->u.list, report_psk_mode_name, ",");
        break;
    case WIRE_EXT_ALPN:
        sb_alpn(sb, &d->u.alpn, ",");
        break;
    case WIRE_EXT_PADDING:
        wire_buf_printf(sb, "%zu bytes%s", d->u.padding.len,
                        d->u.padding.all_zero ? "" : " (not zero)");
        break;
    case WIRE_EXT_RECORD_SIZE_LIMIT:
        wire_buf_printf(sb, "%u", d->u.record_size_limit);
        break;
    case WIRE_EXT_SESSION_TICKET:
        wire_buf_printf(sb, "%zu bytes", cur_len(&d->u.opaque));
        break;
    case WIRE_EXT_COOKIE:
        wire_buf_printf(sb, "%zu bytes", cur_len(&d->u.opaque));
        break;
    case WIRE_EXT_RENEGOTIATION_INFO:
        if (cur_len(&d->u.opaque) == 0)
            wire_buf_printf(sb, "initial");
        else
            sb_hex(sb, d->u.opaque);
        break;
    case WIRE_EXT_PRE_SHARED_KEY:
        if (client)
            wire_buf_printf(sb, "%u identities, %u binders", d->u.psk.num_identities,
                            d->u.psk.num_binders);
        else
            wire_buf_printf(sb, "selected identity %u", d->u.psk.selected_identity);
        break;
    case WIRE_EXT_EARLY_DATA:
        if (d->u.early_data.has_max_size)
            wire_buf_printf(sb, "max %u bytes", d->u.early_data.max_early_data_size);
        break;
    case WIRE_EXT_SUPPORTED_VERSIONS:
        if (client)
            sb_list(sb, &d->u.versions.versions, wire_version_name, ",");
        else
            sb_version(sb, d->u.versions.selected);
        break;
    case WIRE_EXT_KEY_SHARE:
        if (client) {
            const wire_ext_key_share *ks = &d->u.key_share;
            unsigned n =
                ks->num_entries < WIRE_KEY_SHARE_MAX ? ks->num_entries : WIRE_KEY_SHARE_MAX;
            for (unsigned i = 0; i < n; i++) {
                if (i)
                    wire_buf_printf(sb, ",");
                sb_name(sb, wire_group_name(ks->entries[i].group), ks->entries[i].group);
                wire_buf_printf(sb, "(%zu)", cur_len(&ks->entries[i].key));
            }
            if (ks->num_entries > n)
                wire_buf_printf(sb, ",... (%u shares)", ks->num_entries);
        } else {
            sb_name(sb, wire_group_name(d->u.key_share.selected_group),
                    d->u.key_share.selected_group);
            if (origin == WIRE_EXT_FROM_SERVER_HELLO)
                wire_buf_printf(sb, "(%zu)", cur_len(&d->u.key_share.server_key));
        }
        break;
    default:
        break;
    }
}

static bool find_decoded(cur_t exts, uint16_t type, wire_ext_origin origin, wire_ext_decoded *d)
{
    cur_t body;
    if (!wire_ext_find(exts, type, &body))
        return false;
    wire_ext_decode(type, body, origin, d);
    return d->status == TP_OK;
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
    if (exts && find_decoded(ch->extensions, WIRE_EXT_ALPN, o, &d)) {
        wire_buf_printf(sb, ", ALPN ");
        sb_alpn(sb, &d.u.alpn, ",");
    }
    if (exts && find_decoded(ch->extensions, WIRE_EXT_SUPPORTED_GROUPS, o, &d)) {
        wire_buf_printf(sb, ", groups ");
        sb_list(sb, &d.u.list, wire_group_name, ",");
    }
    if (!full)
        return;
    if (exts && find_decoded(ch->extensions, WIRE_EXT_SIGNATURE_ALGORITHMS, o, &d)) {
        wire_buf_printf(sb, ", sigalgs ");
        sb_list(sb, &d.u.list, wire_sigalg_name, ",");
    }
    if (exts && find_decoded(ch->extensions, WIRE_EXT_KEY_SHARE, o, &d)) {
        wire_buf_printf(sb, ", key_share ");
        sb_ext_content(sb, &d, o);
    }
    if (exts) {
        wire_buf_printf(sb, ", extensions ");
        sb_ext_names(sb, ch->extensions);
    }
}

static void server_hello_line(wire_buf *sb, const wire_server_hello *sh, bool full)
{
    wire_ext_decoded d;
    wire_ext_origin o = sh->hello_retry_request ? WIRE_EXT_FROM_HRR : WIRE_EXT_FROM_SERVER_HELLO;
    sb_version(sb, sh->selected_version);
    wire_buf_printf(sb, " ");
    sb_name(sb, wire_suite_name(sh->cipher_suite), sh->cipher_suite);
    if (sh->compression)
        wire_buf_printf(sb, ", compression %u", sh->compression);
    if (!sh->has_extensions)
        return;
    if (find_decoded(sh->extensions, WIRE_EXT_KEY_SHARE, o, &d)) {
        wire_buf_printf(sb, ", key_share ");
        sb_ext_content(sb, &d, o);
    }
    if (find_decoded(sh->extensions, WIRE_EXT_ALPN, o, &d)) {
        wire_buf_printf(sb, ", ALPN ");
        sb_alpn(sb, &d.u.alpn, ",");
    }
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
