/* pcapng writing (draft-ietf-opsawg-pcapng) and synthetic TCP/IP packets
 * (RFC 791, RFC 8200, RFC 9293).  Integers are written little-endian; the
 * Section Header's byte-order magic says so. */
#include "pcapng_write.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../wire/buf.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define BT_DSB 0x0000000Au
#define LINKTYPE_RAW 101

static tp_status emit(capture_pcapng_writer *w, const void *p, size_t n)
{
    if (w->status != TP_OK)
        return w->status;
    if (n && fwrite(p, 1, n, w->f) != n) {
        w->status = TP_ERR_IO;
        w->err_no = errno ? errno : EIO;
    } else
        w->bytes += n;
    return w->status;
}

/* Reserves room for a block of `total` bytes under max_bytes. */
static tp_status block_room(capture_pcapng_writer *w, size_t total)
{
    if (w->status != TP_OK)
        return w->status;
    if (w->max_bytes && w->bytes + total > w->max_bytes)
        w->status = TP_ERR_LIMIT;
    return w->status;
}

tp_status capture_pcapng_writer_init(capture_pcapng_writer *w, FILE *f)
{
    static const char app[] = "tlsprobe";
    memset(w, 0, sizeof *w);
    w->f = f;
    if (!f)
        return w->status = TP_ERR_IO;

    /* SHB: type, length, BOM, version 1.0, section length -1 (unknown),
     * shb_userappl option, end of options, length. */
    static const uint8_t unknown_len[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t shb[28 + 4 + 8 + 4 + 4 + 1];
    const uint32_t shb_len = sizeof shb - 1;
    wire_buf b;
    wire_buf_init_fixed(&b, shb, sizeof shb);
    wire_buf_add_u32le(&b, BT_SHB);
    wire_buf_add_u32le(&b, shb_len);
    wire_buf_add_u32le(&b, 0x1A2B3C4Du);
    wire_buf_add_u16le(&b, 1);
    wire_buf_add_u16le(&b, 0);
    wire_buf_add_bytes(&b, unknown_len, sizeof unknown_len);
    wire_buf_add_u16le(&b, 4); /* shb_userappl */
    wire_buf_add_u16le(&b, (uint16_t)(sizeof app - 1));
    wire_buf_add_bytes(&b, app, sizeof app - 1);
    wire_buf_add_u32le(&b, 0); /* opt_endofopt */
    wire_buf_add_u32le(&b, 0); /* zero bytes up to the trailing length */
    wire_buf_add_u32le(&b, shb_len);

    /* IDB: link type, snaplen 0 (no limit), if_tsresol = 9 (ns), end */
    uint8_t idb[20 + 8 + 4 + 1];
    const uint32_t idb_len = sizeof idb - 1;
    wire_buf i;
    wire_buf_init_fixed(&i, idb, sizeof idb);
    wire_buf_add_u32le(&i, BT_IDB);
    wire_buf_add_u32le(&i, idb_len);
    wire_buf_add_u16le(&i, LINKTYPE_RAW);
    wire_buf_add_u16le(&i, 0); /* reserved */
    wire_buf_add_u32le(&i, 0); /* snaplen */
    wire_buf_add_u16le(&i, 9); /* if_tsresol */
    wire_buf_add_u16le(&i, 1);
    wire_buf_add_u32le(&i, 9); /* the value 9 and 3 bytes of padding */
    wire_buf_add_u32le(&i, 0); /* opt_endofopt */
    wire_buf_add_u32le(&i, idb_len);

    if (emit(w, shb, wire_buf_len(&b)) != TP_OK || emit(w, idb, wire_buf_len(&i)) != TP_OK)
        return w->status;
    return TP_OK;
}

void capture_pcapng_writer_init_blocks(capture_pcapng_writer *w, FILE *f)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    if (!f)
        w->status = TP_ERR_IO;
}

tp_status capture_pcapng_write_blocks(capture_pcapng_writer *w, const void *blocks, size_t len)
{
    if (block_room(w, len) != TP_OK)
        return w->status;
    return emit(w, blocks, len);
}

/* A block's head: its type and total length (the caller appends the fixed
 * fields of the body). */
static void block_head(wire_buf *b, void *storage, size_t size, uint32_t type, size_t total)
{
    wire_buf_init_fixed(b, storage, size);
    wire_buf_add_u32le(b, type);
    wire_buf_add_u32le(b, (uint32_t)total);
}

/* Writes a block of `total` bytes: its head, the data (in two parts),
 * padding to 32 bits and the trailing total length. */
static tp_status emit_block(capture_pcapng_writer *w, const wire_buf *head, size_t total,
                            const void *a, size_t a_len, const void *b, size_t b_len)
{
    static const uint8_t zeros[4];
    uint8_t tail[4 + 1];
    wire_buf t;
    wire_buf_init_fixed(&t, tail, sizeof tail);
    wire_buf_add_u32le(&t, (uint32_t)total);
    if (block_room(w, total) != TP_OK)
        return w->status;
    emit(w, wire_buf_data(head), wire_buf_len(head));
    emit(w, a, a_len);
    emit(w, b, b_len);
    emit(w, zeros, (4 - ((a_len + b_len) & 3)) & 3);
    return emit(w, tail, wire_buf_len(&t));
}

tp_status capture_pcapng_write_secrets(capture_pcapng_writer *w, const char *text, size_t len)
{
    if (w->status != TP_OK)
        return w->status;
    if (len > CAPTURE_PCAPNG_MAX_SECRETS)
        return TP_ERR_OVERSIZED; /* not sticky: the caller may split */
    size_t pad = (4 - (len & 3)) & 3;
    size_t total = 20 + len + pad;
    uint8_t hdr[16 + 1];
    wire_buf b;
    block_head(&b, hdr, sizeof hdr, BT_DSB, total);
    wire_buf_add_u32le(&b, CAPTURE_SECRETS_TLS_KEYLOG);
    wire_buf_add_u32le(&b, (uint32_t)len);
    return emit_block(w, &b, total, text, len, NULL, 0);
}

tp_status capture_pcapng_write_packet(capture_pcapng_writer *w, uint64_t ts_ns, const uint8_t *hdr,
                                      size_t hdr_len, const uint8_t *payload, size_t payload_len)
{
    if (w->status != TP_OK)
        return w->status;
    if (hdr_len > CAPTURE_PCAPNG_MAX_PACKET || payload_len > CAPTURE_PCAPNG_MAX_PACKET - hdr_len)
        return TP_ERR_OVERSIZED;
    size_t len = hdr_len + payload_len;
    size_t pad = (4 - (len & 3)) & 3;
    size_t total = 32 + len + pad;
    uint8_t bh[28 + 1];
    wire_buf b;
    block_head(&b, bh, sizeof bh, BT_EPB, total);
    wire_buf_add_u32le(&b, 0); /* interface 0 */
    wire_buf_add_u32le(&b, (uint32_t)(ts_ns >> 32));
    wire_buf_add_u32le(&b, (uint32_t)ts_ns);
    wire_buf_add_u32le(&b, (uint32_t)len);
    wire_buf_add_u32le(&b, (uint32_t)len);
    return emit_block(w, &b, total, hdr, hdr_len, payload, payload_len);
}

tp_status capture_pcapng_writer_flush(capture_pcapng_writer *w)
{
    if (w->status == TP_OK && fflush(w->f) != 0) {
        w->status = TP_ERR_IO;
        w->err_no = errno ? errno : EIO;
    }
    return w->status;
}

/* ---- synthetic TCP/IP ---- */

/* RFC 1071 one's-complement sum, continued over several buffers. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (i < n)
        sum += (uint32_t)p[i] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static bool is_v4_mapped(const struct in6_addr *a)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a->s6_addr, prefix, 12) == 0;
}

/* Fills addr (16 bytes, IPv4 in the first 4) and port; returns 4, 6 or 0. */
static int sa_take(const struct sockaddr *sa, uint8_t *addr, uint16_t *port)
{
    memset(addr, 0, 16);
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
        memcpy(addr, &sin->sin_addr, 4);
        *port = ntohs(sin->sin_port);
        return 4;
    }
    if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
        *port = ntohs(sin6->sin6_port);
        if (is_v4_mapped(&sin6->sin6_addr)) {
            memcpy(addr, sin6->sin6_addr.s6_addr + 12, 4);
            return 4;
        }
        memcpy(addr, &sin6->sin6_addr, 16);
        return 6;
    }
    return 0;
}

static void v4_to_mapped(uint8_t *addr)
{
    uint8_t v4[4];
    memcpy(v4, addr, 4);
    memset(addr, 0, 16);
    addr[10] = addr[11] = 0xff;
    memcpy(addr + 12, v4, 4);
}

void capture_flow_init(capture_flow *f, const struct sockaddr *client,
                       const struct sockaddr *server, uint32_t isn_c, uint32_t isn_s, size_t mss)
{
    memset(f, 0, sizeof *f);
    int vc = sa_take(client, f->addr[TP_C2S], &f->port[TP_C2S]);
    int vs = sa_take(server, f->addr[TP_S2C], &f->port[TP_S2C]);
    if (vc == 0 || vs == 0) {
        /* no usable addresses: loopback with placeholder ports */
        static const uint8_t lo[4] = {127, 0, 0, 1};
        memset(f->addr, 0, sizeof f->addr);
        memcpy(f->addr[TP_C2S], lo, 4);
        memcpy(f->addr[TP_S2C], lo, 4);
        if (vc == 0 || !f->port[TP_C2S])
            f->port[TP_C2S] = (uint16_t)(40000 + isn_c % 20000);
        if (vs == 0 || !f->port[TP_S2C])
            f->port[TP_S2C] = 443;
        vc = vs = 4;
    } else if (vc != vs) {
        v4_to_mapped(vc == 4 ? f->addr[TP_C2S] : f->addr[TP_S2C]);
        vc = vs = 6;
    }
    f->ipv = (uint8_t)vc;
    f->next_seq[TP_C2S] = isn_c;
    f->next_seq[TP_S2C] = isn_s;
    f->ip_id[TP_C2S] = (uint16_t)(isn_c >> 16);
    f->ip_id[TP_S2C] = (uint16_t)(isn_s >> 16);
    f->mss = mss ? mss : CAPTURE_FLOW_DEFAULT_MSS;
    if (f->mss > CAPTURE_PCAPNG_MAX_PACKET - 80)
        f->mss = CAPTURE_PCAPNG_MAX_PACKET - 80;
}

#define TCP_WSCALE 7 /* advertised window 65535 << 7 = 8 MiB */

/* A checksum into the header built (big-endian, at p). */
static void patch_csum(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The IPv4 (RFC 791 3.1) or IPv6 (RFC 8200 3) header of a segment from dir
 * carrying `inner` bytes (TCP header and data). */
static void ip_header(wire_buf *b, capture_flow *f, tp_dir dir, tp_dir peer, size_t inner)
{
    if (f->ipv == 4) {
        wire_buf_add_u8(b, 0x45);
        wire_buf_add_u8(b, 0);
        wire_buf_add_u16(b, (uint16_t)(20 + inner));
        wire_buf_add_u16(b, f->ip_id[dir]++);
        wire_buf_add_u16(b, 0x4000); /* DF */
        wire_buf_add_u8(b, 64);
        wire_buf_add_u8(b, 6);
        wire_buf_add_u16(b, 0); /* checksum, patched */
        wire_buf_add_bytes(b, f->addr[dir], 4);
        wire_buf_add_bytes(b, f->addr[peer], 4);
    } else {
        wire_buf_add_u32(b, 0x60000000u);
        wire_buf_add_u16(b, (uint16_t)inner);
        wire_buf_add_u8(b, 6);
        wire_buf_add_u8(b, 64);
        wire_buf_add_bytes(b, f->addr[dir], 16);
        wire_buf_add_bytes(b, f->addr[peer], 16);
    }
}

/* The TCP header (RFC 9293 3.1) of a segment from dir, its checksum zero. */
static void tcp_header(wire_buf *b, capture_flow *f, tp_dir dir, tp_dir peer, uint8_t flags,
                       size_t tcplen)
{
    wire_buf_add_u16(b, f->port[dir]);
    wire_buf_add_u16(b, f->port[peer]);
    wire_buf_add_u32(b, f->next_seq[dir]);
    wire_buf_add_u32(b, (flags & CAPTURE_TCP_ACK) ? f->next_seq[peer] : 0);
    wire_buf_add_u8(b, (uint8_t)((tcplen / 4) << 4));
    wire_buf_add_u8(b, flags);
    wire_buf_add_u16(b, 0xffff);
    wire_buf_add_u16(b, 0); /* checksum, patched */
    wire_buf_add_u16(b, 0); /* urgent pointer */
    if (tcplen > 20) {
        /* MSS, NOP, window scale (RFC 9293 3.2, RFC 7323 2) */
        wire_buf_add_u8(b, 2);
        wire_buf_add_u8(b, 4);
        wire_buf_add_u16(b, (uint16_t)(f->mss > 0xffff ? 0xffff : f->mss));
        wire_buf_add_u8(b, 1);
        wire_buf_add_u8(b, 3);
        wire_buf_add_u8(b, 3);
        wire_buf_add_u8(b, TCP_WSCALE);
    }
}

/* Builds the IP and TCP headers for one segment from `dir` and writes it. */
static tp_status flow_segment(capture_pcapng_writer *w, capture_flow *f, tp_dir dir, uint64_t ts_ns,
                              uint8_t flags, const uint8_t *data, size_t len)
{
    uint8_t h[40 + 32 + 1];
    tp_dir peer = dir == TP_C2S ? TP_S2C : TP_C2S;
    size_t iplen = f->ipv == 4 ? 20 : 40;
    size_t optlen = (flags & CAPTURE_TCP_SYN) ? 8 : 0;
    size_t tcplen = 20 + optlen;
    size_t alen = f->ipv == 4 ? 4 : 16;
    uint8_t *tcp = h + iplen;

    wire_buf b;
    wire_buf_init_fixed(&b, h, sizeof h);
    ip_header(&b, f, dir, peer, tcplen + len);
    tcp_header(&b, f, dir, peer, flags, tcplen);
    if (f->ipv == 4)
        patch_csum(h + 10, csum_fold(csum_add(0, h, 20))); /* RFC 791 3.1 */
    /* RFC 9293 3.1 / RFC 8200 8.1: checksum over pseudo-header + segment */
    uint32_t sum = csum_add(0, f->addr[dir], alen);
    sum = csum_add(sum, f->addr[peer], alen);
    sum += 6;
    sum += (uint32_t)((tcplen + len) & 0xffff) + (uint32_t)((tcplen + len) >> 16);
    sum = csum_add(sum, tcp, tcplen);
    /* the payload continues the 16-bit grid: tcplen is even */
    sum = csum_add(sum, data, len);
    patch_csum(tcp + 16, csum_fold(sum));

    f->next_seq[dir] += (uint32_t)len;
    if (flags & (CAPTURE_TCP_SYN | CAPTURE_TCP_FIN))
        f->next_seq[dir] += 1;
    return capture_pcapng_write_packet(w, ts_ns, h, iplen + tcplen, data, len);
}

tp_status capture_flow_write_open(capture_pcapng_writer *w, capture_flow *f, uint64_t ts_ns)
{
    if (f->opened)
        return w->status;
    f->opened = true;
    flow_segment(w, f, TP_C2S, ts_ns, CAPTURE_TCP_SYN, NULL, 0);
    flow_segment(w, f, TP_S2C, ts_ns, CAPTURE_TCP_SYN | CAPTURE_TCP_ACK, NULL, 0);
    return flow_segment(w, f, TP_C2S, ts_ns, CAPTURE_TCP_ACK, NULL, 0);
}

tp_status capture_flow_write_data(capture_pcapng_writer *w, capture_flow *f, tp_dir dir,
                                  uint64_t ts_ns, const uint8_t *data, size_t len)
{
    tp_dir peer = dir == TP_C2S ? TP_S2C : TP_C2S;
    if (f->closed)
        return w->status;
    if (!f->opened)
        capture_flow_write_open(w, f, ts_ns);
    while (len > 0 && w->status == TP_OK) {
        size_t n = len < f->mss ? len : f->mss;
        flow_segment(w, f, dir, ts_ns, CAPTURE_TCP_ACK | CAPTURE_TCP_PSH, data, n);
        /* each segment is acknowledged, so analysers never see a full window */
        flow_segment(w, f, peer, ts_ns, CAPTURE_TCP_ACK, NULL, 0);
        data += n;
        len -= n;
    }
    return w->status;
}

tp_status capture_flow_write_close(capture_pcapng_writer *w, capture_flow *f, tp_dir first,
                                   uint64_t ts_ns)
{
    tp_dir second = first == TP_C2S ? TP_S2C : TP_C2S;
    if (f->closed)
        return w->status;
    if (!f->opened)
        capture_flow_write_open(w, f, ts_ns);
    f->closed = true;
    flow_segment(w, f, first, ts_ns, CAPTURE_TCP_FIN | CAPTURE_TCP_ACK, NULL, 0);
    flow_segment(w, f, second, ts_ns, CAPTURE_TCP_FIN | CAPTURE_TCP_ACK, NULL, 0);
    return flow_segment(w, f, first, ts_ns, CAPTURE_TCP_ACK, NULL, 0);
}
