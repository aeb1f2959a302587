/* The simulation of the adaptive strategy (adaptive_sim.h). */
#include "adaptive_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/matrix.h"

/* protocol x kx x cipher x mac x quirk, as a device sweep with quirks */
static const sweep_limit LIMITS[] = {
    {"--protocols", "TLS1.0,TLS1.1,TLS1.2,TLS1.3"},
    {"--kx", "ECDHE-RSA,DHE-RSA,RSA"},
    {"--ciphers", "AES-128-GCM,AES-256-GCM,CHACHA20-POLY1305,AES-128-CBC,AES-256-CBC,3DES-CBC,"
                  "CAMELLIA-128-CBC"},
    {"--macs", "AEAD,SHA1,SHA256,SHA384"},
    {"--quirks", "none,cbc-padding=max,hs-fragment=64,max-record=1024,empty-records"},
};

bool sim_world_init(sim_world *w)
{
    memset(w, 0, sizeof(*w));
    char err[1024];
    if (!sweep_matrix_init(&w->m, "protocol,kx,cipher,mac,quirk", LIMITS,
                           sizeof(LIMITS) / sizeof(LIMITS[0]), "rsa:2048", err, sizeof(err))) {
        fprintf(stderr, "sim: %s\n", err);
        return false;
    }
    if (!sweep_matrix_expand(&w->m, NULL, true) || !sweep_space_from_matrix(&w->sp, &w->m)) {
        fprintf(stderr, "sim: out of memory\n");
        return false;
    }
    return true;
}

void sim_world_cleanup(sim_world *w)
{
    sweep_space_cleanup(&w->sp);
    sweep_matrix_cleanup(&w->m);
}

/* ---- truths ---- */

static unsigned vcell(const sweep_space *sp, unsigned c, unsigned a)
{
    return sp->cells[(size_t)c * SWEEP_MAX_AXES + a];
}

typedef struct {
    sim_truth *t;
    unsigned n, cap;
} truth_list;

/* Adds the truth "axis a in ma [and axis b in mb]" unless its fail set is
 * empty, everything, or already there. */
static void truth_add(truth_list *l, const sweep_space *sp, unsigned a, uint64_t ma, int b,
                      uint64_t mb, const char *label, int kind)
{
    bool *f = calloc(sp->num_cells + 1, sizeof(bool));
    unsigned nf = 0;
    for (unsigned c = 0; f && c < sp->num_cells; c++) {
        f[c] = ((ma >> vcell(sp, c, a)) & 1) && (b < 0 || ((mb >> vcell(sp, c, (unsigned)b)) & 1));
        nf += f[c];
    }
    bool dup = !f || nf == 0 || nf == sp->num_cells;
    for (unsigned i = 0; !dup && i < l->n; i++)
        dup = memcmp(l->t[i].fail, f, sp->num_cells * sizeof(bool)) == 0;
    if (dup || (l->n == l->cap && !(l->t = realloc(l->t, (l->cap = l->cap * 2 + 64) *
                                                               sizeof(*l->t))))) {
        free(f);
        return;
    }
    snprintf(l->t[l->n].label, sizeof(l->t[l->n].label), "%s", label);
    l->t[l->n].kind = kind;
    l->t[l->n++].fail = f;
}

static void set_label(char *out, size_t len, const sweep_space *sp, unsigned a, uint64_t m)
{
    size_t w = (size_t)snprintf(out, len, "%s in {", sp->axes[a]);
    for (unsigned k = 0; k < sp->num_values[a] && w < len; k++) {
        if ((m >> k) & 1)
            w += (size_t)snprintf(out + w, len - w, "%s%s", out[w - 1] == '{' ? "" : ",",
                                  sp->values[a][k]);
    }
    if (w < len)
        snprintf(out + w, len - w, "}");
}

/* The sets of axis a: values, then groups, then every other set. */
static void single_truths_of(truth_list *l, const sweep_space *sp, unsigned a)
{
    uint64_t p = sweep_space_present(sp, a), groups[32];
    unsigned idx[64], k = 0, ng = sweep_space_groups(sp, a, groups, 32);
    char label[160];
    for (unsigned v = 0; v < 64; v++)
        if ((p >> v) & 1)
            idx[k++] = v;
    for (unsigned i = 0; i < k; i++) {
        set_label(label, sizeof(label), sp, a, 1ull << idx[i]);
        truth_add(l, sp, a, 1ull << idx[i], -1, 0, label, SIM_VALUE);
    }
    for (unsigned g = 0; g < ng; g++) {
        set_label(label, sizeof(label), sp, a, groups[g]);
        truth_add(l, sp, a, groups[g], -1, 0, label, SIM_GROUP);
    }
    for (uint64_t s = 1; k <= 10 && s + 1 < (1ull << k); s++) {
        uint64_t m = 0;
        for (unsigned i = 0; i < k; i++)
            m |= ((s >> i) & 1) ? 1ull << idx[i] : 0;
        set_label(label, sizeof(label), sp, a, m);
        truth_add(l, sp, a, m, -1, 0, label, SIM_SET);
    }
}

unsigned sim_single_truths(const sim_world *w, sim_truth **out)
{
    truth_list l = {0};
    for (unsigned a = 0; a < w->sp.num_axes; a++)
        single_truths_of(&l, &w->sp, a);
    *out = l.t;
    return l.n;
}

static uint64_t rnd(uint64_t *s)
{
    /* xorshift64*: a fixed seed gives the same truths everywhere */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* A value or a named group of axis a, drawn. */
static uint64_t draw_literal(const sweep_space *sp, unsigned a, uint64_t *seed)
{
    uint64_t p = sweep_space_present(sp, a), opts[96];
    unsigned n = 0;
    for (unsigned v = 0; v < 64; v++)
        if ((p >> v) & 1)
            opts[n++] = 1ull << v;
    n += sweep_space_groups(sp, a, opts + n, 96 - n);
    return opts[rnd(seed) % n];
}

unsigned sim_pair_truths(const sim_world *w, unsigned count, uint64_t seed, sim_truth **out)
{
    const sweep_space *sp = &w->sp;
    truth_list l = {0};
    uint64_t s = seed ? seed : 1;
    for (unsigned tries = 0; l.n < count && tries < count * 50; tries++) {
        unsigned a = (unsigned)(rnd(&s) % sp->num_axes), b = (unsigned)(rnd(&s) % sp->num_axes);
        if (a == b)
            continue;
        uint64_t ma = draw_literal(sp, a, &s), mb = draw_literal(sp, b, &s);
        char la[76], lb[76], label[160];
        set_label(la, sizeof(la), sp, a, ma);
        set_label(lb, sizeof(lb), sp, b, mb);
        snprintf(label, sizeof(label), "%s and %s", la, lb);
        truth_add(&l, sp, a, ma, (int)b, mb, label, SIM_PAIR);
    }
    *out = l.t;
    return l.n;
}

void sim_truths_free(sim_truth *t, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        free(t[i].fail);
    free(t);
}

/* ---- runs ---- */

typedef struct {
    const sim_truth *t;
    double flaky;
    uint64_t seed;
    int flake_at; /* the one try that fails by chance (-1: none) */
    unsigned num;
} oracle_ctx;

static bool oracle(void *ctx, unsigned cell)
{
    oracle_ctx *o = ctx;
    bool chance = o->flake_at >= 0 && o->num == (unsigned)o->flake_at;
    o->num++;
    if (o->t->fail[cell])
        return true;
    return chance || (o->flaky > 0 && (double)(rnd(&o->seed) % 1000000) / 1e6 < o->flaky);
}

/* The rule the rule finder names over rows ("" when none is exact). */
static void name_rule(const sweep_space *sp, const sweep_row *rows, unsigned n, char *out,
                      size_t len)
{
    sweep_decision d;
    out[0] = '\0';
    if (sweep_decide(&d, sp->axes, sp->num_axes, rows, n) && d.exact && d.num_rules)
        snprintf(out, len, "%s", d.rules[0].text);
    sweep_decision_cleanup(&d);
}

static bool run_with(const sim_world *w, const sim_truth *t, oracle_ctx *oc, sim_outcome *out)
{
    const sweep_space *sp = &w->sp;
    memset(out, 0, sizeof(*out));
    sweep_row *rows = calloc(sp->num_cells + 1, sizeof(*rows));
    sweep_adaptive *ad = sweep_adaptive_new(sp);
    if (!rows || !ad) {
        free(rows);
        sweep_adaptive_free(ad);
        return false;
    }
    for (unsigned c = 0; c < sp->num_cells; c++) {
        for (unsigned a = 0; a < sp->num_axes; a++)
            rows[c].values[a] = sp->values[a][vcell(sp, c, a)];
        rows[c].status = t->fail[c] ? SWEEP_ST_FAIL : SWEEP_ST_OK;
    }
    name_rule(sp, rows, sp->num_cells, out->full, sizeof(out->full));
    out->conns = sweep_adaptive_simulate(ad, oracle, oc, 4 * sp->num_cells);
    sweep_ad_status st;
    sweep_adaptive_status(ad, &st);
    out->repeats = st.num_repeats;
    out->named = st.named;
    unsigned n = sweep_adaptive_rows(ad, sp, rows);
    name_rule(sp, rows, n, out->adaptive, sizeof(out->adaptive));
    out->same = out->full[0] && strcmp(out->full, out->adaptive) == 0;
    sweep_adaptive_free(ad);
    free(rows);
    return true;
}

bool sim_run(const sim_world *w, const sim_truth *t, double flaky, uint64_t seed,
             sim_outcome *out)
{
    oracle_ctx oc = {t, flaky, seed * 2654435761u + 7, -1, 0};
    return run_with(w, t, &oc, out);
}

bool sim_run_flake_at(const sim_world *w, const sim_truth *t, unsigned flake_try, sim_outcome *out)
{
    oracle_ctx oc = {t, 0, 0, (int)flake_try, 0};
    return run_with(w, t, &oc, out);
}

static int cmp_u(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

void sim_median_max(unsigned *v, unsigned n, double *median, unsigned *max)
{
    qsort(v, n, sizeof(*v), cmp_u);
    *median = n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    *max = n ? v[n - 1] : 0;
}
