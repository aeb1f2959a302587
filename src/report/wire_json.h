/* JSON rendering of parsed wire structures (json-c).  Names follow the
 * trace format (docs/trace-format.md): GnuTLS spelling for versions, groups and
 * signature schemes, IANA names for suites and extensions, numbers as
 * "0x%04x" strings when a value has no name, "GREASE" for RFC 8701 values.
 * Every function returns a new reference (or NULL on allocation failure);
 * the caller owns it and releases it with json_object_put. */
#ifndef TP_REPORT_WIRE_JSON_H
#define TP_REPORT_WIRE_JSON_H

#include <json-c/json.h>

#include "wire/ext.h"
#include "wire/handshake.h"

/* {"version","random","session_id","ciphers":[...],"compression":[...],
 *  "extensions":[{"type","name",...decoded}], and at top level "sni",
 *  "alpn", "supported_versions", "max_version", "groups", "sigalgs",
 *  "key_share" when the hello carries them}.  SSLv2 hellos add
 *  "sslv2":true and "challenge". */
json_object *report_json_client_hello(const wire_client_hello *ch);

/* Array of {"type":n,"name":...,decoded fields...} for an extension block;
 * a malformed extension gets "error":"decode_error"/"trailing_bytes". */
json_object *report_json_extensions(cur_t exts, wire_ext_origin origin);

/* Adds "msg" (e.g. "ClientHello", "ServerHello", "HelloRetryRequest") and
 * the decoded fields of m to an existing object, after whatever keys the
 * caller put first (event, conn, t, dir).  A message that did not parse
 * gets "error" (tp_status name) and no decoded fields. */
void report_json_handshake_fill(json_object *obj, const wire_handshake *m);

/* A new object holding just what report_json_handshake_fill adds. */
json_object *report_json_handshake(const wire_handshake *m);

#endif
