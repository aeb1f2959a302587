/* Whole offline path on arbitrary bytes: format detection, pcap/pcapng
 * reading, link/IP/TCP decoding and TCP reassembly.  Every delivered byte is
 * read so out-of-bounds views show up under ASan. */
#include <stddef.h>
#include <stdint.h>

#include "capture/packet.h"
#include "capture/pcap_read.h"
#include "capture/tcp.h"

typedef struct {
    unsigned sum;
    int open;
} fz_ctx;

static int fz_conn_token;

static void *fz_open(void *ctx, const struct sockaddr *c, const struct sockaddr *s, uint64_t ts)
{
    fz_ctx *f = ctx;
    (void)ts;
    f->sum += (unsigned)c->sa_family + (unsigned)s->sa_family;
    f->open++;
    return &fz_conn_token;
}

static void fz_data(void *ctx, void *conn, tp_dir dir, uint64_t ts, const uint8_t *d,
                    size_t len)
{
    fz_ctx *f = ctx;
    (void)conn, (void)dir, (void)ts;
    for (size_t i = 0; i < len; i++)
        f->sum += d[i];
}

static void fz_gap(void *ctx, void *conn, tp_dir dir, uint64_t ts, size_t len)
{
    fz_ctx *f = ctx;
    (void)conn, (void)dir, (void)ts;
    f->sum += (unsigned)len;
}

static void fz_close(void *ctx, void *conn, uint64_t ts, capture_close_reason why,
                     const capture_close_info *info)
{
    fz_ctx *f = ctx;
    (void)conn, (void)ts, (void)info;
    f->sum += (unsigned)why;
    f->open--;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const capture_tcp_callbacks cb = {fz_open, fz_data, fz_gap, fz_close};
    static const capture_tcp_limits lim = {.max_conns = 64,
                                           .max_ooo_bytes = 1 << 16,
                                           .max_ooo_segments = 64,
                                           .max_total_ooo_bytes = 1 << 20};
    fz_ctx f = {0};
    capture_reader r;
    capture_item it;
    capture_segment seg;

    /* the bytes as one packet of every supported link type */
    static const uint32_t links[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (capture_packet_decode(links[i], data, size, &seg) == CAPTURE_DEC_TCP)
            for (size_t j = 0; j < seg.payload_len; j++)
                f.sum += seg.payload[j];

    if (capture_reader_init(&r, data, size) != TP_OK)
        return 0;
    capture_tcp *t = capture_tcp_new(&cb, &f, &lim);
    if (!t)
        return 0;
    capture_item_kind k;
    uint64_t last = 0;
    while ((k = capture_reader_next(&r, &it)) == CAPTURE_ITEM_PACKET || k == CAPTURE_ITEM_SECRETS) {
        if (k == CAPTURE_ITEM_SECRETS) {
            for (size_t j = 0; j < it.secrets.len; j++)
                f.sum += it.secrets.data[j];
            continue;
        }
        last = it.packet.ts_ns;
        if (capture_packet_decode(it.packet.linktype, it.packet.data, it.packet.caplen, &seg) ==
            CAPTURE_DEC_TCP)
            capture_tcp_add(t, it.packet.ts_ns, &seg);
    }
    capture_tcp_finish(t, last);
    if (f.open != 0)
        __builtin_trap(); /* every opened connection must be closed exactly once */
    capture_tcp_free(t);
    return 0;
}
