/* The rule finder.  Rows are labelled fail (fail, timeout) or ok; flaky
 * and skipped rows only show up in the counts.
 *
 * A literal is a set of values of one axis: one value, a named group
 * restricted to the values seen, or the set of values the failing rows
 * have on that axis (the smallest set any exact rule over that axis can
 * use).  Rules are one literal or the conjunction of two literals on
 * different axes; each is scored by how many rows it gets wrong and by its
 * size, and the best one wins.  With at most 64 values per axis a literal
 * is a bit mask, so scoring a rule is a mask test per row. */
#include "decide.h"
#include "results.h"

#include "../wire/buf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[SWEEP_ST_COUNT] = {"ok", "fail", "flaky", "skipped",
                                                         "timeout"};

const char *sweep_status_name(sweep_status s)
{
    return (unsigned)s < SWEEP_ST_COUNT ? status_names[s] : "unknown";
}

bool sweep_status_parse(const char *name, sweep_status *out)
{
    for (unsigned i = 0; name && i < SWEEP_ST_COUNT; i++) {
        if (strcmp(name, status_names[i]) == 0) {
            *out = (sweep_status)i;
            return true;
        }
    }
    return false;
}

/* ---- groups ---- */

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static bool g_cbc(const char *v)
{
    return has_suffix(v, "-CBC");
}
static bool g_aead(const char *v)
{
    return strstr(v, "-GCM") || strstr(v, "-CCM") || strstr(v, "POLY1305");
}
static bool g_stream(const char *v)
{
    return strncmp(v, "ARCFOUR", 7) == 0 || !strcmp(v, "NULL");
}
static bool g_aes(const char *v)
{
    return strncmp(v, "AES-", 4) == 0;
}
static bool g_camellia(const char *v)
{
    return strncmp(v, "CAMELLIA-", 9) == 0;
}
static bool g_ecdhe(const char *v)
{
    return strncmp(v, "ECDHE", 5) == 0;
}
static bool g_dhe(const char *v)
{
    return strncmp(v, "DHE", 3) == 0;
}
static bool g_rsa_kx(const char *v)
{
    return strcmp(v, "RSA") == 0 || strcmp(v, "RSA-EXPORT") == 0;
}
static bool g_rsa_auth(const char *v)
{
    return has_suffix(v, "-RSA") || g_rsa_kx(v);
}
static bool g_ecdsa_auth(const char *v)
{
    return has_suffix(v, "-ECDSA");
}
static bool g_tls13(const char *v)
{
    return strcmp(v, "TLS1.3") == 0;
}
static bool g_legacy_proto(const char *v)
{
    return !strcmp(v, "TLS1.0") || !strcmp(v, "TLS1.1") || !strcmp(v, "SSL3.0");
}
static bool g_pre13(const char *v)
{
    return g_legacy_proto(v) || !strcmp(v, "TLS1.2");
}
static bool g_sha2_mac(const char *v)
{
    return !strcmp(v, "SHA256") || !strcmp(v, "SHA384");
}
static bool g_legacy_mac(const char *v)
{
    return !strcmp(v, "SHA1") || !strcmp(v, "MD5");
}
static bool g_hmac(const char *v)
{
    return strcmp(v, "AEAD") != 0;
}
static bool g_ec_group(const char *v)
{
    return !strncmp(v, "SECP", 4) || !strncmp(v, "X", 1);
}
static bool g_ff_group(const char *v)
{
    return strncmp(v, "FFDHE", 5) == 0;
}
static bool g_nist_group(const char *v)
{
    return strncmp(v, "SECP", 4) == 0;
}
static bool g_sig_pss(const char *v)
{
    return strncmp(v, "RSA-PSS", 7) == 0;
}
static bool g_sig_pkcs1(const char *v)
{
    return strncmp(v, "RSA-SHA", 7) == 0 || !strcmp(v, "RSA-MD5");
}
static bool g_sig_ecdsa(const char *v)
{
    return strncmp(v, "ECDSA", 5) == 0;
}
static bool g_sig_sha1(const char *v)
{
    return has_suffix(v, "SHA1");
}
static bool g_key_rsa(const char *v)
{
    return strncmp(v, "rsa", 3) == 0;
}
static bool g_key_ecdsa(const char *v)
{
    return strncmp(v, "ecdsa", 5) == 0;
}

static const sweep_group groups[] = {
    {"cipher", "CBC", "is a CBC cipher", g_cbc},
    {"cipher", "AEAD", "is an AEAD cipher", g_aead},
    {"cipher", "stream", "is a stream cipher", g_stream},
    {"cipher", "AES", "is an AES cipher", g_aes},
    {"cipher", "Camellia", "is a Camellia cipher", g_camellia},
    {"kx", "ECDHE", "is ECDHE", g_ecdhe},
    {"kx", "DHE", "is DHE", g_dhe},
    {"kx", "RSA kx", "is RSA key transport", g_rsa_kx},
    {"kx", "RSA-authenticated", "is RSA-authenticated", g_rsa_auth},
    {"kx", "ECDSA-authenticated", "is ECDSA-authenticated", g_ecdsa_auth},
    {"protocol", "TLS1.3", "is TLS1.3", g_tls13},
    {"protocol", "legacy protocols", "is a legacy protocol (TLS1.0/1.1)", g_legacy_proto},
    {"protocol", "TLS1.2 and older", "is TLS1.2 or older", g_pre13},
    {"mac", "SHA-2 MACs", "is a SHA-2 HMAC", g_sha2_mac},
    {"mac", "legacy MACs", "is a legacy HMAC (SHA1/MD5)", g_legacy_mac},
    {"mac", "HMAC", "is an HMAC (not AEAD)", g_hmac},
    {"group", "EC groups", "is an elliptic curve", g_ec_group},
    {"group", "FFDHE groups", "is a finite-field group", g_ff_group},
    {"group", "NIST curves", "is a NIST curve", g_nist_group},
    {"sigalg", "RSA-PSS", "is RSA-PSS", g_sig_pss},
    {"sigalg", "RSA PKCS#1", "is RSA PKCS#1 v1.5", g_sig_pkcs1},
    {"sigalg", "ECDSA", "is ECDSA", g_sig_ecdsa},
    {"sigalg", "SHA1 signatures", "uses SHA1", g_sig_sha1},
    {"key-type", "RSA keys", "is an RSA key", g_key_rsa},
    {"key-type", "ECDSA keys", "is an ECDSA key", g_key_ecdsa},
};

const sweep_group *sweep_groups(unsigned *out_n)
{
    *out_n = sizeof(groups) / sizeof(groups[0]);
    return groups;
}

/* ---- the search ---- */

typedef struct {
    unsigned axis;
    uint64_t mask;
    const sweep_group *group; /* NULL: plain value(s) */
    double cost;
} literal;

typedef struct {
    int a, b; /* literal indices, b < 0 for a single literal; a < 0: the box */
    unsigned errors;
    double cost;
} candidate;

typedef struct {
    unsigned num_axes;
    unsigned num_rows;
    const sweep_row *rows;
    unsigned nvals[SWEEP_MAX_AXES];
    const char *vals[SWEEP_MAX_AXES][SWEEP_MAX_VALUES];
    uint8_t *vidx;      /* num_rows * num_axes */
    signed char *label; /* 1 fail, 0 ok, -1 not decided */
    uint64_t present[SWEEP_MAX_AXES];
    uint64_t failset[SWEEP_MAX_AXES];
    literal *lits;
    unsigned num_lits;
} search;

static const char *row_value(const sweep_row *r, unsigned a)
{
    return r->values[a] ? r->values[a] : "";
}

static int popcount64(uint64_t m)
{
    return __builtin_popcountll(m);
}

static bool add_literal(search *s, unsigned axis, uint64_t mask, const sweep_group *g, double cost)
{
    if (mask == 0 || mask == s->present[axis])
        return true; /* empty or always true: no information */
    for (unsigned i = 0; i < s->num_lits; i++) {
        if (s->lits[i].axis == axis && s->lits[i].mask == mask)
            return true; /* keep the first (cheapest) spelling */
    }
    literal *n = realloc(s->lits, (s->num_lits + 1) * sizeof(*n));
    if (!n)
        return false;
    s->lits = n;
    s->lits[s->num_lits++] = (literal){axis, mask, g, cost};
    return true;
}

static bool lit_match(const search *s, const literal *l, unsigned row)
{
    return (l->mask >> s->vidx[row * s->num_axes + l->axis]) & 1;
}

/* The box: every axis restricted to the failing rows' values.  The only
 * conjunction of three or more value sets worth trying: any exact one must
 * contain it. */
static bool box_match(const search *s, unsigned row)
{
    for (unsigned a = 0; a < s->num_axes; a++) {
        if (!((s->failset[a] >> s->vidx[row * s->num_axes + a]) & 1))
            return false;
    }
    return true;
}

static bool cand_match(const search *s, const candidate *c, unsigned row)
{
    if (c->a < 0)
        return box_match(s, row);
    if (!lit_match(s, &s->lits[c->a], row))
        return false;
    return c->b < 0 || lit_match(s, &s->lits[c->b], row);
}

static unsigned cand_errors(const search *s, const candidate *c, unsigned limit)
{
    unsigned e = 0;
    for (unsigned r = 0; r < s->num_rows && e <= limit; r++) {
        if (s->label[r] < 0)
            continue;
        if (cand_match(s, c, r) != (s->label[r] == 1))
            e++;
    }
    return e;
}

static int cand_cmp(const void *x, const void *y)
{
    const candidate *a = x, *b = y;
    if (a->errors != b->errors)
        return a->errors < b->errors ? -1 : 1;
    if (a->cost != b->cost)
        return a->cost < b->cost ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : (a->b > b->b);
}

static void term_fill(const search *s, sweep_term *t, const literal *l)
{
    memset(t, 0, sizeof(*t));
    t->axis = l->axis;
    t->mask = l->mask;
    t->group = l->group;
    for (unsigned k = 0; k < s->nvals[l->axis]; k++) {
        if ((l->mask >> k) & 1)
            t->values[t->num_values++] = s->vals[l->axis][k];
    }
    t->op = t->num_values == 1 && !l->group ? SWEEP_OP_EQ : SWEEP_OP_IN;
}

static void term_text(wire_buf *b, const char *axis, const sweep_term *t)
{
    wire_buf_add_str(b, axis);
    if (t->group) {
        wire_buf_add_char(b, ' ');
        wire_buf_add_str(b, t->group->phrase);
        return;
    }
    if (t->op == SWEEP_OP_EQ) {
        wire_buf_add_str(b, " = ");
        wire_buf_add_str(b, t->values[0]);
        return;
    }
    wire_buf_add_str(b, " in {");
    for (unsigned i = 0; i < t->num_values; i++) {
        if (i)
            wire_buf_add_str(b, ", ");
        wire_buf_add_str(b, t->values[i]);
    }
    wire_buf_add_char(b, '}');
}

static void rule_fill(const search *s, const sweep_decision *d, sweep_rule *r, const candidate *c)
{
    memset(r, 0, sizeof(*r));
    r->cost = c->cost;
    if (c->a < 0) {
        for (unsigned a = 0; a < s->num_axes; a++) {
            if (s->failset[a] == s->present[a])
                continue;
            literal l = {a, s->failset[a], NULL, 0};
            term_fill(s, &r->terms[r->num_terms++], &l);
        }
    } else {
        term_fill(s, &r->terms[r->num_terms++], &s->lits[c->a]);
        if (c->b >= 0)
            term_fill(s, &r->terms[r->num_terms++], &s->lits[c->b]);
    }
    /* keep terms in axis order so equal rules read the same */
    if (r->num_terms == 2 && r->terms[0].axis > r->terms[1].axis) {
        sweep_term t = r->terms[0];
        r->terms[0] = r->terms[1];
        r->terms[1] = t;
    }
    for (unsigned row = 0; row < s->num_rows; row++) {
        if (s->label[row] < 0)
            continue;
        bool m = cand_match(s, c, row);
        if (m == (s->label[row] == 1))
            continue;
        if (m)
            r->num_false_fail++;
        else
            r->num_false_ok++;
        if (r->num_exceptions < sizeof(r->exceptions) / sizeof(r->exceptions[0]))
            r->exceptions[r->num_exceptions] = row;
        r->num_exceptions++;
    }
    wire_buf b;
    wire_buf_init(&b, 0);
    wire_buf_add_str(&b, c->errors == 0 ? "fails exactly when " : "fails when ");
    for (unsigned i = 0; i < r->num_terms; i++) {
        if (i)
            wire_buf_add_str(&b, " and ");
        term_text(&b, d->axes[r->terms[i].axis], &r->terms[i]);
    }
    if (r->num_exceptions) {
        char tail[128];
        snprintf(tail, sizeof(tail),
                 ", with %u exception%s (%u ok that it predicts failing, %u failing it misses)",
                 r->num_exceptions, r->num_exceptions == 1 ? "" : "s", r->num_false_fail,
                 r->num_false_ok);
        wire_buf_add_str(&b, tail);
    }
    /* a rule longer than the text field is cut short */
    wire_buf_copy_out(&b, r->text, sizeof(r->text), "");
    wire_buf_cleanup(&b);
}

static bool build_values(search *s, sweep_decision *d)
{
    for (unsigned r = 0; r < s->num_rows; r++) {
        for (unsigned a = 0; a < s->num_axes; a++) {
            const char *v = row_value(&s->rows[r], a);
            unsigned k = 0;
            while (k < s->nvals[a] && strcmp(s->vals[a][k], v) != 0)
                k++;
            if (k == s->nvals[a]) {
                if (k == SWEEP_MAX_VALUES) {
                    snprintf(d->error, sizeof(d->error), "axis %s has more than %d distinct values",
                             d->axes[a], SWEEP_MAX_VALUES);
                    return false;
                }
                s->vals[a][s->nvals[a]++] = v;
            }
            s->vidx[r * s->num_axes + a] = (uint8_t)k;
        }
    }
    return true;
}

static bool build_counts(search *s, sweep_decision *d)
{
    unsigned total = 0;
    for (unsigned a = 0; a < s->num_axes; a++)
        total += s->nvals[a];
    d->counts = calloc(total ? total : 1, sizeof(*d->counts));
    if (!d->counts)
        return false;
    unsigned base = 0;
    for (unsigned a = 0; a < s->num_axes; a++) {
        for (unsigned k = 0; k < s->nvals[a]; k++) {
            d->counts[base + k].axis = a;
            d->counts[base + k].value = s->vals[a][k];
        }
        for (unsigned r = 0; r < s->num_rows; r++) {
            sweep_status st = s->rows[r].status;
            if ((unsigned)st < SWEEP_ST_COUNT)
                d->counts[base + s->vidx[r * s->num_axes + a]].n[st]++;
        }
        base += s->nvals[a];
    }
    d->num_counts = total;
    return true;
}

static bool build_literals(search *s)
{
    for (unsigned a = 0; a < s->num_axes; a++) {
        for (unsigned k = 0; k < s->nvals[a]; k++) {
            if (((s->present[a] >> k) & 1) && !add_literal(s, a, 1ull << k, NULL, 1.0))
                return false;
        }
    }
    return true;
}

/* groups count like values (slightly dearer so a value wins a tie) */
static bool build_group_literals(search *s, const sweep_decision *d)
{
    unsigned ng;
    const sweep_group *gs = sweep_groups(&ng);
    for (unsigned a = 0; a < s->num_axes; a++) {
        for (unsigned g = 0; g < ng; g++) {
            if (strcmp(gs[g].axis, d->axes[a]) != 0)
                continue;
            uint64_t m = 0;
            for (unsigned k = 0; k < s->nvals[a]; k++) {
                if (((s->present[a] >> k) & 1) && gs[g].member(s->vals[a][k]))
                    m |= 1ull << k;
            }
            if (popcount64(m) >= 2 && !add_literal(s, a, m, &gs[g], 1.1))
                return false;
        }
    }
    /* the failing rows' own set per axis: a disjunction within the axis */
    for (unsigned a = 0; a < s->num_axes; a++) {
        int n = popcount64(s->failset[a]);
        if (n >= 2 && !add_literal(s, a, s->failset[a], NULL, n + 0.5))
            return false;
    }
    return true;
}

static void typical_fill(sweep_decision *d, const sweep_row *rows, unsigned num_rows)
{
    /* small n (failing rows of one sweep): quadratic grouping is fine */
    char norm[640];
    for (unsigned r = 0; r < num_rows; r++) {
        if (rows[r].status != SWEEP_ST_FAIL && rows[r].status != SWEEP_ST_TIMEOUT)
            continue;
        const char *sum = rows[r].summary;
        if (!sum || !*sum)
            sum =
                rows[r].status == SWEEP_ST_TIMEOUT ? "the client command timed out" : "no verdict";
        sweep_summary_normalise(norm, sizeof(norm), sum, d->axes, d->num_axes, rows[r].values);
        unsigned i = 0;
        while (i < d->num_typical && strcmp(d->typical[i].normalised, norm) != 0)
            i++;
        if (i == d->num_typical) {
            if (d->num_typical == sizeof(d->typical) / sizeof(d->typical[0])) {
                /* full: replace the rarest single-count entry, if any */
                unsigned j = d->num_typical - 1;
                if (d->typical[j].count > 1)
                    continue;
                i = j;
            } else {
                d->num_typical++;
            }
            d->typical[i] = (sweep_typical){.example = sum, .all_same = true, .first_row = r};
            snprintf(d->typical[i].normalised, sizeof(d->typical[i].normalised), "%s", norm);
        }
        if (strcmp(d->typical[i].example, sum) != 0)
            d->typical[i].all_same = false;
        for (unsigned a = 0; a < d->num_axes; a++)
            if (strcmp(rows[r].values[a], rows[d->typical[i].first_row].values[a]) != 0)
                d->typical[i].differs |= 1u << a;
        d->typical[i].count++;
        /* keep sorted by count, most frequent first (stable) */
        while (i > 0 && d->typical[i - 1].count < d->typical[i].count) {
            sweep_typical t = d->typical[i - 1];
            d->typical[i - 1] = d->typical[i];
            d->typical[i] = t;
            i--;
        }
    }
}

bool sweep_decide(sweep_decision *out, const char *const *axes, unsigned num_axes,
                  const sweep_row *rows, unsigned num_rows)
{
    memset(out, 0, sizeof(*out));
    if (num_axes > SWEEP_MAX_AXES) {
        snprintf(out->error, sizeof(out->error), "more than %d axes", SWEEP_MAX_AXES);
        return false;
    }
    out->num_axes = num_axes;
    for (unsigned a = 0; a < num_axes; a++)
        out->axes[a] = axes[a];

    search s = {.num_axes = num_axes, .num_rows = num_rows, .rows = rows};
    bool ok = false;
    candidate *cands = NULL;
    s.vidx = calloc((size_t)num_rows * num_axes + 1, 1);
    s.label = calloc(num_rows + 1, 1);
    if (!s.vidx || !s.label) {
        snprintf(out->error, sizeof(out->error), "out of memory");
        goto done;
    }
    if (!build_values(&s, out) || !build_counts(&s, out))
        goto done;

    unsigned nok = 0, nfail = 0;
    for (unsigned r = 0; r < num_rows; r++) {
        sweep_status st = rows[r].status;
        if ((unsigned)st < SWEEP_ST_COUNT)
            out->num_status[st]++;
        s.label[r] = st == SWEEP_ST_OK                                 ? 0
                     : (st == SWEEP_ST_FAIL || st == SWEEP_ST_TIMEOUT) ? 1
                                                                       : -1;
        if (s.label[r] < 0)
            continue;
        s.label[r] ? nfail++ : nok++;
        for (unsigned a = 0; a < num_axes; a++) {
            uint64_t bit = 1ull << s.vidx[r * num_axes + a];
            s.present[a] |= bit;
            if (s.label[r])
                s.failset[a] |= bit;
        }
    }
    out->num_decided = nok + nfail;
    out->num_failing = nfail;
    typical_fill(out, rows, num_rows);
    ok = true;
    if (out->num_decided == 0)
        goto done;
    out->decidable = true;
    if (nfail == 0 || nok == 0) {
        /* nothing to separate */
        out->exact = true;
        out->num_rules = 1;
        snprintf(out->rules[0].text, sizeof(out->rules[0].text), "%s",
                 nfail == 0 ? "no combination failed" : "every combination failed");
        goto done;
    }

    if (!build_literals(&s) || !build_group_literals(&s, out)) {
        ok = false;
        snprintf(out->error, sizeof(out->error), "out of memory");
        goto done;
    }
    size_t max_c = (size_t)s.num_lits + (size_t)s.num_lits * s.num_lits / 2 + 2;
    cands = malloc(max_c * sizeof(*cands));
    if (!cands) {
        ok = false;
        snprintf(out->error, sizeof(out->error), "out of memory");
        goto done;
    }
    /* a rule worse than "always fails"/"never fails" explains nothing */
    unsigned useless = nok < nfail ? nok : nfail;
    size_t nc = 0;
    for (unsigned i = 0; i < s.num_lits; i++) {
        candidate c = {(int)i, -1, 0, s.lits[i].cost};
        c.errors = cand_errors(&s, &c, useless);
        if (c.errors < useless)
            cands[nc++] = c;
    }
    for (unsigned i = 0; i < s.num_lits; i++) {
        for (unsigned j = i + 1; j < s.num_lits; j++) {
            if (s.lits[i].axis == s.lits[j].axis)
                continue;
            candidate c = {(int)i, (int)j, 0, s.lits[i].cost + s.lits[j].cost};
            c.errors = cand_errors(&s, &c, useless);
            if (c.errors < useless)
                cands[nc++] = c;
        }
    }
    {
        candidate c = {-1, -1, 0, 0};
        unsigned n = 0;
        for (unsigned a = 0; a < num_axes; a++) {
            int k = popcount64(s.failset[a]);
            if (s.failset[a] != s.present[a]) {
                c.cost += k == 1 ? 1.0 : k + 0.5;
                n++;
            }
        }
        c.errors = cand_errors(&s, &c, useless);
        if (n > 2 && c.errors < useless)
            cands[nc++] = c;
    }
    qsort(cands, nc, sizeof(*cands), cand_cmp);
    out->exact = nc > 0 && cands[0].errors == 0;
    for (size_t i = 0; i < nc && out->num_rules < (out->exact ? 1u : (unsigned)SWEEP_MAX_RULES);
         i++) {
        /* skip a two-term rule whose terms add nothing over a kept one-term rule
           with the same errors */
        bool dup = false;
        for (unsigned k = 0; k < out->num_rules; k++) {
            const sweep_rule *kept = &out->rules[k];
            if (kept->num_terms == 1 && cands[i].a >= 0 && cands[i].b >= 0 &&
                kept->num_exceptions == cands[i].errors &&
                (s.lits[cands[i].a].mask == kept->terms[0].mask ||
                 s.lits[cands[i].b].mask == kept->terms[0].mask))
                dup = true;
        }
        if (dup)
            continue;
        rule_fill(&s, out, &out->rules[out->num_rules++], &cands[i]);
    }
    if (out->num_rules == 0) {
        out->num_rules = 1;
        snprintf(out->rules[0].text, sizeof(out->rules[0].text),
                 "no rule over one or two axis values separates failing from succeeding "
                 "combinations");
        out->rules[0].num_exceptions = 0;
    }

done:
    free(cands);
    free(s.lits);
    free(s.vidx);
    free(s.label);
    return ok;
}

void sweep_decision_cleanup(sweep_decision *d)
{
    if (!d)
        return;
    free(d->counts);
    d->counts = NULL;
    d->num_counts = 0;
}

/* ---- JSON ---- */

json_object *sweep_row_config_json(const sweep_decision *d, const sweep_row *row)
{
    json_object *o = json_object_new_object();
    for (unsigned a = 0; a < d->num_axes; a++)
        json_object_object_add(o, d->axes[a], json_object_new_string(row_value(row, a)));
    return o;
}

static json_object *rule_json(const sweep_decision *d, const sweep_rule *r, const sweep_row *rows,
                              bool exact)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "exact", json_object_new_boolean(exact));
    json_object_object_add(o, "rule", json_object_new_string(r->text));
    json_object *terms = json_object_new_array();
    for (unsigned i = 0; i < r->num_terms; i++) {
        const sweep_term *t = &r->terms[i];
        json_object *jt = json_object_new_object();
        json_object_object_add(jt, "axis", json_object_new_string(d->axes[t->axis]));
        json_object_object_add(jt, "op", json_object_new_string(t->op == SWEEP_OP_EQ ? "=" : "in"));
        json_object *vals = json_object_new_array();
        for (unsigned k = 0; k < t->num_values; k++)
            json_object_array_add(vals, json_object_new_string(t->values[k]));
        json_object_object_add(jt, "values", vals);
        if (t->group)
            json_object_object_add(jt, "group", json_object_new_string(t->group->name));
        json_object_array_add(terms, jt);
    }
    json_object_object_add(o, "terms", terms);
    json_object *ex = json_object_new_array();
    unsigned n = r->num_exceptions;
    if (n > sizeof(r->exceptions) / sizeof(r->exceptions[0]))
        n = sizeof(r->exceptions) / sizeof(r->exceptions[0]);
    for (unsigned i = 0; i < n; i++) {
        const sweep_row *row = &rows[r->exceptions[i]];
        json_object *e = json_object_new_object();
        json_object_object_add(e, "config", sweep_row_config_json(d, row));
        json_object_object_add(e, "status", json_object_new_string(sweep_status_name(row->status)));
        json_object_array_add(ex, e);
    }
    json_object_object_add(o, "exceptions", ex);
    return o;
}

json_object *sweep_decision_to_json(const sweep_decision *d, const sweep_row *rows)
{
    json_object *o;
    if (d->num_rules > 0) {
        o = rule_json(d, &d->rules[0], rows, d->exact);
    } else {
        o = json_object_new_object();
        json_object_object_add(o, "exact", json_object_new_boolean(false));
        json_object_object_add(o, "rule",
                               json_object_new_string("nothing to decide: no combination "
                                                      "succeeded or failed"));
        json_object_object_add(o, "terms", json_object_new_array());
        json_object_object_add(o, "exceptions", json_object_new_array());
    }
    if (!d->exact && d->num_rules > 1) {
        json_object *alt = json_object_new_array();
        for (unsigned i = 1; i < d->num_rules; i++)
            json_object_array_add(alt, rule_json(d, &d->rules[i], rows, false));
        json_object_object_add(o, "alternatives", alt);
    }
    json_object *typ = json_object_new_array();
    for (unsigned i = 0; i < d->num_typical; i++) {
        json_object *t = json_object_new_object();
        char phrase[900];
        sweep_typical_phrase(d, &d->typical[i], phrase, sizeof phrase);
        json_object_object_add(t, "summary", json_object_new_string(phrase));
        json_object_object_add(t, "count", json_object_new_int((int)d->typical[i].count));
        json_object_object_add(t, "of", json_object_new_int((int)d->num_failing));
        json_object_array_add(typ, t);
    }
    json_object_object_add(o, "typical_failure", typ);
    json_object *counts = json_object_new_object();
    for (unsigned i = 0; i < d->num_counts; i++) {
        const sweep_value_count *c = &d->counts[i];
        json_object *ax;
        if (!json_object_object_get_ex(counts, d->axes[c->axis], &ax)) {
            ax = json_object_new_object();
            json_object_object_add(counts, d->axes[c->axis], ax);
        }
        json_object *jc = json_object_new_object();
        for (unsigned st = 0; st < SWEEP_ST_COUNT; st++) {
            if (c->n[st] || st <= SWEEP_ST_FAIL)
                json_object_object_add(jc, sweep_status_name((sweep_status)st),
                                       json_object_new_int((int)c->n[st]));
        }
        json_object_object_add(ax, c->value, jc);
    }
    json_object_object_add(o, "counts", counts);
    return o;
}

/* ---- summaries ---- */

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == ':';
}

void sweep_summary_normalise(char *out, size_t out_len, const char *summary,
                             const char *const *axes, unsigned num_axes, const char *const *values)
{
    if (out_len == 0)
        return;
    wire_buf b;
    wire_buf_init(&b, 0);
    const char *p = summary ? summary : "";
    while (*p) {
        if (!word_char(*p)) {
            wire_buf_add_char(&b, *p++);
            continue;
        }
        size_t n = 0;
        while (word_char(p[n]))
            n++;
        /* sentence punctuation is not part of the word */
        while (n > 0 && (p[n - 1] == '.' || p[n - 1] == ':'))
            n--;
        if (n == 0) {
            wire_buf_add_char(&b, *p++);
            continue;
        }
        char word[256];
        size_t wn = n < sizeof(word) - 1 ? n : sizeof(word) - 1;
        memcpy(word, p, wn);
        word[wn] = '\0';
        bool numeric = true;
        for (size_t i = 0; i < wn; i++) {
            if (!isdigit((unsigned char)word[i]) && word[i] != '.')
                numeric = false;
        }
        const char *repl = NULL;
        char axisbuf[64];
        for (unsigned a = 0; values && a < num_axes && !repl; a++) {
            if (values[a] && *values[a] && strcmp(values[a], word) == 0) {
                snprintf(axisbuf, sizeof(axisbuf), "{%s}", axes[a]);
                repl = axisbuf;
            }
        }
        if (!repl && numeric)
            repl = "N";
        wire_buf_add_str(&b, repl ? repl : word);
        p += n;
    }
    /* longer than out: cut short */
    wire_buf_copy_out(&b, out, out_len, "");
    wire_buf_cleanup(&b);
}
