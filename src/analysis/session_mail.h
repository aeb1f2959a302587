/* Inside the session model: the mail dialogue (session_mail.c).  The
 * plaintext preamble of a STARTTLS port is cut into lines before any TLS
 * framing: each line is a TP_EV_MAIL event; the STARTTLS go-ahead hands
 * the bytes after it to the record layer.  Inside TLS the opened
 * application data of a mail connection is cut into lines the same way. */
#ifndef TP_ANALYSIS_SESSION_MAIL_H
#define TP_ANALYSIS_SESSION_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../wire/mail.h"
#include "../wire/mail_auth.h"
#include "session.h"

#define SESS_MAIL_KEEP 256 /* bytes of a line kept to show and classify */

typedef struct {
    uint8_t buf[SESS_MAIL_KEEP];
    size_t kept;     /* bytes in buf */
    size_t line_len; /* the line's length so far */
} sess_mail_line;

typedef struct {
    tp_mail_proto proto;
    bool detect;   /* no protocol given: recognise a greeting */
    bool plain[2]; /* the direction is still in the plaintext preamble */
    bool inner;    /* cut the application data inside TLS into lines */
    sess_mail_line pl[2], in[2];
    wire_mail_auth_step auth;
    bool data_asked, in_data; /* SMTP: DATA sent / its 354 came: message text */
    unsigned long long data_bytes;
    bool inner_decided; /* no protocol given: the first data inside TLS was looked at */
    char tag[32];       /* IMAP: the STARTTLS command's tag */
} sess_mail;

void sess_mail_init(struct tp_session *s, const tp_session_params *p);
/* Bytes of dir while its preamble runs: returns how many of them were
 * plaintext (the rest is TLS, for the record layer). */
size_t sess_mail_feed(struct tp_session *s, tp_dir dir, double t, const uint8_t *data,
                      size_t len);
/* Whether dir is (or may be) in a plaintext preamble. */
bool sess_mail_plain(const struct tp_session *s, tp_dir dir);
/* Opened application data of dir (the dialogue inside TLS). */
void sess_mail_appdata(struct tp_session *s, tp_dir dir, double t, const uint8_t *p, size_t len);

#endif
