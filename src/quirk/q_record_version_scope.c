/* record-version-scope=first|all: which records record-version relabels.
 * "first" (the default) is the server's first record, the one carrying the
 * ServerHello: RFC 5246 E.1 says a client SHOULD accept any {03,xx} there,
 * so that one is in spec.  "all" relabels every record of the server, also
 * the protected ones (their MAC or AEAD additional data then carries the
 * header version as written, so they stay valid records of that header).
 * That is out of spec: RFC 5246 6.2.1 wants the negotiated version on every
 * later record, and RFC 8446 5.1 wants 0x0303 (which receivers MUST ignore).
 *
 * Reproduces: servers and middleboxes that kept writing the version of the
 * first flight on every record, against clients that check every header
 * (OpenSSL's "wrong version number", the alert clients send then), and
 * TLS 1.3 clients that do not ignore legacy_record_version as they must. */
#include "internal.h"

const quirk_def quirk_record_version_scope = {
    .name = "record-version-scope",
    .values = "first|all",
    .summary = "which records record-version relabels: the ServerHello's (in spec) or all "
               "(clients that check every header: OpenSSL \"wrong version number\")",
    .out_of_spec = true,
    .parse = quirk_parse_scope,
    .shape = quirk_shape_none, /* read by the quirk it scopes */
};
