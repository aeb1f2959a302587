/* Credentials in mail command lines (SMTP AUTH RFC 4954, IMAP LOGIN and
 * AUTHENTICATE RFC 3501 6.2, POP3 USER/PASS/APOP RFC 1939 7 and AUTH RFC
 * 5034; SASL PLAIN RFC 4616, LOGIN): which line carries them, the user name
 * they offer, and the line with the secret masked.  Pure: no I/O. */
#ifndef TP_WIRE_MAIL_AUTH_H
#define TP_WIRE_MAIL_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail.h"

/* Where a SASL exchange stands between client lines. */
typedef enum {
    WIRE_MAIL_AUTH_NONE = 0,
    WIRE_MAIL_AUTH_PLAIN_RESP, /* the next line is the PLAIN response */
    WIRE_MAIL_AUTH_LOGIN_USER, /* the next line is LOGIN's user name (base64) */
    WIRE_MAIL_AUTH_LOGIN_PASS, /* the next line is LOGIN's password (base64) */
    WIRE_MAIL_AUTH_OTHER_RESP, /* another mechanism's response: masked whole */
    WIRE_MAIL_AUTH_LITERAL,    /* IMAP LOGIN went on in a literal (RFC 3501 4.3): masked */
} wire_mail_auth_step;

/* One client line: shown gets the line without its terminator and with the
 * secret replaced by "****" (cut to shown_cap - 1); user gets the user name
 * the line offers ("" when none).  Returns whether the line carried
 * credentials; *step carries the exchange to the next line. */
bool wire_mail_auth_line(tp_mail_proto p, wire_mail_auth_step *step, const uint8_t *line,
                         size_t len, char *shown, size_t shown_cap, char *user, size_t user_cap);

/* Base64 (RFC 4648 4) of in_len characters into out; returns the decoded
 * length, or (size_t)-1 when the text is not base64 or out is too small. */
size_t wire_mail_b64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap);

#endif
