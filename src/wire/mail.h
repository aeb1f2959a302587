/* The plaintext lines of the mail protocols tlsprobe speaks (SMTP, IMAP,
 * POP3): line framing, the STARTTLS command and its answer, the capability
 * that advertises it, and the few commands the verdicts name.  Pure: no I/O,
 * no allocation.  A line is what wire_mail_line_len() frames: its bytes up
 * to and including the LF (CRLF or a bare LF). */
#ifndef TP_WIRE_MAIL_H
#define TP_WIRE_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { TP_MAIL_NONE = 0, TP_MAIL_SMTP, TP_MAIL_IMAP, TP_MAIL_POP3 } tp_mail_proto;

/* "smtp", "imap", "pop3" (exactly, lower case) → *out; false otherwise. */
bool wire_mail_proto_parse(const char *name, tp_mail_proto *out);
/* "smtp", "imap", "pop3"; "none" for TP_MAIL_NONE; never NULL. */
const char *wire_mail_proto_name(tp_mail_proto p);
/* The names wire_mail_proto_parse accepts, for messages: "smtp, imap, pop3". */
const char *wire_mail_proto_names(void);

/* Length of the first line in buf (up to and including its LF), or 0 when
 * buf holds no LF yet. */
size_t wire_mail_line_len(const uint8_t *buf, size_t len);
/* Length of the line without its CRLF / LF terminator. */
size_t wire_mail_line_trim(const uint8_t *line, size_t len);

/* The longest command line a server must take, terminator included:
 * SMTP 512 (RFC 5321 4.5.3.1.4), POP3 255 (RFC 2449 4), IMAP 8192 (the
 * least RFC 7162 3.2.1 asks a server to accept); 0 for TP_MAIL_NONE. */
size_t wire_mail_max_line(tp_mail_proto p);

/* A client's STARTTLS command: SMTP "STARTTLS", IMAP "<tag> STARTTLS" (the
 * tag is copied to tag, NUL-terminated, when tag_cap allows; tag may be
 * NULL), POP3 "STLS".  Case-insensitive, no arguments. */
bool wire_mail_is_starttls_cmd(tp_mail_proto p, const uint8_t *line, size_t len, char *tag,
                               size_t tag_cap);
/* The server's go-ahead for STARTTLS: SMTP a final "220 " line (RFC 3207 4),
 * IMAP "<tag> OK" (RFC 3501 6.2.1; any tag when tag is NULL or empty), POP3
 * "+OK" (RFC 2595 4). */
bool wire_mail_is_starttls_ok(tp_mail_proto p, const uint8_t *line, size_t len, const char *tag);
/* A server line that advertises STARTTLS: SMTP EHLO "250-STARTTLS" or
 * "250 STARTTLS" (RFC 3207 4), IMAP a CAPABILITY (response or response
 * code) holding the atom STARTTLS (RFC 3501 7.2.1), POP3 the CAPA line
 * "STLS" (RFC 2449 6.10 / RFC 2595 4). */
bool wire_mail_advertises_starttls(tp_mail_proto p, const uint8_t *line, size_t len);

/* The protocol a server greeting names: SMTP "220", IMAP "* OK" / "* PREAUTH",
 * POP3 "+OK"; TP_MAIL_NONE otherwise. */
tp_mail_proto wire_mail_greeting_proto(const uint8_t *line, size_t len);

/* The client command a line holds, for the verdicts. */
typedef enum {
    TP_MAIL_CMD_OTHER = 0,
    TP_MAIL_CMD_HELLO,    /* SMTP EHLO / HELO / LHLO, IMAP CAPABILITY, POP3 CAPA */
    TP_MAIL_CMD_STARTTLS, /* as wire_mail_is_starttls_cmd */
    TP_MAIL_CMD_AUTH,     /* SMTP AUTH, IMAP LOGIN / AUTHENTICATE, POP3 USER / PASS / APOP / AUTH */
    TP_MAIL_CMD_QUIT,     /* SMTP / POP3 QUIT, IMAP LOGOUT */
    TP_MAIL_CMD_DATA      /* SMTP MAIL / RCPT / DATA, IMAP SELECT / FETCH / LIST, POP3 STAT / LIST / RETR */
} tp_mail_cmd;

/* The command of a client line: its verb (IMAP: the word after the tag)
 * classified.  A line of bytes outside printable ASCII is TP_MAIL_CMD_OTHER. */
tp_mail_cmd wire_mail_cmd_kind(tp_mail_proto p, const uint8_t *line, size_t len);
/* The verb itself: copies it upper-cased to out (NUL-terminated, cut to
 * out_cap - 1); returns its length (0: no verb). */
size_t wire_mail_cmd_verb(tp_mail_proto p, const uint8_t *line, size_t len, char *out,
                          size_t out_cap);
/* Whether the line's verb is a command of the protocol at all (the verbs
 * above and NOOP, RSET, HELP, VRFY, EXPN, BDAT / NOOP, CHECK, CLOSE,
 * EXPUNGE, SEARCH, STATUS, UID, LSUB, ... / NOOP, RSET, DELE, TOP): a
 * first line that is not is another protocol spoken to the port. */
bool wire_mail_cmd_known(tp_mail_proto p, const uint8_t *line, size_t len);
/* "hello", "starttls", "auth", "quit", "data", "other". */
const char *wire_mail_cmd_name(tp_mail_cmd c);

/* Whether a line is plain printable text (ASCII 0x20..0x7e, TAB, CR, LF):
 * what a mail dialogue line is, and what a TLS record never is. */
bool wire_mail_line_is_text(const uint8_t *line, size_t len);

#endif
