/* The bug-report bundle's contents; see bundle_make.h. */
#include "bundle_make.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <openssl/crypto.h>

#include "engine/names.h"
#include "report/bundle.h"

#ifndef TP_VERSION
#define TP_VERSION "0.1.0"
#endif

#define BUNDLE_DIR "tlsprobe-bundle/"
#define BUNDLE_MAX_FILE (512u << 20)

typedef enum { K_TEXT, K_TRACE, K_PCAP, K_KEYLOG, K_SWEEP, K_REPORT, K_CERT, K_KEY, K_FLEET } kind;

static const struct {
    const char *name; /* inside the bundle */
    const char *what; /* README line */
} kinds[] = {
    [K_TEXT] = {"trace.txt", "the text trace: one block per connection, ending in its verdict"},
    [K_TRACE] = {"trace.jsonl", "the JSON lines trace (tlsprobe docs/trace-format.md)"},
    [K_PCAP] = {"capture.pcapng", "the packets; open in Wireshark (keys inside when noted below)"},
    [K_KEYLOG] = {"keylog.txt", "the NSS key log (SSLKEYLOGFILE format)"},
    [K_SWEEP] = {"sweep.json", "the sweep: every combination, its verdict and the analysis"},
    [K_REPORT] = {"report.html", "the sweep's HTML grid: open in a browser"},
    [K_CERT] = {"cert.pem", "the server's certificate (PEM)"},
    [K_KEY] = {"key.pem", "a private key (included on request: --bundle-include-secrets)"},
    [K_FLEET] = {"fleet.txt", "the connections grouped by client fingerprint (JA4) and verdict, "
                              "failing groups first (tlsprobe fleet)"},
};

static bool starts(const unsigned char *p, size_t n, const char *s)
{
    size_t l = strlen(s);
    return n >= l && !memcmp(p, s, l);
}

static bool has(const unsigned char *p, size_t n, const char *s)
{
    size_t l = strlen(s);
    for (size_t i = 0; i + l <= n; i++)
        if (p[i] == (unsigned char)s[0] && !memcmp(p + i, s, l))
            return true;
    return false;
}

static bool is_keylog(const unsigned char *p, size_t n)
{
    static const char *const labels[] = {"CLIENT_RANDOM ", "CLIENT_HANDSHAKE_TRAFFIC_SECRET ",
                                         "SERVER_HANDSHAKE_TRAFFIC_SECRET ",
                                         "CLIENT_TRAFFIC_SECRET_0 ", "SERVER_TRAFFIC_SECRET_0 ",
                                         "EXPORTER_SECRET ", "CLIENT_EARLY_TRAFFIC_SECRET "};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (starts(p, n, labels[i]) || has(p, n < 4096 ? n : 4096, labels[i]))
            return true;
    return false;
}

static kind classify(const unsigned char *p, size_t n)
{
    static const unsigned char pcapng[4] = {0x0a, 0x0d, 0x0d, 0x0a};
    static const unsigned char pcap_le[4] = {0xd4, 0xc3, 0xb2, 0xa1};
    static const unsigned char pcap_be[4] = {0xa1, 0xb2, 0xc3, 0xd4};
    if (n >= 4 && (!memcmp(p, pcapng, 4) || !memcmp(p, pcap_le, 4) || !memcmp(p, pcap_be, 4)))
        return K_PCAP;
    if (has(p, n, "PRIVATE KEY-----"))
        return K_KEY;
    if (has(p, n, "-----BEGIN CERTIFICATE-----"))
        return K_CERT;
    if (is_keylog(p, n))
        return K_KEYLOG;
    if (starts(p, n, "<!DOCTYPE html") || starts(p, n, "<html"))
        return K_REPORT;
    if (starts(p, n, "{")) {
        const unsigned char *nl = memchr(p, '\n', n);
        /* JSON lines: a second object on the next line */
        if (nl && (size_t)(nl - p) + 1 < n && nl[1] == '{')
            return K_TRACE;
        return K_SWEEP;
    }
    return K_TEXT;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap >= BUNDLE_MAX_FILE)
            break;
        unsigned char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
        cap *= 2;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static uint32_t rd32(const unsigned char *p, bool le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
              : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

/* Drops the Decryption Secrets Blocks (type 0x0000000A) of a pcapng in
 * place; returns the new length (0: not a pcapng this can walk). */
static size_t strip_dsb(unsigned char *p, size_t n)
{
    if (n < 12 || rd32(p, true) != 0x0a0d0d0a)
        return 0;
    bool le = rd32(p + 8, true) == 0x1a2b3c4d;
    size_t in = 0, out = 0;
    while (in + 12 <= n) {
        uint32_t type = rd32(p + in, le), blen = rd32(p + in + 4, le);
        if (type == 0x0a0d0d0a)
            le = rd32(p + in + 8, true) == 0x1a2b3c4d, blen = rd32(p + in + 4, le);
        if (blen < 12 || blen % 4 || blen > n - in)
            return 0;
        if (type != 0x0000000a) {
            memmove(p + out, p + in, blen);
            out += blen;
        }
        in += blen;
    }
    return out;
}

typedef struct {
    report_bundle b;
    kind kind_of[REPORT_BUNDLE_MAX_ENTRIES];
    bool pcap_keys; /* a pcapng went in with its keys */
    FILE *left;     /* README lines: what was left out and why */
    char *left_buf;
    size_t left_len;
    const bundle_job *j;
    char label[64]; /* "tlsprobe serve: --bundle", "tlsprobe bundle" */
} bundle_state;

static void left_out(bundle_state *s, const char *path, const char *why)
{
    fprintf(stderr, "%s: left out %s: %s (--bundle-include-secrets includes it)\n",
            s->label, path, why);
    fprintf(s->left, "- `%s`: %s\n", path, why);
}

static void put(bundle_state *s, kind k, const char *path, const unsigned char *p, size_t n)
{
    char name[128];
    snprintf(name, sizeof name, BUNDLE_DIR "%s", kinds[k].name);
    for (int i = 2; report_bundle_has(&s->b, name) && i < 100; i++) {
        const char *dot = strchr(kinds[k].name, '.');
        snprintf(name, sizeof name, BUNDLE_DIR "%.*s-%d%s", (int)(dot - kinds[k].name),
                 kinds[k].name, i, dot);
    }
    unsigned at = s->b.n;
    if (!report_bundle_add(&s->b, name, p, n)) {
        fprintf(stderr, "%s: cannot add %s (too many files)\n", s->label, path);
        return;
    }
    s->kind_of[at] = k;
}

static void add_input(bundle_state *s, const bundle_input *in)
{
    size_t n = 0;
    unsigned char *p = slurp(in->path, &n);
    if (!p) {
        if (in->hint != BUNDLE_SECRET)
            fprintf(stderr, "%s: cannot read %s; left out\n", s->label,
                    in->path);
        return;
    }
    if (n == 0) { /* nothing written (a pipe read up, an unused output) */
        free(p);
        return;
    }
    kind k = in->hint == BUNDLE_SECRET && !starts(p, n, "-----") && !has(p, n, "PRIVATE KEY-----")
                 ? K_KEYLOG
             : in->hint == BUNDLE_FLEET ? K_FLEET
                                        : classify(p, n);
    bool secrets = s->j->include_secrets;
    if (k == K_KEY && !secrets)
        left_out(s, in->path, "a private key: a bundle is made to be attached to a public bug "
                              "report, and anyone holding the key can impersonate the server");
    else if (k == K_KEYLOG && !secrets)
        left_out(s, in->path, "a key log you named: it decrypts every session it lists, and a "
                              "browser's or a real server's holds sessions with real data; the "
                              "pcapng of tlsprobe's own throwaway certificate carries its keys");
    else if (k == K_PCAP && s->j->real && !secrets) {
        size_t m = strip_dsb(p, n);
        char why[256];
        snprintf(why, sizeof why, "%s; its keys could not be separated from the packets",
                 s->j->real);
        if (m) {
            put(s, k, in->path, p, m);
            fprintf(stderr, "%s: the keys inside %s left out: %s "
                            "(--bundle-include-secrets includes them)\n",
                    s->label, in->path, s->j->real);
            fprintf(s->left, "- the keys inside `%s`: %s; packets only\n", in->path, s->j->real);
        } else
            left_out(s, in->path, why);
    } else {
        put(s, k, in->path, p, n);
        if (k == K_PCAP && has(p, n, "CLIENT_") )
            s->pcap_keys = true;
    }
    free(p);
}

static void add_text(bundle_state *s, const char *name, char *buf, size_t len)
{
    char full[128];
    snprintf(full, sizeof full, BUNDLE_DIR "%s", name);
    if (buf && !report_bundle_add(&s->b, full, buf, len))
        fprintf(stderr, "%s: cannot add %s\n", s->label, name);
    free(buf);
}

static void add_versions(bundle_state *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    struct utsname u;
    fprintf(f, "tlsprobe %s\nengine: %s\nrecord verifier: %s\n", TP_VERSION,
            engine_version_string(), OpenSSL_version(OPENSSL_VERSION));
    if (uname(&u) == 0)
        fprintf(f, "os: %s %s %s %s\n", u.sysname, u.release, u.version, u.machine);
    FILE *rel = fopen("/etc/os-release", "r");
    char line[256];
    while (rel && fgets(line, sizeof line, rel))
        if (!strncmp(line, "PRETTY_NAME=", 12))
            fprintf(f, "distribution: %s", line + 12);
    if (rel)
        fclose(rel);
    fclose(f);
    add_text(s, "versions.txt", buf, len);
}

/* The command line, each word quoted for /bin/sh where it needs it. */
static void add_command(bundle_state *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    fputs("tlsprobe", f);
    for (int i = 0; i < s->j->argc; i++) {
        const char *a = s->j->argv[i];
        if (a[0] && !a[strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                 "-_./=:,+@%")]) {
            fprintf(f, " %s", a);
            continue;
        }
        fputs(" '", f);
        for (; *a; a++)
            *a == '\'' ? fputs("'\\''", f) : fputc(*a, f);
        fputc('\'', f);
    }
    fputc('\n', f);
    fclose(f);
    add_text(s, "command.txt", buf, len);
}

/* The verdict lines ("[3] FAIL (handshake, client, ...): ...") and the
 * sweep's rule ("decides: ...") of the text trace, quoted in the README. */
static void quote_verdicts(FILE *f, const report_bundle_entry *e)
{
    unsigned shown = 0, total = 0;
    const char *p = (const char *)e->data, *end = p + e->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(l < 1023 ? l : 1023), p);
        unsigned a, b;
        char close;
        bool verdict = strstr(line, "] OK (") || strstr(line, "] FAIL (") ||
                       strstr(line, "] UNUSED (") ||
                       sscanf(line, "[%u/%u%c", &a, &b, &close) == 3; /* a sweep's result */
        bool rule = strstr(line, "decides:") || strstr(line, "strategy:");
        if (verdict)
            total++;
        if (rule || (verdict && shown < 20)) {
            fprintf(f, "    %s\n", line);
            shown += verdict;
        }
        p += l + 1;
    }
    if (total > shown)
        fprintf(f, "    (%u more verdicts in trace.txt)\n", total - shown);
    if (!total)
        fprintf(f, "    (no verdict in the text trace)\n");
}

static void readme_how(FILE *f, const bundle_state *s)
{
    fputs("\n## How to read it\n\n"
          "- Every connection ends in one **verdict**: `[N] OK|FAIL|UNUSED (phase, who acted, "
          "seconds): summary`. OK: the TLS session worked; FAIL: it did not, and *who acted* "
          "(client, server, network) names the side whose act decided it; UNUSED: a connection "
          "opened and never used. The JSON trace has the same as `outcome`, `phase`, `actor`, "
          "`cause` (the rule that decided) and `layers`.\n",
          f);
    if (report_bundle_has(&s->b, BUNDLE_DIR "sweep.json"))
        fputs("- A sweep tries one configuration per connection; its **rule** (`decides:` in "
              "trace.txt, `analysis` in sweep.json, the top of report.html) names the axis "
              "value that decides the failure, e.g. `fails exactly when cipher is a CBC "
              "cipher`.\n",
              f);
    if (s->pcap_keys)
        fputs("- `capture.pcapng` carries its TLS keys (Decryption Secrets Blocks): open it in "
              "Wireshark and the records are already decrypted, or run "
              "`tshark -r capture.pcapng -O tls -V` for the decrypted records.\n",
              f);
    else if (report_bundle_has(&s->b, BUNDLE_DIR "capture.pcapng"))
        fputs("- `capture.pcapng` holds the packets without keys: Wireshark shows the "
              "handshake, not the application data.\n",
              f);
    fputs("- `versions.txt`: tlsprobe, the engine library, the OS; `command.txt`: the command "
          "that made it.\n",
          f);
}

static void add_readme(bundle_state *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    fputs("# tlsprobe bug-report bundle\n\nMade by tlsprobe: a TLS test server that tells why a "
          "client fails. Attach this file to the bug report.\n\n## Files\n\n",
          f);
    for (unsigned i = 0; i < s->b.n; i++) {
        const char *name = s->b.e[i].name + strlen(BUNDLE_DIR);
        fprintf(f, "- `%s`: %s\n", name, kinds[s->kind_of[i]].what);
    }
    fputs("- `versions.txt`: the versions of tlsprobe, its libraries and the OS\n"
          "- `command.txt`: the command line\n",
          f);
    fputs("\n## Verdicts\n\n", f);
    for (unsigned i = 0; i < s->b.n; i++)
        if (s->kind_of[i] == K_TEXT)
            quote_verdicts(f, &s->b.e[i]);
    readme_how(f, s);
    fflush(s->left);
    if (s->left_len)
        fprintf(f, "\n## Left out\n\nThese stayed out (run with --bundle-include-secrets to "
                   "include them, only for a private report):\n\n%s",
                s->left_buf);
    fclose(f);
    add_text(s, "README.md", buf, len);
}

int bundle_make(const bundle_job *j, const bundle_input *in, unsigned n)
{
    bundle_state s = {.j = j};
    snprintf(s.label, sizeof s.label, strcmp(j->cmd, "bundle") ? "tlsprobe %s: --bundle"
                                                               : "tlsprobe %s", j->cmd);
    s.left = open_memstream(&s.left_buf, &s.left_len);
    if (!s.left) {
        fprintf(stderr, "%s: out of memory\n", s.label);
        return 1;
    }
    for (unsigned i = 0; i < n; i++)
        add_input(&s, &in[i]);
    unsigned files = s.b.n;
    add_readme(&s);
    add_versions(&s);
    add_command(&s);
    fclose(s.left);
    free(s.left_buf);
    char err[512];
    bool ok = report_bundle_write(&s.b, s.label, j->out, err, sizeof err);
    report_bundle_free(&s.b);
    if (!ok) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    fprintf(stderr, "bundle: %s (%u file%s and README.md; mode 0600)\n", j->out, files,
            files == 1 ? "" : "s");
    return 0;
}
