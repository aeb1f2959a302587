/* TCP reassembly on a sequence of synthetic segments.  Input: records of
 *   u8 flags, u8 which (bit 0: from the second endpoint, bits 1-2: one of 4
 *   port pairs), i16 seq delta, i16 ack delta, u8 payload length, payload.
 * Sequence numbers move relative to a per-endpoint base so segments land
 * near each other (overlaps, holes, retransmissions, wraps).  Checks that
 * each direction's delivered bytes plus gaps never run backwards and that
 * every connection is closed exactly once. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "capture/tcp.h"
#include "wire/cursor.h"

typedef struct {
    int open;
    unsigned sum;
} fz_ctx;

typedef struct {
    int in_use;
    uint64_t delivered[2];
} fz_conn;

static fz_conn conns[4096];
static size_t num_conns;

static void *fz_open(void *ctx, const struct sockaddr *c, const struct sockaddr *s, uint64_t ts)
{
    fz_ctx *f = ctx;
    (void)c, (void)s, (void)ts;
    if (num_conns == sizeof conns / sizeof conns[0])
        return NULL;
    fz_conn *fc = &conns[num_conns++];
    memset(fc, 0, sizeof *fc);
    fc->in_use = 1;
    f->open++;
    return fc;
}

static void fz_data(void *ctx, void *conn, tp_dir dir, uint64_t ts, const uint8_t *d,
                    size_t len)
{
    fz_ctx *f = ctx;
    fz_conn *fc = conn;
    (void)ts;
    if (!fc->in_use || len == 0)
        __builtin_trap();
    for (size_t i = 0; i < len; i++)
        f->sum += d[i];
    fc->delivered[dir] += len;
}

static void fz_gap(void *ctx, void *conn, tp_dir dir, uint64_t ts, size_t len)
{
    fz_conn *fc = conn;
    (void)ctx, (void)ts;
    if (!fc->in_use || len == 0)
        __builtin_trap();
    fc->delivered[dir] += len;
}

static void fz_close(void *ctx, void *conn, uint64_t ts, capture_close_reason why,
                     const capture_close_info *info)
{
    fz_ctx *f = ctx;
    fz_conn *fc = conn;
    (void)ts, (void)why;
    if (!fc->in_use)
        __builtin_trap();
    /* a refused SYN is a RST from the server, and then the first close */
    if (info->refused && !(info->first_close_rst && info->first_close_dir == TP_S2C))
        __builtin_trap();
    fc->in_use = 0;
    f->open--;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const capture_tcp_callbacks cb = {fz_open, fz_data, fz_gap, fz_close};
    static const capture_tcp_limits lim = {
        .max_conns = 3, .max_ooo_bytes = 4096, .max_ooo_segments = 16, .max_total_ooo_bytes = 8192};
    fz_ctx f = {0};
    num_conns = 0;
    capture_tcp *t = capture_tcp_new(&cb, &f, &lim);
    if (!t)
        return 0;
    uint32_t base[2][4] = {{1000, 0xfffffff0u, 7, 1u << 31}, {5000, 77, 0x7ffffff0u, 3}};
    cur_t in;
    cur_init(&in, data, size);
    uint64_t ts = 0;
    for (;;) {
        uint8_t flags, which, plen;
        uint16_t sd, ad;
        cur_t payload;
        if (!cur_get_u8(&in, &flags) || !cur_get_u8(&in, &which) || !cur_get_u16(&in, &sd) ||
            !cur_get_u16(&in, &ad) || !cur_get_u8(&in, &plen) ||
            !cur_get_bytes(&in, &payload, plen))
            break;
        int side = which & 1, pair = (which >> 1) & 3;
        capture_segment s = {.ip_version = (which & 8) ? 6 : 4};
        s.src[0] = (uint8_t)(10 + side);
        s.dst[0] = (uint8_t)(11 - side);
        s.sport = (uint16_t)(side ? 443 : 40000 + pair);
        s.dport = (uint16_t)(side ? 40000 + pair : 443);
        s.seq = base[side][pair] + (uint32_t)(int32_t)(int16_t)sd;
        s.ack = base[!side][pair] + (uint32_t)(int32_t)(int16_t)ad;
        s.flags = flags;
        s.payload = plen ? cur_data(&payload) : NULL;
        s.payload_len = plen;
        /* the stream mostly moves forward */
        if (which & 0x10)
            base[side][pair] += plen;
        capture_tcp_add(t, ++ts, &s);
    }
    capture_tcp_finish(t, ts);
    if (f.open != 0)
        __builtin_trap();
    capture_tcp_free(t);
    return 0;
}
