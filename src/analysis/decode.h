/* The offline decode driver: a pcap or pcapng capture (mapped, not copied)
 * → packets → TCP reassembly (capture/tcp.h) → one session per connection
 * (session.h), whose events go to the caller's sinks.  The same session
 * analysis as `serve`.  Key log lines come from a key log file and from the
 * capture's Decryption Secrets Blocks; each session gets the lines whose
 * client random matches its ClientHello.
 *
 *   tp_decode d;
 *   tp_decode_open(&d, path, keylog, err, sizeof err);   (messages name the file)
 *   ... set up sinks ...
 *   tp_decode_run(&d, &params, &counts);
 *   tp_decode_close(&d);
 */
#ifndef TP_ANALYSIS_DECODE_H
#define TP_ANALYSIS_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../capture/pcap_read.h"
#include "../crypto/keylog.h"
#include "session.h"

typedef struct {
    const char *path;
    const uint8_t *data;
    size_t len;
    void *map;     /* mmap'd region, or NULL */
    size_t released; /* bytes of the map given back (read, no longer needed) */
    uint8_t *heap; /* read() fallback for pipes */
    capture_reader reader;
    crypto_keylog_store *keys; /* --keylog and secrets blocks, or NULL */
    /* the first malformed key log line (unknown labels are normal) */
    size_t bad_key_line;
    const char *bad_key_reason; /* NULL: none */
    const char *bad_key_source; /* the key log file or "the capture's secrets block" */
} tp_decode;

typedef struct {
    tp_sink *sinks[TP_MAX_SINKS];
    unsigned num_sinks;
    bool records;     /* keep every record's bytes in its events */
    bool data_events; /* TP_EV_DATA events (-vv) */
    /* --starttls P: every connection begins with that mail preamble (else
     * one is recognised from a server greeting) */
    tp_mail_proto starttls;
    /* called every 16384 packets with the bytes read of the file, or NULL */
    void (*progress)(void *arg, size_t done, size_t total);
    void *progress_arg;
    /* 0 or 1: one pass.  N > 1: the reader (packets, TCP reassembly,
     * connection numbers) deals the connections out to N session threads
     * (decode_par.c); each connection's verdict and close reach the sinks in
     * the order of one pass, so the sinks must be thread-safe and what they
     * build is the same as with one pass. */
    unsigned jobs;
} tp_decode_params;

typedef struct {
    uint64_t packets, tcp, not_tcp, fragments, truncated, bad, unsupported;
    uint32_t unsupported_link; /* the last unsupported link type */
    uint64_t sessions;         /* connections with a session */
    /* TCP reassembly (capture/tcp.h): segments held and put back in order,
     * payload bytes dropped as retransmitted, bytes missing from the capture */
    uint64_t ooo_segments, retransmitted, gap_bytes;
    bool read_error;           /* the capture ended in an error: d->reader.status/.err */
} tp_decode_counts;

/* Loads the key log (keylog: a path or NULL), maps the capture, checks its
 * header and collects the secrets of a pcapng.  false with a message in err
 * (no "tlsprobe decode:" prefix), after which tp_decode_close is still due. */
bool tp_decode_open(tp_decode *d, const char *path, const char *keylog, char *err, size_t err_len);
/* Reads every packet, runs every TCP connection through a session, ends the
 * connections still open at the capture's last timestamp.  false when out
 * of memory. */
bool tp_decode_run(tp_decode *d, const tp_decode_params *p, tp_decode_counts *n);
/* What the counts say to the user: false when the capture held nothing to
 * decode (or ended in an error), with the reason in err. */
bool tp_decode_result(const tp_decode *d, const tp_decode_counts *n, char *err, size_t err_len);
void tp_decode_close(tp_decode *d);

#endif
