/* Names the text and JSON renderings of wire structures share, so both
 * spell a value the same way.  Internal to report/. */
#ifndef TP_REPORT_WIRE_NAMES_H
#define TP_REPORT_WIRE_NAMES_H

#include <stdint.h>

#include "wire/handshake.h"

/* "ClientHello", ..., "HelloRetryRequest" for a parsed ServerHello that is
 * one; NULL for a type without a name. */
const char *report_handshake_name(const wire_handshake *m);

/* "RSA", "ECDHE", "TLS1.3", ...; NULL for a family without a name (each
 * rendering has its own word for that). */
const char *report_kx_family_name(wire_kx_family family);

#endif
