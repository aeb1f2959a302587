/* The fleet view's grouping (fleet.h): connections → groups by JA4 and
 * cause.  The sink that fills connections from events is fleet_sink.c. */
#include "fleet.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wire/ext.h"
#include "../wire/iana.h"
#include "../wire/record.h"

const char *const fleet_prop_names[FLEET_NUM_PROPS] = {
    "highest version", "supported_versions", "TLS1.2 SHA-256 suite", "ECDHE suite",
    "AEAD suite",      "SNI",                "ALPN",
};

void fleet_table_init(fleet_table *t)
{
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
}

void fleet_table_cleanup(fleet_table *t)
{
    for (unsigned i = 0; i < t->num_groups; i++)
        free(t->groups[i].peer_hash);
    free(t->groups);
    pthread_mutex_destroy(&t->lock);
    memset(t, 0, sizeof *t);
}

/* ---- the offer ---- */

typedef struct {
    bool sha256, ecdhe, aead;
} suite_props;

static void suite_note(suite_props *p, const wire_suite *s)
{
    if (!s || s->tls13)
        return;
    bool aead = s->mac && !strcmp(s->mac, "AEAD");
    /* a TLS 1.2 suite whose MAC or PRF is SHA-256 (RFC 5246 5, RFC 5288 3) */
    if ((s->mac && !strcmp(s->mac, "SHA256")) || (aead && s->prf && !strcmp(s->prf, "SHA256")))
        p->sha256 = true;
    if (s->kx && !strncmp(s->kx, "ECDHE", 5))
        p->ecdhe = true;
    if (aead)
        p->aead = true;
}

static const char *yes_no(bool b, const char *yes, const char *no)
{
    return b ? yes : no;
}

static void offer_finish(fleet_conn *c, const char *max_version, bool sv, unsigned num_suites,
                         const suite_props *sp, bool sni, const char *alpn)
{
    c->has_hello = true;
    c->props[FLEET_PROP_VERSION] = max_version;
    c->props[FLEET_PROP_SUPPORTED_VERSIONS] = yes_no(sv, "sent", "not sent");
    c->props[FLEET_PROP_SHA256_SUITE] = yes_no(sp->sha256, "offered", "not offered");
    c->props[FLEET_PROP_ECDHE_SUITE] = yes_no(sp->ecdhe, "offered", "not offered");
    c->props[FLEET_PROP_AEAD_SUITE] = yes_no(sp->aead, "offered", "not offered");
    c->props[FLEET_PROP_SNI] = yes_no(sni, "sent", "not sent");
    c->props[FLEET_PROP_ALPN] = yes_no(alpn != NULL, "sent", "not sent");
    snprintf(c->offer, sizeof c->offer, "%s max, %u suites%s%s%s%s%s", max_version, num_suites,
             sv ? ", supported_versions" : "", sni ? ", SNI" : "", alpn ? ", ALPN " : "",
             alpn ? alpn : "", sp->sha256 ? "" : ", no TLS1.2 SHA-256 suite");
}

static void copy_str(char *out, size_t out_len, const char *s)
{
    if (s == out)
        return; /* already there */
    snprintf(out, out_len, "%s", s ? s : "");
}

/* The ALPN list joined with ',' (printable bytes only). */
static bool hello_alpn(const wire_client_hello *ch, char *out, size_t out_len)
{
    cur_t body, list, proto;
    wire_ext_alpn a;
    if (!wire_ch_find_ext(ch, WIRE_EXT_ALPN, &body) || wire_ext_alpn_parse(body, &a) != TP_OK)
        return false;
    size_t w = 0;
    list = a.list;
    out[0] = '\0';
    while (wire_alpn_next(&list, &proto) && w + 2 < out_len) {
        if (w)
            out[w++] = ',';
        for (size_t i = 0; i < cur_len(&proto) && w + 1 < out_len; i++) {
            uint8_t ch8 = cur_data(&proto)[i];
            out[w++] = ch8 >= 0x20 && ch8 < 0x7f && ch8 != ',' ? (char)ch8 : '?';
        }
    }
    out[w] = '\0';
    return true;
}

void fleet_conn_set_hello(fleet_conn *c, const wire_client_hello *ch, const char *ja3_md5,
                          const char *ja4)
{
    copy_str(c->ja3, sizeof c->ja3, ja3_md5);
    copy_str(c->ja4, sizeof c->ja4, ja4);
    suite_props sp = {0};
    unsigned n = wire_ch_num_suites(ch);
    for (unsigned i = 0; i < n && !ch->sslv2; i++)
        suite_note(&sp, wire_suite_find((uint16_t)wire_ch_suite_at(ch, i)));
    uint16_t max = ch->legacy_version;
    cur_t body;
    wire_ext_versions v;
    bool sv = wire_ch_find_ext(ch, WIRE_EXT_SUPPORTED_VERSIONS, &body) &&
              wire_ext_versions_parse(body, false, &v) == TP_OK;
    if (sv && v.highest)
        max = v.highest;
    bool sni = wire_ch_find_ext(ch, WIRE_EXT_SERVER_NAME, &body);
    char alpn[96];
    bool has_alpn = hello_alpn(ch, alpn, sizeof alpn);
    offer_finish(c, ch->sslv2 ? "SSL2.0" : wire_version_name(max), sv, n, &sp, sni,
                 has_alpn ? alpn : NULL);
}

/* A suite by its trace name (GnuTLS spelling "ECDHE-RSA-AES-128-GCM-SHA256"
 * is not what the trace writes: it writes the IANA name). */
static const wire_suite *suite_by_name(const char *name)
{
    unsigned n;
    const wire_suite *tab = wire_suite_table(&n);
    for (unsigned i = 0; i < n; i++)
        if (tab[i].iana && !strcmp(tab[i].iana, name))
            return &tab[i];
    return NULL;
}

/* The rank of a version name from a trace (0: not a version we order). */
static unsigned version_rank(const char *name)
{
    static const uint16_t versions[] = {0x0300, 0x0301, 0x0302, 0x0303, 0x0304};
    for (unsigned i = 0; name && i < sizeof versions / sizeof versions[0]; i++)
        if (!strcmp(wire_version_name(versions[i]), name))
            return i + 1;
    return 0;
}

/* The highest offered version, in its static spelling. */
static const char *offer_highest(const fleet_offer *o)
{
    static const uint16_t versions[] = {0x0300, 0x0301, 0x0302, 0x0303, 0x0304};
    unsigned best = version_rank(o->legacy_version);
    if (o->supported_versions && o->num_versions)
        best = 0;
    for (unsigned i = 0; i < o->num_versions; i++) {
        unsigned r = version_rank(o->versions[i]);
        if (r > best)
            best = r;
    }
    return best ? wire_version_name(versions[best - 1]) : "unknown";
}

void fleet_conn_set_offer(fleet_conn *c, const fleet_offer *o, const char *ja3_md5,
                          const char *ja4)
{
    copy_str(c->ja3, sizeof c->ja3, ja3_md5);
    copy_str(c->ja4, sizeof c->ja4, ja4);
    suite_props sp = {0};
    for (unsigned i = 0; i < o->num_suites; i++)
        suite_note(&sp, suite_by_name(o->suites[i]));
    offer_finish(c, offer_highest(o), o->supported_versions, o->num_suites, &sp,
                 o->sni, o->alpn);
}

void fleet_conn_set_verdict(fleet_conn *c, const tp_verdict *v)
{
    c->has_verdict = true;
    c->outcome = v->outcome;
    c->phase = tp_phase_name(v->phase);
    c->actor = tp_actor_name(v->actor);
    copy_str(c->cause, sizeof c->cause, v->cause);
    copy_str(c->summary, sizeof c->summary, v->summary);
    c->unchecked = v->layers.records[TP_C2S].unchecked + v->layers.records[TP_S2C].unchecked;
}

/* ---- groups ---- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h ? h : 1;
}

static bool peer_add(fleet_group *g, const char *peer)
{
    if (g->num_peers * 2 >= g->peer_cap) {
        unsigned cap = g->peer_cap ? g->peer_cap * 2 : 16;
        uint64_t *n = calloc(cap, sizeof *n);
        if (!n)
            return false;
        for (unsigned i = 0; i < g->peer_cap; i++) {
            if (!g->peer_hash[i])
                continue;
            unsigned j = (unsigned)(g->peer_hash[i] & (cap - 1));
            while (n[j])
                j = (j + 1) & (cap - 1);
            n[j] = g->peer_hash[i];
        }
        free(g->peer_hash);
        g->peer_hash = n;
        g->peer_cap = cap;
    }
    uint64_t h = hash_str(peer);
    unsigned j = (unsigned)(h & (g->peer_cap - 1));
    while (g->peer_hash[j] && g->peer_hash[j] != h)
        j = (j + 1) & (g->peer_cap - 1);
    if (!g->peer_hash[j]) {
        g->peer_hash[j] = h;
        g->num_peers++;
    }
    return true;
}

/* Digit runs become "N", so "after 0.012 s" and "after 0.3 s" group. */
static void normalise(char *out, size_t out_len, const char *s)
{
    size_t w = 0;
    while (*s && w + 1 < out_len) {
        if (isdigit((unsigned char)*s)) {
            out[w++] = 'N';
            while (isdigit((unsigned char)*s))
                s++;
        } else {
            out[w++] = *s++;
        }
    }
    out[w] = '\0';
}

static void typical_add(fleet_group *g, const char *summary)
{
    char norm[640];
    normalise(norm, sizeof norm, summary);
    for (unsigned i = 0; i < g->num_typical; i++) {
        if (!strcmp(g->typical[i].normalised, norm)) {
            g->typical[i].count++;
            return;
        }
    }
    if (g->num_typical == FLEET_MAX_TYPICAL)
        return; /* the first FLEET_MAX_TYPICAL kinds are kept */
    fleet_typical *t = &g->typical[g->num_typical++];
    copy_str(t->normalised, sizeof t->normalised, norm);
    copy_str(t->example, sizeof t->example, summary);
    t->count = 1;
}

static fleet_group *group_find(fleet_table *t, const char *ja4, const char *cause)
{
    for (unsigned i = 0; i < t->num_groups; i++) {
        fleet_group *g = &t->groups[i];
        if (!g->other && !strcmp(g->ja4, ja4) && !strcmp(g->cause, cause))
            return g;
    }
    return NULL;
}

static fleet_group *group_other(fleet_table *t)
{
    for (unsigned i = 0; i < t->num_groups; i++)
        if (t->groups[i].other)
            return &t->groups[i];
    return NULL;
}

static fleet_group *group_new(fleet_table *t, const fleet_conn *c, bool other)
{
    if (t->num_groups == t->cap_groups) {
        unsigned cap = t->cap_groups ? t->cap_groups * 2 : 32;
        fleet_group *n = realloc(t->groups, cap * sizeof *n);
        if (!n)
            return NULL;
        t->groups = n;
        t->cap_groups = cap;
    }
    fleet_group *g = &t->groups[t->num_groups++];
    memset(g, 0, sizeof *g);
    g->other = other;
    if (!other) {
        copy_str(g->ja4, sizeof g->ja4, c->ja4);
        copy_str(g->ja3, sizeof g->ja3, c->ja3);
        copy_str(g->offer, sizeof g->offer, c->offer);
        memcpy(g->props, c->props, sizeof g->props);
        copy_str(g->cause, sizeof g->cause, c->cause);
    } else {
        copy_str(g->cause, sizeof g->cause, "other");
    }
    g->phase = c->phase;
    g->actor = c->actor;
    g->first = g->last = c->wall;
    g->example_conn = c->conn;
    g->example_source = c->source;
    return g;
}

static bool group_fold(fleet_group *g, const fleet_conn *c)
{
    g->count++;
    if (c->outcome <= TP_OUTCOME_UNUSED)
        g->num_outcome[c->outcome]++;
    if (c->unchecked)
        g->num_unchecked++;
    if (c->wall && (!g->first || c->wall < g->first))
        g->first = c->wall;
    if (c->wall > g->last)
        g->last = c->wall;
    typical_add(g, c->summary);
    return peer_add(g, c->peer);
}

bool fleet_add(fleet_table *t, const fleet_conn *c)
{
    pthread_mutex_lock(&t->lock);
    t->num_conns++;
    if (!c->has_hello)
        t->num_no_hello++;
    fleet_group *g = group_find(t, c->ja4, c->cause);
    if (!g && t->num_groups >= FLEET_MAX_GROUPS)
        g = group_other(t);
    if (!g)
        g = group_new(t, c, t->num_groups + 1 >= FLEET_MAX_GROUPS);
    bool ok = g && group_fold(g, c);
    pthread_mutex_unlock(&t->lock);
    return ok;
}

/* ---- order ---- */

bool fleet_group_undecided(const fleet_group *g)
{
    return !strcmp(g->cause, "unreadable-without-keys");
}

static int group_cmp(const void *a, const void *b)
{
    const fleet_group *x = a, *y = b;
    unsigned fx = fleet_group_undecided(x) ? 0 : x->num_outcome[TP_OUTCOME_FAIL];
    unsigned fy = fleet_group_undecided(y) ? 0 : y->num_outcome[TP_OUTCOME_FAIL];
    if ((fx > 0) != (fy > 0))
        return fx > 0 ? -1 : 1;
    if (fx != fy)
        return fx > fy ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if (x->example_source != y->example_source)
        return x->example_source < y->example_source ? -1 : 1;
    return x->example_conn < y->example_conn ? -1 : x->example_conn > y->example_conn;
}

fleet_group *fleet_sorted(fleet_table *t, unsigned *out_n)
{
    if (t->num_groups > 1)
        qsort(t->groups, t->num_groups, sizeof *t->groups, group_cmp);
    *out_n = t->num_groups;
    return t->groups;
}

const fleet_typical *fleet_group_typical(const fleet_group *g)
{
    const fleet_typical *best = NULL;
    for (unsigned i = 0; i < g->num_typical; i++)
        if (!best || g->typical[i].count > best->count)
            best = &g->typical[i];
    return best;
}

tp_outcome fleet_group_outcome(const fleet_group *g)
{
    unsigned f = g->num_outcome[TP_OUTCOME_FAIL], o = g->num_outcome[TP_OUTCOME_OK];
    if (f >= o && f >= g->num_outcome[TP_OUTCOME_UNUSED])
        return TP_OUTCOME_FAIL;
    return o >= g->num_outcome[TP_OUTCOME_UNUSED] ? TP_OUTCOME_OK : TP_OUTCOME_UNUSED;
}
