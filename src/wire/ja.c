/* JA3 and JA4 fingerprints; see ja.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ext.h"
#include "hex.h"
#include "iana.h"
#include "ja.h"

/* Bounded string writer with a sticky overflow flag: once full, later
 * appends only keep feeding the digest. */
typedef struct {
    char *buf;
    size_t cap;
    size_t len;
    bool overflow;
    EVP_MD_CTX *md;
    bool md_err;
} ja_out;

static void ja_put(ja_out *o, const char *s, size_t n)
{
    if (o->md && EVP_DigestUpdate(o->md, s, n) != 1)
        o->md_err = true;
    if (!o->buf || o->cap == 0) {
        o->overflow = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (o->len + 1 >= o->cap) {
            o->overflow = true;
            break;
        }
        o->buf[o->len++] = s[i];
    }
    o->buf[o->len] = '\0';
}

/* The digests, fetched once (an implicit fetch at every init takes a lock
 * and a name lookup). */
static const EVP_MD *ja_mds[2];
static pthread_once_t ja_mds_once = PTHREAD_ONCE_INIT;

static void ja_mds_fetch(void)
{
    ja_mds[0] = EVP_MD_fetch(NULL, "MD5", NULL);
    ja_mds[1] = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *ja_md5(void)
{
    pthread_once(&ja_mds_once, ja_mds_fetch);
    return ja_mds[0] ? ja_mds[0] : EVP_md5();
}

static const EVP_MD *ja_sha256(void)
{
    pthread_once(&ja_mds_once, ja_mds_fetch);
    return ja_mds[1] ? ja_mds[1] : EVP_sha256();
}

static void ja_put_str(ja_out *o, const char *s)
{
    ja_put(o, s, strlen(s));
}

static void ja_put_num(ja_out *o, unsigned v, bool *first)
{
    /* by hand: snprintf was a fifth of a fleet run's time */
    char tmp[16];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (!*first)
        tmp[--n] = '-';
    *first = false;
    ja_put(o, tmp + n, sizeof tmp - n);
}

/* Appends the non-GREASE u16 entries of a list extension. */
static void ja3_list(ja_out *o, const wire_client_hello *ch, uint16_t type, bool u8_items)
{
    cur_t body;
    wire_list l;
    bool first = true;
    if (!wire_ch_find_ext(ch, type, &body))
        return;
    tp_status st = u8_items ? wire_ext_u8_list_parse(body, &l) : wire_ext_u16_list_parse(body, &l);
    if (st != TP_OK)
        return;
    for (unsigned i = 0; i < l.num; i++) {
        uint16_t v = wire_list_get(&l, i);
        if (!wire_is_grease(v))
            ja_put_num(o, v, &first);
    }
}

tp_status wire_ja3(const wire_client_hello *ch, char *out_str, size_t str_len, char out_md5[33])
{
    out_md5[0] = '\0';
    if (out_str && str_len)
        out_str[0] = '\0';
    if (ch->sslv2)
        return TP_ERR_UNSUPPORTED;

    ja_out o = {out_str, str_len, 0, false, EVP_MD_CTX_new(), false};
    if (!o.md || EVP_DigestInit_ex(o.md, ja_md5(), NULL) != 1) {
        EVP_MD_CTX_free(o.md);
        return TP_ERR_CRYPTO;
    }
    tp_status st = TP_OK;
    char tmp[16];
    snprintf(tmp, sizeof tmp, "%u,", ch->legacy_version);
    ja_put_str(&o, tmp);

    bool first = true;
    unsigned n = wire_ch_num_suites(ch);
    for (unsigned i = 0; i < n; i++) {
        uint16_t s = (uint16_t)wire_ch_suite_at(ch, i);
        if (!wire_is_grease(s))
            ja_put_num(&o, s, &first);
    }
    ja_put_str(&o, ",");

    first = true;
    if (ch->has_extensions) {
        cur_t exts = ch->extensions, body;
        uint16_t t;
        tp_status err = TP_OK;
        while (wire_ext_next(&exts, &t, &body, &err))
            if (!wire_is_grease(t))
                ja_put_num(&o, t, &first);
        if (err != TP_OK)
            st = TP_ERR_DECODE;
    }
    ja_put_str(&o, ",");
    ja3_list(&o, ch, WIRE_EXT_SUPPORTED_GROUPS, false);
    ja_put_str(&o, ",");
    ja3_list(&o, ch, WIRE_EXT_EC_POINT_FORMATS, true);

    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    if (o.md_err || EVP_DigestFinal_ex(o.md, md, &md_len) != 1 || md_len != 16) {
        EVP_MD_CTX_free(o.md);
        return TP_ERR_CRYPTO;
    }
    EVP_MD_CTX_free(o.md);
    wire_hex_encode(out_md5, md, 16);
    if (st == TP_OK && o.overflow && out_str)
        st = TP_ERR_LIMIT;
    return st;
}

/* ---- JA4 -------------------------------------------------------------- */

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* First 12 hex chars of SHA-256 over a comma-joined list of 4-hex-digit
 * values, optionally followed by "_" and a second list; "000000000000" when
 * the first list is empty (JA4 spec). */
static tp_status ja4_hash(const uint16_t *a, size_t na, const uint16_t *b, size_t nb, bool with_b,
                          char out[13])
{
    if (na == 0) {
        memcpy(out, "000000000000", 13);
        return TP_OK;
    }
    /* "aaaa,bbbb" then "_cccc,dddd": 5 bytes an item, hashed at once */
    char text[2 * 5 * WIRE_JA4_MAX_ITEMS + 8];
    size_t w = 0;
    static const char hexd[] = "0123456789abcdef";
    for (size_t k = 0; k < 2; k++) {
        const uint16_t *v = k ? b : a;
        size_t n = k ? (with_b ? nb : 0) : na;
        for (size_t i = 0; i < n && w + 5 <= sizeof text; i++) {
            if (i || k)
                text[w++] = i ? ',' : '_';
            for (int sh = 12; sh >= 0; sh -= 4)
                text[w++] = hexd[(v[i] >> sh) & 0xf];
        }
    }
    uint8_t h[EVP_MAX_MD_SIZE];
    unsigned hl = 0;
    bool ok = EVP_Digest(text, w, h, &hl, ja_sha256(), NULL) == 1 && hl == 32;
    if (!ok)
        return TP_ERR_CRYPTO;
    char hex[65];
    wire_hex_encode(hex, h, 32);
    memcpy(out, hex, 12);
    out[12] = '\0';
    return TP_OK;
}

static const char *ja4_version(uint16_t v)
{
    switch (v) {
    case 0x0304:
        return "13";
    case 0x0303:
        return "12";
    case 0x0302:
        return "11";
    case 0x0301:
        return "10";
    case 0x0300:
        return "s3";
    case 0x0002:
        return "s2";
    case 0xfeff:
        return "d1";
    case 0xfefd:
        return "d2";
    case 0xfefc:
        return "d3";
    default:
        return "00";
    }
}

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

tp_status wire_ja4(const wire_client_hello *ch, char out[40])
{
    uint16_t suites[WIRE_JA4_MAX_ITEMS], exts[WIRE_JA4_MAX_ITEMS], sigs[WIRE_JA4_MAX_ITEMS];
    const size_t max_items = WIRE_JA4_MAX_ITEMS;
    size_t ns = 0, ne = 0, ne_hashed = 0, nsig = 0;
    bool has_sni = false;
    uint16_t version = ch->legacy_version;
    char alpn[3] = "00";
    tp_status st;

    out[0] = '\0';
    if (ch->sslv2)
        return TP_ERR_UNSUPPORTED;
    unsigned n = wire_ch_num_suites(ch);
    for (unsigned i = 0; i < n; i++) {
        uint16_t s = (uint16_t)wire_ch_suite_at(ch, i);
        if (wire_is_grease(s))
            continue;
        if (ns == max_items)
            return TP_ERR_LIMIT;
        suites[ns++] = s;
    }
    if (ch->has_extensions) {
        cur_t it = ch->extensions, body;
        uint16_t t;
        tp_status err = TP_OK;
        while (wire_ext_next(&it, &t, &body, &err)) {
            if (wire_is_grease(t))
                continue;
            ne++;
            if (t == WIRE_EXT_SERVER_NAME)
                has_sni = true;
            /* SNI and ALPN count but are not hashed (JA4 spec) */
            if (t != WIRE_EXT_SERVER_NAME && t != WIRE_EXT_ALPN) {
                if (ne_hashed == max_items)
                    return TP_ERR_LIMIT;
                exts[ne_hashed++] = t;
            }
            if (t == WIRE_EXT_SUPPORTED_VERSIONS) {
                wire_ext_versions v;
                if (wire_ext_versions_parse(body, false, &v) == TP_OK && v.highest)
                    version = v.highest;
            } else if (t == WIRE_EXT_ALPN) {
                wire_ext_alpn a;
                if (wire_ext_alpn_parse(body, &a) == TP_OK && cur_len(&a.first) > 0) {
                    const uint8_t *p = cur_data(&a.first);
                    uint8_t f = p[0], l = p[cur_len(&a.first) - 1];
                    if (is_alnum(f) && is_alnum(l)) {
                        alpn[0] = (char)f;
                        alpn[1] = (char)l;
                    } else {
                        /* non-alphanumeric: first and last hex digit instead */
                        static const char d[] = "0123456789abcdef";
                        alpn[0] = d[f >> 4];
                        alpn[1] = d[l & 15];
                    }
                }
            } else if (t == WIRE_EXT_SIGNATURE_ALGORITHMS) {
                wire_list l;
                if (wire_ext_u16_list_parse(body, &l) == TP_OK)
                    for (unsigned i = 0; i < l.num && nsig < max_items; i++) {
                        uint16_t v = wire_list_get(&l, i);
                        if (!wire_is_grease(v))
                            sigs[nsig++] = v;
                    }
            }
        }
        if (err != TP_OK)
            return TP_ERR_DECODE;
    }

    qsort(suites, ns, sizeof *suites, cmp_u16);
    qsort(exts, ne_hashed, sizeof *exts, cmp_u16);
    char hb[13], hc[13];
    if ((st = ja4_hash(suites, ns, NULL, 0, false, hb)) != TP_OK ||
        (st = ja4_hash(exts, ne_hashed, sigs, nsig, true, hc)) != TP_OK)
        return st;
    snprintf(out, 40, "t%s%c%02u%02u%c%c_%s_%s", ja4_version(version), has_sni ? 'd' : 'i',
             (unsigned)(ns > 99 ? 99 : ns), (unsigned)(ne > 99 ? 99 : ne), alpn[0], alpn[1], hb,
             hc);
    return TP_OK;
}
