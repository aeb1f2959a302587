/* The mail modes (SMTP, IMAP, POP3): what smtp.c, imap.c and pop3.c share
 * (mail_mode.c: line framing with the protocol's length limit, replies in
 * the plaintext phase or inside TLS, STARTTLS, close).  Each protocol file
 * holds its dialogue and its tp_mode_ops table; modes.c hands the table out
 * (tp_mail_mode_ops).  Includes mode.h only: the calls go one way. */
#ifndef TP_SERVER_MAIL_MODE_H
#define TP_SERVER_MAIL_MODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mode.h"

/* The longest line kept: IMAP's limit (wire_mail_max_line) and a margin. */
#define MAIL_LINE_CAP 8200
/* SMTP's sub-state while it reads message text (DATA). */
#define SMTP_STEP_DATA 1

typedef struct mail_st mail_st;

/* One protocol's dialogue. */
typedef struct {
    tp_mail_proto proto;
    void (*greet)(mail_st *m);
    /* One client line, without its CRLF (NUL-terminated). */
    void (*line)(mail_st *m, char *line, size_t len);
    /* The answer to a line over the limit (it is then skipped to its end). */
    const char *too_long;
    /* The answer, in the plaintext phase, to bytes that are no text (a TLS
     * ClientHello from an implicit-TLS client); the connection then closes. */
    const char *not_text;
} mail_proto;

struct mail_st {
    const mail_proto *p;
    const tp_mode_conn *mc;
    bool plain;    /* in the plaintext phase (before STARTTLS) */
    bool closed;   /* QUIT / LOGOUT answered, or closed on bad input */
    bool skipping; /* an over-long line: discarding up to its end */
    int step;      /* the protocol's sub-state (SMTP DATA, SASL exchanges, IMAP literals) */
    char tag[64];  /* IMAP: the tag of a command that waits for a continuation */
    char verb[16]; /* IMAP: its verb */
    size_t len;
    char buf[MAIL_LINE_CAP + 1];
};

/* The ops table of a mail mode (smtp.c, imap.c, pop3.c), or NULL. */
const tp_mode_ops *tp_mail_mode_ops(tp_mode mode);
extern const tp_mode_ops tp_mode_smtp, tp_mode_imap, tp_mode_pop3;

/* The mode callbacks the three tables share (mode state: a mail_st);
 * each protocol's on_open calls mail_open with its dialogue. */
void mail_open(void *st, const tp_mode_conn *mc, const mail_proto *p);
void mail_on_handshake_done(void *st, const tp_mode_conn *mc);
void mail_on_bytes(void *st, const tp_mode_conn *mc, const uint8_t *data, size_t len);

/* A reply line: fmt (printf) and CRLF, in plaintext or through TLS. */
void mail_reply(mail_st *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The STARTTLS answer was queued: TLS starts with the client's next bytes. */
void mail_start_tls(mail_st *m);
/* Ends the dialogue (after QUIT / LOGOUT's answer): close_notify inside
 * TLS, a plain close before it. */
void mail_close(mail_st *m);
/* The line limit in force (SMTP message text: 1000, RFC 5321 4.5.3.1.6). */
size_t mail_line_limit(const mail_st *m);
/* Whether the n bytes of a word equal the upper-case w (case-insensitive). */
bool mail_word_is(const char *s, size_t n, const char *w);
/* Splits line at its first space: the rest after it (or "" when none). */
char *mail_rest(char *line);

#endif
