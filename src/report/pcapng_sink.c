/* pcapng sink: tp_events -> capture_flow packets and DSBs.
 *
 * Wireshark derives a connection's decryption state when it dissects the
 * handshake (the ServerHello for TLS 1.3, ChangeCipherSpec for TLS 1.2), so
 * the secrets must precede those packets in the file.  Live, the engine
 * learns them only during the handshake, after some of its packets went by.
 * So each connection's packets are held in memory until its secrets are
 * complete (CLIENT_RANDOM, or both *_TRAFFIC_SECRET_0), the connection
 * closes, or HOLD_MAX bytes are held; then the DSB goes out followed by the
 * held packets, and later packets are written directly. */
#include "pcapng_sink.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/outfile.h"
#include "../capture/pcapng_write.h"

#define HOLD_MAX (1024u * 1024)

typedef struct sink_conn {
    struct sink_conn *next;
    unsigned conn;
    capture_flow flow;
    double wall_sec;  /* whole seconds of the accept time */
    double wall_frac; /* and the fraction */
    uint64_t last_ts;
    /* packets held until the secrets are known */
    bool held;
    FILE *hold;
    char *hold_buf;
    size_t hold_len;
    capture_pcapng_writer hw;
    bool have_client_ts, have_server_ts;
} sink_conn;

typedef struct {
    tp_sink base; /* first: the tp_sink pointer is the object */
    pthread_mutex_t mu;
    capture_outfile out; /* names the file in messages */
    FILE *f;             /* a stream on out's descriptor */
    capture_pcapng_writer w;
    sink_conn *conns;
    char *pending; /* key log lines waiting for the next direct write */
    size_t pending_len;
    bool error_reported;
} pcapng_sink;

static void sink_check(pcapng_sink *ps)
{
    if (ps->w.status != TP_OK && !ps->error_reported) {
        ps->error_reported = true;
        if (ps->w.status == TP_ERR_IO)
            capture_outfile_fail(&ps->out, ps->w.err_no);
        else
            fprintf(stderr, "%s %s: output stopped: %s\n", ps->out.label, ps->out.path,
                    tp_status_message(ps->w.status));
    }
}

/* DSBs go out before the next packet written to the file. */
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
    /* without memory to hold, packets go straight to the file */
    c->hold = open_memstream(&c->hold_buf, &c->hold_len);
    if (c->hold) {
        c->held = true;
        capture_pcapng_writer_init_blocks(&c->hw, c->hold);
    }
    c->next = ps->conns;
    ps->conns = c;
    return c;
}

/* Secrets first, then the held packets; from now on packets go direct. */
static void conn_release(pcapng_sink *ps, sink_conn *c)
{
    if (!c->held)
        return;
    c->held = false;
    secrets_flush(ps);
    if (fflush(c->hold) == 0 && c->hw.status == TP_OK)
        (void)capture_pcapng_write_blocks(&ps->w, c->hold_buf, c->hold_len);
    /* a handshake just completed: make it visible in the file */
    (void)capture_pcapng_writer_flush(&ps->w);
    fclose(c->hold);
    free(c->hold_buf);
    c->hold = NULL;
    c->hold_buf = NULL;
}

static void conn_remove(pcapng_sink *ps, sink_conn *c)
{
    conn_release(ps, c);
    for (sink_conn **pp = &ps->conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    free(c);
}

/* Where this connection's next packets go. */
static capture_pcapng_writer *conn_writer(pcapng_sink *ps, sink_conn *c)
{
    if (c->held)
        return &c->hw;
    secrets_flush(ps);
    return &ps->w;
}

static void conn_after_write(pcapng_sink *ps, sink_conn *c)
{
    if (c->held && (c->hw.bytes > HOLD_MAX || c->hw.status != TP_OK))
        conn_release(ps, c);
}

static void conn_secret(pcapng_sink *ps, sink_conn *c, const char *line)
{
    secret_add(ps, line);
    if (!c)
        return;
    if (strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24) == 0)
        c->have_client_ts = true;
    else if (strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24) == 0)
        c->have_server_ts = true;
    /* TLS <= 1.2: the master secret is all there is; TLS 1.3: both
     * application secrets come last in the key schedule (RFC 8446 7.1) */
    if (strncmp(line, "CLIENT_RANDOM ", 14) == 0 || (c->have_client_ts && c->have_server_ts))
        conn_release(ps, c);
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
            capture_flow_write_open(conn_writer(ps, c), &c->flow, conn_ts(c, ev->t));
            conn_after_write(ps, c);
        }
        break;
    case TP_EV_DATA:
        if (!c) /* no accept seen: still keep the bytes */
            c = conn_new(ps, ev->conn, NULL, NULL, 0);
        if (c && ev->u.data.len > 0) {
            capture_flow_write_data(conn_writer(ps, c), &c->flow, ev->dir,
                                    conn_ts(c, ev->t), ev->u.data.bytes, ev->u.data.len);
            conn_after_write(ps, c);
        }
        break;
    case TP_EV_SECRET:
        if (ev->u.secret.line)
            conn_secret(ps, c, ev->u.secret.line);
        break;
    case TP_EV_CLOSE:
        if (c) {
            capture_flow_write_close(conn_writer(ps, c), &c->flow, TP_C2S, conn_ts(c, ev->t));
            conn_remove(ps, c);
        }
        secrets_flush(ps);
        (void)capture_pcapng_writer_flush(&ps->w);
        break;
    default:
        break;
    }
    sink_check(ps);
    pthread_mutex_unlock(&ps->mu);
}

tp_sink *report_pcapng_sink_new(const char *label, const char *path, char *err, size_t errlen)
{
    pcapng_sink *ps = calloc(1, sizeof *ps);
    if (!ps) {
        snprintf(err, errlen, "%s %s: out of memory", label, path);
        return NULL;
    }
    if (!capture_outfile_open(&ps->out, label, path, CAPTURE_OUTFILE_TRUNC, err, errlen)) {
        free(ps);
        return NULL;
    }
    ps->f = capture_outfile_stream(&ps->out, "wb");
    if (!ps->f || capture_pcapng_writer_init(&ps->w, ps->f) != TP_OK ||
        capture_pcapng_writer_flush(&ps->w) != TP_OK) {
        snprintf(err, errlen, "%s %s: cannot write: %s", label, path,
                 strerror(ps->w.err_no ? ps->w.err_no : errno));
        if (ps->f)
            fclose(ps->f);
        capture_outfile_close(&ps->out);
        free(ps);
        return NULL;
    }
    pthread_mutex_init(&ps->mu, NULL);
    ps->base.on_event = pcapng_on_event;
    return &ps->base;
}

int report_pcapng_sink_free(tp_sink *s)
{
    if (!s)
        return 0;
    pcapng_sink *ps = (pcapng_sink *)s;
    pthread_mutex_lock(&ps->mu);
    /* connections that never saw a close still get their FINs */
    while (ps->conns) {
        sink_conn *c = ps->conns;
        capture_flow_write_close(conn_writer(ps, c), &c->flow, TP_C2S, c->last_ts);
        conn_remove(ps, c);
    }
    secrets_flush(ps);
    (void)capture_pcapng_writer_flush(&ps->w);
    sink_check(ps);
    pthread_mutex_unlock(&ps->mu);
    pthread_mutex_destroy(&ps->mu);
    if (fclose(ps->f) != 0)
        capture_outfile_fail(&ps->out, errno);
    int e = capture_outfile_close(&ps->out);
    if (!e && ps->w.status != TP_OK)
        e = ps->w.err_no ? ps->w.err_no : EIO;
    free(ps->pending);
    free(ps);
    return e;
}
