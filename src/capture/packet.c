/* Link layer -> IPv4/IPv6 -> TCP, cursor based.  Runs once per packet in the
 * decode hot path: no allocation, no copies except the two addresses. */
#include "packet.h"

#include <string.h>

#include "../wire/cursor.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_VLAN 0x8100 /* IEEE 802.1Q */
#define ETHERTYPE_QINQ 0x88A8 /* IEEE 802.1ad */
#define ETHERTYPE_VLAN_OLD 0x9100

#define IPPROTO_NUM_TCP 6

/* Network-layer protocol found below the link header. */
typedef enum { NET_IPV4, NET_IPV6, NET_BY_VERSION, NET_OTHER } net_kind;

static net_kind net_from_ethertype(uint16_t et)
{
    if (et == ETHERTYPE_IPV4)
        return NET_IPV4;
    if (et == ETHERTYPE_IPV6)
        return NET_IPV6;
    return NET_OTHER;
}

/* BSD AF_ values as written by the capturing OS: AF_INET is 2 everywhere;
 * AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). */
static net_kind net_from_af(uint32_t af)
{
    if (af == 2)
        return NET_IPV4;
    if (af == 10 || af == 24 || af == 28 || af == 30)
        return NET_IPV6;
    return NET_OTHER;
}

static capture_decode_result tcp_decode(cur_t *ip_payload, capture_segment *out)
{
    uint16_t sport, dport, window, csum, urg;
    uint32_t seq, ack;
    uint8_t off_byte, flags;
    cur_t tcp = *ip_payload;

    if (!cur_get_u16(&tcp, &sport) || !cur_get_u16(&tcp, &dport) || !cur_get_u32(&tcp, &seq) ||
        !cur_get_u32(&tcp, &ack) || !cur_get_u8(&tcp, &off_byte) || !cur_get_u8(&tcp, &flags) ||
        !cur_get_u16(&tcp, &window) || !cur_get_u16(&tcp, &csum) || !cur_get_u16(&tcp, &urg))
        return CAPTURE_DEC_TRUNCATED;
    (void)csum;
    (void)urg;
    /* RFC 9293 3.1: data offset counts 32-bit words, at least 5 */
    size_t hlen = (size_t)(off_byte >> 4) * 4;
    if (hlen < 20)
        return CAPTURE_DEC_BAD;
    if (!cur_skip(&tcp, hlen - 20))
        return CAPTURE_DEC_TRUNCATED;
    out->sport = sport;
    out->dport = dport;
    out->seq = seq;
    out->ack = ack;
    out->flags = flags;
    out->window = window;
    out->payload_len = cur_len(&tcp);
    out->payload = out->payload_len ? cur_data(&tcp) : NULL;
    return CAPTURE_DEC_TCP;
}

static capture_decode_result ipv4_decode(cur_t *in, capture_segment *out)
{
    uint8_t vihl, tos, ttl, proto;
    uint16_t total, id, frag, csum;
    cur_t hdr = *in, src, dst, body;

    if (!cur_get_u8(&hdr, &vihl) || !cur_get_u8(&hdr, &tos) || !cur_get_u16(&hdr, &total) ||
        !cur_get_u16(&hdr, &id) || !cur_get_u16(&hdr, &frag) || !cur_get_u8(&hdr, &ttl) ||
        !cur_get_u8(&hdr, &proto) || !cur_get_u16(&hdr, &csum) || !cur_get_bytes(&hdr, &src, 4) ||
        !cur_get_bytes(&hdr, &dst, 4))
        return CAPTURE_DEC_TRUNCATED;
    (void)tos, (void)id, (void)ttl, (void)csum;
    if ((vihl >> 4) != 4)
        return CAPTURE_DEC_BAD;
    /* RFC 791 3.1: IHL in 32-bit words, >= 5; options follow the fixed part */
    size_t ihl = (size_t)(vihl & 0x0f) * 4;
    if (ihl < 20 || total < ihl)
        return CAPTURE_DEC_BAD;
    /* Total length trims link-layer padding (Ethernet pads to 60 bytes). */
    cur_t packet = *in;
    if (!cur_get_bytes(&packet, &body, total))
        return CAPTURE_DEC_TRUNCATED;
    if (!cur_skip(&body, ihl))
        return CAPTURE_DEC_BAD;
    /* RFC 791: MF flag or a non-zero fragment offset */
    if ((frag & 0x3fff) != 0)
        return CAPTURE_DEC_FRAGMENT;
    if (proto != IPPROTO_NUM_TCP)
        return CAPTURE_DEC_NOT_TCP;
    out->ip_version = 4;
    memset(out->src, 0, sizeof out->src);
    memset(out->dst, 0, sizeof out->dst);
    memcpy(out->src, cur_data(&src), 4);
    memcpy(out->dst, cur_data(&dst), 4);
    return tcp_decode(&body, out);
}

/* RFC 8200 4: walk extension headers up to the upper-layer header. */
static capture_decode_result ipv6_decode(cur_t *in, capture_segment *out)
{
    uint32_t vtcfl;
    uint16_t plen;
    uint8_t next, hop;
    cur_t hdr = *in, src, dst, body;

    if (!cur_get_u32(&hdr, &vtcfl) || !cur_get_u16(&hdr, &plen) || !cur_get_u8(&hdr, &next) ||
        !cur_get_u8(&hdr, &hop) || !cur_get_bytes(&hdr, &src, 16) || !cur_get_bytes(&hdr, &dst, 16))
        return CAPTURE_DEC_TRUNCATED;
    (void)hop;
    if ((vtcfl >> 28) != 6)
        return CAPTURE_DEC_BAD;
    /* Payload length 0 means a jumbogram (RFC 2675): take the rest. */
    if (plen == 0)
        body = hdr;
    else if (!cur_get_bytes(&hdr, &body, plen))
        return CAPTURE_DEC_TRUNCATED;

    for (int guard = 0; guard < 16; guard++) {
        uint8_t nh, hlen;
        switch (next) {
        case IPPROTO_NUM_TCP:
            out->ip_version = 6;
            memcpy(out->src, cur_data(&src), 16);
            memcpy(out->dst, cur_data(&dst), 16);
            return tcp_decode(&body, out);
        case 0:   /* hop-by-hop options */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
            if (!cur_get_u8(&body, &nh) || !cur_get_u8(&body, &hlen) ||
                !cur_skip(&body, (size_t)hlen * 8 + 6))
                return CAPTURE_DEC_TRUNCATED;
            next = nh;
            break;
        case 44: { /* fragment: RFC 8200 4.5 */
            uint16_t offm;
            uint32_t ident;
            if (!cur_get_u8(&body, &nh) || !cur_get_u8(&body, &hlen) ||
                !cur_get_u16(&body, &offm) || !cur_get_u32(&body, &ident))
                return CAPTURE_DEC_TRUNCATED;
            (void)ident;
            /* an atomic fragment (offset 0, M clear) is a whole packet */
            if ((offm & 0xfff9) != 0)
                return CAPTURE_DEC_FRAGMENT;
            next = nh;
            break;
        }
        case 51: /* AH: RFC 4302 2.2, length in 32-bit words minus 2 */
            if (!cur_get_u8(&body, &nh) || !cur_get_u8(&body, &hlen) ||
                !cur_skip(&body, ((size_t)hlen + 2) * 4 - 2))
                return CAPTURE_DEC_TRUNCATED;
            next = nh;
            break;
        default: /* 59 no next header, 50 ESP, UDP, ICMPv6, ... */
            return CAPTURE_DEC_NOT_TCP;
        }
    }
    return CAPTURE_DEC_BAD;
}

static capture_decode_result net_decode(net_kind kind, cur_t *in, capture_segment *out)
{
    if (kind == NET_BY_VERSION) {
        if (cur_len(in) < 1)
            return CAPTURE_DEC_TRUNCATED;
        unsigned v = cur_data(in)[0] >> 4;
        kind = v == 4 ? NET_IPV4 : v == 6 ? NET_IPV6 : NET_OTHER;
    }
    if (kind == NET_IPV4)
        return ipv4_decode(in, out);
    if (kind == NET_IPV6)
        return ipv6_decode(in, out);
    return CAPTURE_DEC_NOT_TCP;
}

static capture_decode_result ethernet_decode(cur_t *in, capture_segment *out)
{
    uint16_t et;
    if (!cur_skip(in, 12) || !cur_get_u16(in, &et))
        return CAPTURE_DEC_TRUNCATED;
    /* 802.1Q / 802.1ad tags, possibly stacked: TCI then the inner type */
    for (int tags = 0; et == ETHERTYPE_VLAN || et == ETHERTYPE_QINQ || et == ETHERTYPE_VLAN_OLD;
         tags++) {
        if (tags == 4)
            return CAPTURE_DEC_BAD;
        if (!cur_skip(in, 2) || !cur_get_u16(in, &et))
            return CAPTURE_DEC_TRUNCATED;
    }
    return net_decode(net_from_ethertype(et), in, out);
}

bool capture_link_supported(uint32_t linktype)
{
    switch (linktype) {
    case CAPTURE_LINK_NULL:
    case CAPTURE_LINK_ETHERNET:
    case CAPTURE_LINK_RAW_12:
    case CAPTURE_LINK_RAW_14:
    case CAPTURE_LINK_RAW:
    case CAPTURE_LINK_LOOP:
    case CAPTURE_LINK_LINUX_SLL:
    case CAPTURE_LINK_IPV4:
    case CAPTURE_LINK_IPV6:
    case CAPTURE_LINK_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

capture_decode_result capture_packet_decode(uint32_t linktype, const uint8_t *data, size_t len,
                                            capture_segment *out)
{
    cur_t in;
    cur_init(&in, data, len);

    switch (linktype) {
    case CAPTURE_LINK_ETHERNET:
        return ethernet_decode(&in, out);
    case CAPTURE_LINK_RAW:
    case CAPTURE_LINK_RAW_12:
    case CAPTURE_LINK_RAW_14:
        return net_decode(NET_BY_VERSION, &in, out);
    case CAPTURE_LINK_IPV4:
        return net_decode(NET_IPV4, &in, out);
    case CAPTURE_LINK_IPV6:
        return net_decode(NET_IPV6, &in, out);
    case CAPTURE_LINK_NULL: {
        /* host byte order of the capturing machine: accept either */
        cur_t as_le = in;
        uint32_t le, be;
        if (!cur_get_u32le(&as_le, &le) || !cur_get_u32(&in, &be))
            return CAPTURE_DEC_TRUNCATED;
        net_kind k = net_from_af(le < 256 ? le : be);
        return net_decode(k == NET_OTHER ? NET_BY_VERSION : k, &in, out);
    }
    case CAPTURE_LINK_LOOP: {
        uint32_t af;
        if (!cur_get_u32(&in, &af))
            return CAPTURE_DEC_TRUNCATED;
        net_kind k = net_from_af(af);
        return net_decode(k == NET_OTHER ? NET_BY_VERSION : k, &in, out);
    }
    case CAPTURE_LINK_LINUX_SLL: {
        /* packet type, ARPHRD, address length, 8 address bytes, protocol */
        uint16_t proto;
        if (!cur_skip(&in, 14) || !cur_get_u16(&in, &proto))
            return CAPTURE_DEC_TRUNCATED;
        return net_decode(net_from_ethertype(proto), &in, out);
    }
    case CAPTURE_LINK_LINUX_SLL2: {
        /* protocol, reserved, ifindex, ARPHRD, packet type, addr len, 8 addr bytes */
        uint16_t proto;
        if (!cur_get_u16(&in, &proto) || !cur_skip(&in, 18))
            return CAPTURE_DEC_TRUNCATED;
        return net_decode(net_from_ethertype(proto), &in, out);
    }
    default:
        return CAPTURE_DEC_LINK_UNSUPPORTED;
    }
}

const char *capture_decode_result_name(capture_decode_result r)
{
    switch (r) {
    case CAPTURE_DEC_TCP:
        return "tcp";
    case CAPTURE_DEC_NOT_TCP:
        return "not_tcp";
    case CAPTURE_DEC_FRAGMENT:
        return "fragment";
    case CAPTURE_DEC_TRUNCATED:
        return "truncated";
    case CAPTURE_DEC_BAD:
        return "bad";
    case CAPTURE_DEC_LINK_UNSUPPORTED:
        return "link_unsupported";
    default:
        return "unknown";
    }
}
