/* Human-readable rendering of parsed wire structures for the text trace,
 * -v and the http status page.  Writers take a caller buffer, never write
 * past len, always NUL-terminate when len > 0 and return the number of
 * characters written (a full buffer truncates with "..."). */
#ifndef TP_REPORT_WIRE_TEXT_H
#define TP_REPORT_WIRE_TEXT_H

#include <stddef.h>

#include "wire/handshake.h"

/* One line per message, without a trailing newline.
 * verbosity 0: the short form; for a ClientHello the "offered" summary,
 *   e.g. "TLS1.2 max, 31 suites (TLS_AES_128_GCM_SHA256, ...), SNI localhost,
 *   ALPN h2,http/1.1, groups X25519,SECP256R1".
 * verbosity >= 1: message name first, every suite/extension/group listed. */
size_t report_text_handshake(char *buf, size_t len, const wire_handshake *m, int verbosity);

/* Multi-line full decode of a ClientHello: version, random, session id,
 * every suite (number and name), compression, every extension with its
 * decoded content (unknown ones by number and length), JA3 and JA4.
 * Lines end in '\n'. */
size_t report_text_client_hello_full(char *buf, size_t len, const wire_client_hello *ch);

#endif
