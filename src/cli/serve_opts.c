/* Option handling shared by serve and sweep; see serve_opts.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certs_opts.h"
#include "engine_opts.h"
#include "serve_opts.h"

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
    {"timeout", "S", "handshake and idle timeout in seconds (default 30)", SERVE_OPTS_BOTH,
     take_timeout, 0, 0},
    /* More server-shaping options (e.g. --quirk, the record rewriter) are one
     * row each here: both commands then parse them and list them in --help. */
};
/* clang-format on */

#define NUM_ROWS (sizeof serve_opts_table / sizeof serve_opts_table[0])

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

int serve_opts_check(const serve_shape *s, const char *cmd)
{
    if (s->priority && s->any_list)
        return serve_opts_usage_error(cmd, "--priority and the lists (--protocols, --ciphers, "
                                           "...) are exclusive");
    if (!s->cert != !s->key)
        return serve_opts_usage_error(cmd, "--cert and --key go together");
    return engine_opts_check(s, cmd);
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
