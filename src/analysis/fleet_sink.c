/* The fleet sink (fleet.h): one fleet_conn per open connection, filled from
 * its events (accept, the first ClientHello, the verdict) and folded into
 * the table at its close, then freed: memory follows the connections open
 * at once, not the number seen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"

typedef struct open_conn {
    struct open_conn *next;
    fleet_conn c;
} open_conn;

#define FLEET_SINK_BUCKETS 1024u

typedef struct {
    tp_sink base; /* first: the sink pointer is the struct's */
    fleet_table *table;
    unsigned source;
    pthread_mutex_t lock; /* live: sessions of several workers */
    open_conn *buckets[FLEET_SINK_BUCKETS];
} fleet_sink;

/* "127.0.0.1:50412" → "127.0.0.1", "[::1]:50412" → "::1" */
static void peer_host(char *out, size_t out_len, const char *peer)
{
    if (!peer)
        peer = "";
    const char *end = strrchr(peer, ':');
    if (peer[0] == '[') {
        peer++;
        end = strchr(peer, ']');
    }
    size_t n = end ? (size_t)(end - peer) : strlen(peer);
    if (n >= out_len)
        n = out_len - 1;
    memcpy(out, peer, n);
    out[n] = '\0';
}

/* The connection's entry; with create, a new one when missing.  Called
 * with the lock held. */
static open_conn **slot_of(fleet_sink *fs, unsigned conn)
{
    open_conn **pp = &fs->buckets[conn % FLEET_SINK_BUCKETS];
    while (*pp && (*pp)->c.conn != conn)
        pp = &(*pp)->next;
    return pp;
}

static open_conn *conn_new(fleet_sink *fs, unsigned conn)
{
    open_conn *oc = calloc(1, sizeof *oc);
    if (!oc)
        return NULL; /* the connection is not counted: nothing else to do without memory */
    oc->c.conn = conn;
    oc->c.source = fs->source;
    open_conn **pp = slot_of(fs, conn);
    oc->next = *pp;
    *pp = oc;
    return oc;
}

static void conn_finish(fleet_sink *fs, open_conn **pp)
{
    open_conn *oc = *pp;
    *pp = oc->next;
    if (!oc->c.has_verdict) { /* a trace cut short: the connection is still counted */
        oc->c.outcome = TP_OUTCOME_FAIL;
        oc->c.actor = tp_actor_name(TP_ACTOR_NETWORK);
        snprintf(oc->c.cause, sizeof oc->c.cause, "no-verdict");
        snprintf(oc->c.summary, sizeof oc->c.summary,
                 "the input ends before this connection's verdict");
    }
    (void)fleet_add(fs->table, &oc->c);
    free(oc);
}

static void on_accept(fleet_sink *fs, const tp_event *ev)
{
    open_conn *oc = conn_new(fs, ev->conn);
    if (!oc)
        return;
    oc->c.wall = ev->u.accept.wall;
    peer_host(oc->c.peer, sizeof oc->c.peer, ev->u.accept.peer);
}

static void on_event_locked(fleet_sink *fs, const tp_event *ev)
{
    if (ev->type == TP_EV_ACCEPT) {
        on_accept(fs, ev);
        return;
    }
    open_conn **pp = slot_of(fs, ev->conn);
    open_conn *oc = *pp;
    if (!oc)
        return;
    if (ev->type == TP_EV_HANDSHAKE && ev->dir == TP_C2S && !oc->c.has_hello &&
        ev->u.handshake.msg->type == WIRE_HS_CLIENT_HELLO &&
        ev->u.handshake.msg->status == TP_OK) {
        fleet_conn_set_hello(&oc->c, &ev->u.handshake.msg->u.client_hello,
                             ev->u.handshake.ja3_md5, ev->u.handshake.ja4);
    } else if (ev->type == TP_EV_VERDICT) {
        fleet_conn_set_verdict(&oc->c, ev->u.verdict);
    } else if (ev->type == TP_EV_CLOSE) {
        conn_finish(fs, pp);
    }
}

static void fleet_on_event(tp_sink *self, const tp_event *ev)
{
    fleet_sink *fs = (fleet_sink *)self;
    switch (ev->type) {
    case TP_EV_ACCEPT:
    case TP_EV_HANDSHAKE:
    case TP_EV_VERDICT:
    case TP_EV_CLOSE:
        break;
    default:
        return; /* records, data, notes: nothing the fleet keeps */
    }
    pthread_mutex_lock(&fs->lock);
    on_event_locked(fs, ev);
    pthread_mutex_unlock(&fs->lock);
}

tp_sink *fleet_sink_new(fleet_table *t, unsigned source)
{
    fleet_sink *fs = calloc(1, sizeof *fs);
    if (!fs)
        return NULL;
    fs->base.on_event = fleet_on_event;
    fs->table = t;
    fs->source = source;
    pthread_mutex_init(&fs->lock, NULL);
    return &fs->base;
}

void fleet_sink_set_source(tp_sink *s, unsigned source)
{
    ((fleet_sink *)s)->source = source;
}

fleet_conn *fleet_sink_conn(tp_sink *s, unsigned conn, bool create)
{
    fleet_sink *fs = (fleet_sink *)s;
    open_conn *oc = *slot_of(fs, conn);
    if (!oc && create)
        oc = conn_new(fs, conn);
    return oc ? &oc->c : NULL;
}

void fleet_sink_finish(tp_sink *s, unsigned conn)
{
    fleet_sink *fs = (fleet_sink *)s;
    open_conn **pp = slot_of(fs, conn);
    if (*pp)
        conn_finish(fs, pp);
}

void fleet_sink_finish_all(tp_sink *s)
{
    fleet_sink *fs = (fleet_sink *)s;
    for (unsigned i = 0; i < FLEET_SINK_BUCKETS; i++)
        while (fs->buckets[i])
            conn_finish(fs, &fs->buckets[i]);
}

/* "127.0.0.1:50412" → "127.0.0.1" (for a trace reader) */
void fleet_conn_set_peer(fleet_conn *c, const char *peer)
{
    peer_host(c->peer, sizeof c->peer, peer);
}

void fleet_sink_free(tp_sink *s)
{
    fleet_sink *fs = (fleet_sink *)s;
    if (!fs)
        return;
    for (unsigned i = 0; i < FLEET_SINK_BUCKETS; i++) {
        open_conn *oc = fs->buckets[i];
        while (oc) {
            open_conn *n = oc->next;
            free(oc);
            oc = n;
        }
    }
    pthread_mutex_destroy(&fs->lock);
    free(fs);
}
