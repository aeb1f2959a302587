/* Key material in a client's captured output.  `openssl s_client` prints
 * the TLS 1.2 master secret ("Master-Key: ..."), the session id and the TLS
 * 1.3 resumption PSK; a client run with a key log to stdout prints
 * CLIENT_RANDOM / *_TRAFFIC_SECRET lines.  The sweep keeps the last bytes of
 * that output in its journal and reports, so it masks them first. */
#ifndef TP_SWEEP_MASK_H
#define TP_SWEEP_MASK_H

#include <stdbool.h>
#include <stddef.h>

/* Replaces, in place, every hex digit of key material with '*':
 *  - on a line naming key material (Master-Key, Session-ID, PSK, a key log
 *    label such as CLIENT_RANDOM or *_SECRET), every run of 8 or more hex
 *    digits after the name;
 *  - on any line, a run of 32 or more hex digits (a key log line whose
 *    label was cut off, a secret printed some other way);
 *  - with first_line_cut (the output was kept from its tail, so its first
 *    line may have lost its name), every hex digit of that line.
 * The length does not change.  Returns the number of digits masked. */
size_t sweep_mask_secrets(char *buf, size_t len, bool first_line_cut);

#endif
