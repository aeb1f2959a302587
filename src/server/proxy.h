/* The terminating proxy (`serve --upstream HOST:PORT`, `tlsprobe proxy`):
 * the client's TLS ends at tlsprobe (every check and verdict as in serve),
 * the plaintext goes to the real server over a non-blocking connection on
 * the connection's own event loop, and its answers go back.  Where to and
 * how, set once by the command (cli/) and handed to every connection. */
#ifndef TP_SERVER_PROXY_H
#define TP_SERVER_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "../wire/mail.h"

typedef struct {
    char addr_text[96]; /* "127.0.0.1:25", "[::1]:993" (the resolved address) */
    char host[256];     /* as given, for the upstream's SNI */
    struct sockaddr_storage sa;
    socklen_t sa_len;
    bool tls;             /* --upstream-tls: tlsprobe talks TLS to the upstream */
    tp_mail_proto upstream_starttls; /* --upstream-starttls P: STARTTLS to the upstream */
    tp_mail_proto mail; /* the mail protocol spoken (--starttls P, --smtp, ...), or NONE */
    bool client_starttls; /* --starttls P: the client's preamble comes from the upstream */
    double timeout;       /* connect (and upstream handshake) deadline, seconds */
} tp_proxy_params;

/* Parses and resolves "HOST:PORT" ("[::1]:25" for IPv6): true, or false
 * with a message in err naming the value ("not HOST:PORT", "unknown host"). */
bool tp_proxy_params_init(tp_proxy_params *p, const char *hostport, char *err, size_t err_len);

#endif
