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

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define BT_DSB 0x0000000Au
#define LINKTYPE_RAW 101

static void put16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static tp_status emit(capture_pcapng_writer *w, const void *p, size_t n)
{
    if (w->status != TP_OK)
        return w->status;
    if (n && fwrite(p, 1, n, w->f) != n) {
        w->status = TP_ERR_IO;
        w->err_no = errno ? errno : EIO;
    }
    else
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
    uint8_t shb[28 + 4 + 8 + 4 + 4];
    size_t n = sizeof shb;
    memset(shb, 0, n);
    put32le(shb, BT_SHB);
    put32le(shb + 4, (uint32_t)n);
    put32le(shb + 8, 0x1A2B3C4Du);
    put16le(shb + 12, 1);
    put16le(shb + 14, 0);
    memset(shb + 16, 0xff, 8);
    put16le(shb + 24, 4); /* shb_userappl */
    put16le(shb + 26, (uint16_t)(sizeof app - 1));
    memcpy(shb + 28, app, sizeof app - 1);
    /* opt_endofopt is the zero bytes at 36..39 */
    put32le(shb + n - 4, (uint32_t)n);

    /* IDB: link type, snaplen 0 (no limit), if_tsresol = 9 (ns), end */
    uint8_t idb[20 + 8 + 4];
    n = sizeof idb;
    memset(idb, 0, n);
    put32le(idb, BT_IDB);
    put32le(idb + 4, (uint32_t)n);
    put16le(idb + 8, LINKTYPE_RAW);
    put32le(idb + 12, 0);
    put16le(idb + 16, 9); /* if_tsresol */
    put16le(idb + 18, 1);
    idb[20] = 9;
    put32le(idb + n - 4, (uint32_t)n);

    if (emit(w, shb, sizeof shb) != TP_OK || emit(w, idb, sizeof idb) != TP_OK)
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

tp_status capture_pcapng_write_secrets(capture_pcapng_writer *w, const char *text, size_t len)
{
    static const uint8_t zeros[4];
    if (w->status != TP_OK)
        return w->status;
    if (len > CAPTURE_PCAPNG_MAX_SECRETS)
        return TP_ERR_OVERSIZED; /* not sticky: the caller may split */
    size_t pad = (4 - (len & 3)) & 3;
    size_t total = 20 + len + pad;
    uint8_t hdr[16], tail[4];
    put32le(hdr, BT_DSB);
    put32le(hdr + 4, (uint32_t)total);
    put32le(hdr + 8, CAPTURE_SECRETS_TLS_KEYLOG);
    put32le(hdr + 12, (uint32_t)len);
    put32le(tail, (uint32_t)total);
    if (block_room(w, total) != TP_OK)
        return w->status;
    emit(w, hdr, sizeof hdr);
    emit(w, text, len);
    emit(w, zeros, pad);
    return emit(w, tail, sizeof tail);
}

tp_status capture_pcapng_write_packet(capture_pcapng_writer *w, uint64_t ts_ns, const uint8_t *hdr,
                                      size_t hdr_len, const uint8_t *payload, size_t payload_len)
{
    static const uint8_t zeros[4];
    if (w->status != TP_OK)
        return w->status;
    if (hdr_len > CAPTURE_PCAPNG_MAX_PACKET || payload_len > CAPTURE_PCAPNG_MAX_PACKET - hdr_len)
        return TP_ERR_OVERSIZED;
    size_t len = hdr_len + payload_len;
    size_t pad = (4 - (len & 3)) & 3;
    size_t total = 32 + len + pad;
    uint8_t bh[28], tail[4];
    put32le(bh, BT_EPB);
    put32le(bh + 4, (uint32_t)total);
    put32le(bh + 8, 0); /* interface 0 */
    put32le(bh + 12, (uint32_t)(ts_ns >> 32));
    put32le(bh + 16, (uint32_t)ts_ns);
    put32le(bh + 20, (uint32_t)len);
    put32le(bh + 24, (uint32_t)len);
    put32le(tail, (uint32_t)total);
    if (block_room(w, total) != TP_OK)
        return w->status;
    emit(w, bh, sizeof bh);
    emit(w, hdr, hdr_len);
    emit(w, payload, payload_len);
    emit(w, zeros, pad);
    return emit(w, tail, sizeof tail);
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

/* Builds the IP and TCP headers for one segment from `dir` and writes it. */
static tp_status flow_segment(capture_pcapng_writer *w, capture_flow *f, tp_dir dir,
                              uint64_t ts_ns, uint8_t flags, const uint8_t *data, size_t len)
{
    uint8_t h[40 + 32];
    tp_dir peer = dir == TP_C2S ? TP_S2C : TP_C2S;
    size_t iplen = f->ipv == 4 ? 20 : 40;
    size_t optlen = (flags & CAPTURE_TCP_SYN) ? 8 : 0;
    size_t tcplen = 20 + optlen;
    size_t alen = f->ipv == 4 ? 4 : 16;
    uint8_t *tcp = h + iplen;

    memset(h, 0, sizeof h);
    if (f->ipv == 4) {
        h[0] = 0x45;
        put16be(h + 2, (uint16_t)(iplen + tcplen + len));
        put16be(h + 4, f->ip_id[dir]++);
        put16be(h + 6, 0x4000); /* DF */
        h[8] = 64;
        h[9] = 6;
        memcpy(h + 12, f->addr[dir], 4);
        memcpy(h + 16, f->addr[peer], 4);
        put16be(h + 10, csum_fold(csum_add(0, h, 20))); /* RFC 791 3.1 */
    } else {
        h[0] = 0x60;
        put16be(h + 4, (uint16_t)(tcplen + len));
        h[6] = 6;
        h[7] = 64;
        memcpy(h + 8, f->addr[dir], 16);
        memcpy(h + 24, f->addr[peer], 16);
    }

    put16be(tcp, f->port[dir]);
    put16be(tcp + 2, f->port[peer]);
    put32be(tcp + 4, f->next_seq[dir]);
    put32be(tcp + 8, (flags & CAPTURE_TCP_ACK) ? f->next_seq[peer] : 0);
    tcp[12] = (uint8_t)((tcplen / 4) << 4);
    tcp[13] = flags;
    put16be(tcp + 14, 0xffff);
    if (optlen) {
        /* MSS, NOP, window scale (RFC 9293 3.2, RFC 7323 2) */
        tcp[20] = 2;
        tcp[21] = 4;
        put16be(tcp + 22, (uint16_t)(f->mss > 0xffff ? 0xffff : f->mss));
        tcp[24] = 1;
        tcp[25] = 3;
        tcp[26] = 3;
        tcp[27] = TCP_WSCALE;
    }
    /* RFC 9293 3.1 / RFC 8200 8.1: checksum over pseudo-header + segment */
    uint32_t sum = csum_add(0, f->addr[dir], alen);
    sum = csum_add(sum, f->addr[peer], alen);
    sum += 6;
    sum += (uint32_t)((tcplen + len) & 0xffff) + (uint32_t)((tcplen + len) >> 16);
    sum = csum_add(sum, tcp, tcplen);
    /* the payload continues the 16-bit grid: tcplen is even */
    sum = csum_add(sum, data, len);
    put16be(tcp + 16, csum_fold(sum));

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
