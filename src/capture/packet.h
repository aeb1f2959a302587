/* Link layer, IP and TCP header decoding of one captured packet.
 *
 * Works on a caller-owned buffer; no I/O, no allocation.  The payload view
 * in a decoded segment points into that buffer. */
#ifndef TP_CAPTURE_PACKET_H
#define TP_CAPTURE_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Link types (tcpdump.org/linktypes.html). */
enum {
    CAPTURE_LINK_NULL = 0, /* BSD loopback: 4-byte AF, host byte order */
    CAPTURE_LINK_ETHERNET = 1,
    CAPTURE_LINK_RAW_12 = 12, /* DLT_RAW on OpenBSD */
    CAPTURE_LINK_RAW_14 = 14, /* DLT_RAW on some BSDs */
    CAPTURE_LINK_RAW = 101,
    CAPTURE_LINK_LOOP = 108, /* OpenBSD loopback: 4-byte AF, network order */
    CAPTURE_LINK_LINUX_SLL = 113,
    CAPTURE_LINK_IPV4 = 228,
    CAPTURE_LINK_IPV6 = 229,
    CAPTURE_LINK_LINUX_SLL2 = 276,
};

/* TCP flag bits (RFC 9293 3.1). */
enum {
    CAPTURE_TCP_FIN = 0x01,
    CAPTURE_TCP_SYN = 0x02,
    CAPTURE_TCP_RST = 0x04,
    CAPTURE_TCP_PSH = 0x08,
    CAPTURE_TCP_ACK = 0x10,
};

/* One TCP segment.  Addresses are in network byte order; an IPv4 address
 * uses the first 4 bytes of src/dst (the rest is zero). */
typedef struct {
    uint8_t ip_version; /* 4 or 6 */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags; /* CAPTURE_TCP_* */
    uint16_t window;
    const uint8_t *payload; /* view into the packet; NULL when payload_len is 0 */
    size_t payload_len;
} capture_segment;

typedef enum {
    CAPTURE_DEC_TCP,       /* *out filled */
    CAPTURE_DEC_NOT_TCP,   /* valid packet of another protocol (ARP, UDP, ...) */
    CAPTURE_DEC_FRAGMENT,  /* an IP fragment: not reassembled, ignored */
    CAPTURE_DEC_TRUNCATED, /* cut by the snap length or malformed lengths */
    CAPTURE_DEC_BAD,       /* headers that cannot be valid */
    CAPTURE_DEC_LINK_UNSUPPORTED,
} capture_decode_result;

/* Decodes link layer `linktype` down to TCP.  Only reads within data[0..len). */
capture_decode_result capture_packet_decode(uint32_t linktype, const uint8_t *data, size_t len,
                                            capture_segment *out);

/* True when tlsprobe knows how to read the link type. */
bool capture_link_supported(uint32_t linktype);

/* Short static name for a decode result ("tcp", "fragment", ...). */
const char *capture_decode_result_name(capture_decode_result r);

#endif
