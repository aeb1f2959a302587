/* The mail preamble of the proxy (proxy.c), as a line filter with no I/O:
 * it is handed the bytes each side sends and says what goes where.
 *
 *  - client --starttls P, plaintext upstream: the upstream's greeting and
 *    capabilities go to the client with STARTTLS added when the upstream
 *    does not advertise it; tlsprobe answers the client's STARTTLS itself
 *    and starts TLS with it; after that the upstream's STARTTLS
 *    advertisement is taken out again (RFC 3207 4.2: not after TLS);
 *  - client --starttls P and --upstream-starttls P: the client's STARTTLS
 *    goes to the upstream; its go-ahead starts TLS on both legs;
 *  - implicit TLS client, --upstream-starttls P: tlsprobe speaks the
 *    upstream's preamble itself (EHLO and STARTTLS, tagged STARTTLS, STLS),
 *    and hands the upstream's greeting to the client inside TLS.
 * The lines are framed and recognised by wire/mail.h. */
#ifndef TP_SERVER_PROXY_MAIL_H
#define TP_SERVER_PROXY_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../wire/buf.h"
#include "../wire/mail.h"

/* What the proxy does after a call (bits). */
enum {
    PM_CLIENT_TLS = 1,   /* send what is for the client, then start TLS with it */
    PM_UPSTREAM_TLS = 2, /* start TLS with the upstream now */
    PM_FAIL = 4,         /* the upstream's preamble failed (pm->error) */
};

typedef enum {
    PM_PLAIN,       /* lines pass (and are filtered) */
    PM_AWAIT_OK,    /* the client's STARTTLS went to the upstream */
    PM_UP_GREETING, /* implicit-TLS client: waiting for the upstream's greeting */
    PM_UP_EHLO,     /* ... our EHLO sent (SMTP) */
    PM_UP_STLS,     /* ... our STARTTLS sent */
    PM_DONE,        /* TLS on the upstream leg (or no preamble to speak) */
} pm_state;

typedef struct {
    tp_mail_proto proto;
    bool client_plain;  /* --starttls P: the client has a plaintext preamble */
    bool up_starttls;   /* --upstream-starttls P */
    bool client_tls;    /* the client's TLS has started */
    pm_state state;
    char tag[32];       /* IMAP: the tag of the client's STARTTLS */
    wire_buf up_line, cl_line; /* a partial line from each side */
    bool caps_open;     /* inside an SMTP EHLO or POP3 CAPA answer */
    bool caps_starttls; /* ... and it advertised STARTTLS */
    bool capa_sent;     /* POP3: the client asked CAPA */
    char error[128];
} proxy_mail;

void proxy_mail_init(proxy_mail *pm, tp_mail_proto proto, bool client_plain, bool up_starttls);
void proxy_mail_cleanup(proxy_mail *pm);
/* Whether the upstream takes the client's application data yet (its
 * preamble and TLS are done, or there is none). */
bool proxy_mail_upstream_ready(const proxy_mail *pm);
/* Bytes from the upstream: what goes to the client into to_client, what
 * tlsprobe says to the upstream into to_up.  Returns PM_* bits. */
unsigned proxy_mail_from_upstream(proxy_mail *pm, const uint8_t *data, size_t len,
                                  wire_buf *to_client, wire_buf *to_up);
/* Plaintext bytes from the client (its preamble): for the upstream into
 * to_up, tlsprobe's own answers into to_client.  Returns PM_* bits. */
unsigned proxy_mail_from_client(proxy_mail *pm, const uint8_t *data, size_t len,
                                wire_buf *to_up, wire_buf *to_client);
/* The client's application data after its STARTTLS (the proxy forwards it
 * as it is): its capability commands, whose answers lose STARTTLS / STLS. */
void proxy_mail_client_tls(proxy_mail *pm, const uint8_t *data, size_t len);

#endif
