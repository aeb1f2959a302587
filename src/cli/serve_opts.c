/* Option handling shared by serve and sweep; see serve_opts.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certs_opts.h"
#include "engine_opts.h" /* the --engine row */
#include "serve_opts.h"
#include "engine/psk.h"
#include "serve_opts_names.h"

int serve_opts_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tlsprobe %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(tlsprobe %s --help for the options)\n", cmd);
    return 2;
}

/* ---- the handlers ---- */

static int take_list(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)cmd;
    s->lists.csv[row->flag] = arg; /* checked by the engine (serve) or the matrix (sweep) */
    s->any_list = true;
    return 0;
}

/* A plain string: --priority, --cert, --key. */
static int take_str(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)cmd;
    *(const char **)(void *)((char *)s + row->field) = arg;
    return 0;
}

static int take_key_type(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    if (!engine_key_type_valid(arg)) {
        fprintf(stderr, "tlsprobe %s: --key-type %s: unknown; valid: ", cmd, arg);
        serve_opts_key_types_print(stderr);
        fputc('\n', stderr);
        return 2;
    }
    s->key_type = arg;
    return 0;
}

static int take_client_cert(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    if (!strcmp(arg, "none"))
        s->client_cert = TP_CLIENT_CERT_NONE;
    else if (!strcmp(arg, "request"))
        s->client_cert = TP_CLIENT_CERT_REQUEST;
    else if (!strcmp(arg, "require"))
        s->client_cert = TP_CLIENT_CERT_REQUIRE;
    else
        return serve_opts_usage_error(cmd, "--client-cert %s: valid: none, request, require", arg);
    return 0;
}

static int take_renegotiation(serve_shape *s, const char *cmd, const serve_opt *row,
                              const char *arg)
{
    (void)row;
    if (strcmp(arg, "allow") && strcmp(arg, "refuse"))
        return serve_opts_usage_error(cmd, "--renegotiation %s: valid: allow, refuse", arg);
    s->renegotiation = !strcmp(arg, "allow");
    return 0;
}

/* ---- resumption (--resumption, --tickets, --early-data) ---- */

bool serve_opts_resumption_parse(const char *csv, unsigned *out_off)
{
    static const struct {
        const char *name;
        unsigned bits;
    } names[] = {{"none", 0}, {"all", TP_RESUME_ALL}, {"id", TP_RESUME_ID},
                 {"ticket", TP_RESUME_TICKET}, {"psk", TP_RESUME_PSK}};
    unsigned on = 0, n = 0;
    for (const char *p = csv; *p;) {
        size_t l = strcspn(p, ",");
        unsigned i = 0;
        while (i < sizeof names / sizeof names[0] &&
               !(strlen(names[i].name) == l && !strncmp(names[i].name, p, l)))
            i++;
        if (i == sizeof names / sizeof names[0])
            return false;
        on |= names[i].bits;
        n++;
        p += l + (p[l] == ',');
    }
    *out_off = TP_RESUME_ALL & ~on;
    return n > 0;
}

void serve_opts_resumption_apply(const serve_shape *s, tp_engine_config *cfg)
{
    cfg->resumption_off = s->resumption_off;
    cfg->tickets = s->tickets;
    cfg->tickets_set = s->tickets_set;
    cfg->early_data = s->early_data;
}

static int take_resumption(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    if (!serve_opts_resumption_parse(arg, &s->resumption_off))
        return serve_opts_usage_error(cmd, "--resumption %s: valid: %s", arg,
                                      SERVE_OPTS_RESUMPTION_VALID);
    s->resumption_set = true;
    return 0;
}

static int take_tickets(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    char *end;
    errno = 0;
    unsigned long n = strtoul(arg, &end, 10);
    if (errno || end == arg || *end || *arg == '-' || n > 16)
        return serve_opts_usage_error(cmd, "--tickets %s: not a ticket count (0-16)", arg);
    s->tickets = (unsigned)n;
    s->tickets_set = true;
    return 0;
}

static int take_early_data(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)cmd, (void)row, (void)arg;
    s->early_data = true;
    return 0;
}

static int take_timeout(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    char *end;
    errno = 0;
    double t = strtod(arg, &end);
    if (errno || end == arg || *end || !(t > 0) || t > 86400 * 365)
        return serve_opts_usage_error(cmd, "--timeout %s: not a number of seconds (> 0)", arg);
    s->timeout = t;
    return 0;
}

/* --psk ID:HEX, --srp USER:PASSWORD (repeatable): engine/psk.h checks them. */
static int take_psk(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    bool srp = row->flag;
    char err[320];
    if (!(srp ? tp_engine_srp_valid : tp_engine_psk_valid)(arg, err, sizeof err))
        return serve_opts_usage_error(cmd, "%s", err);
    unsigned *n = srp ? &s->num_srp : &s->num_psk;
    if (*n >= SERVE_OPTS_MAX_PSK)
        return serve_opts_usage_error(cmd, "--%s %s: at most %d of them", row->name, arg,
                                      SERVE_OPTS_MAX_PSK);
    (srp ? s->srp : s->psk)[(*n)++] = arg;
    return 0;
}

/* ---- mail: --starttls P, --smtp, --imap, --pop3 (one mail mode) ---- */

static int take_mail(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    tp_mail_proto p;
    bool starttls = arg != NULL;
    char flag[32];
    snprintf(flag, sizeof flag, "--%s%s%s", row->name, arg ? " " : "", arg ? arg : "");
    if (!wire_mail_proto_parse(starttls ? arg : row->name, &p))
        return serve_opts_usage_error(cmd, "--starttls %s: valid: %s", arg,
                                      wire_mail_proto_names());
    if (s->mail && (s->mail != p || s->starttls != starttls))
        return serve_opts_usage_error(cmd, "--%s and %s: choose one mail mode", s->mail_flag,
                                      flag);
    s->mail = p;
    s->starttls = starttls;
    s->mail_flag = row->name; /* "starttls", "smtp", ... */
    return 0;
}

/* ---- proxy (see also serve_opts_upstream) ---- */

static int take_upstream(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    char err[512];
    if (!tp_proxy_params_init(&s->proxy, arg, err, sizeof err))
        return serve_opts_usage_error(cmd, "%s", err);
    s->has_upstream = true;
    return 0;
}

static int take_upstream_tls(serve_shape *s, const char *cmd, const serve_opt *row,
                             const char *arg)
{
    (void)cmd;
    (void)row;
    (void)arg;
    s->upstream_tls = true;
    return 0;
}

static int take_upstream_starttls(serve_shape *s, const char *cmd, const serve_opt *row,
                                  const char *arg)
{
    (void)row;
    if (!wire_mail_proto_parse(arg, &s->upstream_starttls))
        return serve_opts_usage_error(cmd, "--upstream-starttls %s: valid: %s", arg,
                                      wire_mail_proto_names());
    return 0;
}

static int take_keep(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    if (strcmp(arg, "failing") && strcmp(arg, "all"))
        return serve_opts_usage_error(cmd, "--keep %s: valid: failing, all", arg);
    s->keep_failing = !strcmp(arg, "failing");
    return 0;
}

/* SIZE with an optional k/M/G suffix (powers of 1024), then ",N". */
static int take_rotate(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(arg, &end, 10);
    unsigned shift = *end == 'k' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    end += shift != 0;
    unsigned long keep = 5;
    if (*end == ',') {
        char *e2;
        keep = strtoul(end + 1, &e2, 10);
        end = e2 == end + 1 || keep > 1000 ? (char *)"x" : e2;
    }
    if (errno || *end || n == 0 || arg[0] == '-' || n > (1ULL << 40) >> shift)
        return serve_opts_usage_error(cmd, "--rotate %s: not SIZE[,N] (a size in bytes, k, M "
                                           "or G, e.g. 100M or 100M,10; N: files kept, 0-1000, "
                                           "default 5)", arg);
    s->rotate_size = n << shift;
    s->rotate_keep = (unsigned)keep;
    return 0;
}

const tp_proxy_params *serve_opts_upstream(serve_shape *s)
{
    if (!s->has_upstream)
        return NULL;
    s->proxy.tls = s->upstream_tls;
    s->proxy.upstream_starttls = s->upstream_starttls;
    /* the protocol: the client's (--starttls P, --smtp, ...) or the upstream's */
    s->proxy.mail = s->mail ? s->mail : s->upstream_starttls;
    s->proxy.client_starttls = s->starttls;
    s->proxy.timeout = s->timeout > 0 ? s->timeout : 30;
    return &s->proxy;
}

/* ---- the table ---- */

#define LIST(name, flag, example)                                                                  \
    {                                                                                              \
        name, "L", example, SERVE_OPTS_BOTH, take_list, flag, 0                                    \
    }
#define STR(field) take_str, 0, offsetof(serve_shape, field)

/* clang-format off */
static const serve_opt serve_opts_table[] = {
    {"engine", "E", "the TLS library that serves: gnutls (default) or openssl",
     SERVE_OPTS_BOTH, engine_take_engine, 0, 0},
    {"priority", "STR", "GnuTLS priority string (instead of the lists below)", SERVE_OPTS_SERVE,
     STR(priority)},
    {"cipher-string", "STR", "openssl engine: an OpenSSL cipher string (TLS <= 1.2,\n"
                             "e.g. 'HIGH:!aNULL' or 'AES128-SHA:@SECLEVEL=0')",
     SERVE_OPTS_SERVE, STR(cipher_string)},
    {"ciphersuites", "STR", "openssl engine: OpenSSL TLS 1.3 suites\n"
                            "(e.g. TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256)",
     SERVE_OPTS_SERVE, STR(ciphersuites)},
    LIST("protocols", ENGINE_FLAG_PROTOCOLS, "e.g. TLS1.2,TLS1.3"),
    LIST("ciphers", ENGINE_FLAG_CIPHERS, "e.g. AES-128-GCM,AES-128-CBC"),
    LIST("macs", ENGINE_FLAG_MACS, "e.g. SHA1,AEAD"),
    LIST("kx", ENGINE_FLAG_KX, "e.g. ECDHE-RSA,RSA"),
    LIST("groups", ENGINE_FLAG_GROUPS, "e.g. X25519,SECP256R1"),
    LIST("sigalgs", ENGINE_FLAG_SIGALGS, "e.g. RSA-SHA256,RSA-PSS-RSAE-SHA256"),
    LIST("comp", ENGINE_FLAG_COMP, "compression methods (NULL)"),
    {"cert", "FILE", "PEM certificate, with --key (default: a throwaway\n"
                     "self-signed certificate generated at start)", SERVE_OPTS_BOTH, STR(cert)},
    {"key", "FILE", "PEM private key of --cert", SERVE_OPTS_BOTH, STR(key)},
    {"key-type", "T", "generated key: rsa:1024, rsa:2048 (default), rsa:4096,\n"
                      "ecdsa:p256, ecdsa:p384, ed25519", SERVE_OPTS_BOTH, take_key_type, 0, 0},
    {"client-cert", "M", "none (default), request or require", SERVE_OPTS_BOTH,
     take_client_cert, 0, 0},
    {"renegotiation", "P", "allow or refuse (default) a client's renegotiation\n"
                           "(TLS <= 1.2; safe renegotiation, RFC 5746)", SERVE_OPTS_SERVE,
     take_renegotiation, 0, 0},
    /* ALPN and SNI (serve_opts_names.c) */
    {"alpn", "L", "ALPN protocols in the server's preference order, e.g.\n"
                  "h2,http/1.1; none: no ALPN (default: none; --http: http/1.1)",
     SERVE_OPTS_BOTH, serve_opts_take_alpn, 0, 0},
    {"alpn-mode", "M", "no protocol in common: ignore (default: go on without\n"
                       "ALPN) or strict (fatal no_application_protocol)", SERVE_OPTS_BOTH,
     serve_opts_take_alpn_mode, 0, 0},
    {"sni-cert", "SPEC", "NAME=CERT,KEY (PEM files) or NAME (generated): the\n"
                         "certificate for a client asking for NAME (*.example\n"
                         "too); repeatable", SERVE_OPTS_BOTH, serve_opts_take_sni_cert, 0, 0},
    {"sni-mode", "M", "a name no certificate covers: ignore (default: the\n"
                      "default certificate), warn (a warning unrecognized_name\n"
                      "first; TLS <= 1.2) or strict (fatal unrecognized_name)",
     SERVE_OPTS_BOTH, serve_opts_take_sni_mode, 0, 0},
    /* certificates: certs_opts.c */
    {"chain", NULL, "a generated chain: CA -> intermediate -> leaf (--save-ca)",
     SERVE_OPTS_BOTH, certs_take_chain, 0, 0},
    {"cert-variant", "NAME", "the generated chain with a flaw (tlsprobe list): none,\n"
                             "expired, not-yet-valid, wrong-name, self-signed,\n"
                             "missing-intermediate, wrong-order, sha1, rsa1024,\n"
                             "rsa4096, rsa8192, ecdsa-p256, ecdsa-p384, ecdsa-p521,\n"
                             "ed25519, long-chain, huge, unusual-extensions",
     SERVE_OPTS_BOTH, certs_take_variant, 0, 0},
    {"save-ca", "FILE", "write the generated root CA (PEM) to FILE", SERVE_OPTS_BOTH,
     STR(save_ca)},
    {"ocsp", "S", "staple an OCSP response: good, revoked, unknown (signed\n"
                  "by the generated CA) or FILE (a DER or PEM response)", SERVE_OPTS_BOTH,
     certs_take_ocsp, 0, 0},
    {"client-ca", "FILE", "verify client certificates against the CAs in FILE, or\n"
                          "'generated': the generated CA (implies --client-cert\n"
                          "require unless given)", SERVE_OPTS_BOTH, STR(client_ca)},
    {"save-client-cert", "FILE", "write a client certificate and its key (PEM, 0600)\n"
                                 "issued by the generated CA (for --client-ca generated)",
     SERVE_OPTS_BOTH, STR(save_client_cert)},
    {"cert-variants", "L", "values of the sweep's cert axis (default: every variant\n"
                           "but rsa8192)", SERVE_OPTS_SWEEP, STR(cert_variants)},
    {"resumption", "M", "resumption the server offers: all (serve's default), none\n"
                        "(sweep's default; its resumption axis sets it), or a\n"
                        "list of id (session-ID cache, TLS <= 1.2), ticket\n"
                        "(TLS 1.2 tickets), psk (TLS 1.3 tickets)", SERVE_OPTS_BOTH,
     take_resumption, 0, 0},
    {"tickets", "N", "TLS 1.3 tickets sent after each handshake (default 2)", SERVE_OPTS_BOTH,
     take_tickets, 0, 0},
    {"early-data", NULL, "take TLS 1.3 0-RTT data, once per ticket (a replay is\n"
                         "refused and named in the trace)", SERVE_OPTS_BOTH, take_early_data, 0, 0},
    {"timeout", "S", "handshake and idle timeout in seconds (default 30)", SERVE_OPTS_BOTH,
     take_timeout, 0, 0},
    {"psk", "ID:HEX", "a pre-shared key (repeatable): the PSK, DHE-PSK, ECDHE-PSK\n"
                      "and RSA-PSK key exchanges and TLS 1.3 external PSKs\n"
                      "(psk_ke, psk_dhe_ke) become negotiable", SERVE_OPTS_BOTH, take_psk, 0, 0},
    {"srp", "USER:PASSWORD", "an SRP user (repeatable): SRP and SRP-RSA (TLS <= 1.2)",
     SERVE_OPTS_BOTH, take_psk, 1, 0},
    {"starttls", "P", "mail with STARTTLS: smtp, imap or pop3 in plaintext\n"
                      "(greeting, capabilities, STARTTLS), then TLS on the\n"
                      "same connection and the dialogue inside it", SERVE_OPTS_BOTH, take_mail, 0, 0},
    {"smtp", NULL, "mail over implicit TLS (port 465 style): SMTP after\n"
                   "the handshake (AUTH with any credentials, mail discarded)",
     SERVE_OPTS_BOTH, take_mail, 0, 0},
    {"imap", NULL, "IMAP after the handshake (993 style), an empty INBOX", SERVE_OPTS_BOTH,
     take_mail, 0, 0},
    {"pop3", NULL, "POP3 after the handshake (995 style), no messages", SERVE_OPTS_BOTH,
     take_mail, 0, 0},
    /* proxy (server/proxy.h) */
    {"upstream", "HOST:PORT", "proxy: the client's TLS ends here, the plaintext goes to\n"
                              "this server and its answers back (tlsprobe proxy)", SERVE_OPTS_BOTH,
     take_upstream, 0, 0},
    {"upstream-tls", NULL, "proxy: talk TLS to the upstream (465, 993, 995)", SERVE_OPTS_BOTH,
     take_upstream_tls, 0, 0},
    {"upstream-starttls", "P", "proxy: STARTTLS to the upstream: smtp, imap or pop3",
     SERVE_OPTS_BOTH, take_upstream_starttls, 0, 0},
    /* long-running outputs (cli/serve_keep.c) */
    {"keep", "WHAT", "failing: trace and pcapng detail only for failing\n"
                     "connections (ok ones keep their verdict line); all (default)",
     SERVE_OPTS_SERVE, take_keep, 0, 0},
    {"rotate", "SIZE[,N]", "start --trace/--pcap afresh past SIZE bytes (k, M, G),\n"
                           "keeping N older files FILE.1..FILE.N (default 5)",
     SERVE_OPTS_SERVE, take_rotate, 0, 0},
    /* More server-shaping options (e.g. --quirk, the record rewriter) are one
     * row each here: both commands then parse them and list them in --help. */
};
/* clang-format on */

#define NUM_ROWS (sizeof serve_opts_table / sizeof serve_opts_table[0])
_Static_assert(NUM_ROWS <= SERVE_OPTS_ROWS_MAX, "raise SERVE_OPTS_ROWS_MAX");

unsigned serve_opts_long_opts(struct option *opts, unsigned n, unsigned cap, unsigned command)
{
    for (unsigned i = 0; i < NUM_ROWS; i++) {
        const serve_opt *o = &serve_opts_table[i];
        if (!(o->commands & command))
            continue;
        if (n + 1 >= cap)
            return 0;
        opts[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
                                    SERVE_OPT_BASE + (int)i};
    }
    if (n >= cap)
        return 0;
    opts[n] = (struct option){NULL, 0, NULL, 0};
    return n;
}

int serve_opts_handle(serve_shape *s, const char *cmd, int ch, const char *arg)
{
    if (ch < SERVE_OPT_BASE || ch >= SERVE_OPT_BASE + (int)NUM_ROWS)
        return -1;
    const serve_opt *o = &serve_opts_table[ch - SERVE_OPT_BASE];
    return o->handle(s, cmd, o, arg);
}

void serve_opts_help(FILE *f, unsigned command)
{
    for (unsigned i = 0; i < NUM_ROWS; i++) {
        const serve_opt *o = &serve_opts_table[i];
        if (!(o->commands & command))
            continue;
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-22s", left);
        for (const char *p = o->help; *p; p++) {
            fputc(*p, f);
            if (*p == '\n')
                fprintf(f, "%24s", "");
        }
        fputc('\n', f);
    }
}

/* --kx PSK without --psk (SRP without --srp): no credentials to run it on. */
static int kx_needs_check(const serve_shape *s, const char *cmd)
{
    const engine_name *v[32];
    unsigned n = 0;
    char err[256];
    const char *csv = s->lists.csv[ENGINE_FLAG_KX];
    if (!csv || engine_list_parse(ENGINE_FLAG_KX, csv, v, 32, &n, err, sizeof err) != TP_OK)
        return 0; /* the engine or the matrix names a bad list */
    for (unsigned i = 0; i < n; i++) {
        const char *need = v[i]->needs;
        if (need && !(strcmp(need, "--psk") == 0 ? s->num_psk : s->num_srp))
            return serve_opts_usage_error(cmd, "--kx %s: %s needs %s (e.g. %s)", csv, v[i]->name,
                                          need,
                                          need[2] == 'p' ? "--psk dev:00112233445566778899aabb"
                                                         : "--srp user:password");
    }
    return 0;
}

int serve_opts_check(const serve_shape *s, const char *cmd)
{
    if (kx_needs_check(s, cmd))
        return 2;
    if (s->priority && s->any_list)
        return serve_opts_usage_error(cmd, "--priority and the lists (--protocols, --ciphers, "
                                           "...) are exclusive");
    if (!s->cert != !s->key)
        return serve_opts_usage_error(cmd, "--cert and --key go together");
    if ((s->upstream_tls || s->upstream_starttls) && !s->has_upstream)
        return serve_opts_usage_error(cmd, "--upstream-tls and --upstream-starttls need "
                                           "--upstream HOST:PORT");
    if (s->upstream_tls && s->upstream_starttls)
        return serve_opts_usage_error(cmd, "--upstream-tls and --upstream-starttls are exclusive");
    if (s->mail && s->upstream_starttls && s->mail != s->upstream_starttls)
        return serve_opts_usage_error(cmd, "--%s and --upstream-starttls %s: one protocol",
                                      s->mail_flag, wire_mail_proto_name(s->upstream_starttls));
    return 0;
}

void serve_opts_key_types_print(FILE *f)
{
    const char *const *types;
    unsigned n = engine_key_types(&types);
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? ", " : "", types[i]);
}

bool serve_opts_open_output(capture_outfile *f, const char *label, const char *path, bool append)
{
    char err[512];
    if (capture_outfile_open(f, label, path,
                             append ? CAPTURE_OUTFILE_APPEND : CAPTURE_OUTFILE_TRUNC, err,
                             sizeof err))
        return true;
    fprintf(stderr, "%s\n", err);
    return false;
}

bool serve_opts_listen_valid(const char *addr)
{
    char buf[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(addr);
    if (n >= sizeof buf)
        return false;
    memcpy(buf, addr, n + 1);
    if (n > 2 && buf[0] == '[' && buf[n - 1] == ']') { /* "[::1]" */
        memmove(buf, buf + 1, n - 2);
        buf[n - 2] = '\0';
    }
    unsigned char sa[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, buf, sa) == 1 || inet_pton(AF_INET6, buf, sa) == 1;
}
