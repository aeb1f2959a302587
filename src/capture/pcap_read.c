/* pcap / pcapng reading.  Formats: pcap per the tcpdump.org pcap file format
 * (draft-ietf-opsawg-pcap), pcapng per draft-ietf-opsawg-pcapng.  Every read
 * goes through a cursor; the byte order of the file decides how integers
 * are assembled. */
#include "pcap_read.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../wire/cursor.h"

#define PCAPNG_BT_SHB 0x0A0D0D0Au
#define PCAPNG_BT_IDB 0x00000001u
#define PCAPNG_BT_PB 0x00000002u /* obsolete Packet Block */
#define PCAPNG_BT_SPB 0x00000003u
#define PCAPNG_BT_EPB 0x00000006u
#define PCAPNG_BT_DSB 0x0000000Au
#define PCAPNG_BOM 0x1A2B3C4Du
#define PCAP_MAGIC_US 0xA1B2C3D4u
#define PCAP_MAGIC_NS 0xA1B23C4Du
#define PCAP_MAGIC_NS_SWAPPED 0x4D3CB2A1u

#define PCAPNG_OPT_ENDOFOPT 0
#define PCAPNG_OPT_IF_TSRESOL 9
#define PCAPNG_OPT_IF_TSOFFSET 14

/* A record or block longer than this is corruption, not a packet. */
#define CAPTURE_MAX_RECORD (64u * 1024 * 1024)

static capture_item_kind fail(capture_reader *r, tp_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static capture_item_kind fail(capture_reader *r, tp_status st, const char *fmt, ...)
{
    if (r->status == TP_OK) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err, sizeof r->err, fmt, ap);
        va_end(ap);
        r->status = st;
    }
    return CAPTURE_ITEM_ERROR;
}

capture_format capture_format_detect(const uint8_t *data, size_t len)
{
    static const uint8_t magics[4][4] = {
        {0xa1, 0xb2, 0xc3, 0xd4},
        {0xd4, 0xc3, 0xb2, 0xa1},
        {0xa1, 0xb2, 0x3c, 0x4d},
        {0x4d, 0x3c, 0xb2, 0xa1},
    };
    static const uint8_t shb[4] = {0x0a, 0x0d, 0x0d, 0x0a};
    if (len < 4)
        return CAPTURE_FMT_UNKNOWN;
    for (int i = 0; i < 4; i++)
        if (memcmp(data, magics[i], 4) == 0)
            return CAPTURE_FMT_PCAP;
    if (memcmp(data, shb, 4) == 0)
        return CAPTURE_FMT_PCAPNG;
    return CAPTURE_FMT_UNKNOWN;
}

/* ---- pcap ---- */

static tp_status pcap_header_read(capture_reader *r)
{
    cur_t c;
    uint32_t magic;
    uint16_t major, minor;
    uint32_t zone, sigfigs, snaplen, network;

    cur_init(&c, r->data, r->len);
    if (cur_len(&c) < 24) {
        fail(r, TP_ERR_TRUNCATED, "pcap file header is %zu bytes, needs 24", r->len);
        return r->status;
    }
    if (!cur_get_u32(&c, &magic))
        return TP_ERR_TRUNCATED;
    /* the magic as read big-endian says the file's byte order and the
     * timestamp unit (capture_format_detect has accepted one of the four) */
    r->big_endian = magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS;
    r->pcap_nano = magic == PCAP_MAGIC_NS || magic == PCAP_MAGIC_NS_SWAPPED;
    if (!cur_get_u16_order(&c, r->big_endian, &major) ||
        !cur_get_u16_order(&c, r->big_endian, &minor) ||
        !cur_get_u32_order(&c, r->big_endian, &zone) ||
        !cur_get_u32_order(&c, r->big_endian, &sigfigs) ||
        !cur_get_u32_order(&c, r->big_endian, &snaplen) ||
        !cur_get_u32_order(&c, r->big_endian, &network))
        return TP_ERR_TRUNCATED;
    (void)minor, (void)zone, (void)sigfigs, (void)snaplen;
    if (major != 2) {
        fail(r, TP_ERR_UNSUPPORTED, "pcap version %u.%u is not supported", major, minor);
        return r->status;
    }
    /* the upper bits of the link type field carry FCS information */
    r->pcap_linktype = network & 0x0fffffff;
    r->off = 24;
    return TP_OK;
}

static capture_item_kind pcap_next(capture_reader *r, capture_item *out)
{
    cur_t c, data;
    uint32_t sec, frac, incl, orig;

    if (r->off == r->len)
        return CAPTURE_ITEM_END;
    cur_init(&c, r->data, r->len);
    if (!cur_skip(&c, r->off))
        return fail(r, TP_ERR_DECODE, "reader offset out of range");
    if (!cur_get_u32_order(&c, r->big_endian, &sec) ||
        !cur_get_u32_order(&c, r->big_endian, &frac) ||
        !cur_get_u32_order(&c, r->big_endian, &incl) ||
        !cur_get_u32_order(&c, r->big_endian, &orig))
        return fail(r, TP_ERR_TRUNCATED,
                    "file ends inside the header of packet %" PRIu64 " at offset %zu",
                    r->num_packets + 1, r->off);
    if (incl > CAPTURE_MAX_RECORD)
        return fail(r, TP_ERR_DECODE,
                    "packet %" PRIu64 " at offset %zu claims %" PRIu32 " bytes: corrupt file",
                    r->num_packets + 1, r->off, incl);
    if (!cur_get_bytes(&c, &data, incl))
        return fail(r, TP_ERR_TRUNCATED,
                    "file ends inside packet %" PRIu64 " at offset %zu (%" PRIu32
                    " bytes announced, %zu present)",
                    r->num_packets + 1, r->off, incl, cur_len(&c));
    out->kind = CAPTURE_ITEM_PACKET;
    out->packet.linktype = r->pcap_linktype;
    out->packet.interface_id = 0;
    out->packet.ts_ns = (uint64_t)sec * 1000000000u + (uint64_t)frac * (r->pcap_nano ? 1 : 1000);
    out->packet.data = cur_data(&data);
    out->packet.caplen = incl;
    out->packet.origlen = orig;
    r->off = r->len - cur_len(&c);
    r->num_packets++;
    return CAPTURE_ITEM_PACKET;
}

/* ---- pcapng ---- */

/* Reads an options list, filling the interface fields it knows; stops at opt_endofopt.
 * Options are padded to 32 bits; a missing final padding is tolerated. */
static bool pcapng_options_walk(cur_t opts, bool be, capture_interface *ifc)
{
    while (cur_len(&opts) >= 4) {
        uint16_t code, olen;
        cur_t val;
        if (!cur_get_u16_order(&opts, be, &code) || !cur_get_u16_order(&opts, be, &olen))
            return false;
        if (code == PCAPNG_OPT_ENDOFOPT)
            return true;
        if (!cur_get_bytes(&opts, &val, olen))
            return false;
        size_t pad = (4 - (olen & 3)) & 3;
        if (!cur_skip(&opts, pad))
            opts.len = 0;
        if (!ifc)
            continue;
        if (code == PCAPNG_OPT_IF_TSRESOL && olen >= 1) {
            uint8_t v = cur_data(&val)[0];
            ifc->tsres_pow2 = (v & 0x80) != 0;
            ifc->tsres_exp = v & 0x7f;
        } else if (code == PCAPNG_OPT_IF_TSOFFSET && olen >= 8) {
            uint64_t off;
            if (!cur_get_u64_order(&val, be, &off))
                return false;
            ifc->tsoffset_s = (int64_t)off;
        }
    }
    return true;
}

static uint64_t pow10_u64(unsigned e)
{
    uint64_t v = 1;
    while (e-- > 0)
        v *= 10;
    return v;
}

/* Ticks of the interface's resolution to nanoseconds since the epoch. */
static uint64_t pcapng_ts_ns(const capture_interface *ifc, uint64_t ticks)
{
    uint64_t ns;
    if (!ifc->tsres_pow2) {
        unsigned e = ifc->tsres_exp;
        if (e <= 9)
            ns = ticks * pow10_u64(9 - e);
        else if (e - 9 <= 19)
            ns = ticks / pow10_u64(e - 9);
        else
            ns = 0;
    } else {
        unsigned e = ifc->tsres_exp;
        if (e >= 64) {
            ns = 0;
        } else {
            uint64_t whole = ticks >> e;
            uint64_t frac = e ? ticks & ((UINT64_C(1) << e) - 1) : 0;
            /* keep frac * 1e9 within 64 bits by dropping low bits first */
            unsigned shift = e > 34 ? e - 34 : 0;
            ns = whole * 1000000000u + (((frac >> shift) * 1000000000u) >> (e - shift));
        }
    }
    return ns + (uint64_t)ifc->tsoffset_s * 1000000000u;
}

static capture_item_kind pcapng_packet(capture_reader *r, capture_item *out, uint32_t ifid,
                                       uint64_t ticks, bool has_ts, cur_t data, size_t origlen)
{
    if (ifid >= r->num_ifs)
        return fail(r, TP_ERR_DECODE,
                    "packet at offset %zu names interface %" PRIu32 " but the section describes %u",
                    r->off, ifid, r->num_ifs);
    const capture_interface *ifc = &r->ifs[ifid];
    out->kind = CAPTURE_ITEM_PACKET;
    out->packet.linktype = ifc->linktype;
    out->packet.interface_id = ifid;
    out->packet.ts_ns = has_ts ? pcapng_ts_ns(ifc, ticks) : 0;
    out->packet.data = cur_data(&data);
    out->packet.caplen = cur_len(&data);
    out->packet.origlen = origlen;
    r->num_packets++;
    return CAPTURE_ITEM_PACKET;
}

static capture_item_kind pcapng_shb(capture_reader *r, cur_t body)
{
    bool be = r->big_endian;
    uint32_t bom;
    uint16_t major, minor;
    uint64_t seclen;
    if (!cur_get_u32_order(&body, be, &bom) || !cur_get_u16_order(&body, be, &major) ||
        !cur_get_u16_order(&body, be, &minor) || !cur_get_u64_order(&body, be, &seclen))
        return fail(r, TP_ERR_DECODE, "section header at offset %zu is too short", r->off);
    (void)bom, (void)minor, (void)seclen;
    if (major != 1)
        return fail(r, TP_ERR_UNSUPPORTED, "pcapng version %u.%u at offset %zu is not supported",
                    major, minor, r->off);
    r->num_ifs = 0; /* interfaces are per section */
    return CAPTURE_ITEM_END;
}

static capture_item_kind pcapng_idb(capture_reader *r, cur_t body)
{
    bool be = r->big_endian;
    uint16_t link, reserved;
    uint32_t snaplen;
    if (!cur_get_u16_order(&body, be, &link) || !cur_get_u16_order(&body, be, &reserved) ||
        !cur_get_u32_order(&body, be, &snaplen))
        return fail(r, TP_ERR_DECODE, "interface block at offset %zu is too short", r->off);
    if (r->num_ifs == CAPTURE_MAX_INTERFACES)
        return fail(r, TP_ERR_LIMIT, "more than %d interfaces in one section",
                    CAPTURE_MAX_INTERFACES);
    capture_interface *ifc = &r->ifs[r->num_ifs];
    memset(ifc, 0, sizeof *ifc);
    ifc->linktype = link;
    ifc->tsres_exp = 6; /* default: microseconds */
    if (!pcapng_options_walk(body, be, ifc))
        return fail(r, TP_ERR_DECODE, "interface block at offset %zu has corrupt options", r->off);
    r->num_ifs++;
    return CAPTURE_ITEM_END;
}

/* An enhanced packet block, or the obsolete packet block (`obsolete`: a
 * 16-bit interface id and a drops count before the timestamp). */
static capture_item_kind pcapng_epb(capture_reader *r, capture_item *out, cur_t body, bool obsolete)
{
    bool be = r->big_endian;
    uint32_t ifid = 0, hi, lo, caplen, origlen;
    uint16_t ifid16 = 0, drops = 0;
    cur_t data;
    bool head = obsolete
                    ? cur_get_u16_order(&body, be, &ifid16) && cur_get_u16_order(&body, be, &drops)
                    : cur_get_u32_order(&body, be, &ifid);
    if (!head || !cur_get_u32_order(&body, be, &hi) || !cur_get_u32_order(&body, be, &lo) ||
        !cur_get_u32_order(&body, be, &caplen) || !cur_get_u32_order(&body, be, &origlen) ||
        !cur_get_bytes(&body, &data, caplen))
        return fail(r, TP_ERR_DECODE,
                    "packet block at offset %zu: captured length "
                    "exceeds the block",
                    r->off);
    if (obsolete)
        ifid = ifid16;
    (void)drops;
    return pcapng_packet(r, out, ifid, (uint64_t)hi << 32 | lo, true, data, origlen);
}

static capture_item_kind pcapng_spb(capture_reader *r, capture_item *out, cur_t body)
{
    /* captured length is implied: min(original length, room in the block) */
    uint32_t origlen;
    cur_t data;
    if (!cur_get_u32_order(&body, r->big_endian, &origlen))
        return fail(r, TP_ERR_DECODE, "simple packet block at offset %zu is too short", r->off);
    size_t caplen = origlen < cur_len(&body) ? origlen : cur_len(&body);
    if (!cur_get_bytes(&body, &data, caplen))
        return fail(r, TP_ERR_DECODE, "simple packet block at offset %zu", r->off);
    return pcapng_packet(r, out, 0, 0, false, data, origlen);
}

static capture_item_kind pcapng_dsb(capture_reader *r, capture_item *out, cur_t body)
{
    bool be = r->big_endian;
    uint32_t stype, slen;
    cur_t data;
    if (!cur_get_u32_order(&body, be, &stype) || !cur_get_u32_order(&body, be, &slen) ||
        !cur_get_bytes(&body, &data, slen))
        return fail(r, TP_ERR_DECODE,
                    "decryption secrets block at offset %zu: secrets "
                    "length exceeds the block",
                    r->off);
    out->kind = CAPTURE_ITEM_SECRETS;
    out->secrets.type = stype;
    out->secrets.data = cur_data(&data);
    out->secrets.len = slen;
    return CAPTURE_ITEM_SECRETS;
}

/* Handles one block body; returns CAPTURE_ITEM_END to mean "nothing to
 * return for this block, go on". */
static capture_item_kind pcapng_block(capture_reader *r, capture_item *out, uint32_t type,
                                      cur_t body)
{
    switch (type) {
    case PCAPNG_BT_SHB:
        return pcapng_shb(r, body);
    case PCAPNG_BT_IDB:
        return pcapng_idb(r, body);
    case PCAPNG_BT_EPB:
        return pcapng_epb(r, out, body, false);
    case PCAPNG_BT_PB:
        return pcapng_epb(r, out, body, true);
    case PCAPNG_BT_SPB:
        return pcapng_spb(r, out, body);
    case PCAPNG_BT_DSB:
        return pcapng_dsb(r, out, body);
    default:
        return CAPTURE_ITEM_END; /* unknown or uninteresting block: skip */
    }
}

/* Reads the block at r->off.  *out_more is set when the block produced
 * nothing for the caller (the caller reads on). */
static capture_item_kind pcapng_one(capture_reader *r, capture_item *out, bool *out_more)
{
    {
        cur_t c, body;
        uint32_t type, blen, tail, magic;

        *out_more = false;
        cur_init(&c, r->data, r->len);
        if (!cur_skip(&c, r->off))
            return fail(r, TP_ERR_DECODE, "reader offset out of range");
        cur_t type_at = c; /* the type's byte order is known only after an SHB's magic */
        if (!cur_get_u32(&c, &magic))
            return fail(r, TP_ERR_TRUNCATED, "file ends inside a block header at offset %zu",
                        r->off);
        /* the SHB type reads the same in either byte order */
        bool is_shb = magic == PCAPNG_BT_SHB;
        if (is_shb) {
            /* the byte-order magic after the length decides this section's order */
            cur_t peek = c;
            uint32_t bom;
            if (!cur_skip(&peek, 4) || !cur_get_u32(&peek, &bom))
                return fail(r, TP_ERR_TRUNCATED,
                            "file ends inside a section header at "
                            "offset %zu",
                            r->off);
            if (bom == PCAPNG_BOM)
                r->big_endian = true;
            else if (bom == 0x4D3C2B1Au)
                r->big_endian = false;
            else
                return fail(r, TP_ERR_DECODE,
                            "section header at offset %zu has no valid "
                            "byte-order magic",
                            r->off);
        }
        if (!cur_get_u32_order(&type_at, r->big_endian, &type))
            return fail(r, TP_ERR_DECODE, "reader offset out of range");
        if (!cur_get_u32_order(&c, r->big_endian, &blen))
            return fail(r, TP_ERR_TRUNCATED, "file ends inside a block header at offset %zu",
                        r->off);
        if (blen < 12 || blen % 4 != 0 || blen > CAPTURE_MAX_RECORD)
            return fail(r, TP_ERR_DECODE, "block at offset %zu has an invalid length %" PRIu32,
                        r->off, blen);
        if (!cur_get_bytes(&c, &body, blen - 12))
            return fail(r, TP_ERR_TRUNCATED,
                        "file ends inside a block at offset %zu (%" PRIu32
                        " bytes announced, %zu present)",
                        r->off, blen, r->len - r->off);
        if (!cur_get_u32_order(&c, r->big_endian, &tail))
            return fail(r, TP_ERR_TRUNCATED, "file ends inside a block at offset %zu", r->off);
        if (tail != blen)
            return fail(r, TP_ERR_DECODE,
                        "block at offset %zu: trailing length %" PRIu32 " differs from %" PRIu32,
                        r->off, tail, blen);
        if (is_shb && blen < 28)
            return fail(r, TP_ERR_DECODE, "section header at offset %zu is too short", r->off);
        capture_item_kind k = pcapng_block(r, out, type, body);
        if (k == CAPTURE_ITEM_ERROR)
            return k;
        r->off += blen;
        *out_more = k == CAPTURE_ITEM_END;
        return k;
    }
}

static capture_item_kind pcapng_next(capture_reader *r, capture_item *out)
{
    while (r->off < r->len) {
        bool more;
        capture_item_kind k = pcapng_one(r, out, &more);
        if (!more)
            return k;
    }
    return CAPTURE_ITEM_END;
}

tp_status capture_reader_init(capture_reader *r, const uint8_t *data, size_t len)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->len = len;
    r->format = capture_format_detect(data, len);
    switch (r->format) {
    case CAPTURE_FMT_PCAP:
        return pcap_header_read(r);
    case CAPTURE_FMT_PCAPNG: {
        /* the first block must be a complete, valid section header */
        capture_item it;
        bool more;
        if (pcapng_one(r, &it, &more) == CAPTURE_ITEM_ERROR)
            return r->status;
        /* the section header is read again by the first next() call */
        r->off = 0;
        return TP_OK;
    }
    default:
        snprintf(r->err, sizeof r->err, "not a pcap or pcapng file (first bytes %s)",
                 len < 4 ? "missing" : "unknown");
        r->status = TP_ERR_DECODE;
        return r->status;
    }
}

capture_item_kind capture_reader_next(capture_reader *r, capture_item *out)
{
    if (r->status != TP_OK)
        return CAPTURE_ITEM_ERROR;
    if (r->format == CAPTURE_FMT_PCAP)
        return pcap_next(r, out);
    if (r->format == CAPTURE_FMT_PCAPNG)
        return pcapng_next(r, out);
    return fail(r, TP_ERR_DECODE, "not a pcap or pcapng file");
}
