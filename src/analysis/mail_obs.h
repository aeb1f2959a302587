/* What the session saw of a mail dialogue (SMTP, IMAP, POP3), for the
 * verdict rules (verdict_mail.c): the plaintext preamble up to STARTTLS
 * and the dialogue inside TLS.  Filled by session_mail.c. */
#ifndef TP_ANALYSIS_MAIL_OBS_H
#define TP_ANALYSIS_MAIL_OBS_H

#include <stdbool.h>
#include <stddef.h>

#include "../wire/mail.h"

typedef struct {
    tp_mail_proto proto; /* NONE: no mail dialogue seen or configured */
    bool starttls_port;  /* a plaintext preamble was expected or seen (STARTTLS port) */
    bool implicit_port;  /* live: a mail mode on implicit TLS (--smtp/--imap/--pop3) */
    /* the preamble */
    bool greeting;           /* the server's greeting */
    char greeting_line[64];
    bool advertised;         /* the server advertised STARTTLS (EHLO, CAPABILITY, CAPA) */
    unsigned c2s_lines;      /* client lines in plaintext */
    char first_line[48];     /* the client's first plaintext line (as shown) */
    bool first_unknown;      /* ... is no command of the protocol (another protocol) */
    bool hello;              /* EHLO / CAPABILITY / CAPA in plaintext */
    char cmds[80];           /* the client's plaintext verbs, "EHLO, MAIL, QUIT" */
    bool auth_plain;         /* AUTH / LOGIN / USER before STARTTLS */
    char auth_verb[16];
    char auth_answer[64];    /* the server's answer to it */
    bool starttls_sent;
    bool starttls_ok;        /* the server's go-ahead: TLS started */
    char starttls_answer[64];/* the server's answer when it was no go-ahead */
    bool tls_early;          /* the client sent TLS bytes before STARTTLS */
    unsigned long long tls_early_bytes;
    bool quit_plain;         /* QUIT / LOGOUT in plaintext */
    bool too_long;           /* a client line over the limit (preamble or inside TLS) */
    bool too_long_tls;
    size_t too_long_len, limit;
    /* inside TLS */
    bool tls_dialogue;       /* mail lines seen inside TLS */
    bool tls_greeting;       /* the server greeted inside TLS (implicit) */
    unsigned tls_c2s_lines;
    char tls_cmds[80];       /* the client's verbs inside TLS */
    bool hello_after_tls;    /* EHLO / CAPABILITY / CAPA again after STARTTLS */
    bool credentials;        /* credentials offered inside TLS */
    char user[64];
    unsigned messages;       /* SMTP DATA messages sent */
    bool quit_tls;           /* QUIT / LOGOUT inside TLS */
} tp_mail_obs;

#endif
