/* The decode driver with sessions on worker threads (decode.h, jobs > 1).
 *
 * The calling thread is the reader: it reads the packets, reassembles TCP
 * (one capture_tcp table, as in one pass) and numbers the connections in
 * the order they open, exactly as one pass does.  Each connection is dealt
 * to worker (number % jobs); its opening, bytes, gaps and close go to that
 * worker as messages on a bounded queue (count and bytes), so memory still
 * follows the open connections.  The workers run the sessions (record
 * parsing, key schedule, record checks: the costly part).
 *
 * Order: a worker ends a connection (verdict, close events) only when every
 * connection the reader closed before it has ended: the sinks see verdicts
 * and closes in the order of one pass, so what they build (the fleet
 * grouping, its examples and typical verdicts) is the same.  The smallest
 * close not yet done is always at the head of some worker's path (every
 * earlier message of that worker was sent before it), so this cannot
 * deadlock. */
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "decode_int.h"

enum { QUEUE_MSGS = 1024, QUEUE_BYTES = 4u << 20, POP_BATCH = 64 };

typedef enum { MSG_OPEN, MSG_DATA, MSG_GAP, MSG_CLOSE, MSG_STOP } msg_kind;

typedef struct par_conn par_conn;

typedef struct {
    msg_kind kind;
    tp_dir dir;
    par_conn *pc;
    uint64_t ts;
    uint64_t seq; /* MSG_CLOSE: its place among the reader's closes */
    capture_close_reason why;
    capture_close_info info;
    size_t len;    /* MSG_DATA: bytes at data; MSG_GAP: bytes missing */
    uint8_t *data; /* MSG_DATA: right after the message, one allocation */
} par_msg;

/* One connection: written by the reader before its open message is sent,
 * then the worker's (s); freed by the worker after the close. */
struct par_conn {
    tp_session *s;
    uint64_t t0;
    unsigned conn, worker;
    struct sockaddr_storage client, server;
    par_msg open_msg, close_msg; /* sent without allocating */
};

typedef struct par_run par_run;

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t nonempty, nonfull;
    par_msg *ring[QUEUE_MSGS];
    unsigned head, count;
    size_t bytes;
    pthread_t thread;
    par_run *run;
    par_msg stop;
} par_queue;

struct par_run {
    decode_ctx *ctx;
    unsigned jobs;
    par_queue *q;
    uint64_t closes_sent; /* reader */
    bool nomem;           /* reader: a message could not be allocated */
    pthread_mutex_t turn_lock;
    pthread_cond_t turn;
    uint64_t next_close; /* the close whose turn it is */
    unsigned waiting;
};

/* ---- queues ---- */

static size_t msg_bytes(const par_msg *m)
{
    return m->kind == MSG_DATA ? m->len : 0;
}

static void queue_push(par_queue *q, par_msg *m)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == QUEUE_MSGS || (q->count > 0 && q->bytes + msg_bytes(m) > QUEUE_BYTES))
        pthread_cond_wait(&q->nonfull, &q->lock);
    q->ring[(q->head + q->count) % QUEUE_MSGS] = m;
    q->count++;
    q->bytes += msg_bytes(m);
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}

static unsigned queue_pop(par_queue *q, par_msg **out)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == 0)
        pthread_cond_wait(&q->nonempty, &q->lock);
    unsigned n = 0;
    for (; n < POP_BATCH && q->count > 0; n++) {
        out[n] = q->ring[q->head];
        q->head = (q->head + 1) % QUEUE_MSGS;
        q->count--;
        q->bytes -= msg_bytes(out[n]);
    }
    pthread_cond_signal(&q->nonfull);
    pthread_mutex_unlock(&q->lock);
    return n;
}

/* ---- workers ---- */

static void end_in_turn(par_run *r, par_conn *pc, const par_msg *m)
{
    pthread_mutex_lock(&r->turn_lock);
    while (r->next_close != m->seq) {
        r->waiting++;
        pthread_cond_wait(&r->turn, &r->turn_lock);
        r->waiting--;
    }
    pthread_mutex_unlock(&r->turn_lock);
    if (pc->s)
        decode_session_close(pc->s, pc->t0, m->ts, m->why, &m->info);
    pthread_mutex_lock(&r->turn_lock);
    r->next_close++;
    if (r->waiting)
        pthread_cond_broadcast(&r->turn);
    pthread_mutex_unlock(&r->turn_lock);
    free(pc);
}

/* false at MSG_STOP */
static bool worker_handle(par_run *r, par_msg *m)
{
    par_conn *pc = m->pc;
    switch (m->kind) {
    case MSG_OPEN:
        pc->s = decode_session_new(r->ctx, pc->conn, (struct sockaddr *)&pc->client,
                                   (struct sockaddr *)&pc->server, pc->t0);
        return true;
    case MSG_DATA:
        if (pc->s)
            tp_session_feed(pc->s, m->dir, decode_rel_t(pc->t0, m->ts), m->data, m->len);
        free(m);
        return true;
    case MSG_GAP:
        if (pc->s)
            tp_session_gap(pc->s, m->dir, decode_rel_t(pc->t0, m->ts), m->len);
        free(m);
        return true;
    case MSG_CLOSE:
        end_in_turn(r, pc, m);
        return true;
    case MSG_STOP:
        break;
    }
    return false;
}

static void *worker_main(void *arg)
{
    par_queue *q = arg;
    par_msg *batch[POP_BATCH];
    for (;;) {
        unsigned n = queue_pop(q, batch);
        for (unsigned i = 0; i < n; i++)
            if (!worker_handle(q->run, batch[i]))
                return NULL; /* STOP is the last message */
    }
}

/* ---- the reader's TCP callbacks ---- */

static void copy_addr(struct sockaddr_storage *to, const struct sockaddr *from)
{
    size_t n = from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                           : sizeof(struct sockaddr_in);
    memcpy(to, from, n);
}

static void *par_open(void *vr, const struct sockaddr *client, const struct sockaddr *server,
                      uint64_t ts)
{
    par_run *r = vr;
    par_conn *pc = calloc(1, sizeof *pc);
    if (!pc)
        return NULL;
    pc->conn = ++r->ctx->next_conn;
    pc->worker = pc->conn % r->jobs;
    pc->t0 = ts;
    copy_addr(&pc->client, client);
    copy_addr(&pc->server, server);
    pc->open_msg = (par_msg){.kind = MSG_OPEN, .pc = pc, .ts = ts};
    r->ctx->sessions++;
    queue_push(&r->q[pc->worker], &pc->open_msg);
    return pc;
}

static void par_bytes(par_run *r, par_conn *pc, msg_kind kind, tp_dir dir, uint64_t ts,
                      const uint8_t *data, size_t len)
{
    par_msg *m = malloc(sizeof *m + (data ? len : 0));
    if (!m) {
        r->nomem = true;
        return;
    }
    *m = (par_msg){.kind = kind, .dir = dir, .pc = pc, .ts = ts, .len = len};
    if (data) {
        m->data = (uint8_t *)(m + 1);
        memcpy(m->data, data, len);
    }
    queue_push(&r->q[pc->worker], m);
}

static void par_data(void *vr, void *conn, tp_dir dir, uint64_t ts, const uint8_t *data,
                     size_t len)
{
    par_bytes(vr, conn, MSG_DATA, dir, ts, data, len);
}

static void par_gap(void *vr, void *conn, tp_dir dir, uint64_t ts, size_t len)
{
    par_bytes(vr, conn, MSG_GAP, dir, ts, NULL, len);
}

static void par_close(void *vr, void *conn, uint64_t ts, capture_close_reason why,
                      const capture_close_info *info)
{
    par_run *r = vr;
    par_conn *pc = conn;
    pc->close_msg = (par_msg){.kind = MSG_CLOSE, .pc = pc, .ts = ts, .seq = r->closes_sent++,
                              .why = why, .info = *info};
    queue_push(&r->q[pc->worker], &pc->close_msg); /* pc is the worker's from here */
}

/* ---- running ---- */

static unsigned start_workers(par_run *r)
{
    unsigned started = 0;
    for (; started < r->jobs; started++) {
        par_queue *q = &r->q[started];
        q->run = r;
        q->stop.kind = MSG_STOP;
        pthread_mutex_init(&q->lock, NULL);
        pthread_cond_init(&q->nonempty, NULL);
        pthread_cond_init(&q->nonfull, NULL);
        if (pthread_create(&q->thread, NULL, worker_main, q) != 0)
            break;
    }
    return started;
}

static void stop_workers(par_run *r, unsigned started)
{
    for (unsigned i = 0; i < started; i++)
        queue_push(&r->q[i], &r->q[i].stop);
    for (unsigned i = 0; i < started; i++) {
        pthread_join(r->q[i].thread, NULL);
        pthread_mutex_destroy(&r->q[i].lock);
        pthread_cond_destroy(&r->q[i].nonempty);
        pthread_cond_destroy(&r->q[i].nonfull);
    }
}

bool decode_run_parallel(tp_decode *d, decode_ctx *ctx, tp_decode_counts *n)
{
    par_run r = {.ctx = ctx, .jobs = ctx->p->jobs};
    r.q = calloc(r.jobs, sizeof *r.q);
    capture_tcp_callbacks cb = {par_open, par_data, par_gap, par_close};
    capture_tcp *tcp = r.q ? capture_tcp_new(&cb, &r, NULL) : NULL;
    if (!tcp) {
        free(r.q);
        return false;
    }
    pthread_mutex_init(&r.turn_lock, NULL);
    pthread_cond_init(&r.turn, NULL);
    unsigned started = start_workers(&r);
    if (started == r.jobs)
        decode_read_packets(d, ctx->p, n, tcp);
    else
        r.nomem = true; /* no thread: nothing was read */
    stop_workers(&r, started);
    capture_tcp_free(tcp);
    pthread_cond_destroy(&r.turn);
    pthread_mutex_destroy(&r.turn_lock);
    free(r.q);
    n->sessions = ctx->sessions;
    return !r.nomem;
}
