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
#include "decide_int.h"

#include "../wire/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    bool ok_side; /* the terms match the succeeding rows (a conjunction of ok values) */
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
        if (cand_match(s, c, r) != (s->label[r] == (c->ok_side ? 0 : 1)))
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

/* Success as a conjunction: "succeeds exactly when protocol = TLS1.2 and
 * cipher = AES-128-GCM", whose failures (either value differs) no
 * conjunction of failing values can say.  Pairs of plain values only (a
 * single ok value is the complement of a single failing set, already
 * tried); a little dearer than a failing rule, so that one wins a tie.
 * Writes at most num_lits^2 / 2 candidates to out; returns how many. */
static size_t ok_side_pairs(const search *s, candidate *out, unsigned useless)
{
    size_t n = 0;
    for (unsigned i = 0; i < s->num_lits; i++) {
        for (unsigned j = i + 1; j < s->num_lits; j++) {
            if (s->lits[i].axis == s->lits[j].axis || s->lits[i].group || s->lits[j].group)
                continue;
            candidate c = {(int)i, (int)j, 0, s->lits[i].cost + s->lits[j].cost + 0.5, true};
            c.errors = cand_errors(s, &c, useless);
            if (c.errors < useless)
                out[n++] = c;
        }
    }
    return n;
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
    r->succeeds = c->ok_side;
    for (unsigned row = 0; row < s->num_rows; row++) {
        if (s->label[row] < 0)
            continue;
        bool m = cand_match(s, c, row);
        bool says_fail = c->ok_side ? !m : m;
        if (says_fail == (s->label[row] == 1))
            continue;
        if (says_fail)
            r->num_false_fail++;
        else
            r->num_false_ok++;
        if (r->num_exceptions < sizeof(r->exceptions) / sizeof(r->exceptions[0]))
            r->exceptions[r->num_exceptions] = row;
        r->num_exceptions++;
    }
    wire_buf b;
    wire_buf_init(&b, 0);
    if (c->ok_side)
        wire_buf_add_str(&b, c->errors == 0 ? "succeeds exactly when " : "succeeds when ");
    else
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

/* Labels each row (fail 1, ok 0, not decided -1), counts the statuses and
 * records per axis the values present and those of the failing rows. */
static void label_rows(search *s, sweep_decision *out, unsigned *out_nok, unsigned *out_nfail)
{
    unsigned nok = 0, nfail = 0;
    for (unsigned r = 0; r < s->num_rows; r++) {
        sweep_status st = s->rows[r].status;
        if ((unsigned)st < SWEEP_ST_COUNT)
            out->num_status[st]++;
        s->label[r] = st == SWEEP_ST_OK                                 ? 0
                      : (st == SWEEP_ST_FAIL || st == SWEEP_ST_TIMEOUT) ? 1
                                                                        : -1;
        if (s->label[r] < 0)
            continue;
        s->label[r] ? nfail++ : nok++;
        for (unsigned a = 0; a < s->num_axes; a++) {
            uint64_t bit = 1ull << s->vidx[r * s->num_axes + a];
            s->present[a] |= bit;
            if (s->label[r])
                s->failset[a] |= bit;
        }
    }
    *out_nok = nok;
    *out_nfail = nfail;
}

/* Single literals and failing pairs on different axes; returns how many. */
static size_t literal_candidates(const search *s, candidate *out, unsigned useless)
{
    size_t nc = 0;
    for (unsigned i = 0; i < s->num_lits; i++) {
        candidate c = {(int)i, -1, 0, s->lits[i].cost, false};
        c.errors = cand_errors(s, &c, useless);
        if (c.errors < useless)
            out[nc++] = c;
    }
    for (unsigned i = 0; i < s->num_lits; i++) {
        for (unsigned j = i + 1; j < s->num_lits; j++) {
            if (s->lits[i].axis == s->lits[j].axis)
                continue;
            candidate c = {(int)i, (int)j, 0, s->lits[i].cost + s->lits[j].cost, false};
            c.errors = cand_errors(s, &c, useless);
            if (c.errors < useless)
                out[nc++] = c;
        }
    }
    return nc;
}

/* The box as a candidate, when it restricts more than two axes and beats
 * the useless rule; returns how many it wrote (0 or 1). */
static size_t box_candidate(const search *s, candidate *out, unsigned useless)
{
    candidate c = {-1, -1, 0, 0, false};
    unsigned n = 0;
    for (unsigned a = 0; a < s->num_axes; a++) {
        int k = popcount64(s->failset[a]);
        if (s->failset[a] != s->present[a]) {
            c.cost += k == 1 ? 1.0 : k + 0.5;
            n++;
        }
    }
    c.errors = cand_errors(s, &c, useless);
    if (n > 2 && c.errors < useless) {
        *out = c;
        return 1;
    }
    return 0;
}

/* A two-term rule whose terms add nothing over a kept one-term rule with
 * the same errors. */
static bool adds_nothing(const search *s, const sweep_decision *out, const candidate *c)
{
    bool dup = false;
    for (unsigned k = 0; k < out->num_rules; k++) {
        const sweep_rule *kept = &out->rules[k];
        if (kept->num_terms == 1 && c->a >= 0 && c->b >= 0 && !c->ok_side &&
            kept->num_exceptions == c->errors &&
            (s->lits[c->a].mask == kept->terms[0].mask ||
             s->lits[c->b].mask == kept->terms[0].mask))
            dup = true;
    }
    return dup;
}

/* Sorts the candidates and keeps the best (one when exact, else up to
 * SWEEP_MAX_RULES). */
static void pick_rules(const search *s, sweep_decision *out, candidate *cands, size_t nc)
{
    qsort(cands, nc, sizeof(*cands), cand_cmp);
    out->exact = nc > 0 && cands[0].errors == 0;
    for (size_t i = 0; i < nc && out->num_rules < (out->exact ? 1u : (unsigned)SWEEP_MAX_RULES);
         i++) {
        if (adds_nothing(s, out, &cands[i]))
            continue;
        rule_fill(s, out, &out->rules[out->num_rules++], &cands[i]);
    }
    if (out->num_rules == 0) {
        out->num_rules = 1;
        snprintf(out->rules[0].text, sizeof(out->rules[0].text),
                 "no rule over one or two axis values separates failing from succeeding "
                 "combinations");
        out->rules[0].num_exceptions = 0;
    }
}

/* The search proper, over rows both ok and failing; false when out of
 * memory.  *cands is freed by the caller. */
static bool separate(search *s, sweep_decision *out, unsigned nok, unsigned nfail,
                     candidate **cands)
{
    if (!build_literals(s) || !build_group_literals(s, out))
        return false;
    size_t max_c = (size_t)s->num_lits + (size_t)s->num_lits * s->num_lits + 2;
    *cands = malloc(max_c * sizeof(**cands));
    if (!*cands)
        return false;
    /* a rule worse than "always fails"/"never fails" explains nothing */
    unsigned useless = nok < nfail ? nok : nfail;
    size_t nc = literal_candidates(s, *cands, useless);
    nc += ok_side_pairs(s, *cands + nc, useless);
    nc += box_candidate(s, *cands + nc, useless);
    pick_rules(s, out, *cands, nc);
    return true;
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

    unsigned nok, nfail;
    label_rows(&s, out, &nok, &nfail);
    out->num_decided = nok + nfail;
    out->num_failing = nfail;
    sweep_typical_fill(out, rows, num_rows);
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
    if (!separate(&s, out, nok, nfail, &cands)) {
        ok = false;
        snprintf(out->error, sizeof(out->error), "out of memory");
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
