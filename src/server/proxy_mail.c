/* See proxy_mail.h. */
#include "proxy_mail.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A line longer than this is passed on as it is, not held further. */
#define PM_LINE_MAX 16384

typedef unsigned (*pm_line_fn)(proxy_mail *pm, const uint8_t *line, size_t len, wire_buf *a,
                               wire_buf *b);

void proxy_mail_init(proxy_mail *pm, tp_mail_proto proto, bool client_plain, bool up_starttls)
{
    memset(pm, 0, sizeof *pm);
    pm->proto = proto;
    pm->client_plain = client_plain;
    pm->up_starttls = up_starttls;
    wire_buf_init(&pm->up_line, 2 * PM_LINE_MAX);
    wire_buf_init(&pm->cl_line, 2 * PM_LINE_MAX);
    /* an implicit-TLS client: tlsprobe speaks the upstream's preamble */
    pm->state = up_starttls && !client_plain ? PM_UP_GREETING : PM_PLAIN;
}

void proxy_mail_cleanup(proxy_mail *pm)
{
    wire_buf_cleanup(&pm->up_line);
    wire_buf_cleanup(&pm->cl_line);
}

bool proxy_mail_upstream_ready(const proxy_mail *pm)
{
    return pm->state == PM_PLAIN || pm->state == PM_DONE;
}

/* Frames lines out of data (a partial one is kept in part) and hands each
 * to fn; stops after a line that switches to TLS (what follows it in the
 * same read is not handed on: RFC 3207 4.2). */
static unsigned pm_split(proxy_mail *pm, wire_buf *part, const uint8_t *data, size_t len,
                         pm_line_fn fn, wire_buf *a, wire_buf *b)
{
    unsigned acts = 0;
    while (len && !acts) {
        size_t n = wire_mail_line_len(data, len);
        if (!n) {
            wire_buf_add_bytes(part, data, len);
            if (wire_buf_len(part) > PM_LINE_MAX) {
                acts = fn(pm, wire_buf_data(part), wire_buf_len(part), a, b);
                wire_buf_cleanup(part);
            }
            return acts;
        }
        if (wire_buf_len(part)) {
            wire_buf_add_bytes(part, data, n);
            acts = fn(pm, wire_buf_data(part), wire_buf_len(part), a, b);
            wire_buf_cleanup(part);
        } else {
            acts = fn(pm, data, n, a, b);
        }
        data += n;
        len -= n;
    }
    return acts;
}

/* ---- the capability filter (client --starttls, plaintext upstream) ---- */

static bool starts(const uint8_t *line, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len >= n && strncasecmp((const char *)line, lit, n) == 0;
}

/* The offset just after "CAPABILITY" in an IMAP line, or 0. */
static size_t imap_caps_at(const uint8_t *line, size_t len)
{
    for (size_t i = 0; i + 10 <= len; i++)
        if (strncasecmp((const char *)line + i, "CAPABILITY", 10) == 0)
            return i + 10;
    return 0;
}

static void imap_filter(proxy_mail *pm, const uint8_t *line, size_t len, wire_buf *out)
{
    size_t at = imap_caps_at(line, len);
    bool adv = at && wire_mail_advertises_starttls(pm->proto, line, len);
    if (at && !adv && !pm->client_tls) { /* RFC 3501 6.2.1: STARTTLS is a capability */
        wire_buf_add_bytes(out, line, at);
        wire_buf_add_str(out, " STARTTLS");
        wire_buf_add_bytes(out, line + at, len - at);
        return;
    }
    for (size_t i = at; adv && pm->client_tls && i + 9 <= len; i++) {
        if (strncasecmp((const char *)line + i, " STARTTLS", 9) == 0 &&
            (i + 9 == len || line[i + 9] == ' ' || line[i + 9] == ']' || line[i + 9] == '\r')) {
            wire_buf_add_bytes(out, line, i); /* not after TLS (RFC 3501 6.2.1) */
            wire_buf_add_bytes(out, line + i + 9, len - i - 9);
            return;
        }
    }
    wire_buf_add_bytes(out, line, len);
}

/* SMTP EHLO answer (RFC 3207 4: "250-STARTTLS"), POP3 CAPA (RFC 2595 4: "STLS"). */
static void caps_filter(proxy_mail *pm, const uint8_t *line, size_t len, wire_buf *out)
{
    bool smtp = pm->proto == TP_MAIL_SMTP;
    bool adv = wire_mail_advertises_starttls(pm->proto, line, len);
    if (adv && pm->client_tls && (smtp ? starts(line, len, "250-") : pm->caps_open))
        return; /* not after TLS (RFC 3207 4.2, RFC 2595 4: STLS only in AUTHORIZATION) */
    if (!pm->caps_open) {
        wire_buf_add_bytes(out, line, len);
        return;
    }
    pm->caps_starttls |= adv;
    bool last = smtp ? starts(line, len, "250 ") || !starts(line, len, "250")
                     : starts(line, len, "-ERR") || wire_mail_line_trim(line, len) == 1;
    bool ok_end = smtp ? starts(line, len, "250 ") : line[0] == '.';
    if (last) {
        if (ok_end && !pm->caps_starttls && !pm->client_tls)
            wire_buf_add_str(out, smtp ? "250-STARTTLS\r\n" : "STLS\r\n");
        pm->caps_open = false;
    }
    wire_buf_add_bytes(out, line, len);
}

/* ---- the upstream's lines ---- */

static unsigned pm_fail(proxy_mail *pm, const char *what, const uint8_t *line, size_t len)
{
    size_t n = wire_mail_line_trim(line, len);
    snprintf(pm->error, sizeof pm->error, "%s: \"%.*s\"", what, (int)(n > 80 ? 80 : n),
             (const char *)line);
    pm->state = PM_DONE;
    return PM_FAIL;
}

/* An implicit-TLS client: tlsprobe's own preamble with the upstream. */
static unsigned up_own_preamble(proxy_mail *pm, const uint8_t *line, size_t len,
                                wire_buf *to_client, wire_buf *to_up)
{
    bool smtp = pm->proto == TP_MAIL_SMTP;
    if (pm->state == PM_UP_GREETING) {
        if (wire_mail_greeting_proto(line, len) != pm->proto &&
            !(smtp && starts(line, len, "220-")))
            return pm_fail(pm, "the upstream's greeting is not the protocol's", line, len);
        wire_buf_add_bytes(to_client, line, len); /* the client gets it inside TLS */
        if (smtp && starts(line, len, "220-"))
            return 0; /* more greeting lines */
        wire_buf_add_str(to_up, smtp                      ? "EHLO tlsprobe.invalid\r\n"
                                : pm->proto == TP_MAIL_IMAP ? "tp0 STARTTLS\r\n"
                                                            : "STLS\r\n");
        pm->state = smtp ? PM_UP_EHLO : PM_UP_STLS;
        return 0;
    }
    if (pm->state == PM_UP_EHLO) {
        if (!starts(line, len, "250"))
            return pm_fail(pm, "the upstream refused EHLO", line, len);
        if (starts(line, len, "250 ")) {
            wire_buf_add_str(to_up, "STARTTLS\r\n");
            pm->state = PM_UP_STLS;
        }
        return 0;
    }
    if (!wire_mail_is_starttls_ok(pm->proto, line, len, "tp0"))
        return pm_fail(pm, "the upstream refused STARTTLS", line, len);
    pm->state = PM_DONE;
    return PM_UPSTREAM_TLS;
}

static unsigned up_line(proxy_mail *pm, const uint8_t *line, size_t len, wire_buf *to_client,
                        wire_buf *to_up)
{
    if (pm->state == PM_UP_GREETING || pm->state == PM_UP_EHLO || pm->state == PM_UP_STLS)
        return up_own_preamble(pm, line, len, to_client, to_up);
    if (pm->state == PM_AWAIT_OK) {
        wire_buf_add_bytes(to_client, line, len);
        if (!wire_mail_is_starttls_ok(pm->proto, line, len, pm->tag)) {
            pm->state = PM_PLAIN; /* refused: the client hears it and goes on */
            return 0;
        }
        pm->state = PM_DONE;
        pm->client_tls = true;
        return PM_CLIENT_TLS | PM_UPSTREAM_TLS;
    }
    if (!pm->client_plain || pm->up_starttls)
        wire_buf_add_bytes(to_client, line, len); /* the upstream advertises itself */
    else if (pm->proto == TP_MAIL_IMAP)
        imap_filter(pm, line, len, to_client);
    else
        caps_filter(pm, line, len, to_client);
    return 0;
}

unsigned proxy_mail_from_upstream(proxy_mail *pm, const uint8_t *data, size_t len,
                                  wire_buf *to_client, wire_buf *to_up)
{
    return pm_split(pm, &pm->up_line, data, len, up_line, to_client, to_up);
}

/* ---- the client's preamble ---- */

static unsigned cl_line(proxy_mail *pm, const uint8_t *line, size_t len, wire_buf *to_up,
                        wire_buf *to_client)
{
    if (pm->state == PM_AWAIT_OK || pm->client_tls)
        return 0; /* pipelined behind STARTTLS: not handed on (RFC 3207 4.2) */
    char tag[sizeof pm->tag] = "";
    if (wire_mail_is_starttls_cmd(pm->proto, line, len, tag, sizeof tag)) {
        if (pm->up_starttls) {
            memcpy(pm->tag, tag, sizeof tag);
            wire_buf_add_bytes(to_up, line, len);
            pm->state = PM_AWAIT_OK;
            return 0;
        }
        /* tlsprobe answers it (RFC 3207 4, RFC 3501 6.2.1, RFC 2595 4) */
        if (pm->proto == TP_MAIL_SMTP)
            wire_buf_add_str(to_client, "220 2.0.0 Ready to start TLS\r\n");
        else if (pm->proto == TP_MAIL_IMAP)
            wire_buf_printf(to_client, "%s OK Begin TLS negotiation now\r\n", tag);
        else
            wire_buf_add_str(to_client, "+OK Begin TLS negotiation\r\n");
        pm->client_tls = true;
        return PM_CLIENT_TLS;
    }
    if (pm->proto != TP_MAIL_IMAP && wire_mail_cmd_kind(pm->proto, line, len) == TP_MAIL_CMD_HELLO) {
        pm->caps_open = true; /* its answer lists the capabilities */
        pm->caps_starttls = false;
    }
    wire_buf_add_bytes(to_up, line, len);
    return 0;
}

unsigned proxy_mail_from_client(proxy_mail *pm, const uint8_t *data, size_t len,
                                wire_buf *to_up, wire_buf *to_client)
{
    return pm_split(pm, &pm->cl_line, data, len, cl_line, to_up, to_client);
}

/* ---- the client's commands inside TLS ---- */

static unsigned cl_tls_line(proxy_mail *pm, const uint8_t *line, size_t len, wire_buf *a,
                            wire_buf *b)
{
    (void)a;
    (void)b;
    if (wire_mail_cmd_kind(pm->proto, line, len) == TP_MAIL_CMD_HELLO) {
        pm->caps_open = true; /* its answer lists the capabilities, without STARTTLS */
        pm->caps_starttls = false;
    }
    return 0;
}

void proxy_mail_client_tls(proxy_mail *pm, const uint8_t *data, size_t len)
{
    if (pm->client_plain && !pm->up_starttls && pm->proto != TP_MAIL_IMAP && pm->client_tls)
        (void)pm_split(pm, &pm->cl_line, data, len, cl_tls_line, NULL, NULL);
}
