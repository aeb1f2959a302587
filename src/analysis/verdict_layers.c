/* The layers of a verdict (transport, handshake, records, application),
 * filled from the observation, and the observation helpers the session
 * calls as records, alerts and application data go by. */
#include <stdio.h>
#include <string.h>

#include "verdict.h"

const char *tp_actor_name(tp_actor a)
{
    switch (a) {
    case TP_ACTOR_CLIENT:
        return "client";
    case TP_ACTOR_SERVER:
        return "server";
    case TP_ACTOR_NETWORK:
        return "network";
    case TP_ACTOR_NONE:
        break;
    }
    return "none";
}

const char *tp_outcome_name(tp_outcome o)
{
    switch (o) {
    case TP_OUTCOME_OK:
        return "ok";
    case TP_OUTCOME_UNUSED:
        return "unused";
    case TP_OUTCOME_FAIL:
        break;
    }
    return "fail";
}

const char *tp_close_how_name(tp_close_how h)
{
    static const char *const names[] = {
        [TP_HOW_NONE] = NULL,
        [TP_HOW_FIN] = "fin",
        [TP_HOW_RST] = "rst",
        [TP_HOW_TIMEOUT] = "timeout",
        [TP_HOW_SHUTDOWN] = "shutdown",
        [TP_HOW_CAPACITY] = "capacity",
        [TP_HOW_CAPTURE_END] = "capture-end",
        [TP_HOW_REFUSED] = "refused",
    };
    return (unsigned)h < sizeof names / sizeof names[0] ? names[h] : NULL;
}

void tp_obs_note_record(tp_observation *o, tp_dir dir, const tp_record_check *chk, unsigned index)
{
    tp_record_tally *t = dir == TP_C2S ? &o->client.recs : &o->server.recs;
    t->total++;
    if (!chk->is_protected)
        return;
    t->protected_n++;
    switch (chk->integrity) {
    case TP_INTEGRITY_OK:
        t->ok++;
        break;
    case TP_INTEGRITY_BAD:
        t->bad++;
        if (!t->first_bad)
            t->first_bad = index;
        break;
    case TP_INTEGRITY_UNCHECKED:
        t->unchecked++;
        break;
    }
}

void tp_obs_note_alert(tp_observation *o, const tp_alert_info *a)
{
    if (o->num_alerts >= TP_LAYER_MAX_ALERTS)
        return;
    /* a copy: the session reuses its buffer for "unknown(N)" descriptions */
    char *d = o->alert_descs[o->num_alerts];
    snprintf(d, sizeof o->alert_descs[0], "%s", a->description ? a->description : "?");
    o->alerts[o->num_alerts] = *a;
    o->alerts[o->num_alerts++].description = d;
}

void tp_obs_note_appdata(tp_observation *o, tp_dir dir, size_t len)
{
    (dir == TP_C2S ? &o->client : &o->server)->app_bytes += len;
}

static void fill_transport(const tp_observation *o, tp_layers *l)
{
    static const struct {
        tp_actor who;
        tp_close_how how;
    } ends[] = {
        [TP_END_PEER_CLOSED] = {TP_ACTOR_CLIENT, TP_HOW_FIN},
        [TP_END_PEER_RESET] = {TP_ACTOR_CLIENT, TP_HOW_RST},
        [TP_END_SERVER_CLOSED] = {TP_ACTOR_SERVER, TP_HOW_FIN},
        [TP_END_TIMEOUT] = {TP_ACTOR_SERVER, TP_HOW_TIMEOUT},
        [TP_END_SHUTDOWN] = {TP_ACTOR_SERVER, TP_HOW_SHUTDOWN},
        [TP_END_CAPTURE_END] = {TP_ACTOR_NETWORK, TP_HOW_CAPTURE_END},
        [TP_END_CAPACITY] = {TP_ACTOR_SERVER, TP_HOW_CAPACITY},
        [TP_END_REFUSED] = {TP_ACTOR_SERVER, TP_HOW_REFUSED},
        [TP_END_SERVER_RESET] = {TP_ACTOR_SERVER, TP_HOW_RST},
    };
    l->transport.opened_by = o->opened_by ? o->opened_by : TP_ACTOR_CLIENT;
    if ((unsigned)o->end < sizeof ends / sizeof ends[0]) {
        l->transport.closed_by = ends[o->end].who;
        l->transport.how = ends[o->end].how;
    }
    if (o->closed_by)
        l->transport.closed_by = o->closed_by;
    l->transport.c2s_bytes = o->client.bytes;
    l->transport.s2c_bytes = o->server.bytes;
}

/* What the application layer did, by byte counts, unless the mode said. */
static void fill_app(const tp_observation *o, tp_layers *l)
{
    l->app.c2s_bytes = o->client.app_bytes;
    l->app.s2c_bytes = o->server.app_bytes;
    if (o->app_fit) {
        l->app.fit = o->app_fit;
        snprintf(l->app.note, sizeof l->app.note, "%s", o->app_note);
        return;
    }
    if (!o->handshake_done)
        return;
    bool c2s = o->client.sent_appdata || o->client.app_bytes;
    bool s2c = o->server.sent_appdata || o->server.app_bytes;
    if (o->app_exchanged || (c2s && s2c)) {
        l->app.fit = "exchanged";
    } else if (c2s && o->server.fatal_alert) {
        /* the handshake failed: the server ended it, it did not ignore a request */
        l->app.fit = "no-answer";
        snprintf(l->app.note, sizeof l->app.note,
                 "the client sent application data; the server did not answer it: it ended the "
                 "connection with fatal %s",
                 o->server.alert.description ? o->server.alert.description : "?");
    } else if (c2s) {
        l->app.fit = "no-answer";
        snprintf(l->app.note, sizeof l->app.note,
                 "the client sent application data; the server sent none back");
    } else if (s2c) {
        l->app.fit = "no-request";
        snprintf(l->app.note, sizeof l->app.note,
                 "the server sent application data; the client sent none");
    } else {
        l->app.fit = "no-data";
        snprintf(l->app.note, sizeof l->app.note, "no application data either way");
    }
}

void tp_layers_fill(const tp_observation *o, tp_layers *l)
{
    memset(l, 0, sizeof *l);
    fill_transport(o, l);
    l->handshake.done = o->handshake_done;
    l->handshake.client_last = o->client.name;
    l->handshake.server_last = o->server.name;
    l->handshake.hello_retry = o->hello_retry;
    l->handshake.num_alerts =
        o->num_alerts < TP_LAYER_MAX_ALERTS ? o->num_alerts : TP_LAYER_MAX_ALERTS;
    memcpy(l->handshake.alerts, o->alerts, l->handshake.num_alerts * sizeof o->alerts[0]);
    l->records[TP_C2S] = o->client.recs;
    l->records[TP_S2C] = o->server.recs;
    fill_app(o, l);
    l->app.upstream = o->facts.up; /* proxy: the upstream leg */
}
