/* capture/: pcap and pcapng reading, link layers, TCP reassembly, the
 * pcapng writer and the pcapng sink. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/outfile.h"
#include "capture/packet.h"
#include "capture/pcap_read.h"
#include "capture/pcapng_write.h"
#include "capture/tcp.h"
#include "report/pcapng_sink.h"

/* ---- helpers: files and buffers ---- */

typedef struct {
    uint8_t *p;
    size_t len, cap;
} buf_t;

static void buf_put(buf_t *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_u16(buf_t *b, bool be, uint16_t v)
{
    uint8_t x[2] = {be ? v >> 8 : v & 0xff, be ? v & 0xff : v >> 8};
    buf_put(b, x, 2);
}

static void buf_u32(buf_t *b, bool be, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
    buf_put(b, x, 4);
}

static uint8_t *file_slurp(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf_t b = {0};
    uint8_t tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_put(&b, tmp, n);
    fclose(f);
    *out_len = b.len;
    return b.p ? b.p : calloc(1, 1);
}

static char *data_path(const char *env, const char *rel)
{
    static char path[1024];
    const char *base = getenv(env);
    if (!base)
        base = "tests/data";
    snprintf(path, sizeof path, "%s/%s", base, rel);
    return path;
}

/* ---- helpers: a collector for reassembly callbacks ---- */

#define COL_MAX 128

typedef struct {
    int opened;
    int closes;
    capture_close_reason why;
    capture_close_info info;
    struct sockaddr_storage client, server;
    buf_t data[2];
    size_t gap_bytes[2];
    int num_gaps[2];
    uint64_t open_ts;
    size_t secrets_at_open; /* DSB bytes read before the connection's first packet */
} col_conn;

typedef struct {
    col_conn c[COL_MAX];
    int n;
    buf_t secrets;
    uint64_t packets_before_secrets; /* packets seen when the first DSB came */
    bool have_secrets;
    uint64_t packets, tcp;
} collector;

static void *col_open(void *ctx, const struct sockaddr *client, const struct sockaddr *server,
                      uint64_t ts)
{
    collector *col = ctx;
    if (col->n == COL_MAX)
        return NULL;
    col_conn *c = &col->c[col->n++];
    c->opened = 1;
    memcpy(&c->client, client,
           client->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
    memcpy(&c->server, server,
           server->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
    c->open_ts = ts;
    c->secrets_at_open = col->secrets.len;
    return c;
}

static void col_data(void *ctx, void *conn, tp_dir dir, uint64_t ts, const uint8_t *d,
                     size_t len)
{
    (void)ctx, (void)ts;
    col_conn *c = conn;
    assert_int_equal(c->closes, 0);
    buf_put(&c->data[dir], d, len);
}

static void col_gap(void *ctx, void *conn, tp_dir dir, uint64_t ts, size_t len)
{
    (void)ctx, (void)ts;
    col_conn *c = conn;
    c->gap_bytes[dir] += len;
    c->num_gaps[dir]++;
}

static void col_close(void *ctx, void *conn, uint64_t ts, capture_close_reason why,
                      const capture_close_info *info)
{
    (void)ctx, (void)ts;
    col_conn *c = conn;
    c->closes++;
    c->why = why;
    c->info = *info;
}

static const capture_tcp_callbacks col_cb = {col_open, col_data, col_gap, col_close};

static void col_free(collector *col)
{
    for (int i = 0; i < col->n; i++) {
        free(col->c[i].data[0].p);
        free(col->c[i].data[1].p);
    }
    free(col->secrets.p);
    free(col);
}

/* Reader -> decoder -> reassembly over a whole buffer.  Returns the last
 * reader result (END or ERROR). */
static capture_item_kind run_capture(const uint8_t *data, size_t len, collector *col,
                                     tp_status *out_status)
{
    capture_reader r;
    capture_item it;
    capture_item_kind k = CAPTURE_ITEM_ERROR;
    tp_status st = capture_reader_init(&r, data, len);
    if (out_status)
        *out_status = st;
    if (st != TP_OK)
        return CAPTURE_ITEM_ERROR;
    capture_tcp *t = capture_tcp_new(&col_cb, col, NULL);
    assert_non_null(t);
    uint64_t last = 0;
    while ((k = capture_reader_next(&r, &it)) == CAPTURE_ITEM_PACKET || k == CAPTURE_ITEM_SECRETS) {
        if (k == CAPTURE_ITEM_SECRETS) {
            if (!col->have_secrets)
                col->packets_before_secrets = col->packets;
            col->have_secrets = true;
            buf_put(&col->secrets, it.secrets.data, it.secrets.len);
            continue;
        }
        capture_segment seg;
        col->packets++;
        last = it.packet.ts_ns;
        if (capture_packet_decode(it.packet.linktype, it.packet.data, it.packet.caplen, &seg) ==
            CAPTURE_DEC_TCP) {
            col->tcp++;
            capture_tcp_add(t, it.packet.ts_ns, &seg);
        }
    }
    capture_tcp_finish(t, last);
    capture_tcp_free(t);
    if (out_status)
        *out_status = r.status;
    return k;
}

/* ---- helpers: a reference flow written with the writer ---- */

#define C2S_LEN 1000
#define S2C_LEN 40000 /* three segments at the default 16 KiB */

static uint8_t c2s_ref[C2S_LEN], s2c_ref[S2C_LEN];

static void refs_init(void)
{
    for (size_t i = 0; i < C2S_LEN; i++)
        c2s_ref[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < S2C_LEN; i++)
        s2c_ref[i] = (uint8_t)(i * 13 + 5);
}

static void sa4(struct sockaddr_in *sin, const char *ip, uint16_t port)
{
    memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
}

static void sa6(struct sockaddr_in6 *sin6, const char *ip, uint16_t port)
{
    memset(sin6, 0, sizeof *sin6);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    assert_int_equal(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
}

static const char secrets_text[] =
    "CLIENT_RANDOM 0101010101010101010101010101010101010101010101010101010101010101 "
    "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677"
    "\n";

/* Writes one flow: handshake, c2s data, DSB, s2c data in three calls (the
 * middle one split over segments), FIN exchange.  Returns the file. */
static uint8_t *write_flow(bool v6, uint32_t isn_c, size_t *out_len)
{
    char *mem = NULL;
    size_t memlen = 0;
    FILE *f = open_memstream(&mem, &memlen);
    assert_non_null(f);
    capture_pcapng_writer w;
    assert_int_equal(capture_pcapng_writer_init(&w, f), TP_OK);
    capture_flow flow;
    struct sockaddr_in c4, s4;
    struct sockaddr_in6 c6, s6;
    sa4(&c4, "127.0.0.1", 50412);
    sa4(&s4, "127.0.0.1", 5556);
    sa6(&c6, "::1", 50413);
    sa6(&s6, "::1", 5556);
    capture_flow_init(&flow, v6 ? (struct sockaddr *)&c6 : (struct sockaddr *)&c4,
                      v6 ? (struct sockaddr *)&s6 : (struct sockaddr *)&s4, isn_c, 0x80000000u, 0);
    uint64_t t0 = 1700000000ull * 1000000000ull + 123456789;
    assert_int_equal(capture_flow_write_open(&w, &flow, t0), TP_OK);
    assert_int_equal(capture_flow_write_data(&w, &flow, TP_C2S, t0 + 1000, c2s_ref, C2S_LEN),
                     TP_OK);
    assert_int_equal(capture_pcapng_write_secrets(&w, secrets_text, strlen(secrets_text)), TP_OK);
    assert_int_equal(capture_flow_write_data(&w, &flow, TP_S2C, t0 + 2000, s2c_ref, 100),
                     TP_OK);
    assert_int_equal(
        capture_flow_write_data(&w, &flow, TP_S2C, t0 + 3000, s2c_ref + 100, S2C_LEN - 100),
        TP_OK);
    assert_int_equal(capture_flow_write_close(&w, &flow, TP_C2S, t0 + 4000), TP_OK);
    assert_int_equal(capture_pcapng_writer_flush(&w), TP_OK);
    fclose(f);
    *out_len = memlen;
    return (uint8_t *)mem;
}

static void check_ref_conn(const col_conn *c)
{
    assert_int_equal(c->closes, 1);
    assert_int_equal(c->why, CAPTURE_CLOSE_FIN);
    assert_int_equal(c->data[0].len, C2S_LEN);
    assert_memory_equal(c->data[0].p, c2s_ref, C2S_LEN);
    assert_int_equal(c->data[1].len, S2C_LEN);
    assert_memory_equal(c->data[1].p, s2c_ref, S2C_LEN);
    assert_int_equal(c->num_gaps[0] + c->num_gaps[1], 0);
}

/* ---- writer round trips ---- */

static void test_roundtrip_v4(void **state)
{
    (void)state;
    size_t len;
    uint8_t *file = write_flow(false, 1000, &len);
    assert_int_equal(capture_format_detect(file, len), CAPTURE_FMT_PCAPNG);
    collector *col = calloc(1, sizeof *col);
    tp_status st;
    assert_int_equal(run_capture(file, len, col, &st), CAPTURE_ITEM_END);
    assert_int_equal(st, TP_OK);
    assert_int_equal(col->n, 1);
    check_ref_conn(&col->c[0]);
    /* handshake 3 + c2s 1 seg + ack, s2c 1+3 segs + acks, close 3 */
    assert_int_equal(col->packets, 3 + 2 + 8 + 3);
    const struct sockaddr_in *cl = (const struct sockaddr_in *)&col->c[0].client;
    const struct sockaddr_in *sv = (const struct sockaddr_in *)&col->c[0].server;
    assert_int_equal(cl->sin_family, AF_INET);
    assert_int_equal(ntohs(cl->sin_port), 50412);
    assert_int_equal(ntohs(sv->sin_port), 5556);
    assert_int_equal(ntohl(sv->sin_addr.s_addr), 0x7f000001);
    /* nanosecond timestamps survive */
    assert_int_equal(col->c[0].open_ts, 1700000000ull * 1000000000ull + 123456789);
    /* the DSB is in place, after the 5 packets of the c2s part */
    assert_true(col->have_secrets);
    assert_int_equal(col->packets_before_secrets, 5);
    assert_int_equal(col->secrets.len, strlen(secrets_text));
    assert_memory_equal(col->secrets.p, secrets_text, strlen(secrets_text));
    col_free(col);
    free(file);
}

static void test_roundtrip_v6_wrap(void **state)
{
    (void)state;
    size_t len;
    /* the client's sequence numbers wrap past 2^32 in the middle of its data */
    uint8_t *file = write_flow(true, 0xffffff00u, &len);
    collector *col = calloc(1, sizeof *col);
    assert_int_equal(run_capture(file, len, col, NULL), CAPTURE_ITEM_END);
    assert_int_equal(col->n, 1);
    check_ref_conn(&col->c[0]);
    const struct sockaddr_in6 *cl = (const struct sockaddr_in6 *)&col->c[0].client;
    assert_int_equal(cl->sin6_family, AF_INET6);
    assert_int_equal(ntohs(cl->sin6_port), 50413);
    assert_true(IN6_IS_ADDR_LOOPBACK(&cl->sin6_addr));
    col_free(col);
    free(file);
}

static void test_writer_checksums(void **state)
{
    (void)state;
    size_t len;
    uint8_t *file = write_flow(false, 77, &len);
    capture_reader r;
    capture_item it;
    assert_int_equal(capture_reader_init(&r, file, len), TP_OK);
    int n = 0;
    while (capture_reader_next(&r, &it) != CAPTURE_ITEM_END) {
        if (it.kind != CAPTURE_ITEM_PACKET)
            continue;
        const uint8_t *p = it.packet.data;
        assert_int_equal(it.packet.linktype, CAPTURE_LINK_RAW);
        assert_int_equal(it.packet.caplen, it.packet.origlen);
        /* IPv4 header sums to 0xffff (RFC 1071) */
        uint32_t sum = 0;
        for (int i = 0; i < 20; i += 2)
            sum += (uint32_t)(p[i] << 8 | p[i + 1]);
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        assert_int_equal(sum, 0xffff);
        /* TCP checksum including the pseudo-header */
        size_t tcplen = it.packet.caplen - 20;
        sum = 6 + (uint32_t)tcplen;
        for (int i = 12; i < 20; i += 2)
            sum += (uint32_t)(p[i] << 8 | p[i + 1]);
        for (size_t i = 0; i < tcplen; i += 2)
            sum += (uint32_t)(p[20 + i] << 8 | (i + 1 < tcplen ? p[20 + i + 1] : 0));
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        assert_int_equal(sum, 0xffff);
        n++;
    }
    assert_int_equal(n, 16);
    /* a corrupted payload byte breaks nothing in the reader but is caught by the sum */
    free(file);
}

static void test_writer_limits(void **state)
{
    (void)state;
    char *mem = NULL;
    size_t memlen = 0;
    FILE *f = open_memstream(&mem, &memlen);
    capture_pcapng_writer w;
    assert_int_equal(capture_pcapng_writer_init(&w, f), TP_OK);
    static uint8_t big[CAPTURE_PCAPNG_MAX_PACKET + 1];
    assert_int_equal(capture_pcapng_write_packet(&w, 0, big, 20, big, sizeof big - 20),
                     TP_ERR_OVERSIZED);
    char *sec = calloc(1, CAPTURE_PCAPNG_MAX_SECRETS + 1);
    assert_int_equal(capture_pcapng_write_secrets(&w, sec, CAPTURE_PCAPNG_MAX_SECRETS + 1),
                     TP_ERR_OVERSIZED);
    free(sec);
    /* the size bound is sticky */
    w.max_bytes = w.bytes + 100;
    assert_int_equal(capture_pcapng_write_packet(&w, 0, big, 40, NULL, 0), TP_OK);
    assert_int_equal(capture_pcapng_write_packet(&w, 0, big, 40, NULL, 0), TP_ERR_LIMIT);
    assert_int_equal(capture_pcapng_write_secrets(&w, "x\n", 2), TP_ERR_LIMIT);
    fclose(f);
    free(mem);
}

static void test_secret_file_mode(void **state)
{
    (void)state;
    char path[] = "/tmp/tp_capture_modeXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(fchmod(fd, 0644), 0);
    assert_int_equal(write(fd, "old contents", 12), 12);
    close(fd);
    char err[256];
    capture_outfile f;
    assert_true(capture_outfile_open(&f, "test:", path, CAPTURE_OUTFILE_TRUNC, err, sizeof err));
    struct stat st;
    assert_int_equal(fstat(f.fd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600); /* tightened on the descriptor */
    assert_int_equal(st.st_size, 0);           /* truncated */
    assert_int_equal(capture_outfile_write(&f, "line\n", 5), 0);
    assert_int_equal(capture_outfile_close(&f), 0);
    /* append keeps what is there */
    assert_true(capture_outfile_open(&f, "test:", path, CAPTURE_OUTFILE_APPEND, err, sizeof err));
    assert_int_equal(capture_outfile_write(&f, "more\n", 5), 0);
    assert_int_equal(capture_outfile_close(&f), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 10);
    /* a symbolic link is refused, and the message names it */
    char link_path[sizeof path + 5];
    snprintf(link_path, sizeof link_path, "%s.lnk", path);
    assert_int_equal(symlink(path, link_path), 0);
    assert_false(capture_outfile_open(&f, "test:", link_path, CAPTURE_OUTFILE_TRUNC, err,
                                      sizeof err));
    assert_non_null(strstr(err, link_path));
    assert_non_null(strstr(err, "symbolic link"));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 10); /* the target was not truncated */
    unlink(link_path);
    unlink(path);
    assert_false(capture_outfile_open(&f, "test:", "/nonexistent-dir/x.pcapng",
                                      CAPTURE_OUTFILE_TRUNC, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent-dir/x.pcapng"));
    assert_int_equal(f.fd, -1);
    assert_int_equal(capture_outfile_close(&f), 0);
}

/* A full device: the write error is kept (sticky) and the device keeps its mode. */
static void test_outfile_write_error(void **state)
{
    (void)state;
    struct stat before, after;
    assert_int_equal(stat("/dev/full", &before), 0);
    char err[256];
    capture_outfile f;
    assert_true(
        capture_outfile_open(&f, "test:", "/dev/full", CAPTURE_OUTFILE_TRUNC, err, sizeof err));
    assert_int_equal(capture_outfile_write(&f, "x\n", 2), ENOSPC);
    assert_int_equal(capture_outfile_write(&f, "y\n", 2), ENOSPC);
    assert_int_equal(capture_outfile_close(&f), ENOSPC);
    assert_int_equal(stat("/dev/full", &after), 0);
    assert_int_equal(after.st_mode, before.st_mode);
}

/* A write cut short by the file size limit is cut back: no torn line.  In a
 * child, so the limit does not touch the test's own output. */
static void test_outfile_no_torn_line(void **state)
{
    (void)state;
    char path[] = "/tmp/tp_capture_tornXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {.rlim_cur = 100, .rlim_max = RLIM_INFINITY};
        char err[256];
        capture_outfile f;
        char line[61];
        memset(line, 'a', 60);
        line[60] = '\n';
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0 ||
            !capture_outfile_open(&f, "test:", path, CAPTURE_OUTFILE_TRUNC, err, sizeof err))
            _exit(10);
        if (capture_outfile_write(&f, line, sizeof line) != 0)
            _exit(11);
        int e = capture_outfile_write(&f, line, sizeof line); /* 39 bytes fit, then EFBIG */
        _exit(e == EFBIG && capture_outfile_close(&f) == EFBIG ? 0 : 12);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 61); /* the whole first line, nothing of the second */
    unlink(path);
}

/* ---- pcap files of every link type, built from the writer's packets ---- */

typedef struct {
    uint64_t ts;
    uint8_t *p;
    size_t len;
} rawpkt;

static rawpkt *ref_packets(bool v6, size_t *out_n)
{
    size_t len;
    uint8_t *file = write_flow(v6, 4242, &len);
    capture_reader r;
    capture_item it;
    assert_int_equal(capture_reader_init(&r, file, len), TP_OK);
    rawpkt *pk = calloc(64, sizeof *pk);
    size_t n = 0;
    while (capture_reader_next(&r, &it) != CAPTURE_ITEM_END) {
        if (it.kind != CAPTURE_ITEM_PACKET)
            continue;
        assert_true(n < 64);
        pk[n].ts = it.packet.ts_ns;
        pk[n].len = it.packet.caplen;
        pk[n].p = malloc(it.packet.caplen);
        memcpy(pk[n].p, it.packet.data, it.packet.caplen);
        n++;
    }
    free(file);
    *out_n = n;
    return pk;
}

static void ref_packets_free(rawpkt *pk, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(pk[i].p);
    free(pk);
}

typedef enum {
    LH_NONE,
    LH_ETH,
    LH_ETH_VLAN,
    LH_SLL,
    LH_SLL2,
    LH_NULL_LE,
    LH_NULL_BE,
    LH_LOOP,
} link_hdr;

static void link_prefix(buf_t *b, link_hdr lh, bool v6)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    uint16_t et = v6 ? 0x86dd : 0x0800;
    uint32_t af = v6 ? 30 : 2; /* macOS AF_INET6 */
    switch (lh) {
    case LH_NONE:
        break;
    case LH_ETH:
        buf_put(b, macs, 12);
        buf_u16(b, true, et);
        break;
    case LH_ETH_VLAN:
        buf_put(b, macs, 12);
        buf_u16(b, true, 0x88a8); /* QinQ outer */
        buf_u16(b, true, 5);
        buf_u16(b, true, 0x8100);
        buf_u16(b, true, 7);
        buf_u16(b, true, et);
        break;
    case LH_SLL:
        buf_u16(b, true, 0);   /* to us */
        buf_u16(b, true, 772); /* ARPHRD_LOOPBACK */
        buf_u16(b, true, 6);
        buf_put(b, macs, 8);
        buf_u16(b, true, et);
        break;
    case LH_SLL2:
        buf_u16(b, true, et);
        buf_u16(b, true, 0);
        buf_u32(b, true, 1);
        buf_u16(b, true, 772);
        buf_put(b, "\0\6", 2);
        buf_put(b, macs, 8);
        break;
    case LH_NULL_LE:
        buf_u32(b, false, af);
        break;
    case LH_NULL_BE:
        buf_u32(b, true, af);
        break;
    case LH_LOOP:
        buf_u32(b, true, v6 ? 24 : 2);
        break;
    }
}

static uint8_t *make_pcap(bool be, bool nano, uint32_t linktype, link_hdr lh, bool v6,
                          const rawpkt *pk, size_t n, size_t *out_len)
{
    buf_t b = {0};
    buf_u32(&b, be, nano ? 0xa1b23c4d : 0xa1b2c3d4);
    buf_u16(&b, be, 2);
    buf_u16(&b, be, 4);
    buf_u32(&b, be, 0);
    buf_u32(&b, be, 0);
    buf_u32(&b, be, 262144);
    buf_u32(&b, be, linktype);
    for (size_t i = 0; i < n; i++) {
        buf_t l = {0};
        link_prefix(&l, lh, v6);
        uint64_t s = pk[i].ts / 1000000000u, frac = pk[i].ts % 1000000000u;
        buf_u32(&b, be, (uint32_t)s);
        buf_u32(&b, be, (uint32_t)(nano ? frac : frac / 1000));
        buf_u32(&b, be, (uint32_t)(l.len + pk[i].len));
        buf_u32(&b, be, (uint32_t)(l.len + pk[i].len));
        buf_put(&b, l.p, l.len);
        buf_put(&b, pk[i].p, pk[i].len);
        free(l.p);
    }
    *out_len = b.len;
    return b.p;
}

static void check_link(uint32_t linktype, link_hdr lh, bool v6, bool be, bool nano)
{
    size_t n, len;
    rawpkt *pk = ref_packets(v6, &n);
    uint8_t *file = make_pcap(be, nano, linktype, lh, v6, pk, n, &len);
    collector *col = calloc(1, sizeof *col);
    tp_status st;
    assert_int_equal(run_capture(file, len, col, &st), CAPTURE_ITEM_END);
    assert_int_equal(st, TP_OK);
    assert_int_equal(col->packets, n);
    assert_int_equal(col->tcp, n);
    assert_int_equal(col->n, 1);
    check_ref_conn(&col->c[0]);
    uint64_t want = pk[0].ts;
    if (!nano)
        want -= want % 1000;
    assert_int_equal(col->c[0].open_ts, want);
    col_free(col);
    free(file);
    ref_packets_free(pk, n);
}

static void test_pcap_endian_resolution(void **state)
{
    (void)state;
    check_link(CAPTURE_LINK_RAW, LH_NONE, false, false, false);
    check_link(CAPTURE_LINK_RAW, LH_NONE, false, true, false);
    check_link(CAPTURE_LINK_RAW, LH_NONE, false, false, true);
    check_link(CAPTURE_LINK_RAW, LH_NONE, true, true, true);
}

static void test_pcap_link_types(void **state)
{
    (void)state;
    for (int v6 = 0; v6 <= 1; v6++) {
        check_link(CAPTURE_LINK_ETHERNET, LH_ETH, v6, false, false);
        check_link(CAPTURE_LINK_ETHERNET, LH_ETH_VLAN, v6, true, false);
        check_link(CAPTURE_LINK_RAW_12, LH_NONE, v6, false, true);
        check_link(CAPTURE_LINK_RAW_14, LH_NONE, v6, false, false);
        check_link(CAPTURE_LINK_LINUX_SLL, LH_SLL, v6, false, false);
        check_link(CAPTURE_LINK_LINUX_SLL2, LH_SLL2, v6, false, true);
        check_link(CAPTURE_LINK_NULL, LH_NULL_LE, v6, false, false);
        check_link(CAPTURE_LINK_NULL, LH_NULL_BE, v6, true, false);
        check_link(CAPTURE_LINK_LOOP, LH_LOOP, v6, true, false);
    }
    check_link(CAPTURE_LINK_IPV4, LH_NONE, false, false, false);
    check_link(CAPTURE_LINK_IPV6, LH_NONE, true, false, false);
}

static void test_pcap_bad_headers(void **state)
{
    (void)state;
    capture_reader r;
    static const uint8_t junk[] = "GET / HTTP/1.1\r\n\r\n";
    assert_int_equal(capture_format_detect(junk, sizeof junk), CAPTURE_FMT_UNKNOWN);
    assert_int_equal(capture_reader_init(&r, junk, sizeof junk), TP_ERR_DECODE);
    assert_non_null(strstr(r.err, "not a pcap"));
    assert_int_not_equal(capture_reader_init(&r, junk, 0), TP_OK);
    /* pcap version 3 */
    size_t n, len;
    rawpkt *pk = ref_packets(false, &n);
    uint8_t *file = make_pcap(false, false, 101, LH_NONE, false, pk, n, &len);
    file[4] = 3;
    assert_int_equal(capture_reader_init(&r, file, len), TP_ERR_UNSUPPORTED);
    file[4] = 2;
    /* absurd record length */
    file[24 + 8] = 0xff, file[24 + 9] = 0xff, file[24 + 10] = 0xff, file[24 + 11] = 0x7f;
    capture_item it;
    assert_int_equal(capture_reader_init(&r, file, len), TP_OK);
    assert_int_equal(capture_reader_next(&r, &it), CAPTURE_ITEM_ERROR);
    assert_int_equal(r.status, TP_ERR_DECODE);
    /* sticky */
    assert_int_equal(capture_reader_next(&r, &it), CAPTURE_ITEM_ERROR);
    free(file);
    ref_packets_free(pk, n);
}

/* Every prefix of a small file: no crash, and an error exactly when the cut
 * is not on a record boundary. */
static void check_prefixes(const uint8_t *file, size_t len, const size_t *bounds, size_t nb)
{
    for (size_t cut = 0; cut <= len; cut++) {
        collector *col = calloc(1, sizeof *col);
        tp_status st;
        capture_item_kind k = run_capture(file, cut, col, &st);
        bool boundary = false;
        for (size_t i = 0; i < nb; i++)
            boundary |= bounds[i] == cut;
        if (boundary) {
            assert_int_equal(k, CAPTURE_ITEM_END);
        } else {
            assert_int_equal(k, CAPTURE_ITEM_ERROR);
            assert_true(st == TP_ERR_TRUNCATED || st == TP_ERR_DECODE);
        }
        col_free(col);
    }
}

static void test_truncated_files(void **state)
{
    (void)state;
    /* a short flow: handshake, a few bytes each way, close */
    char *mem = NULL;
    size_t memlen = 0;
    FILE *f = open_memstream(&mem, &memlen);
    capture_pcapng_writer w;
    assert_int_equal(capture_pcapng_writer_init(&w, f), TP_OK);
    capture_flow flow;
    capture_flow_init(&flow, NULL, NULL, 1, 2, 0);
    assert_int_equal(flow.port[TP_S2C], 443);
    capture_flow_write_open(&w, &flow, 5);
    capture_pcapng_write_secrets(&w, "CLIENT_RANDOM 00 11\n", 20);
    capture_flow_write_data(&w, &flow, TP_C2S, 6, (const uint8_t *)"ping", 4);
    capture_flow_write_close(&w, &flow, TP_S2C, 7);
    fclose(f);
    size_t len = memlen;
    uint8_t *file = (uint8_t *)mem;

    /* pcapng block boundaries (little-endian lengths at +4), after the SHB */
    size_t bounds[64], nb = 0, off = 0;
    while (off < len) {
        uint32_t bl = (uint32_t)file[off + 4] | (uint32_t)file[off + 5] << 8 |
                      (uint32_t)file[off + 6] << 16 | (uint32_t)file[off + 7] << 24;
        off += bl;
        assert_true(nb < 64);
        bounds[nb++] = off;
    }
    assert_int_equal(off, len);
    check_prefixes(file, len, bounds, nb);

    /* and the same packets as classic pcap */
    size_t nall, plen;
    rawpkt *pk = ref_packets(false, &nall);
    size_t n = nall > 4 ? 4 : nall;
    uint8_t *pcap = make_pcap(true, false, 1, LH_ETH, false, pk, n, &plen);
    nb = 0;
    off = 24;
    bounds[nb++] = off;
    for (size_t i = 0; i < n; i++) {
        off += 16 + 14 + pk[i].len;
        bounds[nb++] = off;
    }
    check_prefixes(pcap, plen, bounds, nb);
    free(pcap);
    ref_packets_free(pk, nall);
    free(file);
}

/* ---- pcapng: big endian, several interfaces, resolutions, SPB, unknown ---- */

static void ng_block(buf_t *b, bool be, uint32_t type, const buf_t *body)
{
    size_t pad = (4 - body->len % 4) % 4;
    uint32_t total = (uint32_t)(12 + body->len + pad);
    buf_u32(b, be, type);
    buf_u32(b, be, total);
    buf_put(b, body->p, body->len);
    buf_put(b, "\0\0\0", pad);
    buf_u32(b, be, total);
}

static void ng_shb(buf_t *b, bool be)
{
    buf_t body = {0};
    buf_u32(&body, be, 0x1a2b3c4d);
    buf_u16(&body, be, 1);
    buf_u16(&body, be, 0);
    buf_u32(&body, be, 0xffffffff);
    buf_u32(&body, be, 0xffffffff);
    ng_block(b, be, 0x0a0d0d0a, &body);
    free(body.p);
}

static void ng_idb(buf_t *b, bool be, uint16_t link, int tsresol, bool with_offset)
{
    buf_t body = {0};
    buf_u16(&body, be, link);
    buf_u16(&body, be, 0);
    buf_u32(&body, be, 0);
    buf_u16(&body, be, 2); /* if_name */
    buf_u16(&body, be, 3);
    buf_put(&body, "lo\0\0", 4);
    if (tsresol >= 0) {
        buf_u16(&body, be, 9);
        buf_u16(&body, be, 1);
        uint8_t v = (uint8_t)tsresol;
        buf_put(&body, &v, 1);
        buf_put(&body, "\0\0\0", 3);
    }
    if (with_offset) {
        /* +100 s as a 64-bit integer in the section's byte order */
        buf_u16(&body, be, 14);
        buf_u16(&body, be, 8);
        buf_u32(&body, be, be ? 0 : 100);
        buf_u32(&body, be, be ? 100 : 0);
    }
    buf_u32(&body, be, 0); /* end of options */
    ng_block(b, be, 1, &body);
    free(body.p);
}

static void ng_epb(buf_t *b, bool be, uint32_t ifid, uint64_t ticks, link_hdr lh, bool v6,
                   const rawpkt *p)
{
    buf_t pkt = {0}, body = {0};
    link_prefix(&pkt, lh, v6);
    buf_put(&pkt, p->p, p->len);
    buf_u32(&body, be, ifid);
    buf_u32(&body, be, (uint32_t)(ticks >> 32));
    buf_u32(&body, be, (uint32_t)ticks);
    buf_u32(&body, be, (uint32_t)pkt.len);
    buf_u32(&body, be, (uint32_t)pkt.len);
    buf_put(&body, pkt.p, pkt.len);
    buf_put(&body, "\0\0\0", (4 - pkt.len % 4) % 4);
    buf_u16(&body, be, 1); /* opt_comment */
    buf_u16(&body, be, 2);
    buf_put(&body, "hi\0\0", 4);
    buf_u32(&body, be, 0);
    ng_block(b, be, 6, &body);
    free(pkt.p);
    free(body.p);
}

static void test_pcapng_sections(void **state)
{
    (void)state;
    size_t n4, n6;
    rawpkt *p4 = ref_packets(false, &n4);
    rawpkt *p6 = ref_packets(true, &n6);
    buf_t b = {0};
    /* section 1, big endian: eth (us) + raw (2^-10 s, +100 s offset) */
    ng_shb(&b, true);
    ng_idb(&b, true, 1, -1, false);
    ng_idb(&b, true, 101, 0x80 | 10, true);
    buf_t unk = {0};
    buf_put(&unk, "whatever", 8);
    ng_block(&b, true, 0x0bad0bad, &unk); /* unknown block: skipped */
    for (size_t i = 0; i < n4; i++)
        ng_epb(&b, true, (uint32_t)(i % 2), i % 2 ? 1024 * 7 + 512 : 1000000 * 5 + 1,
               i % 2 ? LH_NONE : LH_ETH, false, &p4[i]);
    /* section 2, little endian, one SLL2 interface in ns; an SPB */
    ng_shb(&b, false);
    ng_idb(&b, false, 276, 9, false);
    for (size_t i = 0; i < n6; i++)
        ng_epb(&b, false, 0, 42, LH_SLL2, true, &p6[i]);
    buf_t spb = {0};
    buf_u32(&spb, false, 20);
    buf_put(&spb, "01234567890123456789", 20);
    ng_block(&b, false, 3, &spb);

    capture_reader r;
    capture_item it;
    assert_int_equal(capture_reader_init(&r, b.p, b.len), TP_OK);
    size_t i = 0;
    while (capture_reader_next(&r, &it) == CAPTURE_ITEM_PACKET) {
        if (i < n4) {
            assert_int_equal(it.packet.linktype, i % 2 ? 101 : 1);
            /* 7.5 s at 2^-10 plus the 100 s offset; 5.000001 s at 10^-6 */
            assert_int_equal(it.packet.ts_ns, i % 2 ? 107500000000ull : 5000001000ull);
        } else if (i < n4 + n6) {
            assert_int_equal(it.packet.linktype, 276);
            assert_int_equal(it.packet.ts_ns, 42);
        } else {
            assert_int_equal(it.packet.caplen, 20);
            assert_int_equal(it.packet.ts_ns, 0);
        }
        i++;
    }
    assert_int_equal(r.status, TP_OK);
    assert_int_equal(i, n4 + n6 + 1);

    collector *col = calloc(1, sizeof *col);
    assert_int_equal(run_capture(b.p, b.len, col, NULL), CAPTURE_ITEM_END);
    assert_int_equal(col->n, 2);
    check_ref_conn(&col->c[0]);
    check_ref_conn(&col->c[1]);
    col_free(col);

    /* a packet naming an interface the section lacks is corrupt */
    buf_t bad = {0};
    ng_shb(&bad, false);
    ng_idb(&bad, false, 101, -1, false);
    ng_epb(&bad, false, 3, 0, LH_NONE, false, &p4[0]);
    assert_int_equal(capture_reader_init(&r, bad.p, bad.len), TP_OK);
    assert_int_equal(capture_reader_next(&r, &it), CAPTURE_ITEM_ERROR);
    assert_int_equal(r.status, TP_ERR_DECODE);
    assert_non_null(strstr(r.err, "interface 3"));
    /* a wrong trailing length is corrupt */
    bad.p[bad.len - 1] ^= 0x40;
    assert_int_equal(capture_reader_init(&r, bad.p, bad.len), TP_OK);
    assert_int_equal(capture_reader_next(&r, &it), CAPTURE_ITEM_ERROR);
    assert_non_null(strstr(r.err, "trailing length"));
    /* a bad byte-order magic */
    bad.p[8] = 0;
    assert_int_not_equal(capture_reader_init(&r, bad.p, bad.len), TP_OK);

    free(bad.p);
    free(unk.p);
    free(spb.p);
    free(b.p);
    ref_packets_free(p4, n4);
    ref_packets_free(p6, n6);
}

/* ---- packet decoding edge cases ---- */

static void test_packet_decode(void **state)
{
    (void)state;
    size_t n;
    rawpkt *pk = ref_packets(false, &n);
    capture_segment seg;
    /* the SYN: options skipped, no payload */
    assert_int_equal(capture_packet_decode(101, pk[0].p, pk[0].len, &seg), CAPTURE_DEC_TCP);
    assert_int_equal(seg.flags, CAPTURE_TCP_SYN);
    assert_int_equal(seg.payload_len, 0);
    assert_int_equal(seg.sport, 50412);
    /* the data segment, with Ethernet padding after the IP packet ignored */
    uint8_t pad[2000];
    memcpy(pad, pk[3].p, pk[3].len);
    memset(pad + pk[3].len, 0xee, 30);
    assert_int_equal(capture_packet_decode(101, pad, pk[3].len + 30, &seg), CAPTURE_DEC_TCP);
    assert_int_equal(seg.payload_len, C2S_LEN);
    /* cut by the snap length */
    assert_int_equal(capture_packet_decode(101, pk[3].p, 60, &seg), CAPTURE_DEC_TRUNCATED);
    assert_int_equal(capture_packet_decode(101, pk[3].p, 10, &seg), CAPTURE_DEC_TRUNCATED);
    /* fragments: MF set, then an offset */
    memcpy(pad, pk[3].p, pk[3].len);
    pad[6] |= 0x20;
    assert_int_equal(capture_packet_decode(101, pad, pk[3].len, &seg), CAPTURE_DEC_FRAGMENT);
    pad[6] = 0x00, pad[7] = 0x10;
    assert_int_equal(capture_packet_decode(101, pad, pk[3].len, &seg), CAPTURE_DEC_FRAGMENT);
    /* UDP */
    memcpy(pad, pk[3].p, pk[3].len);
    pad[9] = 17;
    assert_int_equal(capture_packet_decode(101, pad, pk[3].len, &seg), CAPTURE_DEC_NOT_TCP);
    /* IHL below 5, TCP data offset below 5 */
    memcpy(pad, pk[3].p, pk[3].len);
    pad[0] = 0x44;
    assert_int_equal(capture_packet_decode(101, pad, pk[3].len, &seg), CAPTURE_DEC_BAD);
    memcpy(pad, pk[3].p, pk[3].len);
    pad[20 + 12] = 0x40;
    assert_int_equal(capture_packet_decode(101, pad, pk[3].len, &seg), CAPTURE_DEC_BAD);
    /* IPv4 options move the TCP header */
    uint8_t opt[2000];
    memcpy(opt, pk[3].p, 20);
    opt[0] = 0x46;
    uint16_t tot = (uint16_t)(pk[3].len + 4);
    opt[2] = (uint8_t)(tot >> 8), opt[3] = (uint8_t)tot;
    memcpy(opt + 20, "\x01\x01\x01\x00", 4);
    memcpy(opt + 24, pk[3].p + 20, pk[3].len - 20);
    assert_int_equal(capture_packet_decode(101, opt, tot, &seg), CAPTURE_DEC_TCP);
    assert_int_equal(seg.payload_len, C2S_LEN);
    assert_int_equal(seg.sport, 50412);
    /* ARP over Ethernet; an unknown link type */
    uint8_t arp[42] = {0};
    arp[12] = 0x08, arp[13] = 0x06;
    assert_int_equal(capture_packet_decode(1, arp, sizeof arp, &seg), CAPTURE_DEC_NOT_TCP);
    assert_int_equal(capture_packet_decode(147, arp, sizeof arp, &seg),
                     CAPTURE_DEC_LINK_UNSUPPORTED);
    assert_false(capture_link_supported(147));
    assert_true(capture_link_supported(276));
    ref_packets_free(pk, n);

    /* IPv6 extension headers: hop-by-hop, then an atomic fragment, then TCP */
    pk = ref_packets(true, &n);
    uint8_t x[2000];
    memcpy(x, pk[3].p, 40);
    x[6] = 0; /* hop-by-hop */
    uint8_t ext[16] = {44, 0, 1, 4, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 1};
    memcpy(x + 40, ext, 16);
    memcpy(x + 56, pk[3].p + 40, pk[3].len - 40);
    uint16_t pl = (uint16_t)(pk[3].len - 40 + 16);
    x[4] = (uint8_t)(pl >> 8), x[5] = (uint8_t)pl;
    assert_int_equal(capture_packet_decode(229, x, 40 + pl, &seg), CAPTURE_DEC_TCP);
    assert_int_equal(seg.payload_len, C2S_LEN);
    x[40 + 8 + 3] = 1; /* M flag: a real fragment */
    assert_int_equal(capture_packet_decode(229, x, 40 + pl, &seg), CAPTURE_DEC_FRAGMENT);
    x[6] = 58; /* ICMPv6 */
    assert_int_equal(capture_packet_decode(229, x, 40 + pl, &seg), CAPTURE_DEC_NOT_TCP);
    ref_packets_free(pk, n);
}

/* ---- TCP reassembly with synthetic segments ---- */

typedef struct {
    capture_tcp *t;
    collector *col;
    uint64_t ts;
} tcp_fix;

static void seg_send(tcp_fix *f, bool from_client, uint16_t cport, uint16_t sport, uint32_t seq,
                     uint32_t ack, uint8_t flags, const char *payload)
{
    capture_segment s = {.ip_version = 4};
    s.src[0] = 10, s.src[3] = from_client ? 1 : 2;
    s.dst[0] = 10, s.dst[3] = from_client ? 2 : 1;
    s.sport = from_client ? cport : sport;
    s.dport = from_client ? sport : cport;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload = (const uint8_t *)payload;
    s.payload_len = payload ? strlen(payload) : 0;
    capture_tcp_add(f->t, ++f->ts, &s);
}

#define C(seq, ack, fl, p) seg_send(&f, true, 40000, 443, seq, ack, fl, p)
#define S(seq, ack, fl, p) seg_send(&f, false, 40000, 443, seq, ack, fl, p)
#define A CAPTURE_TCP_ACK
#define SYN CAPTURE_TCP_SYN
#define FIN CAPTURE_TCP_FIN
#define RST CAPTURE_TCP_RST

static tcp_fix fix_new(const capture_tcp_limits *lim)
{
    tcp_fix f = {0};
    f.col = calloc(1, sizeof *f.col);
    f.t = capture_tcp_new(&col_cb, f.col, lim);
    assert_non_null(f.t);
    return f;
}

static void fix_free(tcp_fix *f)
{
    capture_tcp_free(f->t);
    col_free(f->col);
}

static void assert_stream(const col_conn *c, tp_dir d, const char *want)
{
    assert_int_equal(c->data[d].len, strlen(want));
    assert_memory_equal(c->data[d].p, want, strlen(want));
}

static void test_tcp_ooo_retrans(void **state)
{
    (void)state;
    tcp_fix f = fix_new(NULL);
    C(1000, 0, SYN, NULL);
    S(5000, 1001, SYN | A, NULL);
    C(1001, 5001, A, NULL);
    C(1005, 5001, A, "BBBB");  /* ahead: held */
    C(1001, 5001, A, "AAAA");  /* fills the hole */
    C(1001, 5001, A, "AAAA");  /* retransmission */
    C(1007, 5001, A, "BBCCC"); /* overlap: only CCC is new */
    S(5001, 1012, A, "xyz");
    S(5004, 1012, A, "!");
    S(5001, 1012, A, "xyz!"); /* retransmission spanning two segments */
    const capture_tcp_stats *st = capture_tcp_get_stats(f.t);
    assert_int_equal(st->ooo_segments, 1);
    assert_int_equal(st->retransmitted, 4 + 2 + 4);
    C(1012, 5005, FIN | A, NULL);
    S(5005, 1013, FIN | A, NULL);
    C(1013, 5006, A, NULL);   /* after close: no new connection */
    C(1013, 5006, A, "late"); /* data after close is dropped too */
    capture_tcp_finish(f.t, 99);
    assert_int_equal(f.col->n, 1);
    col_conn *c = &f.col->c[0];
    assert_stream(c, TP_C2S, "AAAABBBBCCC");
    assert_stream(c, TP_S2C, "xyz!");
    assert_int_equal(c->closes, 1);
    assert_int_equal(c->why, CAPTURE_CLOSE_FIN);
    assert_int_equal(c->num_gaps[0] + c->num_gaps[1], 0);
    fix_free(&f);
}

static void test_tcp_gaps(void **state)
{
    (void)state;
    tcp_fix f = fix_new(NULL);
    C(1000, 0, SYN, NULL);
    S(5000, 1001, SYN | A, NULL);
    C(1001, 5001, A, "AAAA");
    C(1009, 5001, A, "CCCC"); /* 1005..1008 never captured */
    assert_int_equal(f.col->c[0].num_gaps[0], 0);
    S(5001, 1013, A, NULL); /* the server had them: a gap now */
    assert_int_equal(f.col->c[0].num_gaps[0], 1);
    assert_int_equal(f.col->c[0].gap_bytes[0], 4);
    assert_stream(&f.col->c[0], TP_C2S, "AAAACCCC");
    /* a hole the peer never acknowledges is reported at the end */
    S(5001, 1013, A, "xx");
    S(5010, 1013, A, "yy");
    capture_tcp_finish(f.t, 100);
    col_conn *c = &f.col->c[0];
    assert_stream(c, TP_S2C, "xxyy");
    assert_int_equal(c->gap_bytes[1], 7);
    assert_int_equal(c->why, CAPTURE_CLOSE_END);
    assert_int_equal(c->closes, 1);
    fix_free(&f);

    /* the out-of-order bound forces the hole out before the end */
    capture_tcp_limits lim = {.max_ooo_segments = 2};
    f = fix_new(&lim);
    C(1000, 0, SYN, NULL);
    C(1001, 0, A, "a");
    C(1010, 0, A, "b");
    C(1020, 0, A, "c");
    assert_int_equal(f.col->c[0].num_gaps[0], 0);
    C(1030, 0, A, "d");
    assert_int_equal(f.col->c[0].num_gaps[0], 1);
    assert_int_equal(f.col->c[0].gap_bytes[0], 8);
    assert_stream(&f.col->c[0], TP_C2S, "ab");
    capture_tcp_finish(f.t, 100);
    assert_stream(&f.col->c[0], TP_C2S, "abcd");
    assert_int_equal(f.col->c[0].gap_bytes[0], 8 + 9 + 9);
    fix_free(&f);

    /* FIN with a hole before it: closed at the end with the hole reported */
    f = fix_new(NULL);
    C(1000, 0, SYN, NULL);
    S(5000, 1001, SYN | A, NULL);
    C(1001, 5001, A, "12");
    C(1005, 5001, FIN | A, "56");
    S(5001, 1003, FIN | A, NULL);
    assert_int_equal(f.col->c[0].closes, 0);
    capture_tcp_finish(f.t, 100);
    assert_stream(&f.col->c[0], TP_C2S, "1256");
    assert_int_equal(f.col->c[0].gap_bytes[0], 2);
    fix_free(&f);
}

static void test_tcp_direction(void **state)
{
    (void)state;
    tcp_fix f = fix_new(NULL);
    /* no SYN; the first packet comes from the server port 443 */
    S(7000, 100, A, "server first");
    C(100, 7012, A, "client");
    /* no SYN, no well-known port: the first sender is the client */
    seg_send(&f, false, 3000, 4000, 1, 1, A, "first");
    seg_send(&f, true, 3000, 4000, 1, 6, A, "second");
    /* SYN-ACK seen first: its sender is the server */
    seg_send(&f, false, 3001, 4001, 50, 11, SYN | A, NULL);
    seg_send(&f, false, 3001, 4001, 51, 11, A, "srv");
    /* low port vs high port */
    seg_send(&f, false, 50001, 25, 9, 9, A, "220 ready");
    capture_tcp_finish(f.t, 100);
    assert_int_equal(f.col->n, 4);
    const struct sockaddr_in *sv = (const struct sockaddr_in *)&f.col->c[0].server;
    assert_int_equal(ntohs(sv->sin_port), 443);
    assert_stream(&f.col->c[0], TP_S2C, "server first");
    assert_stream(&f.col->c[0], TP_C2S, "client");
    sv = (const struct sockaddr_in *)&f.col->c[1].server;
    assert_int_equal(ntohs(sv->sin_port), 3000); /* seg_send(false) sends from port 4000 */
    assert_stream(&f.col->c[1], TP_C2S, "first");
    assert_stream(&f.col->c[1], TP_S2C, "second");
    sv = (const struct sockaddr_in *)&f.col->c[2].server;
    assert_int_equal(ntohs(sv->sin_port), 4001);
    assert_stream(&f.col->c[2], TP_S2C, "srv");
    sv = (const struct sockaddr_in *)&f.col->c[3].server;
    assert_int_equal(ntohs(sv->sin_port), 25);
    assert_stream(&f.col->c[3], TP_S2C, "220 ready");
    fix_free(&f);
}

static void test_tcp_rst_reuse_evict(void **state)
{
    (void)state;
    tcp_fix f = fix_new(NULL);
    /* stray ACK / RST open nothing */
    C(1, 1, A, NULL);
    C(1, 1, RST, NULL);
    assert_int_equal(f.col->n, 0);
    C(1000, 0, SYN, NULL);
    C(1000, 0, SYN, NULL); /* retransmitted SYN: same connection */
    S(5000, 1001, SYN | A, NULL);
    C(1001, 5001, A, "hello");
    S(5001, 1006, RST, NULL);
    assert_int_equal(f.col->c[0].closes, 1);
    assert_int_equal(f.col->c[0].why, CAPTURE_CLOSE_RST);
    S(5001, 1006, RST, NULL); /* a second RST: nothing */
    C(9000, 0, SYN, NULL);    /* the 4-tuple reused */
    C(9001, 0, A, "again");
    C(20000, 0, SYN, NULL); /* new ISN while open: reused again */
    assert_int_equal(f.col->n, 3);
    assert_int_equal(f.col->c[1].why, CAPTURE_CLOSE_REUSED);
    assert_stream(&f.col->c[1], TP_C2S, "again");
    capture_tcp_finish(f.t, 100);
    assert_int_equal(f.col->c[2].why, CAPTURE_CLOSE_END);
    fix_free(&f);

    capture_tcp_limits lim = {.max_conns = 2};
    f = fix_new(&lim);
    seg_send(&f, true, 1001, 443, 1, 0, SYN, NULL);
    seg_send(&f, true, 1002, 443, 1, 0, SYN, NULL);
    seg_send(&f, true, 1001, 443, 2, 0, A, "x"); /* 1001 becomes most recent */
    seg_send(&f, true, 1003, 443, 1, 0, SYN, NULL);
    assert_int_equal(f.col->c[1].closes, 1);
    assert_int_equal(f.col->c[1].why, CAPTURE_CLOSE_LIMIT);
    assert_int_equal(f.col->c[0].closes, 0);
    assert_int_equal(capture_tcp_get_stats(f.t)->conns_evicted, 1);
    capture_tcp_finish(f.t, 100);
    assert_int_equal(f.col->c[0].closes, 1);
    assert_int_equal(f.col->c[2].closes, 1);
    fix_free(&f);
}

/* Who closed first, and a SYN answered with RST (nothing listening). */
static void test_tcp_close_info(void **state)
{
    (void)state;
    tcp_fix f = fix_new(NULL);
    C(1000, 0, SYN, NULL);
    S(0, 1001, RST | A, NULL); /* refused */
    assert_int_equal(f.col->c[0].why, CAPTURE_CLOSE_RST);
    assert_true(f.col->c[0].info.refused);
    assert_true(f.col->c[0].info.syn_seen);
    assert_int_equal(f.col->c[0].info.first_close_dir, TP_S2C);
    assert_true(f.col->c[0].info.first_close_rst);
    seg_send(&f, true, 40001, 443, 1000, 0, SYN, NULL);
    seg_send(&f, false, 40001, 443, 5000, 1001, SYN | A, NULL);
    seg_send(&f, true, 40001, 443, 1001, 5001, A, "hello");
    seg_send(&f, false, 40001, 443, 5001, 1006, FIN | A, NULL); /* the server closes first */
    seg_send(&f, true, 40001, 443, 1006, 5002, FIN | A, NULL);
    assert_int_equal(f.col->c[1].why, CAPTURE_CLOSE_FIN);
    assert_false(f.col->c[1].info.refused);
    assert_int_equal(f.col->c[1].info.first_close_dir, TP_S2C);
    assert_false(f.col->c[1].info.first_close_rst);
    seg_send(&f, true, 40002, 443, 1000, 0, SYN, NULL);
    seg_send(&f, false, 40002, 443, 5000, 1001, SYN | A, NULL);
    seg_send(&f, true, 40002, 443, 1001, 5001, RST | A, NULL); /* the client resets */
    assert_false(f.col->c[2].info.refused);
    assert_int_equal(f.col->c[2].info.first_close_dir, TP_C2S);
    assert_true(f.col->c[2].info.first_close_rst);
    seg_send(&f, true, 40003, 443, 1000, 0, SYN, NULL);
    capture_tcp_finish(f.t, 100);
    assert_int_equal(f.col->c[3].info.first_close_dir, -1);
    fix_free(&f);
}

static void test_tcp_many_conns(void **state)
{
    (void)state;
    /* interleaved connections, more than the tombstone limit, all complete */
    tcp_fix f = fix_new(NULL);
    int total = 0;
    for (int round = 0; round < 30; round++) {
        for (int k = 0; k < 50; k++) {
            uint16_t port = (uint16_t)(10000 + k + 50 * (round % 2));
            seg_send(&f, true, port, 443, 100, 0, SYN, NULL);
            seg_send(&f, false, port, 443, 900, 101, SYN | A, NULL);
        }
        for (int k = 0; k < 50; k++) {
            uint16_t port = (uint16_t)(10000 + k + 50 * (round % 2));
            seg_send(&f, true, port, 443, 101, 901, A | FIN, "q");
            seg_send(&f, false, port, 443, 901, 103, A | FIN, "r");
            total++;
        }
        /* after a finished round, ports 10000.. are reused with the same ISN
         * every second round: the tombstones make this a new connection */
    }
    capture_tcp_finish(f.t, 0);
    assert_true(f.col->n >= COL_MAX - 1);
    for (int i = 0; i < f.col->n; i++) {
        assert_int_equal(f.col->c[i].why, CAPTURE_CLOSE_FIN);
        assert_stream(&f.col->c[i], TP_C2S, "q");
        assert_stream(&f.col->c[i], TP_S2C, "r");
    }
    assert_int_equal(capture_tcp_get_stats(f.t)->conns, (uint64_t)total);
    fix_free(&f);
}

/* ---- real captures ---- */

static void check_real(const char *env, const char *rel, uint16_t sport, size_t want_secrets)
{
    size_t len;
    uint8_t *file = file_slurp(data_path(env, rel), &len);
    if (!file) {
        fprintf(stderr, "missing %s\n", data_path(env, rel));
        fail();
    }
    collector *col = calloc(1, sizeof *col);
    tp_status st;
    assert_int_equal(run_capture(file, len, col, &st), CAPTURE_ITEM_END);
    assert_int_equal(st, TP_OK);
    assert_int_equal(col->n, 1);
    const struct sockaddr_in *sv = (const struct sockaddr_in *)&col->c[0].server;
    assert_int_equal(ntohs(sv->sin_port), sport);
    assert_true(col->c[0].data[0].len > 100);
    /* a ClientHello: handshake record, then handshake type 1 */
    assert_int_equal(col->c[0].data[0].p[0], 22);
    assert_int_equal(col->c[0].data[0].p[5], 1);
    assert_int_equal(col->c[0].gap_bytes[0] + col->c[0].gap_bytes[1], 0);
    assert_int_equal(col->secrets.len, want_secrets);
    col_free(col);
    free(file);
}

static void test_real_captures(void **state)
{
    (void)state;
    check_real("TP_TEST_DATA", "fingerprints/ssl-chrome.pcap", 443, 0);
    check_real("TP_TEST_DATA", "fingerprints/ssl-curl.pcap", 443, 0);
    check_real("TP_TEST_DATA", "fingerprints/tls12.pcap", 443, 0);
    check_real("TP_TEST_DATA", "capture/tls12-lo.pcapng", 45871, 0);
    check_real("TP_TEST_DATA", "capture/tls13-any.pcap", 45872, 0);
    /* the DSB holds the whole key log file */
    size_t klen;
    uint8_t *keys = file_slurp(data_path("TP_TEST_DATA", "capture/tls13-any.keys"), &klen);
    assert_non_null(keys);
    check_real("TP_TEST_DATA", "capture/tls13-dsb.pcapng", 45872, klen);
    free(keys);
}

/* ---- tshark agrees the written file is clean ---- */

static bool have_tshark(void)
{
    return system("command -v tshark >/dev/null 2>&1") == 0;
}

static char *run_out(const char *cmd, int *out_rc)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    buf_t b = {0};
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, p)) > 0)
        buf_put(&b, tmp, n);
    buf_put(&b, "", 1);
    *out_rc = pclose(p);
    return (char *)b.p;
}

static void tshark_check(const char *path, const char *addr_text)
{
    char cmd[1024];
    int rc;
    snprintf(cmd, sizeof cmd, "tshark -r '%s' -q -z conv,tcp 2>/dev/null", path);
    char *out = run_out(cmd, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, addr_text));
    free(out);
    snprintf(cmd, sizeof cmd,
             "tshark -r '%s' -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE "
             "-Y 'tcp.analysis.flags || tcp.checksum.status != 1 || "
             "(ip && ip.checksum.status != 1) || _ws.malformed || _ws.expert.severity >= 6291456' "
             "-T fields -e frame.number 2>&1 | grep -v 'Running as user'",
             path);
    out = run_out(cmd, &rc);
    if (out[0])
        fprintf(stderr, "tshark flags frames: %s\n", out);
    assert_string_equal(out, "");
    free(out);
    /* and it counts every packet */
    snprintf(cmd, sizeof cmd, "tshark -r '%s' 2>/dev/null | wc -l", path);
    out = run_out(cmd, &rc);
    assert_int_equal(atoi(out), 16);
    free(out);
}

static void test_tshark_reads_output(void **state)
{
    (void)state;
    if (!have_tshark())
        skip();
    char path[] = "/tmp/tp_capture_tsharkXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    for (int v6 = 0; v6 <= 1; v6++) {
        size_t len;
        uint8_t *file = write_flow(v6, v6 ? 0xfffffff0u : 12345, &len);
        assert_int_equal(pwrite(fd, file, len, 0), (ssize_t)len);
        assert_int_equal(ftruncate(fd, (off_t)len), 0);
        tshark_check(path, v6 ? "::1" : "127.0.0.1:50412");
        free(file);
    }
    close(fd);
    unlink(path);
}

/* ---- the pcapng sink ---- */

static void ev_send(tp_sink *s, tp_event_type type, unsigned conn, double t, tp_dir dir,
                    const void *p, size_t len)
{
    tp_event ev = {.type = type, .conn = conn, .t = t, .dir = dir};
    if (type == TP_EV_DATA) {
        ev.u.data.bytes = p;
        ev.u.data.len = len;
    } else if (type == TP_EV_SECRET) {
        ev.u.secret.line = p;
    }
    s->on_event(s, &ev);
}

static void ev_accept(tp_sink *s, unsigned conn, const struct sockaddr *peer,
                      const struct sockaddr *local, double wall)
{
    tp_event ev = {.type = TP_EV_ACCEPT, .conn = conn};
    ev.u.accept.peer = "x";
    ev.u.accept.local = "y";
    ev.u.accept.peer_sa = peer;
    ev.u.accept.local_sa = local;
    ev.u.accept.wall = wall;
    s->on_event(s, &ev);
}

static void test_pcapng_sink(void **state)
{
    (void)state;
    char path[] = "/tmp/tp_capture_sinkXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    tp_sink *s = report_pcapng_sink_new("test: --pcap", path, err, sizeof err);
    assert_non_null(s);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    struct sockaddr_in p1, p2, l4;
    struct sockaddr_in6 p3, l6;
    sa4(&p1, "127.0.0.1", 41001);
    sa4(&p2, "127.0.0.1", 41002);
    sa4(&l4, "127.0.0.1", 5556);
    sa6(&p3, "::1", 41003);
    sa6(&l6, "::1", 5556);
    ev_accept(s, 1, (struct sockaddr *)&p1, (struct sockaddr *)&l4, 1700000000.25);
    ev_accept(s, 2, (struct sockaddr *)&p2, (struct sockaddr *)&l4, 1700000000.5);
    ev_send(s, TP_EV_DATA, 1, 0.001, TP_C2S, c2s_ref, 300);
    ev_send(s, TP_EV_SECRET, 1, 0.002, TP_C2S, "CLIENT_RANDOM 01 02", 0);
    ev_send(s, TP_EV_SECRET, 2, 0.002, TP_C2S, "CLIENT_RANDOM 03 04\n", 0);
    ev_send(s, TP_EV_DATA, 2, 0.003, TP_C2S, "two", 3);
    ev_send(s, TP_EV_DATA, 1, 0.004, TP_S2C, s2c_ref, S2C_LEN);
    ev_send(s, TP_EV_DATA, 2, 0.005, TP_S2C, "TWO", 3);
    ev_send(s, TP_EV_CLOSE, 2, 0.006, TP_C2S, NULL, 0);
    /* closed connections are flushed: the file is readable now */
    size_t len;
    uint8_t *file = file_slurp(path, &len);
    collector *col = calloc(1, sizeof *col);
    assert_int_equal(run_capture(file, len, col, NULL), CAPTURE_ITEM_END);
    assert_int_equal(col->n, 2);
    /* each connection was held until its secret came, and written after it */
    assert_true(col->have_secrets);
    assert_int_equal(col->packets_before_secrets, 0);
    static const char want_secrets[] = "CLIENT_RANDOM 01 02\nCLIENT_RANDOM 03 04\n";
    assert_int_equal(col->secrets.len, strlen(want_secrets));
    assert_memory_equal(col->secrets.p, want_secrets, strlen(want_secrets));
    assert_int_equal(col->c[0].secrets_at_open, 20);
    assert_int_equal(col->c[1].secrets_at_open, 40);
    col_free(col);
    free(file);

    ev_accept(s, 3, (struct sockaddr *)&p3, (struct sockaddr *)&l6, 1700000001.0);
    ev_send(s, TP_EV_DATA, 3, 0.5, TP_C2S, "six", 3);
    ev_send(s, TP_EV_DATA, 4, 0.5, TP_C2S, "no accept", 9);
    ev_send(s, TP_EV_CLOSE, 1, 0.007, TP_C2S, NULL, 0);
    ev_send(s, TP_EV_CLOSE, 3, 0.8, TP_C2S, NULL, 0);
    report_pcapng_sink_free(s); /* closes connection 4 too */

    file = file_slurp(path, &len);
    col = calloc(1, sizeof *col);
    assert_int_equal(run_capture(file, len, col, NULL), CAPTURE_ITEM_END);
    assert_int_equal(col->n, 4);
    /* connection order in the file: 1 and 2 opened first */
    col_conn *c1 = &col->c[0], *c2 = &col->c[1], *c3 = &col->c[2], *c4 = &col->c[3];
    assert_int_equal(ntohs(((struct sockaddr_in *)&c1->client)->sin_port), 41001);
    assert_int_equal(c1->data[0].len, 300);
    assert_memory_equal(c1->data[0].p, c2s_ref, 300);
    assert_int_equal(c1->data[1].len, S2C_LEN);
    assert_memory_equal(c1->data[1].p, s2c_ref, S2C_LEN);
    assert_int_equal(c1->why, CAPTURE_CLOSE_FIN);
    assert_int_equal(c1->open_ts, 1700000000250000000ull);
    assert_stream(c2, TP_C2S, "two");
    assert_stream(c2, TP_S2C, "TWO");
    assert_int_equal(c2->why, CAPTURE_CLOSE_FIN);
    assert_int_equal(((struct sockaddr_in6 *)&c3->client)->sin6_family, AF_INET6);
    assert_stream(c3, TP_C2S, "six");
    assert_int_equal(c3->why, CAPTURE_CLOSE_FIN);
    assert_stream(c4, TP_C2S, "no accept");
    assert_int_equal(c4->why, CAPTURE_CLOSE_FIN);
    col_free(col);
    free(file);
    if (have_tshark()) {
        int rc;
        char cmd[512];
        snprintf(cmd, sizeof cmd, "tshark -r '%s' -q -z conv,tcp 2>/dev/null | grep -c '<->'",
                 path);
        char *out = run_out(cmd, &rc);
        assert_int_equal(atoi(out), 4);
        free(out);
    }
    unlink(path);
    report_pcapng_sink_free(NULL);
    assert_null(report_pcapng_sink_new("test: --pcap", "/nonexistent-dir/x.pcapng", err, sizeof err));
}

typedef struct {
    tp_sink *s;
    unsigned first;
} thr_arg;

static void *sink_thread(void *p)
{
    thr_arg *a = p;
    struct sockaddr_in peer, local;
    for (unsigned i = 0; i < 40; i++) {
        unsigned id = a->first + i;
        sa4(&peer, "127.0.0.1", (uint16_t)(30000 + id));
        sa4(&local, "127.0.0.1", 5556);
        ev_accept(a->s, id, (struct sockaddr *)&peer, (struct sockaddr *)&local, 1700000000.0);
        for (int k = 0; k < 5; k++) {
            ev_send(a->s, TP_EV_DATA, id, 0.001 * k, TP_C2S, s2c_ref, 100 + id);
            ev_send(a->s, TP_EV_SECRET, id, 0.001 * k, TP_C2S, "CLIENT_RANDOM aa bb", 0);
            ev_send(a->s, TP_EV_DATA, id, 0.001 * k, TP_S2C, s2c_ref, 200 + id);
        }
        ev_send(a->s, TP_EV_CLOSE, id, 0.01, TP_C2S, NULL, 0);
    }
    return NULL;
}

static void test_pcapng_sink_threads(void **state)
{
    (void)state;
    char path[] = "/tmp/tp_capture_thrXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    tp_sink *s = report_pcapng_sink_new("test: --pcap", path, err, sizeof err);
    assert_non_null(s);
    pthread_t th[2];
    thr_arg args[2] = {{s, 1}, {s, 1001}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, sink_thread, &args[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    report_pcapng_sink_free(s);
    size_t len;
    uint8_t *file = file_slurp(path, &len);
    collector *col = calloc(1, sizeof *col);
    assert_int_equal(run_capture(file, len, col, NULL), CAPTURE_ITEM_END);
    assert_int_equal(col->n, 80);
    for (int i = 0; i < col->n; i++) {
        col_conn *c = &col->c[i];
        unsigned id = ntohs(((struct sockaddr_in *)&c->client)->sin_port) - 30000;
        assert_int_equal(c->why, CAPTURE_CLOSE_FIN);
        assert_int_equal(c->data[0].len, 5 * (100 + id));
        assert_int_equal(c->data[1].len, 5 * (200 + id));
        for (int k = 0; k < 5; k++)
            assert_memory_equal(c->data[1].p + k * (200 + id), s2c_ref, 200 + id);
    }
    col_free(col);
    free(file);
    unlink(path);
}

static void test_pcapng_sink_hold(void **state)
{
    (void)state;
    char path[] = "/tmp/tp_capture_holdXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    tp_sink *s = report_pcapng_sink_new("test: --pcap", path, err, sizeof err);
    assert_non_null(s);
    struct sockaddr_in p1, p2, l4;
    sa4(&p1, "127.0.0.1", 42001);
    sa4(&p2, "127.0.0.1", 42002);
    sa4(&l4, "127.0.0.1", 5556);
    static const char *tls13[] = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET aa 01",
                                  "SERVER_HANDSHAKE_TRAFFIC_SECRET aa 02",
                                  "CLIENT_TRAFFIC_SECRET_0 aa 03", "SERVER_TRAFFIC_SECRET_0 aa 04"};
    /* TLS 1.3: held until both application secrets are known */
    ev_accept(s, 1, (struct sockaddr *)&p1, (struct sockaddr *)&l4, 1700000000.0);
    ev_send(s, TP_EV_DATA, 1, 0.001, TP_C2S, "hello", 5);
    ev_send(s, TP_EV_SECRET, 1, 0.002, TP_C2S, tls13[0], 0);
    ev_send(s, TP_EV_SECRET, 1, 0.002, TP_C2S, tls13[1], 0);
    ev_send(s, TP_EV_DATA, 1, 0.003, TP_S2C, "flight", 6);
    ev_send(s, TP_EV_SECRET, 1, 0.004, TP_C2S, tls13[2], 0);
    /* without secrets a connection is held up to 1 MiB, then written */
    ev_accept(s, 2, (struct sockaddr *)&p2, (struct sockaddr *)&l4, 1700000000.0);
    for (int i = 0; i < 30; i++)
        ev_send(s, TP_EV_DATA, 2, 0.01, TP_C2S, s2c_ref, S2C_LEN);
    size_t len;
    uint8_t *file = file_slurp(path, &len);
    collector *col = calloc(1, sizeof *col);
    run_capture(file, len, col, NULL);
    assert_int_equal(col->n, 1); /* only the big one so far */
    assert_int_equal(ntohs(((struct sockaddr_in *)&col->c[0].client)->sin_port), 42002);
    assert_true(col->c[0].data[0].len >= 1024 * 1024);
    col_free(col);
    free(file);

    ev_send(s, TP_EV_SECRET, 1, 0.004, TP_C2S, tls13[3], 0);
    ev_send(s, TP_EV_DATA, 1, 0.005, TP_C2S, "after", 5);
    file = file_slurp(path, &len);
    col = calloc(1, sizeof *col);
    run_capture(file, len, col, NULL);
    assert_int_equal(col->n, 2);
    col_conn *c1 = &col->c[1];
    assert_int_equal(ntohs(((struct sockaddr_in *)&c1->client)->sin_port), 42001);
    /* all four lines precede the connection's first packet */
    size_t all = 0;
    for (int i = 0; i < 4; i++)
        all += strlen(tls13[i]) + 1;
    assert_int_equal(c1->secrets_at_open, all);
    col_free(col);
    free(file);

    report_pcapng_sink_free(s);
    file = file_slurp(path, &len);
    col = calloc(1, sizeof *col);
    assert_int_equal(run_capture(file, len, col, NULL), CAPTURE_ITEM_END);
    assert_int_equal(col->n, 2);
    assert_int_equal(col->c[0].data[0].len, 30 * (size_t)S2C_LEN);
    for (int i = 0; i < 30; i++)
        assert_memory_equal(col->c[0].data[0].p + (size_t)i * S2C_LEN, s2c_ref, S2C_LEN);
    assert_stream(&col->c[1], TP_C2S, "helloafter");
    assert_stream(&col->c[1], TP_S2C, "flight");
    col_free(col);
    free(file);
    unlink(path);
}

/* Replays a real TLS 1.2 session through the sink the way `serve` sees it:
 * the key log line arrives only after the client's Finished went by.
 * tshark must still decrypt both Finished messages from the DSB alone. */
typedef struct {
    tp_sink *s;
    uint64_t t0;
    int c2s_chunks;
    const char *secret;
} replay_ctx;

static void *rp_open(void *ctx, const struct sockaddr *client, const struct sockaddr *server,
                     uint64_t ts)
{
    replay_ctx *rc = ctx;
    rc->t0 = ts;
    ev_accept(rc->s, 1, client, server, (double)ts / 1e9);
    return rc;
}

static void rp_data(void *ctx, void *conn, tp_dir dir, uint64_t ts, const uint8_t *d,
                    size_t len)
{
    replay_ctx *rc = ctx;
    (void)conn;
    double t = (double)(ts - rc->t0) / 1e9;
    ev_send(rc->s, TP_EV_DATA, 1, t, (tp_dir)dir, d, len);
    /* ClientHello, then ClientKeyExchange+CCS+Finished: the secret comes after */
    if (dir == TP_C2S && ++rc->c2s_chunks == 2)
        ev_send(rc->s, TP_EV_SECRET, 1, t, TP_C2S, rc->secret, 0);
}

static void rp_close(void *ctx, void *conn, uint64_t ts, capture_close_reason why,
                     const capture_close_info *info)
{
    replay_ctx *rc = ctx;
    (void)conn, (void)why, (void)info;
    ev_send(rc->s, TP_EV_CLOSE, 1, (double)(ts - rc->t0) / 1e9, TP_C2S, NULL, 0);
}

static void test_pcapng_sink_tshark_decrypts(void **state)
{
    (void)state;
    if (!have_tshark())
        skip();
    size_t len, klen;
    uint8_t *file = file_slurp(data_path("TP_TEST_DATA", "capture/tls12-lo.pcapng"), &len);
    uint8_t *keys = file_slurp(data_path("TP_TEST_DATA", "capture/tls12-lo.keys"), &klen);
    assert_non_null(file);
    assert_non_null(keys);
    /* the CLIENT_RANDOM line (the file starts with a comment) */
    keys = realloc(keys, klen + 1);
    keys[klen] = '\0';
    char *line = strstr((char *)keys, "CLIENT_RANDOM ");
    assert_non_null(line);
    char *nl = strchr(line, '\n');
    if (nl)
        *nl = '\0';
    char path[] = "/tmp/tp_capture_tlsXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    replay_ctx rc = {.secret = line};
    rc.s = report_pcapng_sink_new("test: --pcap", path, err, sizeof err);
    assert_non_null(rc.s);

    capture_tcp_callbacks cb = {rp_open, rp_data, NULL, rp_close};
    capture_tcp *t = capture_tcp_new(&cb, &rc, NULL);
    capture_reader r;
    capture_item it;
    capture_segment seg;
    assert_int_equal(capture_reader_init(&r, file, len), TP_OK);
    while (capture_reader_next(&r, &it) == CAPTURE_ITEM_PACKET)
        if (capture_packet_decode(it.packet.linktype, it.packet.data, it.packet.caplen, &seg) ==
            CAPTURE_DEC_TCP)
            capture_tcp_add(t, it.packet.ts_ns, &seg);
    capture_tcp_finish(t, 0);
    capture_tcp_free(t);
    report_pcapng_sink_free(rc.s);
    assert_int_equal(rc.c2s_chunks, 3);

    char cmd[512];
    int rc_sh;
    snprintf(cmd, sizeof cmd,
             "tshark -r '%s' -Y 'tls.handshake.type == 20' -T fields -e frame.number "
             "2>/dev/null | wc -l",
             path);
    char *out = run_out(cmd, &rc_sh);
    assert_int_equal(atoi(out), 2); /* client and server Finished, decrypted */
    free(out);
    snprintf(cmd, sizeof cmd, "tshark -r '%s' -Y 'tls.alert_message.desc == 0' 2>/dev/null | wc -l",
             path);
    out = run_out(cmd, &rc_sh);
    assert_int_equal(atoi(out), 2); /* both close_notify alerts readable */
    free(out);
    unlink(path);
    free(keys);
    free(file);
}

int main(void)
{
    refs_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_v4),
        cmocka_unit_test(test_roundtrip_v6_wrap),
        cmocka_unit_test(test_writer_checksums),
        cmocka_unit_test(test_writer_limits),
        cmocka_unit_test(test_secret_file_mode),
        cmocka_unit_test(test_outfile_write_error),
        cmocka_unit_test(test_outfile_no_torn_line),
        cmocka_unit_test(test_pcap_endian_resolution),
        cmocka_unit_test(test_pcap_link_types),
        cmocka_unit_test(test_pcap_bad_headers),
        cmocka_unit_test(test_truncated_files),
        cmocka_unit_test(test_pcapng_sections),
        cmocka_unit_test(test_packet_decode),
        cmocka_unit_test(test_tcp_ooo_retrans),
        cmocka_unit_test(test_tcp_gaps),
        cmocka_unit_test(test_tcp_direction),
        cmocka_unit_test(test_tcp_rst_reuse_evict),
        cmocka_unit_test(test_tcp_close_info),
        cmocka_unit_test(test_tcp_many_conns),
        cmocka_unit_test(test_real_captures),
        cmocka_unit_test(test_tshark_reads_output),
        cmocka_unit_test(test_pcapng_sink),
        cmocka_unit_test(test_pcapng_sink_threads),
        cmocka_unit_test(test_pcapng_sink_hold),
        cmocka_unit_test(test_pcapng_sink_tshark_decrypts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
