/* The facts the verdict relates: see relations.h. */
#include "relations.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "../wire/ext.h"

enum { DIR_C2S = 0, DIR_S2C = 1 };

/* RFC 9113 3.4: the client connection preface */
static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

void tp_facts_init(tp_facts *f)
{
    memset(f, 0, sizeof *f);
    f->rel.sni_match = -1;
    f->rel.client_certs_sent = -1;
    f->rel.reneg_allowed = -1;
}

static void copy_view(char *dst, size_t cap, cur_t v)
{
    size_t n = cur_len(&v) < cap - 1 ? cur_len(&v) : cap - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = cur_data(&v)[i];
        dst[i] = isprint(ch) ? (char)ch : '?';
    }
    dst[n] = '\0';
}

/* ---- the certificate's names ---- */

static void add_name(tp_relations *r, const char *name)
{
    if (!name[0] || r->num_cert_names >= TP_REL_NAMES_MAX)
        return;
    for (unsigned i = 0; i < r->num_cert_names; i++)
        if (strcasecmp(r->cert_names[i], name) == 0)
            return;
    snprintf(r->cert_names[r->num_cert_names++], TP_REL_NAME_LEN, "%s", name);
}

static void add_san(tp_relations *r, const GENERAL_NAME *g)
{
    char buf[TP_REL_NAME_LEN];
    if (g->type == GEN_DNS) {
        const ASN1_IA5STRING *s = g->d.dNSName;
        cur_t v = {ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s)};
        copy_view(buf, sizeof buf, v);
        add_name(r, buf);
    } else if (g->type == GEN_IPADD) {
        const ASN1_OCTET_STRING *s = g->d.iPAddress;
        int n = ASN1_STRING_length(s);
        if ((n == 4 || n == 16) &&
            inet_ntop(n == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), buf, sizeof buf))
            add_name(r, buf);
    }
}

static void cert_names(tp_relations *r, cur_t der)
{
    const unsigned char *p = cur_data(&der);
    X509 *x = d2i_X509(NULL, &p, (long)cur_len(&der));
    if (!x)
        return;
    GENERAL_NAMES *sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++)
        add_san(r, sk_GENERAL_NAME_value(sans, i));
    GENERAL_NAMES_free(sans);
    /* RFC 6125 6.4.4: the CN counts only when there is no SAN name */
    char cn[TP_REL_NAME_LEN];
    if (!r->num_cert_names &&
        X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn) > 0)
        add_name(r, cn);
    X509_free(x);
}

/* A server sends the same certificate on every connection and d2i_X509
 * costs more than the rest of a connection's tracing: the names of the last
 * certificate are kept per thread, keyed by the whole DER. */
#define NAMES_CACHE_MAX_DER 8192

static _Thread_local struct {
    size_t len;
    uint8_t der[NAMES_CACHE_MAX_DER];
    unsigned num;
    char names[TP_REL_NAMES_MAX][TP_REL_NAME_LEN];
} names_cache;

static void note_certificate(tp_relations *r, const wire_certificate *cm)
{
    if (r->cert_seen || cm->num_summaries == 0)
        return;
    r->cert_seen = true;
    cur_t der = cm->certs[0].der;
    size_t len = cur_len(&der);
    if (len && names_cache.len == len && memcmp(names_cache.der, cur_data(&der), len) == 0) {
        r->num_cert_names = names_cache.num;
        memcpy(r->cert_names, names_cache.names, sizeof r->cert_names);
        return;
    }
    cert_names(r, der);
    if (!len || len > NAMES_CACHE_MAX_DER)
        return;
    names_cache.len = len;
    memcpy(names_cache.der, cur_data(&der), len);
    names_cache.num = r->num_cert_names;
    memcpy(names_cache.names, r->cert_names, sizeof r->cert_names);
}

bool tp_rel_name_matches(const char *host, const char *pattern)
{
    if (strcasecmp(host, pattern) == 0)
        return true;
    /* "*.example.com" matches "a.example.com", not "example.com" nor "a.b.example.com" */
    if (strncmp(pattern, "*.", 2) != 0)
        return false;
    const char *dot = strchr(host, '.');
    return dot && dot != host && strcasecmp(dot, pattern + 1) == 0;
}

static void update_match(tp_relations *r)
{
    if (!r->sni_offered || !r->cert_seen) {
        r->sni_match = -1;
        return;
    }
    r->sni_match = 0;
    for (unsigned i = 0; i < r->num_cert_names; i++)
        if (tp_rel_name_matches(r->sni, r->cert_names[i]))
            r->sni_match = 1;
}

/* ---- hellos ---- */

static void note_client_hello(tp_facts *f, const wire_client_hello *ch)
{
    tp_relations *r = &f->rel;
    f->client_hellos++;
    if (f->finished[DIR_C2S] && f->finished[DIR_S2C]) {
        r->reneg_client_hellos++;
        return;
    }
    if (f->client_hellos > 1)
        return; /* the second hello after a HelloRetryRequest says the same */
    cur_t body;
    wire_ext_sni sni;
    if (wire_ch_find_ext(ch, WIRE_EXT_SERVER_NAME, &body) &&
        wire_ext_sni_parse(body, &sni) == TP_OK && sni.has_host) {
        r->sni_offered = true;
        copy_view(r->sni, sizeof r->sni, sni.host);
    }
    wire_ext_alpn alpn;
    if (wire_ch_find_ext(ch, WIRE_EXT_ALPN, &body) && wire_ext_alpn_parse(body, &alpn) == TP_OK) {
        cur_t it = alpn.list, p;
        while (r->num_alpn_offered < TP_REL_ALPN_MAX && wire_alpn_next(&it, &p))
            copy_view(r->alpn_offered[r->num_alpn_offered++], TP_REL_ALPN_LEN, p);
    }
    r->certs.ocsp_offered = wire_ch_find_ext(ch, WIRE_EXT_STATUS_REQUEST, &body);
    r->reneg_secure = wire_ch_find_ext(ch, WIRE_EXT_RENEGOTIATION_INFO, &body);
    for (unsigned i = 0; i < wire_ch_num_suites(ch) && !r->reneg_secure; i++)
        r->reneg_secure = wire_ch_suite_at(ch, i) == 0x00ff; /* RFC 5746 3.3 SCSV */
}

/* ALPN in a ServerHello (TLS <= 1.2) or EncryptedExtensions (TLS 1.3). */
static void note_server_extensions(tp_relations *r, cur_t exts, bool final)
{
    cur_t body;
    wire_ext_alpn alpn;
    if (wire_ext_find(exts, WIRE_EXT_ALPN, &body) && wire_ext_alpn_parse(body, &alpn) == TP_OK &&
        alpn.num_protocols == 1)
        copy_view(r->alpn_selected, sizeof r->alpn_selected, alpn.first);
    if (final || r->alpn_selected[0])
        r->alpn_answer_seen = true;
}

void tp_facts_on_handshake(tp_facts *f, int dir, const wire_handshake *m)
{
    tp_relations *r = &f->rel;
    if (m->status != TP_OK)
        return;
    bool renego = f->finished[DIR_C2S] && f->finished[DIR_S2C];
    tp_facts_psk_on_handshake(f, dir, m, renego);
    switch (m->type) {
    case WIRE_HS_CLIENT_HELLO:
        if (dir == DIR_C2S)
            note_client_hello(f, &m->u.client_hello);
        break;
    case WIRE_HS_SERVER_HELLO:
        if (dir == DIR_S2C && !renego && !m->u.server_hello.hello_retry_request)
            note_server_extensions(r, m->u.server_hello.extensions,
                                   m->u.server_hello.selected_version != 0x0304);
        break;
    case WIRE_HS_ENCRYPTED_EXTENSIONS:
        if (dir == DIR_S2C && !renego)
            note_server_extensions(r, m->u.encrypted_extensions, true);
        break;
    case WIRE_HS_CERTIFICATE_STATUS: /* RFC 6066 8 */
        r->certs.ocsp_stapled |= dir == DIR_S2C;
        break;
    case WIRE_HS_CERTIFICATE:
        r->certs.ocsp_stapled |= dir == DIR_S2C && m->u.certificate.status_stapled;
        if (dir == DIR_S2C)
            note_certificate(r, &m->u.certificate);
        else if (!renego)
            r->client_certs_sent = (int)m->u.certificate.num_certs;
        break;
    case WIRE_HS_CERTIFICATE_REQUEST:
        if (dir == DIR_S2C)
            r->cert_requested = true;
        break;
    case WIRE_HS_HELLO_REQUEST:
        if (dir == DIR_S2C) { /* a server that asks takes the renegotiation */
            r->hello_request = true;
            r->reneg_allowed = 1;
        }
        break;
    case WIRE_HS_FINISHED:
        f->finished[dir ? DIR_S2C : DIR_C2S] = true;
        break;
    default:
        break;
    }
    update_match(r);
}

void tp_facts_on_appdata(tp_facts *f, int dir, const uint8_t *p, size_t len)
{
    int d = dir ? DIR_S2C : DIR_C2S;
    f->app_bytes[d] += len;
    if (d != DIR_C2S || f->app_first_len >= TP_APP_FIRST_MAX)
        return;
    size_t take = TP_APP_FIRST_MAX - f->app_first_len;
    if (take > len)
        take = len;
    memcpy(f->app_first + f->app_first_len, p, take);
    f->app_first_len += take;
}

void tp_facts_on_bytes(tp_facts *f, int dir, double t, size_t len)
{
    if (dir != DIR_C2S || len == 0)
        return;
    if (f->c2s_feeds++ == 0)
        f->c2s_first_t = t;
    f->c2s_last_t = t;
}

/* ---- the application layer ---- */

/* The request line of HTTP/1.x: METHOD SP target SP HTTP/1.d (RFC 9112 3). */
static bool looks_like_request_line(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len && (isalpha(p[i]) || p[i] == '-' || p[i] == '_'))
        i++;
    if (i == 0 || i >= len || p[i] != ' ')
        return false;
    const uint8_t *eol = memchr(p, '\n', len);
    size_t line = eol ? (size_t)(eol - p) : len;
    if (line > 0 && p[line - 1] == '\r')
        line--;
    return line >= i + 11 && memcmp(p + line - 8, "HTTP/1.", 7) == 0;
}

void tp_facts_first_bytes(const tp_facts *f, char *out, size_t out_len)
{
    size_t n = 0;
    bool text = true;
    for (; n < f->app_first_len && n < 24 && f->app_first[n] != '\n' && f->app_first[n] != '\r';
         n++)
        text &= isprint(f->app_first[n]) != 0;
    if (text && n > 0) {
        snprintf(out, out_len, "\"%.*s%s\"", (int)n, (const char *)f->app_first,
                 n < f->app_first_len && f->app_first[n] != '\n' && f->app_first[n] != '\r' ? "…"
                                                                                            : "");
        return;
    }
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < f->app_first_len && i < 8 && used < out_len; i++)
        used +=
            (size_t)snprintf(out + used, out_len - used, "%s%02x", i ? " " : "", f->app_first[i]);
}

static bool is_h2_preface(const tp_facts *f)
{
    size_t n = f->app_first_len < sizeof h2_preface - 1 ? f->app_first_len : sizeof h2_preface - 1;
    return n >= 16 && memcmp(f->app_first, h2_preface, n) == 0;
}

void tp_facts_app_fit(const tp_facts *f, tp_app_layer *out)
{
    memset(out, 0, sizeof *out);
    out->c2s_bytes = f->app_bytes[DIR_C2S];
    out->s2c_bytes = f->app_bytes[DIR_S2C];
    bool http = f->mode && strcmp(f->mode, "http") == 0;
    if (!out->c2s_bytes) {
        if (f->finished[DIR_C2S] && f->finished[DIR_S2C])
            out->fit = "no-data";
        return;
    }
    if (is_h2_preface(f)) {
        out->fit = "h2-preface";
        snprintf(out->note, sizeof out->note, "the client spoke HTTP/2 (connection preface)%s",
                 http ? " but tlsprobe's --http speaks HTTP/1.1" : "");
        return;
    }
    if (!f->mode)
        return;
    if (!http) {
        out->fit = f->mode;
        /* the mirror of --http's "try --echo" */
        if (strcmp(f->mode, "echo") == 0 &&
            looks_like_request_line(f->app_first, f->app_first_len)) {
            out->fit = "http-to-echo";
            snprintf(out->note, sizeof out->note,
                     "the client sent an HTTP request; --echo sends the client's bytes back, so "
                     "it got its own request as the answer; try --http");
        }
        return;
    }
    if (looks_like_request_line(f->app_first, f->app_first_len)) {
        out->fit = "http";
        return;
    }
    char first[40];
    tp_facts_first_bytes(f, first, sizeof first);
    out->fit = "not-http";
    snprintf(out->note, sizeof out->note,
             "the client sent %llu byte%s that %s not an HTTP request (%s); --http answers HTTP "
             "requests only; try --echo",
             out->c2s_bytes, out->c2s_bytes == 1 ? "" : "s", out->c2s_bytes == 1 ? "is" : "are",
             first);
}

/* ---- text ---- */

/* n strings of `stride` bytes each, from base, joined by ", ". */
static void join(char *out, size_t out_len, const char *base, unsigned n, size_t stride)
{
    size_t used = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        const char *item = base + i * stride;
        int w = snprintf(out + used, out_len - used, "%s%s", i ? ", " : "", item);
        if (w < 0 || (size_t)w >= out_len - used)
            return;
        used += (size_t)w;
    }
}

void tp_rel_cert_names(const tp_relations *r, char *out, size_t out_len)
{
    join(out, out_len, r->cert_names[0], r->num_cert_names, TP_REL_NAME_LEN);
    if (!r->num_cert_names)
        snprintf(out, out_len, "no name");
}

void tp_rel_alpn_offered(const tp_relations *r, char *out, size_t out_len)
{
    join(out, out_len, r->alpn_offered[0], r->num_alpn_offered, TP_REL_ALPN_LEN);
}

bool tp_rel_alpn_without_http11(const tp_relations *r)
{
    if (!r->num_alpn_offered)
        return false;
    for (unsigned i = 0; i < r->num_alpn_offered; i++)
        if (strcmp(r->alpn_offered[i], "http/1.1") == 0)
            return false;
    return true;
}
