/* pcap and pcapng readers over a caller-owned buffer (typically an mmap of
 * the whole file).  No I/O, no allocation: packets and secrets come back as
 * views into the buffer, valid as long as the buffer is.
 *
 * pcap:   the classic format, both byte orders, microsecond (a1b2c3d4) and
 *         nanosecond (a1b23c4d) magic.
 * pcapng: any number of sections (each SHB in its own byte order), Interface
 *         Description Blocks with link type, if_tsresol and if_tsoffset,
 *         Enhanced / Simple / obsolete Packet Blocks, Decryption Secrets
 *         Blocks; other blocks are skipped. */
#ifndef TP_CAPTURE_PCAP_READ_H
#define TP_CAPTURE_PCAP_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../wire/status.h"

#define CAPTURE_MAX_INTERFACES 256

/* pcapng Decryption Secrets Block secret types. */
#define CAPTURE_SECRETS_TLS_KEYLOG 0x544c534bu /* 'TLSK': NSS key log text */

typedef enum { CAPTURE_FMT_UNKNOWN, CAPTURE_FMT_PCAP, CAPTURE_FMT_PCAPNG } capture_format;

typedef enum {
    CAPTURE_ITEM_PACKET,  /* out->packet filled */
    CAPTURE_ITEM_SECRETS, /* out->secrets filled (a DSB) */
    CAPTURE_ITEM_END,     /* clean end of file */
    CAPTURE_ITEM_ERROR,   /* see capture_reader.status / .err; sticky */
} capture_item_kind;

typedef struct {
    capture_item_kind kind;
    struct {
        uint32_t linktype;
        uint32_t interface_id; /* pcapng interface in its section; 0 for pcap */
        uint64_t ts_ns;        /* nanoseconds since the epoch */
        const uint8_t *data;   /* captured bytes */
        size_t caplen;
        size_t origlen; /* length on the wire */
    } packet;
    struct {
        uint32_t type; /* CAPTURE_SECRETS_* */
        const uint8_t *data;
        size_t len;
    } secrets;
} capture_item;

typedef struct {
    uint32_t linktype;
    bool tsres_pow2; /* if_tsresol with the high bit: 2^-n, else 10^-n */
    uint8_t tsres_exp;
    int64_t tsoffset_s; /* if_tsoffset */
} capture_interface;

/* Reader state: caller-owned, zero-filled by init.  ~4 KiB. */
typedef struct {
    const uint8_t *data;
    size_t len;
    size_t off; /* offset of the next block / record */
    capture_format format;
    bool big_endian; /* byte order of the current file / section */
    /* pcap */
    uint32_t pcap_linktype;
    bool pcap_nano;
    /* pcapng: interfaces of the current section */
    capture_interface ifs[CAPTURE_MAX_INTERFACES];
    unsigned num_ifs;
    uint64_t num_packets; /* packets returned so far */
    tp_status status;     /* TP_OK, or why the reader stopped */
    char err[160];
} capture_reader;

/* Looks at the first bytes only. */
capture_format capture_format_detect(const uint8_t *data, size_t len);

/* Validates the file header (pcap) or the first Section Header Block (pcapng).
 * TP_OK, or TP_ERR_TRUNCATED / TP_ERR_DECODE / TP_ERR_UNSUPPORTED with r->err
 * set to a message naming what is wrong.  `data` must outlive the reader. */
tp_status capture_reader_init(capture_reader *r, const uint8_t *data, size_t len);

/* Next packet or secrets block.  On CAPTURE_ITEM_ERROR, r->status is
 * TP_ERR_TRUNCATED (file ends inside a record/block) or TP_ERR_DECODE
 * (corrupt lengths, unknown interface, ...) and r->err says where; every
 * later call returns CAPTURE_ITEM_ERROR again. */
capture_item_kind capture_reader_next(capture_reader *r, capture_item *out);

#endif
