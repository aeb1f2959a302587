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
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "decode_int.h"

enum { QUEUE_MSGS = 1024, QUEUE_BYTES = 4u << 20, POP_BATCH = 64, WAKE_AT = 128,
       MAX_WAITING = 256 };

typedef enum { MSG_OPEN, MSG_DATA, MSG_GAP, MSG_CLOSE, MSG_STOP } msg_kind;

typedef struct par_conn par_conn;

typedef struct par_msg par_msg;
struct par_msg {
    msg_kind kind;
    tp_dir dir;
    par_conn *pc;
    uint64_t ts;
    uint64_t seq; /* MSG_CLOSE: its place among the reader's closes */
    capture_close_reason why;
    capture_close_info info;
    size_t len;    /* MSG_DATA: bytes at data; MSG_GAP: bytes missing */
    uint8_t *data; /* MSG_DATA: right after the message, one allocation */
    par_msg *next; /* MSG_CLOSE: the worker's closes waiting for their turn */
};

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

#define NO_SEQ UINT64_MAX

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t nonempty, nonfull;
    par_msg *ring[QUEUE_MSGS];
    unsigned head, count;
    size_t bytes;
    pthread_t thread;
    par_run *run;
    par_msg stop;
    bool sleeping, reader_waiting; /* under lock */
    /* the worker's own: closes received before their turn, in seq order */
    par_msg *wait_head, *wait_tail;
    unsigned num_waiting;
    _Atomic uint64_t due; /* seq of wait_head, NO_SEQ when none */
} par_queue;

struct par_run {
    decode_ctx *ctx;
    unsigned jobs;
    par_queue *q;
    uint64_t closes_sent; /* reader */
    bool nomem;           /* reader: a message could not be allocated */
    pthread_mutex_t turn_lock;
    pthread_cond_t turn;
    _Atomic uint64_t next_close; /* the close whose turn it is */
    unsigned blocked;            /* workers waiting on turn */
};

/* ---- queues ---- */

static size_t msg_bytes(const par_msg *m)
{
    return m->kind == MSG_DATA ? m->len : 0;
}

static bool queue_full(const par_queue *q, const par_msg *m)
{
    return q->count == QUEUE_MSGS || (q->count > 0 && q->bytes + msg_bytes(m) > QUEUE_BYTES);
}

/* Wakes every sleeping worker (the reader is about to wait: whatever it
 * has queued must be worked on, or a close's turn might never come). */
static void kick_all(par_run *r)
{
    for (unsigned i = 0; i < r->jobs; i++) {
        pthread_mutex_lock(&r->q[i].lock);
        if (r->q[i].sleeping)
            pthread_cond_signal(&r->q[i].nonempty);
        pthread_mutex_unlock(&r->q[i].lock);
    }
}

/* A sleeping worker is woken once WAKE_AT messages wait (not for each:
 * a wake-up costs more than a message), at STOP and when the reader
 * would wait. */
static void queue_push(par_queue *q, par_msg *m)
{
    pthread_mutex_lock(&q->lock);
    if (queue_full(q, m)) {
        pthread_mutex_unlock(&q->lock);
        kick_all(q->run);
        pthread_mutex_lock(&q->lock);
        q->reader_waiting = true;
        while (queue_full(q, m))
            pthread_cond_wait(&q->nonfull, &q->lock);
        q->reader_waiting = false;
    }
    q->ring[(q->head + q->count) % QUEUE_MSGS] = m;
    q->count++;
    q->bytes += msg_bytes(m);
    if (q->sleeping && (q->count >= WAKE_AT || m->kind == MSG_STOP))
        pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}

static bool close_due(par_queue *q)
{
    uint64_t due = atomic_load(&q->due);
    return due != NO_SEQ && due == atomic_load(&q->run->next_close);
}

/* Up to POP_BATCH messages; 0 when woken because a waiting close is due. */
static unsigned queue_pop(par_queue *q, par_msg **out)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !close_due(q)) {
        q->sleeping = true;
        pthread_cond_wait(&q->nonempty, &q->lock);
        q->sleeping = false;
    }
    unsigned n = 0;
    for (; n < POP_BATCH && q->count > 0; n++) {
        out[n] = q->ring[q->head];
        q->head = (q->head + 1) % QUEUE_MSGS;
        q->count--;
        q->bytes -= msg_bytes(out[n]);
    }
    if (q->reader_waiting &&
        ((q->count <= QUEUE_MSGS / 2 && q->bytes <= QUEUE_BYTES / 2) || q->count == 0))
        pthread_cond_signal(&q->nonfull);
    pthread_mutex_unlock(&q->lock);
    return n;
}

/* ---- the order of the closes ---- */

/* Ends the connection (the sinks see its verdict and close), then gives
 * the turn on and wakes the worker whose close is next. */
static void end_now(par_run *r, par_msg *m)
{
    par_conn *pc = m->pc;
    if (pc->s)
        decode_session_close(pc->s, pc->t0, m->ts, m->why, &m->info);
    free(pc);
    pthread_mutex_lock(&r->turn_lock);
    uint64_t next = atomic_fetch_add(&r->next_close, 1) + 1;
    if (r->blocked)
        pthread_cond_broadcast(&r->turn);
    pthread_mutex_unlock(&r->turn_lock);
    for (unsigned i = 0; i < r->jobs; i++) {
        par_queue *o = &r->q[i];
        if (atomic_load(&o->due) == next) {
            pthread_mutex_lock(&o->lock); /* close_due is checked under it */
            pthread_cond_signal(&o->nonempty);
            pthread_mutex_unlock(&o->lock);
        }
    }
}

static void wait_turn(par_run *r, uint64_t seq)
{
    pthread_mutex_lock(&r->turn_lock);
    r->blocked++;
    while (atomic_load(&r->next_close) != seq)
        pthread_cond_wait(&r->turn, &r->turn_lock);
    r->blocked--;
    pthread_mutex_unlock(&r->turn_lock);
}

/* The waiting closes whose turn has come; with block, all of them, waiting
 * for each turn (the worker's queue is done, or too many are waiting). */
static void run_waiting(par_queue *q, bool block)
{
    while (q->wait_head && (block || close_due(q))) {
        par_msg *m = q->wait_head;
        if (block)
            wait_turn(q->run, m->seq);
        q->wait_head = m->next;
        if (!q->wait_head)
            q->wait_tail = NULL;
        q->num_waiting--;
        atomic_store(&q->due, q->wait_head ? q->wait_head->seq : NO_SEQ);
        end_now(q->run, m);
    }
}

/* A close: at once when it is its turn, else it waits (bounded) while the
 * worker goes on with its other connections. */
static void close_in_turn(par_queue *q, par_msg *m)
{
    if (!q->wait_head && m->seq == atomic_load(&q->run->next_close)) {
        end_now(q->run, m);
        return;
    }
    m->next = NULL;
    if (q->wait_tail)
        q->wait_tail->next = m;
    else
        q->wait_head = m;
    q->wait_tail = m;
    q->num_waiting++;
    atomic_store(&q->due, q->wait_head->seq);
    run_waiting(q, q->num_waiting >= MAX_WAITING);
}

/* ---- workers ---- */

/* false at MSG_STOP */
static bool worker_handle(par_queue *q, par_msg *m)
{
    par_conn *pc = m->pc;
    switch (m->kind) {
    case MSG_OPEN:
        pc->s = decode_session_new(q->run->ctx, pc->conn, (struct sockaddr *)&pc->client,
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
        close_in_turn(q, m);
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
        run_waiting(q, false);
        unsigned n = queue_pop(q, batch);
        for (unsigned i = 0; i < n; i++)
            if (!worker_handle(q, batch[i])) {
                run_waiting(q, true); /* STOP is the last message */
                return NULL;
            }
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
        atomic_init(&q->due, NO_SEQ);
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

decode_par *decode_par_new(decode_ctx *ctx, capture_tcp_callbacks *cb)
{
    par_run *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->ctx = ctx;
    r->jobs = ctx->p->jobs;
    atomic_init(&r->next_close, 0);
    r->q = calloc(r->jobs, sizeof *r->q);
    if (!r->q) {
        free(r);
        return NULL;
    }
    pthread_mutex_init(&r->turn_lock, NULL);
    pthread_cond_init(&r->turn, NULL);
    unsigned started = start_workers(r);
    if (started < r->jobs) {
        stop_workers(r, started);
        r->jobs = 0;
        (void)decode_par_end(r);
        return NULL;
    }
    *cb = (capture_tcp_callbacks){par_open, par_data, par_gap, par_close};
    return r;
}

bool decode_par_end(decode_par *r)
{
    stop_workers(r, r->jobs);
    pthread_cond_destroy(&r->turn);
    pthread_mutex_destroy(&r->turn_lock);
    bool ok = !r->nomem;
    free(r->q);
    free(r);
    return ok;
}
