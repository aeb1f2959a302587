/* TCP reassembly.  Sequence arithmetic is modulo 2^32 (RFC 9293 3.4): the
 * signed difference of two sequence numbers orders them. */
#include "tcp.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NUM_BUCKETS 16384u
#define MAX_TOMBSTONES 1024u

typedef struct ooo_seg {
    struct ooo_seg *next;
    uint32_t seq;
    uint32_t len;
    uint8_t data[];
} ooo_seg;

typedef struct {
    bool seq_known; /* next_seq is valid */
    bool syn_seen;
    bool fin_seen;
    bool finished; /* FIN reached in order (or forced at the end) */
    uint32_t isn;
    uint32_t next_seq; /* next byte to deliver */
    uint32_t fin_seq;  /* sequence number of the FIN */
    ooo_seg *ooo;      /* held segments, ascending seq */
    size_t ooo_bytes;
    size_t ooo_count;
} half;

typedef struct conn {
    struct conn *hnext;       /* hash chain */
    struct conn *prev, *next; /* live list (most recent first) or tombstone FIFO */
    uint8_t ipv;
    uint8_t caddr[16], saddr[16]; /* client, server */
    uint16_t cport, sport;
    bool closed; /* tombstone: ignore until a new SYN */
    capture_close_info close;
    void *user;  /* NULL: ignored connection */
    half h[2];   /* by tp_dir */
} conn;

typedef struct {
    conn *head, *tail;
    size_t count;
} conn_list;

struct capture_tcp {
    capture_tcp_callbacks cb;
    void *ctx;
    capture_tcp_limits lim;
    capture_tcp_stats stats;
    conn *buckets[NUM_BUCKETS];
    conn_list live; /* most recently active first */
    conn_list dead; /* tombstones, oldest first */
    conn *last;     /* lookup cache */
    size_t ooo_total;
    uint64_t now;
};

/* ---- lists and hashing ---- */

static void list_unlink(conn_list *l, conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        l->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        l->tail = c->prev;
    c->prev = c->next = NULL;
    l->count--;
}

static void list_push_front(conn_list *l, conn *c)
{
    c->prev = NULL;
    c->next = l->head;
    if (l->head)
        l->head->prev = c;
    else
        l->tail = c;
    l->head = c;
    l->count++;
}

static void list_push_back(conn_list *l, conn *c)
{
    c->next = NULL;
    c->prev = l->tail;
    if (l->tail)
        l->tail->next = c;
    else
        l->head = c;
    l->tail = c;
    l->count++;
}

static uint32_t endpoint_hash(const uint8_t *addr, uint16_t port)
{
    /* FNV-1a over the address and port */
    uint32_t h = 2166136261u;
    for (int i = 0; i < 16; i++)
        h = (h ^ addr[i]) * 16777619u;
    h = (h ^ (port & 0xff)) * 16777619u;
    h = (h ^ (port >> 8)) * 16777619u;
    return h;
}

/* Symmetric in the two endpoints, so both directions land in one bucket. */
static uint32_t tuple_hash(uint8_t ipv, const uint8_t *a, uint16_t ap, const uint8_t *b,
                           uint16_t bp)
{
    uint32_t h = endpoint_hash(a, ap) ^ endpoint_hash(b, bp) ^ ipv;
    h ^= h >> 15;
    h *= 0x2c1b3c6dU;
    h ^= h >> 12;
    return h & (NUM_BUCKETS - 1);
}

/* *out_dir tells which way the segment goes; NULL when unknown. */
static int conn_match(const conn *c, const capture_segment *s)
{
    if (c->ipv != s->ip_version)
        return -1;
    if (c->cport == s->sport && c->sport == s->dport && memcmp(c->caddr, s->src, 16) == 0 &&
        memcmp(c->saddr, s->dst, 16) == 0)
        return TP_C2S;
    if (c->sport == s->sport && c->cport == s->dport && memcmp(c->saddr, s->src, 16) == 0 &&
        memcmp(c->caddr, s->dst, 16) == 0)
        return TP_S2C;
    return -1;
}

static conn *conn_find(capture_tcp *t, const capture_segment *s, uint32_t bucket, int *out_dir)
{
    if (t->last) {
        int d = conn_match(t->last, s);
        if (d >= 0) {
            *out_dir = d;
            return t->last;
        }
    }
    for (conn *c = t->buckets[bucket]; c; c = c->hnext) {
        int d = conn_match(c, s);
        if (d >= 0) {
            *out_dir = d;
            t->last = c;
            return c;
        }
    }
    return NULL;
}

static void hash_remove(capture_tcp *t, conn *c)
{
    uint32_t b = tuple_hash(c->ipv, c->caddr, c->cport, c->saddr, c->sport);
    for (conn **pp = &t->buckets[b]; *pp; pp = &(*pp)->hnext) {
        if (*pp == c) {
            *pp = c->hnext;
            break;
        }
    }
    if (t->last == c)
        t->last = NULL;
}

/* ---- half-connection delivery ---- */

static void half_free_ooo(capture_tcp *t, half *h)
{
    ooo_seg *s = h->ooo;
    while (s) {
        ooo_seg *n = s->next;
        free(s);
        s = n;
    }
    t->ooo_total -= h->ooo_bytes;
    h->ooo = NULL;
    h->ooo_bytes = 0;
    h->ooo_count = 0;
}

static void deliver(capture_tcp *t, conn *c, tp_dir d, const uint8_t *data, size_t len)
{
    half *h = &c->h[d];
    h->next_seq += (uint32_t)len;
    t->stats.bytes += len;
    if (c->user && t->cb.on_data)
        t->cb.on_data(t->ctx, c->user, d, t->now, data, len);
}

static void gap(capture_tcp *t, conn *c, tp_dir d, uint32_t len)
{
    half *h = &c->h[d];
    h->next_seq += len;
    t->stats.gap_bytes += len;
    if (c->user && t->cb.on_gap)
        t->cb.on_gap(t->ctx, c->user, d, t->now, len);
}

static void check_fin(half *h)
{
    if (h->fin_seen && !h->finished && h->next_seq == h->fin_seq) {
        h->finished = true;
        h->next_seq++; /* the FIN occupies one sequence number */
    }
}

/* Delivers the bytes of a segment at `seq` that are new to the stream
 * (retransmitted / overlapping bytes are counted and dropped). */
static void deliver_from(capture_tcp *t, conn *c, tp_dir d, uint32_t seq, const uint8_t *data,
                         size_t len)
{
    half *h = &c->h[d];
    int32_t diff = (int32_t)(seq - h->next_seq);
    if (diff > 0 || h->finished)
        return;
    size_t skip = (size_t)(-(int64_t)diff);
    if (skip >= len) {
        t->stats.retransmitted += len;
        return;
    }
    t->stats.retransmitted += skip;
    /* data past the FIN is not part of the stream */
    size_t n = len - skip;
    if (h->fin_seen) {
        int32_t room = (int32_t)(h->fin_seq - h->next_seq);
        if (room <= 0)
            return;
        if ((size_t)room < n)
            n = (size_t)room;
    }
    deliver(t, c, d, data + skip, n);
}

/* Delivers held segments that have become contiguous. */
static void drain(capture_tcp *t, conn *c, tp_dir d)
{
    half *h = &c->h[d];
    while (h->ooo && (int32_t)(h->ooo->seq - h->next_seq) <= 0) {
        ooo_seg *s = h->ooo;
        h->ooo = s->next;
        h->ooo_bytes -= s->len;
        h->ooo_count--;
        t->ooo_total -= s->len;
        deliver_from(t, c, d, s->seq, s->data, s->len);
        free(s);
    }
    check_fin(h);
}

/* Moves the stream up to `target`: held bytes before it are delivered, the
 * rest is reported missing. */
static void advance_to(capture_tcp *t, conn *c, tp_dir d, uint32_t target)
{
    half *h = &c->h[d];
    if (h->fin_seen && (int32_t)(target - h->fin_seq) > 0)
        target = h->fin_seq;
    while (!h->finished && (int32_t)(target - h->next_seq) > 0) {
        uint32_t upto = target;
        if (h->ooo && (int32_t)(h->ooo->seq - upto) < 0)
            upto = h->ooo->seq;
        if ((int32_t)(upto - h->next_seq) > 0)
            gap(t, c, d, upto - h->next_seq);
        drain(t, c, d);
    }
    check_fin(h);
}

/* Reports the hole before the first held segment and delivers what follows
 * it.  False when nothing moved (the loops calling this must stop then). */
static bool give_up_first_hole(capture_tcp *t, conn *c, tp_dir d)
{
    half *h = &c->h[d];
    uint32_t before = h->next_seq;
    size_t held = h->ooo_count;
    advance_to(t, c, d, h->ooo->seq);
    drain(t, c, d);
    return h->next_seq != before || h->ooo_count != held;
}

/* Everything held is delivered with the holes before it reported. */
static void flush_half(capture_tcp *t, conn *c, tp_dir d)
{
    half *h = &c->h[d];
    if (!h->seq_known)
        return;
    while (h->ooo && !h->finished)
        if (!give_up_first_hole(t, c, d))
            break;
    if (h->fin_seen && !h->finished)
        advance_to(t, c, d, h->fin_seq);
    half_free_ooo(t, h);
}

static void hold(capture_tcp *t, conn *c, tp_dir d, uint32_t seq, const uint8_t *data,
                 size_t len)
{
    half *h = &c->h[d];
    /* make room: give up on the hole before the oldest held data */
    while (h->ooo && !h->finished &&
           (h->ooo_count >= t->lim.max_ooo_segments || h->ooo_bytes + len > t->lim.max_ooo_bytes ||
            t->ooo_total + len > t->lim.max_total_ooo_bytes))
        if (!give_up_first_hole(t, c, d))
            break;
    if (h->finished)
        return;
    int32_t diff = (int32_t)(seq - h->next_seq);
    if (diff <= 0 || len > t->lim.max_ooo_bytes ||
        t->ooo_total + len > t->lim.max_total_ooo_bytes) {
        /* still no room: report the hole and deliver now */
        advance_to(t, c, d, seq);
        deliver_from(t, c, d, seq, data, len);
        drain(t, c, d);
        return;
    }
    ooo_seg **pp = &h->ooo;
    while (*pp && (int32_t)((*pp)->seq - seq) < 0)
        pp = &(*pp)->next;
    if (*pp && (*pp)->seq == seq && (*pp)->len >= len) {
        t->stats.retransmitted += len;
        return;
    }
    ooo_seg *s = malloc(sizeof *s + len);
    if (!s) {
        advance_to(t, c, d, seq);
        deliver_from(t, c, d, seq, data, len);
        drain(t, c, d);
        return;
    }
    s->seq = seq;
    s->len = (uint32_t)len;
    memcpy(s->data, data, len);
    s->next = *pp;
    *pp = s;
    h->ooo_bytes += len;
    h->ooo_count++;
    t->ooo_total += len;
    t->stats.ooo_segments++;
}

/* ---- connection lifetime ---- */

static void conn_close(capture_tcp *t, conn *c, capture_close_reason why)
{
    half_free_ooo(t, &c->h[0]);
    half_free_ooo(t, &c->h[1]);
    c->close.syn_seen = c->h[TP_C2S].syn_seen;
    if (c->user && t->cb.on_close)
        t->cb.on_close(t->ctx, c->user, t->now, why, &c->close);
    c->user = NULL;
    c->closed = true;
    list_unlink(&t->live, c);
    /* keep a tombstone so late ACKs / retransmissions do not open a new
     * connection; the oldest tombstones go first */
    list_push_back(&t->dead, c);
    while (t->dead.count > MAX_TOMBSTONES) {
        conn *old = t->dead.head;
        list_unlink(&t->dead, old);
        hash_remove(t, old);
        free(old);
    }
}

static void conn_end(capture_tcp *t, conn *c, capture_close_reason why)
{
    flush_half(t, c, TP_C2S);
    flush_half(t, c, TP_S2C);
    conn_close(t, c, why);
}

static bool is_server_port(uint16_t p)
{
    static const uint16_t ports[] = {443,  465,  563,  636,  853,  989,  990,  992,  993,  994, 995,
                                     2083, 2087, 3269, 4433, 5061, 5556, 5986, 8443, 8883, 9443};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (ports[i] == p)
            return true;
    return false;
}

/* True when the sender of the first segment seen is the client. */
static bool sender_is_client(const capture_segment *s)
{
    if (s->flags & CAPTURE_TCP_SYN)
        return !(s->flags & CAPTURE_TCP_ACK);
    bool src_srv = is_server_port(s->sport), dst_srv = is_server_port(s->dport);
    if (src_srv != dst_srv)
        return dst_srv;
    bool src_low = s->sport < 1024, dst_low = s->dport < 1024;
    if (src_low != dst_low)
        return dst_low;
    return true;
}

static void fill_sockaddr(struct sockaddr_storage *ss, uint8_t ipv, const uint8_t *addr,
                          uint16_t port)
{
    memset(ss, 0, sizeof *ss);
    if (ipv == 4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        memcpy(&sin->sin_addr, addr, 4);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        memcpy(&sin6->sin6_addr, addr, 16);
    }
}

static conn *conn_open(capture_tcp *t, const capture_segment *s, uint32_t bucket, int *out_dir)
{
    if (t->live.count >= t->lim.max_conns && t->live.tail) {
        t->stats.conns_evicted++;
        conn_end(t, t->live.tail, CAPTURE_CLOSE_LIMIT);
    }
    conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->close.first_close_dir = -1;
    c->ipv = s->ip_version;
    bool client = sender_is_client(s);
    memcpy(client ? c->caddr : c->saddr, s->src, 16);
    memcpy(client ? c->saddr : c->caddr, s->dst, 16);
    c->cport = client ? s->sport : s->dport;
    c->sport = client ? s->dport : s->sport;
    *out_dir = client ? TP_C2S : TP_S2C;
    c->hnext = t->buckets[bucket];
    t->buckets[bucket] = c;
    list_push_front(&t->live, c);
    t->last = c;
    t->stats.conns++;

    struct sockaddr_storage ca, sa;
    fill_sockaddr(&ca, c->ipv, c->caddr, c->cport);
    fill_sockaddr(&sa, c->ipv, c->saddr, c->sport);
    c->user = t->cb.on_open
                  ? t->cb.on_open(t->ctx, (struct sockaddr *)&ca, (struct sockaddr *)&sa, t->now)
                  : NULL;
    return c;
}

/* The first FIN or RST of the connection: who closed first. */
static void note_close(conn *c, tp_dir d, bool rst)
{
    if (c->close.first_close_dir >= 0)
        return;
    c->close.first_close_dir = (int)d;
    c->close.first_close_rst = rst;
}

static void segment_process(capture_tcp *t, conn *c, tp_dir d, const capture_segment *s)
{
    half *h = &c->h[d];
    half *o = &c->h[!d];
    uint32_t seq = s->seq;

    if (s->flags & CAPTURE_TCP_RST) {
        note_close(c, d, true);
        /* RFC 9293 3.5.2: a RST to a SYN, no SYN-ACK: nothing listens there */
        c->close.refused = d == TP_S2C && c->close.first_close_dir == (int)d &&
                           c->h[TP_C2S].syn_seen && !h->syn_seen && !h->seq_known;
        conn_end(t, c, CAPTURE_CLOSE_RST);
        return;
    }
    if (s->flags & CAPTURE_TCP_SYN) {
        if (!h->syn_seen) {
            h->syn_seen = true;
            h->isn = seq;
            if (!h->seq_known) {
                h->seq_known = true;
                h->next_seq = seq + 1;
            }
        }
        seq++; /* SYN occupies one sequence number; any payload follows it */
    }
    /* The peer acknowledged bytes of the other direction that were never
     * seen: they are missing from the capture (RFC 9293 3.4). */
    if ((s->flags & CAPTURE_TCP_ACK) && o->seq_known && !o->finished &&
        (int32_t)(s->ack - o->next_seq) > 0)
        advance_to(t, c, (tp_dir)!d, s->ack);

    bool fin = (s->flags & CAPTURE_TCP_FIN) != 0;
    if (s->payload_len > 0 || fin) {
        if (!h->seq_known) {
            h->seq_known = true;
            h->next_seq = seq;
        }
        /* a FIN behind bytes already delivered cannot be right: ignore it */
        if (fin && !h->fin_seen && (int32_t)(seq + (uint32_t)s->payload_len - h->next_seq) >= 0) {
            note_close(c, d, false);
            h->fin_seen = true;
            h->fin_seq = seq + (uint32_t)s->payload_len;
        }
        if (s->payload_len > 0 && !h->finished) {
            if ((int32_t)(seq - h->next_seq) <= 0)
                deliver_from(t, c, d, seq, s->payload, s->payload_len);
            else
                hold(t, c, d, seq, s->payload, s->payload_len);
        }
        drain(t, c, d);
    }
    if (c->h[0].finished && c->h[1].finished)
        conn_end(t, c, CAPTURE_CLOSE_FIN);
}

capture_tcp *capture_tcp_new(const capture_tcp_callbacks *cb, void *ctx,
                             const capture_tcp_limits *lim)
{
    capture_tcp *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (cb)
        t->cb = *cb;
    t->ctx = ctx;
    if (lim)
        t->lim = *lim;
    if (!t->lim.max_conns)
        t->lim.max_conns = 65536;
    if (!t->lim.max_ooo_bytes)
        t->lim.max_ooo_bytes = 4u << 20;
    if (!t->lim.max_ooo_segments)
        t->lim.max_ooo_segments = 4096;
    if (!t->lim.max_total_ooo_bytes)
        t->lim.max_total_ooo_bytes = 256u << 20;
    return t;
}

void capture_tcp_add(capture_tcp *t, uint64_t ts_ns, const capture_segment *s)
{
    int dir = 0;
    t->now = ts_ns;
    t->stats.segments++;
    if (s->ip_version != 4 && s->ip_version != 6)
        return;
    uint32_t b = tuple_hash(s->ip_version, s->src, s->sport, s->dst, s->dport);
    conn *c = conn_find(t, s, b, &dir);
    bool syn_only =
        (s->flags & (CAPTURE_TCP_SYN | CAPTURE_TCP_ACK | CAPTURE_TCP_RST)) == CAPTURE_TCP_SYN;
    if (c && c->closed) {
        if (!syn_only)
            return; /* late packet of a finished connection */
        list_unlink(&t->dead, c);
        hash_remove(t, c);
        free(c);
        c = NULL;
    } else if (c && syn_only && c->h[dir].syn_seen && c->h[dir].isn != s->seq) {
        /* a fresh SYN with another ISN: the old connection is gone */
        conn_end(t, c, CAPTURE_CLOSE_REUSED);
        list_unlink(&t->dead, c);
        hash_remove(t, c);
        free(c);
        c = NULL;
    }
    if (!c) {
        /* only a SYN or data opens a connection: stray ACKs/RSTs do not */
        if (!(s->flags & CAPTURE_TCP_SYN) && s->payload_len == 0)
            return;
        if (s->flags & CAPTURE_TCP_RST)
            return;
        c = conn_open(t, s, b, &dir);
        if (!c)
            return;
    } else if (t->live.head != c) {
        list_unlink(&t->live, c);
        list_push_front(&t->live, c);
    }
    segment_process(t, c, (tp_dir)dir, s);
}

void capture_tcp_finish(capture_tcp *t, uint64_t ts_ns)
{
    if (!t)
        return;
    t->now = ts_ns;
    /* least recently active first */
    while (t->live.tail)
        conn_end(t, t->live.tail, CAPTURE_CLOSE_END);
}

const capture_tcp_stats *capture_tcp_get_stats(const capture_tcp *t)
{
    return &t->stats;
}

void capture_tcp_free(capture_tcp *t)
{
    if (!t)
        return;
    conn_list *lists[2] = {&t->live, &t->dead};
    for (int i = 0; i < 2; i++) {
        conn *c = lists[i]->head;
        while (c) {
            conn *n = c->next;
            half_free_ooo(t, &c->h[0]);
            half_free_ooo(t, &c->h[1]);
            free(c);
            c = n;
        }
    }
    free(t);
}
