/* See keep_sink.h.  One table of open connections (hashed by number, under
 * the sink's lock); each connection's output is a memory stream that only
 * the thread serving it writes. */
#include "keep_sink.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "../capture/rotate.h"
#include "pcapng_sink.h"

#define KEEP_BUCKETS 256

typedef struct kconn {
    struct kconn *next;
    unsigned id;
    FILE *f; /* memory stream over buf/len */
    char *buf;
    size_t len;
    tp_sink *inner;      /* lines: this connection's sink */
    size_t v_off, v_end; /* lines: the verdict's output in buf */
    bool failing, over;
    /* pcapng: the accept event's addresses */
    struct sockaddr_storage peer, local;
    bool has_peer, has_local;
    double wall, last_t;
} kconn;

typedef struct {
    tp_sink base; /* first: the tp_sink pointer is the object */
    bool pcapng;
    report_keep_opts o;
    pthread_mutex_t mu;
    kconn *buckets[KEEP_BUCKETS];
    report_keep_make_fn make;
    report_keep_free_fn free_fn;
    void *arg;
    capture_outfile *file;
    FILE *out;
    tp_sink *pcap;
    char *label, *path;
    unsigned long long written;
    int err;
} keep_sink;

/* A recorded event of the pcapng kind: header, then len bytes. */
typedef struct {
    uint8_t type, dir;
    double t;
    uint32_t len;
} rec_hdr;

/* ---- the table ---- */

static kconn **slot_of(keep_sink *k, unsigned id)
{
    kconn **pp = &k->buckets[id % KEEP_BUCKETS];
    while (*pp && (*pp)->id != id)
        pp = &(*pp)->next;
    return pp;
}

static kconn *conn_get(keep_sink *k, unsigned id)
{
    pthread_mutex_lock(&k->mu);
    kconn **pp = slot_of(k, id);
    kconn *c = *pp;
    if (!c && (c = calloc(1, sizeof *c)) != NULL) {
        c->id = id;
        c->f = open_memstream(&c->buf, &c->len);
        if (c->f && !k->pcapng)
            c->inner = k->make(c->f, k->arg);
        if (!c->f || (!k->pcapng && !c->inner)) {
            if (c->f)
                fclose(c->f);
            free(c->buf);
            free(c);
            c = NULL;
        } else {
            *pp = c;
        }
    }
    pthread_mutex_unlock(&k->mu);
    return c;
}

static void conn_unlink(keep_sink *k, kconn *c)
{
    pthread_mutex_lock(&k->mu);
    kconn **pp = slot_of(k, c->id);
    if (*pp == c)
        *pp = c->next;
    pthread_mutex_unlock(&k->mu);
}

static bool conn_kept(const keep_sink *k, const kconn *c)
{
    return !k->o.failing_only || c->failing;
}

/* ---- lines ---- */

/* One piece to the output (under the lock), then rotation when due. */
static void lines_write(keep_sink *k, const char *p, size_t n)
{
    if (!n)
        return;
    if (!k->file) {
        if (fwrite(p, 1, n, k->out) != n || fflush(k->out) != 0)
            k->err = k->err ? k->err : errno;
        return;
    }
    int e = capture_outfile_write(k->file, p, n);
    if (e && !k->err)
        k->err = e;
    k->written += n;
    if (k->o.rotate_size && k->written >= k->o.rotate_size) {
        if (!capture_rotate_outfile(k->file, k->o.rotate_keep) && !k->err)
            k->err = EIO;
        k->written = 0;
    }
}

static void lines_close(keep_sink *k, kconn *c)
{
    k->free_fn(c->inner);
    fclose(c->f);
    pthread_mutex_lock(&k->mu);
    if (conn_kept(k, c))
        lines_write(k, c->buf, c->len);
    else if (c->v_end > c->v_off && c->v_end <= c->len)
        lines_write(k, c->buf + c->v_off, c->v_end - c->v_off);
    pthread_mutex_unlock(&k->mu);
    free(c->buf);
    free(c);
}

static void lines_over(kconn *c, const tp_event *ev)
{
    c->over = true;
    tp_event note = {.type = TP_EV_NOTE, .conn = ev->conn, .t = ev->t};
    note.u.note.text = "--keep/--rotate: this connection's detail was cut at 4 MiB";
    c->inner->on_event(c->inner, &note);
}

static void lines_on_event(tp_sink *self, const tp_event *ev)
{
    keep_sink *k = (keep_sink *)self;
    kconn *c = conn_get(k, ev->conn);
    if (!c)
        return;
    if (ev->type == TP_EV_VERDICT) {
        fflush(c->f);
        c->v_off = c->len;
        c->inner->on_event(c->inner, ev);
        fflush(c->f);
        c->v_end = c->len;
        c->failing = ev->u.verdict && ev->u.verdict->outcome == TP_OUTCOME_FAIL;
        return;
    }
    if (c->over && ev->type != TP_EV_CLOSE)
        return;
    c->inner->on_event(c->inner, ev);
    if (ev->type == TP_EV_CLOSE) {
        conn_unlink(k, c);
        lines_close(k, c);
        return;
    }
    fflush(c->f);
    if (c->len > REPORT_KEEP_CONN_MAX)
        lines_over(c, ev);
}

tp_sink *report_keep_lines_new(report_keep_make_fn make, report_keep_free_fn free_fn, void *arg,
                               capture_outfile *file, FILE *out, const report_keep_opts *o)
{
    keep_sink *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->o = *o;
    k->make = make;
    k->free_fn = free_fn;
    k->arg = arg;
    k->file = file;
    k->out = out;
    pthread_mutex_init(&k->mu, NULL);
    k->base.on_event = lines_on_event;
    return &k->base;
}

/* ---- pcapng ---- */

static void rec_put(kconn *c, const tp_event *ev, const void *p, size_t n)
{
    rec_hdr h = {.type = (uint8_t)ev->type, .dir = (uint8_t)ev->dir, .t = ev->t,
                 .len = (uint32_t)n};
    fwrite(&h, sizeof h, 1, c->f);
    fwrite(p, 1, n, c->f);
    c->last_t = ev->t;
}

static void copy_sa(struct sockaddr_storage *to, bool *has, const struct sockaddr *sa)
{
    if (!sa)
        return;
    size_t n = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                         : sizeof(struct sockaddr_in);
    memcpy(to, sa, n);
    *has = true;
}

/* The connection's events into the pcapng sink, in their order. */
static void pcap_replay(keep_sink *k, kconn *c)
{
    tp_event ev = {.type = TP_EV_ACCEPT, .conn = c->id};
    ev.u.accept.peer = ev.u.accept.local = "";
    ev.u.accept.peer_sa = c->has_peer ? (struct sockaddr *)&c->peer : NULL;
    ev.u.accept.local_sa = c->has_local ? (struct sockaddr *)&c->local : NULL;
    ev.u.accept.wall = c->wall;
    k->pcap->on_event(k->pcap, &ev);
    for (size_t off = 0; off + sizeof(rec_hdr) <= c->len;) {
        rec_hdr h;
        memcpy(&h, c->buf + off, sizeof h);
        off += sizeof h;
        if (h.len > c->len - off)
            break;
        tp_event e = {.type = (tp_event_type)h.type, .conn = c->id, .t = h.t, .dir = h.dir};
        char *line = NULL;
        if (e.type == TP_EV_DATA) {
            e.u.data.bytes = (const uint8_t *)c->buf + off;
            e.u.data.len = h.len;
        } else if ((line = strndup(c->buf + off, h.len)) != NULL) {
            e.u.secret.line = line;
        }
        if (e.type == TP_EV_DATA || line)
            k->pcap->on_event(k->pcap, &e);
        free(line);
        off += h.len;
    }
    tp_event close_ev = {.type = TP_EV_CLOSE, .conn = c->id, .t = c->last_t};
    k->pcap->on_event(k->pcap, &close_ev);
}

static void pcap_rotate_due(keep_sink *k)
{
    struct stat st;
    if (!k->o.rotate_size || stat(k->path, &st) != 0 ||
        (unsigned long long)st.st_size < k->o.rotate_size)
        return;
    int e = report_pcapng_sink_free(k->pcap);
    if (!e)
        e = capture_rotate_shift(k->path, k->o.rotate_keep);
    char err[512];
    k->pcap = report_pcapng_sink_new(k->label, k->path, err, sizeof err);
    if (!k->pcap)
        fprintf(stderr, "%s\n", err);
    if (e && !k->err)
        k->err = e;
}

static void pcap_close(keep_sink *k, kconn *c)
{
    fclose(c->f);
    pthread_mutex_lock(&k->mu);
    if (conn_kept(k, c) && k->pcap) {
        pcap_replay(k, c);
        pcap_rotate_due(k);
    }
    pthread_mutex_unlock(&k->mu);
    free(c->buf);
    free(c);
}

static void pcap_on_event(tp_sink *self, const tp_event *ev)
{
    keep_sink *k = (keep_sink *)self;
    kconn *c = conn_get(k, ev->conn);
    if (!c)
        return;
    switch (ev->type) {
    case TP_EV_ACCEPT:
        copy_sa(&c->peer, &c->has_peer, ev->u.accept.peer_sa);
        copy_sa(&c->local, &c->has_local, ev->u.accept.local_sa);
        c->wall = ev->u.accept.wall;
        break;
    case TP_EV_DATA:
        if (!c->over)
            rec_put(c, ev, ev->u.data.bytes, ev->u.data.len);
        fflush(c->f);
        c->over = c->len > REPORT_KEEP_CONN_MAX;
        break;
    case TP_EV_SECRET:
        if (ev->u.secret.line)
            rec_put(c, ev, ev->u.secret.line, strlen(ev->u.secret.line));
        break;
    case TP_EV_VERDICT:
        c->failing = ev->u.verdict && ev->u.verdict->outcome == TP_OUTCOME_FAIL;
        break;
    case TP_EV_CLOSE:
        c->last_t = ev->t;
        conn_unlink(k, c);
        pcap_close(k, c);
        break;
    default:
        break;
    }
}

tp_sink *report_keep_pcapng_new(const char *label, const char *path, const report_keep_opts *o,
                                char *err, size_t err_len)
{
    keep_sink *k = calloc(1, sizeof *k);
    if (!k || !(k->label = strdup(label)) || !(k->path = strdup(path))) {
        snprintf(err, err_len, "%s %s: out of memory", label, path);
        if (k)
            free(k->label);
        free(k);
        return NULL;
    }
    if (!(k->pcap = report_pcapng_sink_new(label, path, err, err_len))) {
        free(k->label);
        free(k->path);
        free(k);
        return NULL;
    }
    k->pcapng = true;
    k->o = *o;
    pthread_mutex_init(&k->mu, NULL);
    k->base.on_event = pcap_on_event;
    return &k->base;
}

/* ---- end ---- */

int report_keep_free(tp_sink *s)
{
    if (!s)
        return 0;
    keep_sink *k = (keep_sink *)s;
    for (unsigned b = 0; b < KEEP_BUCKETS; b++) {
        while (k->buckets[b]) {
            kconn *c = k->buckets[b];
            k->buckets[b] = c->next;
            c->failing = true; /* not judged yet: kept */
            if (k->pcapng)
                pcap_close(k, c);
            else
                lines_close(k, c);
        }
    }
    int e = k->err;
    if (k->pcapng) {
        int pe = report_pcapng_sink_free(k->pcap);
        e = e ? e : pe;
    }
    pthread_mutex_destroy(&k->mu);
    free(k->label);
    free(k->path);
    free(k);
    return e;
}
