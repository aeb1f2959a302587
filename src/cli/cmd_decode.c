/* tlsprobe decode FILE [--keylog F] [--json] [--records] [-v|-vv|-q]
 *
 * Reads a pcap or pcapng capture (mapped, not copied), reassembles every TCP
 * connection and runs each through the same session analysis as `serve`.
 * Key log lines come from --keylog and from the capture's Decryption Secrets
 * Blocks; each session gets the lines whose client random matches its
 * ClientHello. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/addr.h"
#include "analysis/session.h"
#include "capture/outfile.h"
#include "capture/packet.h"
#include "capture/pcap_read.h"
#include "capture/tcp.h"
#include "cli/cmd.h"
#include "crypto/keylog.h"
#include "report/json_sink.h"
#include "report/text_sink.h"
#include "wire/buf.h"

/* ---- key log problems ---- */

typedef struct {
    size_t first_line;
    const char *first_reason;
    const char *source;
} keylog_errors;

static void keylog_on_error(void *arg, size_t line_no, tp_status st, const char *reason,
                            const char *line, size_t len)
{
    keylog_errors *ke = arg;
    (void)line, (void)len;
    /* unknown labels (RSA, CLIENT_TRAFFIC_SECRET_1, ...) are normal */
    if (st == TP_ERR_DECODE && !ke->first_reason) {
        ke->first_line = line_no;
        ke->first_reason = reason;
    }
}

/* ---- decode state ---- */

typedef struct {
    tp_sink *sinks[2];
    unsigned num_sinks;
    bool records, data_events;
    crypto_keylog_store *keys;
    unsigned next_conn;
    uint64_t sessions;
} decode_ctx;

typedef struct {
    tp_session *s;
    uint64_t t0; /* ns at open */
} decode_conn;

static double rel_t(const decode_conn *dc, uint64_t ts)
{
    return ts > dc->t0 ? (double)(ts - dc->t0) / 1e9 : 0.0;
}

static void *dec_open(void *vctx, const struct sockaddr *client, const struct sockaddr *server,
                      uint64_t ts)
{
    decode_ctx *ctx = vctx;
    decode_conn *dc = calloc(1, sizeof *dc);
    if (!dc)
        return NULL;
    char peer[64], local[64];
    tp_addr_format(client, peer, sizeof peer);
    tp_addr_format(server, local, sizeof local);
    tp_session_params p = {
        .conn = ++ctx->next_conn,
        .peer = peer,
        .local = local,
        .peer_sa = client,
        .local_sa = server,
        .wall = (double)ts / 1e9,
        .num_sinks = ctx->num_sinks,
        .want_data_events = ctx->data_events,
        .want_record_bytes = ctx->records,
    };
    for (unsigned i = 0; i < ctx->num_sinks; i++)
        p.sinks[i] = ctx->sinks[i];
    dc->t0 = ts;
    dc->s = tp_session_new(&p);
    if (!dc->s) {
        free(dc);
        return NULL;
    }
    /* the session takes its lines once it has seen the ClientHello random */
    if (ctx->keys)
        tp_session_set_keylog_store(dc->s, ctx->keys);
    ctx->sessions++;
    return dc;
}

static void dec_data(void *vctx, void *conn, tp_dir dir, uint64_t ts, const uint8_t *data,
                     size_t len)
{
    decode_conn *dc = conn;
    (void)vctx;
    tp_session_feed(dc->s, dir, rel_t(dc, ts), data, len);
}

static void dec_gap(void *vctx, void *conn, tp_dir dir, uint64_t ts, size_t len)
{
    decode_conn *dc = conn;
    (void)vctx;
    tp_session_gap(dc->s, dir, rel_t(dc, ts), len);
}

/* Who ended the connection, from the segments: a refused SYN, else the
 * side whose FIN or RST came first, else the end of the capture. */
static tp_end_reason end_reason(capture_close_reason why, const capture_close_info *info)
{
    if (info->refused)
        return TP_END_REFUSED;
    if (info->first_close_dir == TP_S2C)
        return info->first_close_rst ? TP_END_SERVER_RESET : TP_END_SERVER_CLOSED;
    if (info->first_close_dir == TP_C2S)
        return info->first_close_rst ? TP_END_PEER_RESET : TP_END_PEER_CLOSED;
    return why == CAPTURE_CLOSE_RST ? TP_END_PEER_RESET : TP_END_CAPTURE_END;
}

static void dec_close(void *vctx, void *conn, uint64_t ts, capture_close_reason why,
                      const capture_close_info *info)
{
    decode_conn *dc = conn;
    (void)vctx;
    tp_session_end(dc->s, rel_t(dc, ts), end_reason(why, info));
    tp_session_free(dc->s);
    free(dc);
}

/* ---- file access ---- */

typedef struct {
    const uint8_t *data;
    size_t len;
    void *map;     /* mmap'd region, or NULL */
    uint8_t *heap; /* read() fallback for pipes */
} capture_file;

static bool file_open(capture_file *cf, const char *path, char *err, size_t errlen)
{
    memset(cf, 0, sizeof *cf);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
        close(fd);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s is a directory", path);
        close(fd);
        return false;
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            (void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
            cf->map = m;
            cf->data = m;
            cf->len = (size_t)st.st_size;
            close(fd);
            return true;
        }
    }
    /* not mappable (pipe, /dev/stdin): read it all */
    enum { CHUNK = 1 << 20 };
    wire_buf b;
    wire_buf_init(&b, 0);
    uint8_t *room;
    while ((room = wire_buf_space(&b, CHUNK)) != NULL) {
        ssize_t n = read(fd, room, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
            wire_buf_cleanup(&b);
            close(fd);
            return false;
        }
        if (n == 0)
            break;
        wire_buf_commit(&b, (size_t)n);
    }
    close(fd);
    cf->heap = (uint8_t *)wire_buf_finish(&b, &cf->len);
    if (!cf->heap) {
        snprintf(err, errlen, "out of memory reading %s", path);
        return false;
    }
    cf->data = cf->heap;
    return true;
}

static void file_close(capture_file *cf)
{
    if (cf->map)
        munmap(cf->map, cf->len);
    free(cf->heap);
}

static void decode_usage(FILE *f)
{
    fputs("usage: tlsprobe decode FILE.pcap|FILE.pcapng [--keylog FILE] [--json] [--records]\n"
          "                       [-v|-vv|-q] [--color|--no-color]\n"
          "  --keylog FILE  NSS key log (SSLKEYLOGFILE); secrets inside a pcapng are used too\n"
          "  --json         JSON lines trace instead of text\n"
          "  --records      keep ciphertext/plaintext of every record in the trace\n",
          f);
}

/* Secrets first: a pcapng may carry its Decryption Secrets Blocks anywhere,
 * and a ClientHello must find its lines when it is seen. */
static tp_status collect_dsb_secrets(decode_ctx *ctx, const capture_file *cf, keylog_errors *ke)
{
    capture_reader r;
    capture_item it;
    capture_item_kind k;
    if (capture_reader_init(&r, cf->data, cf->len) != TP_OK)
        return TP_OK;
    while ((k = capture_reader_next(&r, &it)) == CAPTURE_ITEM_PACKET || k == CAPTURE_ITEM_SECRETS) {
        if (k != CAPTURE_ITEM_SECRETS || it.secrets.type != CAPTURE_SECRETS_TLS_KEYLOG)
            continue;
        if (!ctx->keys && !(ctx->keys = crypto_keylog_store_new()))
            return TP_ERR_NOMEM;
        if (!ke->first_reason)
            ke->source = "the capture's secrets block";
        tp_status st = crypto_keylog_store_add_text(ctx->keys, (const char *)it.secrets.data,
                                                    it.secrets.len, 1, keylog_on_error, ke, NULL);
        if (st != TP_OK)
            return st;
    }
    return TP_OK;
}

typedef struct {
    uint64_t packets, tcp, not_tcp, fragments, truncated, bad, unsupported;
    uint32_t unsupported_link;
} decode_counts;

typedef struct {
    const char *keylog, *path;
    bool json, records;
    int verbosity, color; /* color: -1 auto */
} decode_opts;

/* Parses the command line; -1 to go on, else the exit status. */
static int decode_parse(int argc, char **argv, decode_opts *o)
{
    static const struct option opts[] = {
        {"keylog", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},
        {"records", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"color", no_argument, NULL, 'C'},
        {"no-color", no_argument, NULL, 'N'},
        {NULL, 0, NULL, 0},
    };
    int c;
    *o = (decode_opts){.color = -1};
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:jrhqvCN", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            o->keylog = optarg;
            break;
        case 'j':
            o->json = true;
            break;
        case 'r':
            o->records = true;
            break;
        case 'q':
            o->verbosity = -1;
            break;
        case 'v':
            o->verbosity = o->verbosity < 0 ? 1 : o->verbosity + 1;
            break;
        case 'C':
        case 'N':
            o->color = c == 'C';
            break;
        case 'h':
            decode_usage(stdout);
            return 0;
        default:
            if (c == ':')
                fprintf(stderr, "tlsprobe decode: %s needs a value\n", argv[optind - 1]);
            else
                fprintf(stderr, "tlsprobe decode: unknown option '%s'\n", argv[optind - 1]);
            decode_usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "tlsprobe decode: %s\n",
                optind >= argc ? "missing capture FILE" : "only one capture FILE is accepted");
        decode_usage(stderr);
        return 2;
    }
    o->path = argv[optind];
    return -1;
}

/* --keylog FILE into ctx->keys; false (with a message) when it cannot be read. */
static bool decode_load_keylog(decode_ctx *ctx, keylog_errors *ke, const char *keylog)
{
    tp_status st = TP_ERR_NOMEM;
    ke->source = keylog;
    if ((ctx->keys = crypto_keylog_store_new()))
        st = crypto_keylog_store_load_file(ctx->keys, keylog, keylog_on_error, ke, NULL);
    if (st == TP_OK)
        return true;
    fprintf(stderr, "tlsprobe decode: cannot read key log %s: %s\n", keylog,
            st == TP_ERR_IO ? strerror(errno) : tp_status_message(st));
    return false;
}

/* Every packet of the capture through TCP reassembly; returns the kind of
 * the item that ended the loop (END or ERROR). */
static capture_item_kind decode_packets(capture_reader *r, capture_tcp *tcp, decode_counts *n)
{
    capture_item it;
    capture_item_kind k;
    uint64_t last_ts = 0;
    while ((k = capture_reader_next(r, &it)) != CAPTURE_ITEM_END && k != CAPTURE_ITEM_ERROR) {
        if (k != CAPTURE_ITEM_PACKET)
            continue;
        capture_segment seg;
        n->packets++;
        last_ts = it.packet.ts_ns;
        switch (capture_packet_decode(it.packet.linktype, it.packet.data, it.packet.caplen, &seg)) {
        case CAPTURE_DEC_TCP:
            n->tcp++;
            capture_tcp_add(tcp, it.packet.ts_ns, &seg);
            break;
        case CAPTURE_DEC_NOT_TCP:
            n->not_tcp++;
            break;
        case CAPTURE_DEC_FRAGMENT:
            n->fragments++;
            break;
        case CAPTURE_DEC_TRUNCATED:
            n->truncated++;
            break;
        case CAPTURE_DEC_BAD:
            n->bad++;
            break;
        case CAPTURE_DEC_LINK_UNSUPPORTED:
            n->unsupported++;
            n->unsupported_link = it.packet.linktype;
            break;
        }
    }
    capture_tcp_finish(tcp, last_ts);
    return k;
}

/* The notes and the one problem (if any) of a decoded capture; the exit status. */
static int decode_report(const char *path, const capture_reader *r, capture_item_kind k,
                         const decode_counts *n, uint64_t sessions)
{
    if (n->fragments)
        fprintf(stderr,
                "tlsprobe decode: note: %" PRIu64 " IP fragments ignored "
                "(fragments are not reassembled)\n",
                n->fragments);
    if (n->truncated || n->bad)
        fprintf(stderr,
                "tlsprobe decode: note: %" PRIu64 " packets cut short by the snap length "
                "or malformed were skipped\n",
                n->truncated + n->bad);
    if (k == CAPTURE_ITEM_ERROR)
        fprintf(stderr, "tlsprobe decode: %s: %s %s\n", path,
                r->status == TP_ERR_TRUNCATED ? "truncated capture:" : "corrupt capture:", r->err);
    else if (n->packets == 0)
        fprintf(stderr, "tlsprobe decode: %s holds no packets\n", path);
    else if (n->tcp == 0 && n->unsupported == n->packets)
        fprintf(stderr, "tlsprobe decode: %s: link type %" PRIu32 " is not supported\n", path,
                n->unsupported_link);
    else if (n->tcp == 0)
        fprintf(stderr, "tlsprobe decode: %s holds no TCP packets (%" PRIu64 " packets read)\n",
                path, n->packets);
    else if (sessions == 0)
        fprintf(stderr, "tlsprobe decode: %s holds TCP packets but no connection with data\n",
                path);
    else
        return 0;
    return 1;
}

/* The capture, already opened and checked, through the sessions into the sink. */
static int decode_run(decode_ctx *ctx, const decode_opts *o, capture_reader *r,
                      capture_outfile *json_out)
{
    if (o->json &&
        !capture_outfile_attach(json_out, "tlsprobe decode:", STDOUT_FILENO, "standard output"))
        return 1;
    bool color = o->color < 0 ? report_text_want_color(stdout) : o->color == 1;
    tp_sink *sink = o->json ? report_json_sink_new_file(json_out, o->records)
                            : report_text_sink_new(stdout, o->verbosity, color, o->records);
    capture_tcp_callbacks cb = {dec_open, dec_data, dec_gap, dec_close};
    capture_tcp *tcp = sink ? capture_tcp_new(&cb, ctx, NULL) : NULL;
    int rc = 1;
    if (!tcp) {
        fprintf(stderr, "tlsprobe decode: out of memory\n");
    } else {
        ctx->sinks[ctx->num_sinks++] = sink;
        decode_counts n = {0};
        capture_item_kind k = decode_packets(r, tcp, &n);
        fflush(stdout);
        rc = decode_report(o->path, r, k, &n, ctx->sessions);
        capture_tcp_free(tcp);
    }
    if (sink && o->json)
        report_json_sink_free(sink);
    else if (sink)
        report_text_sink_free(sink);
    /* a full disk under `> out.jsonl` is not a success (JSON: named when it happened) */
    if (capture_outfile_close(json_out) != 0)
        rc = 1;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "tlsprobe decode: writing standard output failed\n");
        rc = 1;
    }
    return rc;
}

int cmd_decode(int argc, char **argv)
{
    decode_opts o;
    int rc = decode_parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    decode_ctx ctx = {.records = o.records, .data_events = o.verbosity >= 2};
    keylog_errors ke = {0};
    char err[256] = "";
    capture_file cf;
    if ((o.keylog && !decode_load_keylog(&ctx, &ke, o.keylog)) ||
        !file_open(&cf, o.path, err, sizeof err)) {
        if (err[0])
            fprintf(stderr, "tlsprobe decode: %s\n", err);
        crypto_keylog_store_free(ctx.keys);
        return 1;
    }
    rc = 1;
    capture_outfile json_out = {.fd = -1};
    capture_reader r;
    if (cf.len == 0)
        fprintf(stderr, "tlsprobe decode: %s is empty\n", o.path);
    else if (capture_reader_init(&r, cf.data, cf.len) != TP_OK)
        fprintf(stderr, "tlsprobe decode: %s: %s\n", o.path, r.err);
    else if (r.format == CAPTURE_FMT_PCAPNG && collect_dsb_secrets(&ctx, &cf, &ke) != TP_OK)
        fprintf(stderr, "tlsprobe decode: out of memory reading secrets\n");
    else
        rc = -1;
    if (rc < 0) {
        if (ke.first_reason)
            fprintf(stderr,
                    "tlsprobe decode: note: malformed key log lines ignored (first: %s line %zu: "
                    "%s)\n",
                    ke.source, ke.first_line, ke.first_reason);
        rc = decode_run(&ctx, &o, &r, &json_out);
    }
    capture_outfile_close(&json_out); /* an early exit: nothing written, nothing to report */
    file_close(&cf);
    crypto_keylog_store_free(ctx.keys);
    return rc;
}
