/* pcapng output for `serve --pcap FILE`: every connection becomes a
 * synthetic TCP flow (real addresses and ports, SYN/SYN-ACK/ACK, data
 * segments of the bytes seen in each direction, FIN exchange at close), and
 * key log lines learnt for it are stored in Decryption Secrets Blocks ahead
 * of the packets that need them, so `tshark -r FILE` decrypts on its own.
 *
 * Wireshark needs the secrets before the handshake packets, and live they
 * are learnt during the handshake: so a connection's packets are held in
 * memory (at most 1 MiB) until its secrets are complete (CLIENT_RANDOM, or
 * both TLS 1.3 *_TRAFFIC_SECRET_0 lines) or it closes, and then written
 * after a DSB holding them.
 *
 * Needs TP_EV_DATA events (tp_session_params.want_data_events).  One sink
 * may serve several threads and interleaved connections.  The file is
 * flushed at every connection close, so it stays readable if the server is
 * killed (connections still held then are missing). */
#ifndef TP_REPORT_PCAPNG_SINK_H
#define TP_REPORT_PCAPNG_SINK_H

#include <stddef.h>

#include "../analysis/events.h"

/* Creates `path` (capture/outfile.h: no symlink, mode 0600, it holds
 * secrets) and writes the file header.  label starts every message
 * ("tlsprobe serve: --pcap").  NULL with a message in err on failure.  A
 * write error later is reported on stderr when it is found (at the latest
 * at the connection's close, when the file is flushed). */
tp_sink *report_pcapng_sink_new(const char *label, const char *path, char *err, size_t errlen);

/* Writes what is pending, closes the file and frees.  Returns 0, or the
 * errno of the first write error (already reported).  NULL is a no-op. */
int report_pcapng_sink_free(tp_sink *s);

#endif
