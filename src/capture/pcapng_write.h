/* pcapng writer (draft-ietf-opsawg-pcapng) and a synthetic TCP/IP flow
 * builder, for `serve --pcap`: one section, one interface of link type
 * LINKTYPE_RAW (101, the packet starts at the IP header) with nanosecond
 * timestamps, Enhanced Packet Blocks and Decryption Secrets Blocks holding
 * NSS key log text (so Wireshark/tshark decrypt without a separate file).
 *
 * Every write is bounded (packet and secrets sizes, optional file size) and
 * the first failure is sticky: later writes return the same error. */
#ifndef TP_CAPTURE_PCAPNG_WRITE_H
#define TP_CAPTURE_PCAPNG_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "../wire/status.h"
#include "pcap_read.h"
#include "tcp.h"

#define CAPTURE_PCAPNG_MAX_PACKET 65535u          /* one IP packet */
#define CAPTURE_PCAPNG_MAX_SECRETS (1024u * 1024) /* one DSB */
#define CAPTURE_FLOW_DEFAULT_MSS 16384u           /* payload bytes per data segment */

typedef struct {
    FILE *f;            /* borrowed; not closed by the writer */
    uint64_t max_bytes; /* 0: no limit; else writes that would pass it fail (TP_ERR_LIMIT) */
    uint64_t bytes;     /* written so far */
    tp_status status;   /* sticky first error */
    int err_no;         /* TP_ERR_IO: the errno of the failed write or flush */
} capture_pcapng_writer;

/* Writes the Section Header Block and the one Interface Description Block.
 * TP_OK or TP_ERR_IO. */
tp_status capture_pcapng_writer_init(capture_pcapng_writer *w, FILE *f);

/* A writer that only appends blocks (no header) to f: used to hold one
 * connection's packets in memory (open_memstream) until its secrets are
 * known, then copied into the real file with capture_pcapng_write_blocks. */
void capture_pcapng_writer_init_blocks(capture_pcapng_writer *w, FILE *f);

/* Appends whole blocks made by a blocks-only writer.  TP_ERR_IO / TP_ERR_LIMIT. */
tp_status capture_pcapng_write_blocks(capture_pcapng_writer *w, const void *blocks, size_t len);

/* A Decryption Secrets Block of type TLSK: NSS key log text, normally whole
 * lines each ending in '\n'.  Must be written before the packets it decrypts.
 * TP_ERR_OVERSIZED when len > CAPTURE_PCAPNG_MAX_SECRETS. */
tp_status capture_pcapng_write_secrets(capture_pcapng_writer *w, const char *text, size_t len);

/* One Enhanced Packet Block holding hdr followed by payload (either may be
 * empty), an IP packet.  TP_ERR_OVERSIZED when hdr_len + payload_len exceeds
 * CAPTURE_PCAPNG_MAX_PACKET. */
tp_status capture_pcapng_write_packet(capture_pcapng_writer *w, uint64_t ts_ns, const uint8_t *hdr,
                                      size_t hdr_len, const uint8_t *payload, size_t payload_len);

/* fflush; TP_ERR_IO when it fails. */
tp_status capture_pcapng_writer_flush(capture_pcapng_writer *w);

/* A synthetic TCP connection: real addresses and ports, consistent
 * sequence/acknowledgment numbers, window scaling, valid IPv4 header and TCP
 * checksums.  Caller-owned; capture_flow_init fills every field. */
typedef struct {
    uint8_t ipv;         /* 4 or 6 */
    uint8_t addr[2][16]; /* [TP_C2S] client, [TP_S2C] server */
    uint16_t port[2];
    uint32_t next_seq[2]; /* next sequence number each side sends */
    uint16_t ip_id[2];
    size_t mss; /* payload bytes per segment */
    bool opened, closed;
} capture_flow;

/* client/server may be NULL or of an unknown family: 127.0.0.1 with
 * made-up ports is used then.  IPv4-mapped IPv6 pairs become IPv4; a mixed
 * pair becomes IPv6 (IPv4 addresses mapped).  isn_c/isn_s: initial sequence
 * numbers.  mss 0: CAPTURE_FLOW_DEFAULT_MSS. */
void capture_flow_init(capture_flow *f, const struct sockaddr *client,
                       const struct sockaddr *server, uint32_t isn_c, uint32_t isn_s, size_t mss);

/* SYN, SYN-ACK, ACK (three packets at ts_ns).  Once; later calls do nothing. */
tp_status capture_flow_write_open(capture_pcapng_writer *w, capture_flow *f, uint64_t ts_ns);

/* `len` bytes sent by `dir`, as segments of at most f->mss bytes, each ACKed
 * by the other side; opens the flow first if needed.  Nothing after close. */
tp_status capture_flow_write_data(capture_pcapng_writer *w, capture_flow *f, tp_dir dir,
                                  uint64_t ts_ns, const uint8_t *data, size_t len);

/* FIN from `first`, FIN+ACK from the other side, last ACK.  Once. */
tp_status capture_flow_write_close(capture_pcapng_writer *w, capture_flow *f, tp_dir first,
                                   uint64_t ts_ns);

#endif
