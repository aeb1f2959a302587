/* The adaptive strategy (adaptive.h): a weighted set of rules over the
 * formable cells, each with the number of results it contradicts; the
 * next cell splits the weight of the rules left as evenly as possible. */
#include "adaptive.h"

#include <stdlib.h>
#include <string.h>

/* prior weight per kind of rule: simple rules first (one value, a group) */
#define W_NEVER 1.0
#define W_VALUE 1.0
#define W_GROUP 1.0
#define W_SET_AXIS 3.0 /* all other sets of one axis share this */
#define W_PAIR 0.25
#define W_OK_PAIR 0.1
/* sets of an axis: every one up to this many values, else those of two
 * or three values and all but one */
#define SET_ALL_MAX 10
/* tries of one cell the chooser may ask for */
#define CELL_MAX_TRIES 3
#define EXCLUDED 2
/* a rival this many tries behind the winner, all of them failures tried
 * once, is fragile: contradicted again before the winner is named */
#define FRAGILE_MAX 1
/* the same for a winner of two terms (a consistent client's conjunctions
 * are named well under their target, so it confirms further) */
#define FRAGILE_MAX_PAIR 3
/* rules this many tries behind the winner count for choosing where its
 * failures seen on one cell are tried elsewhere */
#define SUPPORT_NEAR 2
/* a client not seen flaky, a one-term winner: a sweep that named it in
 * under CONFIRM_BUDGET connections is confirmed up to that many; one that
 * needed more, up to CONFIRM_CEILING (the median and maximum) */
#define CONFIRM_BUDGET 10
#define CONFIRM_CEILING 16

typedef enum { R_NEVER, R_ALWAYS, R_ONE, R_PAIR, R_OK_PAIR } rule_kind;

typedef struct {
    uint8_t kind, a, b;
    uint64_t ma, mb;
    double w;
    unsigned miss;  /* tries it contradicts */
    unsigned fmiss; /* of them, failures (where it says ok): a flaky client's kind */
} rule;

struct sweep_adaptive {
    const sweep_space *sp;
    unsigned words; /* per rule vector */
    unsigned num_rules, cap_rules;
    rule *rules;
    uint64_t *bits; /* num_rules * words: bit c = the rule says cell c fails */
    unsigned *nfail, *nok;
    uint8_t *repeated; /* per cell: a repeat was asked for; EXCLUDED: never to try */
    int pending;       /* a repeat to run next, -1 */
    bool flaky;        /* a cell both failed and worked: failures are tried twice */
    bool settled;      /* replayed with one rule left: not confirmed again */
    sweep_ad_phase phase;
    unsigned num_tries, num_repeats, num_confirm;
};

/* ---- the space ---- */

static unsigned value_index(const sweep_matrix *m, unsigned a, const char *v)
{
    for (unsigned k = 0; k < m->num_values[a]; k++) {
        if (m->values[a][k] == v || strcmp(m->values[a][k], v) == 0)
            return k;
    }
    return 0;
}

bool sweep_space_from_matrix(sweep_space *sp, const sweep_matrix *m)
{
    memset(sp, 0, sizeof(*sp));
    sp->num_axes = m->num_axes;
    for (unsigned a = 0; a < m->num_axes; a++) {
        sp->axes[a] = m->axis_names[a];
        sp->num_values[a] = m->num_values[a];
        for (unsigned k = 0; k < m->num_values[a]; k++)
            sp->values[a][k] = m->values[a][k];
    }
    sp->cells = calloc((size_t)m->num_configs + 1, SWEEP_MAX_AXES);
    sp->cfg = calloc((size_t)m->num_configs + 1, sizeof(*sp->cfg));
    if (!sp->cells || !sp->cfg) {
        sweep_space_cleanup(sp);
        return false;
    }
    for (unsigned i = 0; i < m->num_configs; i++) {
        const sweep_config *c = &m->configs[i];
        if (c->state != SWEEP_CFG_RUN)
            continue;
        uint8_t *cell = &sp->cells[(size_t)sp->num_cells * SWEEP_MAX_AXES];
        for (unsigned a = 0; a < m->num_axes; a++)
            cell[a] = (uint8_t)value_index(m, a, c->values[a]);
        sp->cfg[sp->num_cells++] = i;
    }
    return true;
}

void sweep_space_cleanup(sweep_space *sp)
{
    free(sp->cells);
    free(sp->cfg);
    sp->cells = NULL;
    sp->cfg = NULL;
    sp->num_cells = 0;
}

/* ---- the rules ---- */

static unsigned cell_value(const sweep_space *sp, unsigned cell, unsigned a)
{
    return sp->cells[(size_t)cell * SWEEP_MAX_AXES + a];
}

static bool rule_says_fail(const sweep_space *sp, const rule *r, unsigned cell)
{
    bool in_a = r->kind >= R_ONE && ((r->ma >> cell_value(sp, cell, r->a)) & 1);
    bool in_b = r->kind >= R_PAIR && ((r->mb >> cell_value(sp, cell, r->b)) & 1);
    switch ((rule_kind)r->kind) {
    case R_NEVER:
        return false;
    case R_ALWAYS:
        return true;
    case R_ONE:
        return in_a;
    case R_PAIR:
        return in_a && in_b;
    case R_OK_PAIR:
        return !(in_a && in_b);
    }
    return false;
}

static bool add_rule(sweep_adaptive *ad, rule r)
{
    if (ad->num_rules == ad->cap_rules) {
        unsigned cap = ad->cap_rules ? ad->cap_rules * 2 : 256;
        rule *n = realloc(ad->rules, cap * sizeof(*n));
        if (!n)
            return false;
        ad->rules = n;
        ad->cap_rules = cap;
    }
    ad->rules[ad->num_rules++] = r;
    return true;
}

uint64_t sweep_space_present(const sweep_space *sp, unsigned a)
{
    uint64_t m = 0;
    for (unsigned c = 0; c < sp->num_cells; c++)
        m |= 1ull << cell_value(sp, c, a);
    return m;
}

unsigned sweep_space_groups(const sweep_space *sp, unsigned a, uint64_t *out, unsigned max)
{
    uint64_t present = sweep_space_present(sp, a);
    unsigned ng, n = 0;
    const sweep_group *gs = sweep_groups(&ng);
    for (unsigned g = 0; g < ng && n < max; g++) {
        if (strcmp(gs[g].axis, sp->axes[a]) != 0)
            continue;
        uint64_t m = 0;
        for (unsigned k = 0; k < sp->num_values[a]; k++) {
            if (((present >> k) & 1) && gs[g].member(sp->values[a][k]))
                m |= 1ull << k;
        }
        if (__builtin_popcountll(m) >= 2 && m != present)
            out[n++] = m;
    }
    return n;
}

/* One-term rules of axis a: values, groups, then the other sets. */
static bool add_one_terms(sweep_adaptive *ad, unsigned a, uint64_t present, const uint64_t *groups,
                          unsigned ngroups)
{
    unsigned k = (unsigned)__builtin_popcountll(present);
    if (k < 2)
        return true;
    for (unsigned v = 0; v < 64; v++) {
        if (((present >> v) & 1) && !add_rule(ad, (rule){R_ONE, (uint8_t)a, 0, 1ull << v, 0,
                                                        W_VALUE, 0}))
            return false;
    }
    for (unsigned g = 0; g < ngroups; g++) {
        if (!add_rule(ad, (rule){R_ONE, (uint8_t)a, 0, groups[g], 0, W_GROUP, 0}))
            return false;
    }
    /* every set of the present values (as a number over their ranks) */
    unsigned idx[64], n = 0;
    for (unsigned v = 0; v < 64; v++) {
        if ((present >> v) & 1)
            idx[n++] = v;
    }
    unsigned long long total = k <= SET_ALL_MAX ? (1ull << k) : 0;
    double w = W_SET_AXIS / (total ? (double)total : (double)(k * k * k / 6 + k + 1));
    for (unsigned long long s = 1; total && s + 1 < total; s++) {
        uint64_t m = 0;
        for (unsigned i = 0; i < k; i++)
            m |= ((s >> i) & 1) ? 1ull << idx[i] : 0;
        if (!add_rule(ad, (rule){R_ONE, (uint8_t)a, 0, m, 0, w, 0}))
            return false;
    }
    /* many values: sets of two or three, and all but one */
    for (unsigned i = 0; !total && i < k; i++) {
        if (!add_rule(ad, (rule){R_ONE, (uint8_t)a, 0, present & ~(1ull << idx[i]), 0, w, 0}))
            return false;
        for (unsigned j = i + 1; j < k; j++) {
            uint64_t m2 = (1ull << idx[i]) | (1ull << idx[j]);
            if (!add_rule(ad, (rule){R_ONE, (uint8_t)a, 0, m2, 0, w, 0}))
                return false;
            for (unsigned l = j + 1; l < k; l++) {
                if (!add_rule(ad, (rule){R_ONE, (uint8_t)a, 0, m2 | (1ull << idx[l]), 0, w, 0}))
                    return false;
            }
        }
    }
    return true;
}

typedef struct {
    unsigned n;
    uint8_t axis[SWEEP_MAX_AXES * 80];
    uint64_t mask[SWEEP_MAX_AXES * 80];
    bool group[SWEEP_MAX_AXES * 80];
} lit_list;

/* Two-term rules: failing pairs of values or groups, succeeding pairs of
 * values. */
static bool add_pairs(sweep_adaptive *ad, const lit_list *l)
{
    for (unsigned i = 0; i < l->n; i++) {
        for (unsigned j = i + 1; j < l->n; j++) {
            if (l->axis[i] == l->axis[j])
                continue;
            if (!add_rule(ad, (rule){R_PAIR, l->axis[i], l->axis[j], l->mask[i], l->mask[j],
                                     W_PAIR, 0}))
                return false;
            if (!l->group[i] && !l->group[j] &&
                !add_rule(ad, (rule){R_OK_PAIR, l->axis[i], l->axis[j], l->mask[i], l->mask[j],
                                     W_OK_PAIR, 0}))
                return false;
        }
    }
    return true;
}

static bool enumerate(sweep_adaptive *ad)
{
    const sweep_space *sp = ad->sp;
    if (!add_rule(ad, (rule){R_NEVER, 0, 0, 0, 0, W_NEVER, 0}) ||
        !add_rule(ad, (rule){R_ALWAYS, 0, 0, 0, 0, W_NEVER, 0}))
        return false;
    static _Thread_local lit_list l;
    l.n = 0;
    for (unsigned a = 0; a < sp->num_axes; a++) {
        uint64_t present = sweep_space_present(sp, a), groups[32];
        unsigned ng = sweep_space_groups(sp, a, groups, 32);
        if (!add_one_terms(ad, a, present, groups, ng))
            return false;
        if (__builtin_popcountll(present) < 2)
            continue;
        for (unsigned v = 0; v < 64 && l.n < sizeof(l.axis); v++) {
            if ((present >> v) & 1)
                l.axis[l.n] = (uint8_t)a, l.mask[l.n] = 1ull << v, l.group[l.n++] = false;
        }
        for (unsigned g = 0; g < ng && l.n < sizeof(l.axis); g++)
            l.axis[l.n] = (uint8_t)a, l.mask[l.n] = groups[g], l.group[l.n++] = true;
    }
    return add_pairs(ad, &l);
}

static const uint64_t *rule_bits(const sweep_adaptive *ad, unsigned r)
{
    return &ad->bits[(size_t)r * ad->words];
}

static bool bit_of(const sweep_adaptive *ad, unsigned r, unsigned cell)
{
    return (rule_bits(ad, r)[cell / 64] >> (cell % 64)) & 1;
}

static void vector_fill(const sweep_space *sp, const rule *r, uint64_t *b)
{
    for (unsigned c = 0; c < sp->num_cells; c++)
        b[c / 64] |= (uint64_t)rule_says_fail(sp, r, c) << (c % 64);
}

typedef struct {
    const uint64_t *bits;
    unsigned words;
} order_ctx;

static _Thread_local order_ctx order_by;

/* by vector, then by order of enumeration (the simplest spelling first) */
static int cmp_vector(const void *x, const void *y)
{
    unsigned a = *(const unsigned *)x, b = *(const unsigned *)y;
    int d = memcmp(&order_by.bits[(size_t)a * order_by.words],
                   &order_by.bits[(size_t)b * order_by.words], order_by.words * sizeof(uint64_t));
    return d ? d : (a < b ? -1 : a > b);
}

/* Rules that say the same of every cell are one: the first spelling (the
 * simplest kind) keeps the summed weight. */
static bool dedupe(sweep_adaptive *ad)
{
    unsigned n = ad->num_rules, w = ad->words;
    size_t vsize = w * sizeof(uint64_t);
    uint64_t *bits = calloc((size_t)n * w + 1, sizeof(uint64_t));
    uint64_t *kept_bits = calloc((size_t)n * w + 1, sizeof(uint64_t));
    unsigned *order = calloc(n + 1, sizeof(unsigned));
    rule *kept = calloc(n + 1, sizeof(rule));
    bool ok = bits && kept_bits && order && kept;
    for (unsigned r = 0; ok && r < n; r++) {
        vector_fill(ad->sp, &ad->rules[r], &bits[(size_t)r * w]);
        order[r] = r;
    }
    unsigned k = 0;
    if (ok) {
        order_by = (order_ctx){bits, w};
        qsort(order, n, sizeof(*order), cmp_vector);
    }
    for (unsigned i = 0; ok && i < n; i++) {
        const uint64_t *v = &bits[(size_t)order[i] * w];
        if (k && memcmp(v, &kept_bits[(size_t)(k - 1) * w], vsize) == 0) {
            kept[k - 1].w += ad->rules[order[i]].w;
            continue;
        }
        kept[k] = ad->rules[order[i]];
        memcpy(&kept_bits[(size_t)k * w], v, vsize);
        k++;
    }
    free(order);
    free(bits);
    if (!ok) {
        free(kept_bits);
        free(kept);
        return false;
    }
    free(ad->rules);
    ad->rules = kept;
    ad->num_rules = ad->cap_rules = k;
    ad->bits = kept_bits;
    return true;
}

sweep_adaptive *sweep_adaptive_new(const sweep_space *sp)
{
    sweep_adaptive *ad = calloc(1, sizeof(*ad));
    if (!ad)
        return NULL;
    ad->sp = sp;
    ad->words = (sp->num_cells + 63) / 64;
    ad->pending = -1;
    ad->nfail = calloc(sp->num_cells + 1, sizeof(unsigned));
    ad->nok = calloc(sp->num_cells + 1, sizeof(unsigned));
    ad->repeated = calloc(sp->num_cells + 1, 1);
    if (!ad->nfail || !ad->nok || !ad->repeated || !enumerate(ad) || !dedupe(ad)) {
        sweep_adaptive_free(ad);
        return NULL;
    }
    return ad;
}

void sweep_adaptive_free(sweep_adaptive *ad)
{
    if (!ad)
        return;
    free(ad->rules);
    free(ad->bits);
    free(ad->nfail);
    free(ad->nok);
    free(ad->repeated);
    free(ad);
}

/* ---- results ---- */

static unsigned min_miss(const sweep_adaptive *ad, unsigned *out_n)
{
    unsigned m = ~0u, n = 0;
    for (unsigned r = 0; r < ad->num_rules; r++) {
        if (ad->rules[r].miss < m)
            m = ad->rules[r].miss, n = 0;
        n += ad->rules[r].miss == m;
    }
    if (out_n)
        *out_n = n;
    return m;
}

bool sweep_adaptive_observe(sweep_adaptive *ad, unsigned cell, unsigned num_fail, unsigned num_ok)
{
    if (cell >= ad->sp->num_cells)
        return false;
    unsigned before = min_miss(ad, NULL);
    unsigned agree = 0;
    ad->num_tries += (num_fail + num_ok) - (ad->nfail[cell] + ad->nok[cell]);
    for (unsigned r = 0; r < ad->num_rules; r++) {
        rule *ru = &ad->rules[r];
        bool fail = bit_of(ad, r, cell);
        unsigned old = fail ? ad->nok[cell] : ad->nfail[cell];
        unsigned now = fail ? num_ok : num_fail;
        agree += ru->miss == before && now <= old;
        ru->miss = ru->miss - old + now;
        if (!fail)
            ru->fmiss = ru->fmiss - old + now;
    }
    ad->nfail[cell] = num_fail;
    ad->nok[cell] = num_ok;
    ad->flaky |= num_fail && num_ok;
    /* contradicts every rule left: once per cell, before anything else */
    if (agree == 0 && !ad->repeated[cell] && num_fail + num_ok < CELL_MAX_TRIES) {
        ad->repeated[cell] = 1;
        ad->pending = (int)cell;
        ad->num_repeats++;
        return true;
    }
    return false;
}

/* ---- choosing ---- */

typedef struct {
    int cell;
    double score;
    bool tried;
} choice;

static void consider(choice *best, unsigned cell, double score, bool tried)
{
    if (score <= 1e-12)
        return;
    /* an untried cell wins a tie (it also tells about the cells after it) */
    if (best->cell < 0 || score > best->score + 1e-9 ||
        (score > best->score - 1e-9 && best->tried && !tried)) {
        best->cell = (int)cell;
        best->score = score;
        best->tried = tried;
    }
}

static bool may_try(const sweep_adaptive *ad, unsigned c)
{
    return ad->nfail[c] + ad->nok[c] < CELL_MAX_TRIES && ad->repeated[c] != EXCLUDED;
}

void sweep_adaptive_replayed(sweep_adaptive *ad)
{
    unsigned nleft;
    min_miss(ad, &nleft);
    if (nleft == 1 && ad->num_tries > 0)
        ad->settled = true;
}

void sweep_adaptive_exclude(sweep_adaptive *ad, unsigned cell)
{
    if (cell < ad->sp->num_cells)
        ad->repeated[cell] = EXCLUDED;
}

/* The cell that splits the weight of the rules left most evenly. */
static int choose_split(const sweep_adaptive *ad, unsigned min)
{
    choice best = {-1, 0, false};
    for (unsigned c = 0; c < ad->sp->num_cells; c++) {
        if (!may_try(ad, c))
            continue;
        double wf = 0, wo = 0;
        for (unsigned r = 0; r < ad->num_rules; r++) {
            if (ad->rules[r].miss != min)
                continue;
            if (bit_of(ad, r, c))
                wf += ad->rules[r].w;
            else
                wo += ad->rules[r].w;
        }
        consider(&best, c, wf < wo ? wf : wo, ad->nfail[c] + ad->nok[c] > 0);
    }
    return best.cell;
}

static unsigned winner(const sweep_adaptive *ad)
{
    unsigned min = min_miss(ad, NULL);
    for (unsigned r = 0; r < ad->num_rules; r++) {
        if (ad->rules[r].miss == min)
            return r;
    }
    return 0;
}

/* A cell whose every try the winner contradicts (mixed tries are flaky:
 * they contradict no rule). */
static int winner_exception(const sweep_adaptive *ad, unsigned w, bool *out_retry)
{
    for (unsigned c = 0; c < ad->sp->num_cells; c++) {
        bool fail = bit_of(ad, w, c);
        unsigned against = fail ? ad->nok[c] : ad->nfail[c];
        unsigned with = fail ? ad->nfail[c] : ad->nok[c];
        if (against > 0 && with == 0) {
            *out_retry = may_try(ad, c);
            return (int)c;
        }
    }
    return -1;
}

static bool is_pair(const rule *ru)
{
    return ru->kind == R_PAIR || ru->kind == R_OK_PAIR;
}

/* Failures tried once where the winner says fail and rule r says ok: the
 * results r loses by that a flaky client gives by chance. */
static unsigned single_failures_against(const sweep_adaptive *ad, unsigned w, unsigned r)
{
    unsigned n = 0;
    for (unsigned c = 0; c < ad->sp->num_cells; c++)
        n += ad->nfail[c] == 1 && ad->nok[c] == 0 && bit_of(ad, w, c) && !bit_of(ad, r, c);
    return n;
}

/* The nearest rivals: the rules only one try contradicts beyond the
 * winner (one chance result from being left); fragile: the rules at most
 * FRAGILE_MAX (a two-term winner: FRAGILE_MAX_PAIR) tries behind that as
 * many failures tried once keep behind (a client that fails at random).  Marks them in near (per rule);
 * returns how many. */
static unsigned nearest_rivals(const sweep_adaptive *ad, unsigned w, bool fragile, uint8_t *near)
{
    unsigned m = ad->rules[w].miss, n = 0;
    unsigned most = is_pair(&ad->rules[w]) ? FRAGILE_MAX_PAIR : FRAGILE_MAX;
    for (unsigned r = 0; r < ad->num_rules; r++) {
        unsigned d = ad->rules[r].miss - m;
        if (!fragile)
            near[r] = d == 1;
        else
            near[r] = r != w && d >= 1 && d <= most &&
                      ad->rules[r].fmiss > ad->rules[w].fmiss &&
                      single_failures_against(ad, w, r) >= d;
        n += near[r];
    }
    return n;
}

/* The cell that contradicts most (by weight: the most plausible) of the
 * nearest rivals (fragile: those resting on one failure) a second time;
 * -1 when there are none. */
static int choose_confirm(const sweep_adaptive *ad, unsigned w, bool fragile)
{
    uint8_t *near = calloc(ad->num_rules + 1, 1);
    choice best = {-1, 0, false};
    if (!near || nearest_rivals(ad, w, fragile, near) == 0) {
        free(near);
        return -1;
    }
    for (unsigned c = 0; c < ad->sp->num_cells; c++) {
        /* new ground, unless the client is known to fail at random or the
         * cell is a failure tried once that a fragile rival rests on */
        unsigned tries = ad->nfail[c] + ad->nok[c];
        if (!may_try(ad, c) ||
            (!ad->flaky && tries > 0 && !(fragile && tries == 1 && ad->nfail[c] == 1)))
            continue;
        bool wf = bit_of(ad, w, c);
        double s = 0;
        for (unsigned r = 0; r < ad->num_rules; r++) {
            if (near[r] && bit_of(ad, r, c) != wf)
                s += ad->rules[r].w;
        }
        /* a tie goes to new ground, or for fragile rivals to the retry */
        consider(&best, c, s, (tries > 0) != fragile);
    }
    free(near);
    return best.cell;
}

/* When the winner's failures were all seen on one cell (a flaky client
 * can fail one cell twice by chance) and it says more cells fail: the one
 * of them most of the rules close behind say works, -1 otherwise. */
static int choose_support(const sweep_adaptive *ad, unsigned w)
{
    unsigned cells = 0, seen = 0, m = ad->rules[w].miss;
    for (unsigned c = 0; c < ad->sp->num_cells; c++) {
        cells += bit_of(ad, w, c);
        seen += bit_of(ad, w, c) && ad->nfail[c] > 0;
    }
    if (seen != 1 || cells < 2)
        return -1;
    choice best = {-1, 0, false};
    for (unsigned c = 0; c < ad->sp->num_cells; c++) {
        if (!bit_of(ad, w, c) || ad->nfail[c] + ad->nok[c] > 0 || !may_try(ad, c))
            continue;
        double s = 0;
        for (unsigned r = 0; r < ad->num_rules; r++) {
            if (ad->rules[r].miss <= m + SUPPORT_NEAR && !bit_of(ad, r, c))
                s += ad->rules[r].w;
        }
        consider(&best, c, s + 1e-6, false);
    }
    return best.cell;
}

static int next_untried(const sweep_adaptive *ad)
{
    for (unsigned c = 0; c < ad->sp->num_cells; c++) {
        if (ad->nfail[c] + ad->nok[c] == 0 && ad->repeated[c] != EXCLUDED)
            return (int)c;
    }
    return -1;
}

/* A flaky client's failure tried once: tried again before it counts. */
static int unconfirmed_failure(sweep_adaptive *ad)
{
    for (unsigned c = 0; ad->flaky && c < ad->sp->num_cells; c++) {
        if (ad->nfail[c] == 1 && ad->nok[c] == 0 && !ad->repeated[c]) {
            ad->repeated[c] = 1;
            ad->num_repeats++;
            return (int)c;
        }
    }
    return -1;
}

/* Whether a client not seen flaky gets another confirmation (a rival
 * resting on failures tried once, a failure seen on one cell only): for a
 * winner of two terms always; for one term the first, then more only
 * while the sweep is under CONFIRM_BUDGET connections, or past it under
 * CONFIRM_CEILING (a consistent client pays for every one; a sweep that
 * stops at CONFIRM_BUDGET is not pushed past it). */
static bool confirm_more(const sweep_adaptive *ad, unsigned w)
{
    if (ad->settled)
        return false;
    if (ad->flaky || is_pair(&ad->rules[w]))
        return true;
    return ad->num_confirm < 1 || ad->num_tries < CONFIRM_BUDGET ||
           (ad->num_tries > CONFIRM_BUDGET && ad->num_tries < CONFIRM_CEILING);
}

int sweep_adaptive_next(sweep_adaptive *ad)
{
    if (ad->pending >= 0) {
        int c = ad->pending;
        ad->pending = -1;
        return c;
    }
    int again = ad->phase == SWEEP_AD_FULL ? -1 : unconfirmed_failure(ad);
    if (again >= 0)
        return again;
    if (ad->phase == SWEEP_AD_FULL || ad->phase == SWEEP_AD_DONE)
        return ad->phase == SWEEP_AD_FULL ? next_untried(ad) : -1;
    unsigned nleft, min = min_miss(ad, &nleft);
    if (nleft > 1) {
        ad->phase = SWEEP_AD_SEARCH;
        int c = choose_split(ad, min);
        if (c >= 0)
            return c;
        ad->phase = SWEEP_AD_FULL; /* nothing left splits them */
        return next_untried(ad);
    }
    unsigned w = winner(ad);
    bool retry = false;
    int ex = winner_exception(ad, w, &retry);
    if (ex >= 0) {
        if (retry)
            return ex; /* one try against it: try it again */
        ad->phase = SWEEP_AD_FULL;
        return next_untried(ad);
    }
    ad->phase = SWEEP_AD_CONFIRM;
    /* a client seen flaky: every rival twice; any client: every rival
     * that one failure keeps from being left is contradicted again, and
     * failures seen on one cell only are looked for on another */
    bool more = confirm_more(ad, w);
    int c = ad->flaky ? choose_confirm(ad, w, false) : -1;
    if (c < 0 && more)
        c = choose_confirm(ad, w, true);
    if (c < 0 && more)
        c = choose_support(ad, w);
    if (c >= 0) {
        ad->num_confirm++;
        return c;
    }
    ad->phase = SWEEP_AD_DONE;
    return -1;
}

/* ---- what it says ---- */

void sweep_adaptive_status(const sweep_adaptive *ad, sweep_ad_status *out)
{
    memset(out, 0, sizeof(*out));
    out->phase = ad->phase;
    out->num_rules = ad->num_rules;
    unsigned min = min_miss(ad, &out->num_left);
    out->named = ad->phase == SWEEP_AD_DONE && out->num_left == 1 && ad->sp->num_cells > 0;
    for (unsigned c = 0; c < ad->sp->num_cells; c++)
        out->num_tried += ad->nfail[c] + ad->nok[c] > 0;
    out->num_tries = ad->num_tries;
    out->num_repeats = ad->num_repeats;
    out->num_confirm = ad->num_confirm;
    out->nearest = -1;
    out->margin = ~0u;
    for (unsigned r = 0; r < ad->num_rules; r++) {
        unsigned m = ad->rules[r].miss - min;
        if (m == 0)
            continue;
        if (m < out->margin)
            out->margin = m, out->num_at_margin = 0, out->nearest = (int)r;
        out->num_at_margin += m == out->margin;
    }
    if (out->nearest < 0)
        out->margin = 0;
}

bool sweep_adaptive_predicts(const sweep_adaptive *ad, unsigned cell)
{
    return cell < ad->sp->num_cells && bit_of(ad, winner(ad), cell);
}

bool sweep_adaptive_rule_predicts(const sweep_adaptive *ad, int rule_idx, unsigned cell)
{
    return rule_idx >= 0 && (unsigned)rule_idx < ad->num_rules && cell < ad->sp->num_cells &&
           bit_of(ad, (unsigned)rule_idx, cell);
}

unsigned sweep_adaptive_tries(const sweep_adaptive *ad, unsigned cell)
{
    return cell < ad->sp->num_cells ? ad->nfail[cell] + ad->nok[cell] : 0;
}

void sweep_adaptive_split(const sweep_adaptive *ad, unsigned cell, unsigned *out_fail,
                          unsigned *out_ok)
{
    unsigned min = min_miss(ad, NULL);
    *out_fail = *out_ok = 0;
    for (unsigned r = 0; cell < ad->sp->num_cells && r < ad->num_rules; r++) {
        if (ad->rules[r].miss == min)
            bit_of(ad, r, cell) ? (*out_fail)++ : (*out_ok)++;
    }
}

/* ---- simulation ---- */

unsigned sweep_adaptive_simulate(sweep_adaptive *ad, sweep_oracle_fn oracle, void *ctx,
                                 unsigned max_tries)
{
    unsigned n = 0;
    int c;
    while (n < max_tries && (c = sweep_adaptive_next(ad)) >= 0) {
        unsigned f = ad->nfail[c], o = ad->nok[c];
        if (oracle(ctx, (unsigned)c))
            f++;
        else
            o++;
        n++;
        sweep_adaptive_observe(ad, (unsigned)c, f, o);
    }
    return n;
}

unsigned sweep_adaptive_rows(const sweep_adaptive *ad, const sweep_space *sp, sweep_row *rows)
{
    sweep_ad_status st;
    sweep_adaptive_status(ad, &st);
    unsigned n = 0, w = winner(ad);
    for (unsigned c = 0; c < sp->num_cells; c++) {
        sweep_status s;
        if (ad->nfail[c] + ad->nok[c] > 0) /* as the sweep says it: mixed tries are flaky */
            s = !ad->nok[c] ? SWEEP_ST_FAIL : !ad->nfail[c] ? SWEEP_ST_OK : SWEEP_ST_FLAKY;
        else if (st.named)
            s = bit_of(ad, w, c) ? SWEEP_ST_FAIL : SWEEP_ST_OK;
        else
            continue;
        memset(&rows[n], 0, sizeof(rows[n]));
        for (unsigned a = 0; a < sp->num_axes; a++)
            rows[n].values[a] = sp->values[a][cell_value(sp, c, a)];
        rows[n++].status = s;
    }
    return n;
}
