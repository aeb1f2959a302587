/* pcapng sink: tp_events -> capture_flow packets and DSBs. */
#include "pcapng_sink.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/pcapng_write.h"

typedef struct sink_conn {
    struct sink_conn *next;
    unsigned conn;
    capture_flow flow;
    double wall_sec;  /* whole seconds of the accept time */
    double wall_frac; /* and the fraction */
    uint64_t last_ts;
} sink_conn;

typedef struct {
    tp_sink base; /* first: the tp_sink pointer is the object */
    pthread_mutex_t mu;
    FILE *f;
    capture_pcapng_writer w;
    sink_conn *conns;
    char *pending; /* key log lines waiting for the next packet */
    size_t pending_len;
    bool error_reported;
} pcapng_sink;

static void sink_check(pcapng_sink *ps)
{
    if (ps->w.status != TP_OK && !ps->error_reported) {
        ps->error_reported = true;
        fprintf(stderr, "tlsprobe: pcapng output stopped: %s\n", tp_status_message(ps->w.status));
    }
}

/* DSBs go out before the next packet, so every packet that needs a key
 * comes after it in the file. */
static void secrets_flush(pcapng_sink *ps)
{
    if (ps->pending_len == 0)
        return;
    (void)capture_pcapng_write_secrets(&ps->w, ps->pending, ps->pending_len);
    ps->pending_len = 0;
}

static void secret_add(pcapng_sink *ps, const char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    if (n == 0 || n + 1 > CAPTURE_PCAPNG_MAX_SECRETS)
        return;
    if (ps->pending_len + n + 1 > CAPTURE_PCAPNG_MAX_SECRETS)
        secrets_flush(ps);
    if (!ps->pending) {
        ps->pending = malloc(CAPTURE_PCAPNG_MAX_SECRETS);
        if (!ps->pending)
            return;
    }
    memcpy(ps->pending + ps->pending_len, line, n);
    ps->pending[ps->pending_len + n] = '\n';
    ps->pending_len += n + 1;
}

static sink_conn *conn_find(pcapng_sink *ps, unsigned id)
{
    for (sink_conn *c = ps->conns; c; c = c->next)
        if (c->conn == id)
            return c;
    return NULL;
}

static sink_conn *conn_new(pcapng_sink *ps, unsigned id, const struct sockaddr *peer,
                           const struct sockaddr *local, double wall)
{
    sink_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->conn = id;
    c->wall_sec = floor(wall);
    c->wall_frac = wall - c->wall_sec;
    /* distinct, reproducible initial sequence numbers per connection */
    uint32_t isn = id * 2654435761u;
    capture_flow_init(&c->flow, peer, local, isn, isn ^ 0x5a5a5a5au, 0);
    c->next = ps->conns;
    ps->conns = c;
    return c;
}

static void conn_remove(pcapng_sink *ps, sink_conn *c)
{
    for (sink_conn **pp = &ps->conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    free(c);
}

static uint64_t conn_ts(sink_conn *c, double t)
{
    double ns = (c->wall_frac + (t > 0 ? t : 0)) * 1e9;
    uint64_t ts = (uint64_t)c->wall_sec * 1000000000u + (uint64_t)llround(ns);
    if (ts < c->last_ts)
        ts = c->last_ts;
    c->last_ts = ts;
    return ts;
}

static void pcapng_on_event(tp_sink *self, const tp_event *ev)
{
    pcapng_sink *ps = (pcapng_sink *)self;
    pthread_mutex_lock(&ps->mu);
    sink_conn *c = conn_find(ps, ev->conn);
    switch (ev->type) {
    case TP_EV_ACCEPT:
        if (!c)
            c = conn_new(ps, ev->conn, ev->u.accept.peer_sa, ev->u.accept.local_sa,
                         ev->u.accept.wall);
        if (c) {
            secrets_flush(ps);
            capture_flow_write_open(&ps->w, &c->flow, conn_ts(c, ev->t));
        }
        break;
    case TP_EV_DATA:
        if (!c) /* no accept seen: still keep the bytes */
            c = conn_new(ps, ev->conn, NULL, NULL, 0);
        if (c && ev->u.data.len > 0) {
            secrets_flush(ps);
            capture_flow_write_data(&ps->w, &c->flow, (capture_dir)ev->dir, conn_ts(c, ev->t),
                                    ev->u.data.bytes, ev->u.data.len);
        }
        break;
    case TP_EV_SECRET:
        if (ev->u.secret.line)
            secret_add(ps, ev->u.secret.line);
        break;
    case TP_EV_CLOSE:
        secrets_flush(ps);
        if (c) {
            capture_flow_write_close(&ps->w, &c->flow, CAPTURE_C2S, conn_ts(c, ev->t));
            conn_remove(ps, c);
        }
        (void)capture_pcapng_writer_flush(&ps->w);
        break;
    default:
        break;
    }
    sink_check(ps);
    pthread_mutex_unlock(&ps->mu);
}

tp_sink *report_pcapng_sink_new(const char *path, char *err, size_t errlen)
{
    pcapng_sink *ps = calloc(1, sizeof *ps);
    if (!ps) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ps->f = capture_open_secret_file(path, err, errlen);
    if (!ps->f) {
        free(ps);
        return NULL;
    }
    if (capture_pcapng_writer_init(&ps->w, ps->f) != TP_OK ||
        capture_pcapng_writer_flush(&ps->w) != TP_OK) {
        snprintf(err, errlen, "cannot write %s", path);
        fclose(ps->f);
        free(ps);
        return NULL;
    }
    pthread_mutex_init(&ps->mu, NULL);
    ps->base.on_event = pcapng_on_event;
    return &ps->base;
}

void report_pcapng_sink_free(tp_sink *s)
{
    if (!s)
        return;
    pcapng_sink *ps = (pcapng_sink *)s;
    pthread_mutex_lock(&ps->mu);
    secrets_flush(ps);
    /* connections that never saw a close still get their FINs */
    while (ps->conns) {
        sink_conn *c = ps->conns;
        capture_flow_write_close(&ps->w, &c->flow, CAPTURE_C2S, c->last_ts);
        conn_remove(ps, c);
    }
    (void)capture_pcapng_writer_flush(&ps->w);
    sink_check(ps);
    pthread_mutex_unlock(&ps->mu);
    pthread_mutex_destroy(&ps->mu);
    fclose(ps->f);
    free(ps->pending);
    free(ps);
}
