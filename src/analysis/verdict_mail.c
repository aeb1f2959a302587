/* Verdict rules of the mail dialogues (SMTP, IMAP, POP3): the plaintext
 * preamble of a STARTTLS port (RFC 3207, RFC 3501 6.2.1, RFC 2595), a mail
 * client on the wrong kind of port, and the ok verdict that names what the
 * dialogue inside TLS did.  Rows of the table in verdict.c; each has a unit
 * test (tests/unit/test_mail_verdict.c). */
#include <stdio.h>
#include <string.h>

#include "verdict_int.h"
#include "verdict_mail.h"

static const char *upper(tp_mail_proto p)
{
    return p == TP_MAIL_SMTP ? "SMTP" : p == TP_MAIL_IMAP ? "IMAP" : p == TP_MAIL_POP3 ? "POP3" : "mail";
}

static const char *implicit_port(tp_mail_proto p)
{
    return p == TP_MAIL_SMTP ? "465" : p == TP_MAIL_IMAP ? "993" : "995";
}

static const char *starttls_port(tp_mail_proto p)
{
    return p == TP_MAIL_SMTP ? "587 or 25" : p == TP_MAIL_IMAP ? "143" : "110";
}

static const char *starttls_word(tp_mail_proto p)
{
    return p == TP_MAIL_POP3 ? "STLS" : "STARTTLS";
}

static const char *hello_word(tp_mail_proto p)
{
    return p == TP_MAIL_SMTP ? "EHLO" : p == TP_MAIL_IMAP ? "CAPABILITY" : "CAPA";
}

/* The preamble ran and TLS never started. */
static bool preamble_only(const tp_observation *o)
{
    return o->mail.starttls_port && !o->mail.starttls_ok && !o->mail.tls_early;
}

static bool client_closed(const tp_observation *o)
{
    return (o->end == TP_END_PEER_CLOSED || o->end == TP_END_PEER_RESET) &&
           vd_closer(o) == TP_ACTOR_CLIENT;
}

bool tp_when_mail_tls_early(const tp_observation *o)
{
    return o->mail.starttls_port && o->mail.tls_early;
}
void tp_say_mail_tls_early(const tp_observation *o, tp_verdict *v)
{
    tp_mail_proto p = o->mail.proto;
    vd_fail(v, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT);
    vd_say(v,
           "the client started TLS at once (%s, %llu bytes) on a STARTTLS %s port, without "
           "%s: an implicit-TLS client (port %s style) on a port that speaks plaintext %s first",
           o->client_hello ? "a ClientHello" : "a TLS record", o->mail.tls_early_bytes, upper(p),
           starttls_word(p), implicit_port(p), upper(p));
    if (o->server.bytes)
        vd_say_more(v, "; the server answered in plaintext and %s",
                    vd_closer(o) == TP_ACTOR_SERVER ? "closed" : "the client closed");
}

bool tp_when_mail_other_protocol(const tp_observation *o)
{
    return preamble_only(o) && o->mail.first_unknown; /* a first line, or binary bytes */
}
void tp_say_mail_other_protocol(const tp_observation *o, tp_verdict *v)
{
    tp_mail_proto p = o->mail.proto;
    vd_fail(v, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT);
    bool http = strncmp(o->mail.first_line, "GET ", 4) == 0 ||
                strncmp(o->mail.first_line, "POST ", 5) == 0;
    vd_say(v, "the client speaks another protocol than %s%s: its first line \"%s\" is no %s command",
           upper(p), http ? " (HTTP)" : "", o->mail.first_line, upper(p));
}

/* The TLS session under the dialogue worked: done, data both ways, no bad
 * record, no fatal alert. */
static bool tls_worked(const tp_observation *o)
{
    return o->handshake_done && o->app_exchanged && !o->client.bad_record &&
           !o->server.bad_record && !vd_client_fatal(o) && !o->server.fatal_alert;
}

bool tp_when_mail_line_too_long(const tp_observation *o)
{
    return o->mail.too_long && (o->mail.too_long_tls ? tls_worked(o) : preamble_only(o));
}
void tp_say_mail_line_too_long(const tp_observation *o, tp_verdict *v)
{
    tp_mail_proto p = o->mail.proto;
    const char *rfc = p == TP_MAIL_SMTP ? "RFC 5321 4.5.3.1" : p == TP_MAIL_POP3 ? "RFC 2449 4" : "RFC 7162 4";
    if (o->mail.too_long_tls) {
        vd_ok(v);
        vd_say_completed(o, v);
        vd_say_more(v, " and the TLS session worked; ");
    } else {
        vd_fail(v, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT);
        vd_say(v, "in the plaintext preamble ");
    }
    vd_say_more(v,
                "the client sent a %s line of %zu bytes, over the limit of %zu (%s); the server "
                "answered with a protocol error",
                upper(p), o->mail.too_long_len, o->mail.limit, rfc);
    if (o->mail.too_long_tls) {
        v->layers.app.fit = "mail-line-too-long";
        snprintf(v->layers.app.note, sizeof v->layers.app.note,
                 "a %s line of %zu bytes, over the limit of %zu", upper(p), o->mail.too_long_len,
                 o->mail.limit);
    }
}

bool tp_when_mail_auth_plain(const tp_observation *o)
{
    return preamble_only(o) && o->mail.auth_plain;
}
void tp_say_mail_auth_plain(const tp_observation *o, tp_verdict *v)
{
    tp_mail_proto p = o->mail.proto;
    vd_fail(v, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT);
    vd_say(v, "the client sent %s (credentials) before %s, in plaintext%s", o->mail.auth_verb,
           starttls_word(p), o->mail.advertised ? " (STARTTLS was advertised)" : "");
    if (o->mail.auth_answer[0])
        vd_say_more(v, "; the server refused it: \"%s\"", o->mail.auth_answer);
    if (o->mail.starttls_sent)
        vd_say_more(v, "; its %s came after that", starttls_word(p));
}

bool tp_when_mail_preamble_timeout(const tp_observation *o)
{
    return preamble_only(o) && o->end == TP_END_TIMEOUT;
}
void tp_say_mail_preamble_timeout(const tp_observation *o, tp_verdict *v)
{
    tp_mail_proto p = o->mail.proto;
    vd_fail(v, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT);
    vd_say(v, "the client never finished the plaintext %s preamble: ", upper(p));
    if (o->mail.c2s_lines)
        vd_say_more(v, "it sent %s, then nothing more", o->mail.cmds[0] ? o->mail.cmds : "text");
    else
        vd_say_more(v, "it sent no command after the greeting");
    vd_say_more(v, " for %.0f s, no %s%s (the server's timeout)", o->timeout > 0 ? o->timeout : o->t_end,
                starttls_word(p), o->mail.advertised ? ", which was advertised" : "");
}

bool tp_when_mail_no_starttls(const tp_observation *o)
{
    return preamble_only(o) && o->mail.advertised && !o->mail.starttls_sent &&
           o->mail.c2s_lines > 0;
}
void tp_say_mail_no_starttls(const tp_observation *o, tp_verdict *v)
{
    tp_mail_proto p = o->mail.proto;
    vd_fail(v, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT);
    vd_say(v,
           "the client never sent %s (it saw it advertised in the %s answer): it sent %s in "
           "plaintext and %s",
           starttls_word(p), hello_word(p), o->mail.cmds[0] ? o->mail.cmds : "text",
           o->mail.quit_plain ? "quit" : vd_close_words(o));
}

bool tp_when_mail_starttls_refused(const tp_observation *o)
{
    return preamble_only(o) && o->mail.starttls_sent && o->mail.starttls_answer[0];
}
void tp_say_mail_starttls_refused(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_PREAMBLE, TP_ACTOR_SERVER);
    vd_say(v, "the server refused %s: \"%s\"", starttls_word(o->mail.proto), o->mail.starttls_answer);
}

bool tp_when_mail_closed_after_greeting(const tp_observation *o)
{
    return preamble_only(o) && o->mail.greeting && o->mail.c2s_lines == 0 && client_closed(o);
}
void tp_say_mail_closed_after_greeting(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT);
    vd_say(v, "the client closed after the greeting (\"%s\") without sending a command, %.3f s "
              "after connecting",
           o->mail.greeting_line, o->t_end);
}

bool tp_when_mail_closed_in_preamble(const tp_observation *o)
{
    return preamble_only(o);
}
void tp_say_mail_closed_in_preamble(const tp_observation *o, tp_verdict *v)
{
    tp_mail_proto p = o->mail.proto;
    bool advertised = o->mail.advertised || o->mail.c2s_lines == 0;
    tp_actor who = advertised ? vd_closer(o) : TP_ACTOR_SERVER;
    vd_fail(v, TP_PHASE_PREAMBLE, who);
    if (!advertised)
        vd_say(v, "the server never advertised %s in its %s answer; the client sent %s and %s",
               starttls_word(p), hello_word(p), o->mail.cmds[0] ? o->mail.cmds : "text",
               vd_close_words(o));
    else
        vd_say(v, "the %s %s during the plaintext %s preamble (before %s), after %s",
               tp_actor_name(who), vd_close_words(o), upper(p), starttls_word(p),
               o->mail.cmds[0] ? o->mail.cmds : "the greeting");
}

bool tp_when_mail_plaintext_on_implicit(const tp_observation *o)
{
    return o->mail.implicit_port && o->not_tls && o->not_tls_dir_c2s && !o->client_hello;
}
void tp_say_mail_plaintext_on_implicit(const tp_observation *o, tp_verdict *v)
{
    tp_mail_proto p = o->mail.proto;
    vd_fail(v, TP_PHASE_NOT_TLS, TP_ACTOR_CLIENT);
    vd_say(v,
           "the client speaks plaintext (\"%s\") on an implicit-TLS %s port: it expects %s or "
           "plain %s (port %s style); this port starts with the TLS handshake",
           o->first_bytes, upper(p), starttls_word(p), upper(p), starttls_port(p));
}

bool tp_when_mail_waits_for_greeting(const tp_observation *o)
{
    return o->mail.implicit_port && vd_client_silent(o) &&
           (o->end == TP_END_TIMEOUT || (client_closed(o) && o->t_end >= VD_REACTION_SECONDS));
}
void tp_say_mail_waits_for_greeting(const tp_observation *o, tp_verdict *v)
{
    tp_mail_proto p = o->mail.proto;
    vd_fail(v, o->end == TP_END_TIMEOUT ? TP_PHASE_TIMEOUT : TP_PHASE_TRANSPORT, TP_ACTOR_CLIENT);
    vd_say(v,
           "the client sent nothing in %.1f s on an implicit-TLS %s port: a mail client that "
           "waits for a plaintext greeting (it expects %s or plain %s, port %s style); this port "
           "starts with the TLS handshake",
           o->t_end, upper(p), starttls_word(p), upper(p), starttls_port(p));
}

bool tp_when_mail_session_ok(const tp_observation *o)
{
    return o->mail.tls_dialogue && tls_worked(o);
}
void tp_say_mail_session_ok(const tp_observation *o, tp_verdict *v)
{
    const tp_mail_obs *m = &o->mail;
    vd_ok(v);
    vd_say_completed(o, v);
    vd_say_more(v, " and the %s dialogue worked", upper(m->proto));
    if (m->starttls_ok)
        vd_say_more(v, " after %s", starttls_word(m->proto));
    if (m->tls_cmds[0])
        vd_say_more(v, ": the client sent %s", m->tls_cmds);
    if (m->hello_after_tls)
        vd_say_more(v, "; the client sent %s again after TLS: ok", hello_word(m->proto));
    if (m->credentials)
        vd_say_more(v, "; credentials offered (user %s)", m->user);
    if (m->messages)
        vd_say_more(v, "; %u message%s %s", m->messages, m->messages == 1 ? "" : "s",
                    o->facts.up.state ? "passed to the upstream" : "accepted and discarded");
    if (m->auth_plain)
        vd_say_more(v, "; note: it sent %s in plaintext before %s", m->auth_verb,
                    starttls_word(m->proto));
    if (!m->quit_tls)
        vd_say_more(v, "; it %s without %s", vd_close_words(o),
                    m->proto == TP_MAIL_IMAP ? "LOGOUT" : "QUIT");
    v->layers.app.fit = wire_mail_proto_name(m->proto);
}
