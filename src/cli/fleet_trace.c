/* A JSON lines trace as fleet input (fleet_trace.h). */
#include "fleet_trace.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static const char *str_of(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static int int_of(json_object *o, const char *key, int dflt)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_int(v) : dflt;
}

/* The strings of an array (at most cap), *out_n set; false when absent. */
static bool strs_of(json_object *o, const char *key, const char **out, unsigned cap,
                    unsigned *out_n)
{
    json_object *a;
    *out_n = 0;
    if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
        return false;
    size_t n = json_object_array_length(a);
    for (size_t i = 0; i < n && *out_n < cap; i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(a, i));
        if (s)
            out[(*out_n)++] = s;
    }
    return true;
}

static void on_hello(fleet_conn *c, json_object *o)
{
    enum { MAX = 512 };
    const char *suites[MAX], *versions[16], *alpn[8];
    unsigned ns, nv, na;
    char alpn_joined[96] = "";
    fleet_offer off = {.legacy_version = str_of(o, "version"), .suites = suites,
                       .versions = versions, .sni = str_of(o, "sni") != NULL};
    (void)strs_of(o, "ciphers", suites, MAX, &ns);
    off.num_suites = ns;
    off.supported_versions = strs_of(o, "supported_versions", versions, 16, &nv);
    off.num_versions = nv;
    if (strs_of(o, "alpn", alpn, 8, &na)) {
        for (unsigned i = 0; i < na; i++) {
            size_t w = strlen(alpn_joined);
            snprintf(alpn_joined + w, sizeof alpn_joined - w, "%s%s", i ? "," : "", alpn[i]);
        }
        off.alpn = alpn_joined;
    }
    fleet_conn_set_offer(c, &off, str_of(o, "ja3"), str_of(o, "ja4"));
}

static unsigned records_unchecked(json_object *v)
{
    json_object *l, *r, *d, *u;
    unsigned n = 0;
    if (!json_object_object_get_ex(v, "layers", &l) || !json_object_object_get_ex(l, "records", &r))
        return 0;
    static const char *const dirs[] = {"c2s", "s2c"};
    for (int i = 0; i < 2; i++)
        if (json_object_object_get_ex(r, dirs[i], &d) && json_object_object_get_ex(d, "unchecked", &u))
            n += (unsigned)json_object_get_int(u);
    return n;
}

static void on_verdict(fleet_conn *c, json_object *o)
{
    static const char *const outcomes[] = {"fail", "ok", "unused"};
    static const char *const phases[] = {"handshake", "after-handshake", "not-tls", "timeout",
                                         "transport"};
    static const char *const actors[] = {"none", "client", "server", "network"};
    const char *s = str_of(o, "outcome");
    c->has_verdict = true;
    for (unsigned i = 0; s && i < 3; i++)
        if (!strcmp(s, outcomes[i]))
            c->outcome = (tp_outcome)i;
    /* static spellings, so a group's names outlive the line */
    s = str_of(o, "phase");
    for (unsigned i = 0; s && i < 5; i++)
        if (!strcmp(s, phases[i]))
            c->phase = phases[i];
    s = str_of(o, "actor");
    for (unsigned i = 0; s && i < 4; i++)
        if (!strcmp(s, actors[i]))
            c->actor = actors[i];
    snprintf(c->cause, sizeof c->cause, "%s", str_of(o, "cause") ? str_of(o, "cause") : "unknown");
    snprintf(c->summary, sizeof c->summary, "%s", str_of(o, "summary") ? str_of(o, "summary") : "");
    c->unchecked = records_unchecked(o);
}

static void on_line(tp_sink *fleet, json_object *o, fleet_trace_counts *n)
{
    const char *ev = str_of(o, "event");
    int conn = int_of(o, "conn", 0);
    if (!ev || conn <= 0)
        return;
    bool accept = !strcmp(ev, "accept");
    fleet_conn *c = fleet_sink_conn(fleet, (unsigned)conn, accept);
    if (!c)
        return;
    if (accept) {
        fleet_conn_set_peer(c, str_of(o, "peer"));
        json_object *w;
        if (json_object_object_get_ex(o, "wall", &w))
            c->wall = json_object_get_double(w);
    } else if (!strcmp(ev, "handshake") && !c->has_hello && str_of(o, "msg") &&
               !strcmp(str_of(o, "msg"), "ClientHello")) {
        on_hello(c, o);
    } else if (!strcmp(ev, "verdict")) {
        on_verdict(c, o);
        n->verdicts++;
        fleet_sink_finish(fleet, (unsigned)conn); /* the verdict is a connection's last line */
    }
}

bool fleet_trace_read(FILE *f, tp_sink *fleet, fleet_trace_counts *n)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    memset(n, 0, sizeof *n);
    while ((len = getline(&line, &cap, f)) > 0) {
        n->lines++;
        json_object *o = json_tokener_parse(line);
        if (!o || !json_object_is_type(o, json_type_object)) {
            if (!n->bad_lines++)
                n->first_bad = n->lines;
        } else {
            on_line(fleet, o, n);
        }
        json_object_put(o);
    }
    free(line);
    fleet_sink_finish_all(fleet);
    return !ferror(f);
}
