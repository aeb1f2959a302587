/* NSS key log parsing and an in-memory store indexed by client random.
 * Format: https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/
 * and RFC 9850 (draft-ietf-tls-keylogfile). */
#include "keylog.h"

#include "../wire/hex.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static const char *const label_names[CRYPTO_KL_COUNT] = {
    [CRYPTO_KL_CLIENT_RANDOM] = "CLIENT_RANDOM",
    [CRYPTO_KL_CLIENT_EARLY_TRAFFIC_SECRET] = "CLIENT_EARLY_TRAFFIC_SECRET",
    [CRYPTO_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    [CRYPTO_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    [CRYPTO_KL_CLIENT_TRAFFIC_SECRET_0] = "CLIENT_TRAFFIC_SECRET_0",
    [CRYPTO_KL_SERVER_TRAFFIC_SECRET_0] = "SERVER_TRAFFIC_SECRET_0",
    [CRYPTO_KL_EARLY_EXPORTER_SECRET] = "EARLY_EXPORTER_SECRET",
    [CRYPTO_KL_EXPORTER_SECRET] = "EXPORTER_SECRET",
};

const char *crypto_keylog_label_name(crypto_keylog_label l)
{
    return (unsigned)l < CRYPTO_KL_COUNT ? label_names[l] : NULL;
}

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static void skip_blanks(cur_t *c)
{
    while (cur_len(c) > 0 && is_blank(cur_data(c)[0]))
        if (!cur_skip(c, 1))
            return;
}

/* The next run of non-blank bytes (may be empty). */
static cur_t next_token(cur_t *c)
{
    size_t n = 0;
    while (n < cur_len(c) && !is_blank(cur_data(c)[n]))
        n++;
    cur_t tok = {0};
    if (!cur_get_bytes(c, &tok, n))
        tok.len = 0;
    return tok;
}

static bool hex_decode(cur_t tok, uint8_t *out, size_t out_len)
{
    if (cur_len(&tok) != 2 * out_len)
        return false;
    for (size_t i = 0; i < out_len; i++) {
        uint8_t hi, lo;
        if (!cur_get_u8(&tok, &hi) || !cur_get_u8(&tok, &lo))
            return false;
        int h = wire_hex_digit((unsigned char)hi), l = wire_hex_digit((unsigned char)lo);
        if (h < 0 || l < 0)
            return false;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return true;
}

static bool looks_like_label(cur_t tok)
{
    if (cur_len(&tok) == 0)
        return false;
    for (size_t i = 0; i < cur_len(&tok); i++) {
        uint8_t ch = cur_data(&tok)[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return false;
    }
    return true;
}

tp_status crypto_keylog_parse_line_ex(const char *line, size_t len, crypto_keylog_entry *out,
                                      const char **out_reason)
{
    const char *reason = NULL;
    tp_status st = TP_ERR_DECODE;
    cur_t c;
    memset(out, 0, sizeof *out);
    if (!line)
        len = 0;
    /* drop the line end and trailing blanks, then leading blanks */
    while (len > 0 &&
           (line[len - 1] == '\n' || line[len - 1] == '\r' || is_blank((uint8_t)line[len - 1])))
        len--;
    cur_init(&c, (const uint8_t *)line, len);
    skip_blanks(&c);
    if (cur_len(&c) == 0 || cur_data(&c)[0] == '#') {
        if (out_reason)
            *out_reason = NULL;
        return TP_OK;
    }

    cur_t label = next_token(&c);
    skip_blanks(&c);
    cur_t cr = next_token(&c);
    skip_blanks(&c);
    cur_t secret = next_token(&c);
    skip_blanks(&c);

    crypto_keylog_label l = CRYPTO_KL_NONE;
    for (int i = 1; i < CRYPTO_KL_COUNT; i++) {
        size_t n = strlen(label_names[i]);
        if (cur_len(&label) == n && memcmp(cur_data(&label), label_names[i], n) == 0)
            l = (crypto_keylog_label)i;
    }

    if (cur_len(&secret) == 0) {
        reason = "fewer than three fields";
    } else if (cur_len(&c) != 0) {
        reason = "more than three fields";
    } else if (l == CRYPTO_KL_NONE) {
        if (looks_like_label(label)) {
            st = TP_ERR_UNSUPPORTED;
            reason = "label not used by tlsprobe";
        } else {
            reason = "label is not an NSS key log label";
        }
    } else if (!hex_decode(cr, out->client_random, 32)) {
        reason = "client random is not 64 hex digits";
    } else if (l == CRYPTO_KL_CLIENT_RANDOM) {
        if (!hex_decode(secret, out->secret, 48))
            reason = "master secret is not 96 hex digits";
        else
            out->secret_len = 48;
    } else if (hex_decode(secret, out->secret, 32)) {
        out->secret_len = 32; /* SHA-256 suites */
    } else if (hex_decode(secret, out->secret, 48)) {
        out->secret_len = 48; /* SHA-384 suites */
    } else {
        reason = "secret is not 64 or 96 hex digits";
    }

    if (reason) {
        OPENSSL_cleanse(out, sizeof *out);
        if (out_reason)
            *out_reason = reason;
        return st;
    }
    out->label = l;
    if (out_reason)
        *out_reason = NULL;
    return TP_OK;
}

tp_status crypto_keylog_parse_line(const char *line, size_t len, crypto_keylog_entry *out)
{
    return crypto_keylog_parse_line_ex(line, len, out, NULL);
}

size_t crypto_keylog_entry_format(const crypto_keylog_entry *e, char *out, size_t cap)
{
    const char *name = crypto_keylog_label_name(e->label);
    if (!name || e->secret_len > CRYPTO_KEYLOG_SECRET_MAX)
        return 0;
    size_t name_len = strlen(name);
    size_t need = name_len + 1 + 64 + 1 + 2 * e->secret_len;
    if (cap < need + 1)
        return 0;
    size_t n = 0;
    memcpy(out, name, name_len);
    n += name_len;
    out[n++] = ' ';
    wire_hex_encode(out + n, e->client_random, 32);
    n += 64;
    out[n++] = ' ';
    wire_hex_encode(out + n, e->secret, e->secret_len);
    n += 2 * e->secret_len;
    return n;
}

/* ---- store: entries in an array, open-addressing hash index ---- */

struct crypto_keylog_store {
    crypto_keylog_entry *entries;
    size_t num, cap;
    uint32_t *slots;  /* entry index + 1; 0 = empty */
    size_t num_slots; /* power of two, at least twice num */
};

crypto_keylog_store *crypto_keylog_store_new(void)
{
    return calloc(1, sizeof(crypto_keylog_store));
}

void crypto_keylog_store_free(crypto_keylog_store *s)
{
    if (!s)
        return;
    if (s->entries)
        OPENSSL_cleanse(s->entries, s->cap * sizeof *s->entries);
    free(s->entries);
    free(s->slots);
    free(s);
}

size_t crypto_keylog_store_count(const crypto_keylog_store *s)
{
    return s ? s->num : 0;
}

/* FNV-1a over label and client random: the randoms are mostly random, but
 * a TLS <= 1.2 random starts with a timestamp and a crafted file may repeat
 * prefixes, so every byte goes in. */
static uint32_t key_hash(crypto_keylog_label label, const uint8_t cr[32])
{
    uint32_t h = 2166136261u;
    h = (h ^ (uint8_t)label) * 16777619u;
    for (int i = 0; i < 32; i++)
        h = (h ^ cr[i]) * 16777619u;
    return h;
}

static size_t find_slot(const crypto_keylog_store *s, crypto_keylog_label label,
                        const uint8_t cr[32])
{
    size_t mask = s->num_slots - 1;
    size_t i = key_hash(label, cr) & mask;
    for (;;) {
        uint32_t v = s->slots[i];
        if (v == 0)
            return i;
        const crypto_keylog_entry *e = &s->entries[v - 1];
        if (e->label == label && memcmp(e->client_random, cr, 32) == 0)
            return i;
        i = (i + 1) & mask;
    }
}

static bool grow_index(crypto_keylog_store *s)
{
    size_t n = s->num_slots ? s->num_slots * 2 : 64;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return false;
    free(s->slots);
    s->slots = slots;
    s->num_slots = n;
    for (size_t k = 0; k < s->num; k++) {
        size_t i = find_slot(s, s->entries[k].label, s->entries[k].client_random);
        s->slots[i] = (uint32_t)(k + 1);
    }
    return true;
}

tp_status crypto_keylog_store_add(crypto_keylog_store *s, const crypto_keylog_entry *e)
{
    if (e->label == CRYPTO_KL_NONE || (unsigned)e->label >= CRYPTO_KL_COUNT)
        return TP_OK;
    if (s->num >= UINT32_MAX - 1)
        return TP_ERR_LIMIT;
    if ((s->num + 1) * 2 > s->num_slots && !grow_index(s))
        return TP_ERR_NOMEM;
    size_t i = find_slot(s, e->label, e->client_random);
    if (s->slots[i]) {
        crypto_keylog_entry *old = &s->entries[s->slots[i] - 1];
        OPENSSL_cleanse(old, sizeof *old);
        *old = *e;
        return TP_OK;
    }
    if (s->num == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        /* not realloc: the old block holds secrets and must be wiped */
        crypto_keylog_entry *ne = malloc(cap * sizeof *ne);
        if (!ne)
            return TP_ERR_NOMEM;
        if (s->num)
            memcpy(ne, s->entries, s->num * sizeof *ne);
        if (s->entries)
            OPENSSL_cleanse(s->entries, s->cap * sizeof *s->entries);
        free(s->entries);
        s->entries = ne;
        s->cap = cap;
    }
    s->entries[s->num] = *e;
    s->num++;
    s->slots[i] = (uint32_t)s->num;
    return TP_OK;
}

const crypto_keylog_entry *crypto_keylog_store_find(const crypto_keylog_store *s,
                                                    crypto_keylog_label label,
                                                    const uint8_t client_random[32])
{
    if (!s || s->num == 0)
        return NULL;
    uint32_t v = s->slots[find_slot(s, label, client_random)];
    return v ? &s->entries[v - 1] : NULL;
}

tp_status crypto_keylog_store_add_text(crypto_keylog_store *s, const char *text, size_t len,
                                       size_t first_line_no, crypto_keylog_error_fn on_error,
                                       void *arg, crypto_keylog_stats *stats)
{
    cur_t c;
    cur_init(&c, (const uint8_t *)text, text ? len : 0);
    size_t line_no = first_line_no;
    crypto_keylog_stats local = {0};
    tp_status result = TP_OK;

    while (cur_len(&c) > 0) {
        size_t n = 0;
        while (n < cur_len(&c) && cur_data(&c)[n] != '\n')
            n++;
        cur_t line;
        if (!cur_get_bytes(&c, &line, n))
            break;
        if (cur_len(&c) > 0 && !cur_skip(&c, 1)) /* the '\n' */
            break;
        size_t shown = cur_len(&line);
        if (shown > 0 && cur_data(&line)[shown - 1] == '\r')
            shown--;

        crypto_keylog_entry e;
        const char *reason = NULL;
        tp_status st =
            crypto_keylog_parse_line_ex((const char *)cur_data(&line), cur_len(&line), &e, &reason);
        local.num_lines++;
        if (st == TP_OK && e.label != CRYPTO_KL_NONE) {
            tp_status ast = crypto_keylog_store_add(s, &e);
            OPENSSL_cleanse(&e, sizeof e);
            if (ast != TP_OK) {
                result = ast;
                break;
            }
            local.num_added++;
        } else if (st != TP_OK) {
            if (st == TP_ERR_UNSUPPORTED)
                local.num_unknown++;
            else
                local.num_malformed++;
            if (on_error)
                on_error(arg, line_no, st, reason, (const char *)cur_data(&line), shown);
        }
        line_no++;
    }
    if (stats) {
        stats->num_lines += local.num_lines;
        stats->num_added += local.num_added;
        stats->num_malformed += local.num_malformed;
        stats->num_unknown += local.num_unknown;
    }
    return result;
}
