/* The offline decode driver (decode.h): capture file → packets → TCP
 * reassembly → sessions → the caller's sinks. */
#include "decode.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../capture/packet.h"
#include "../capture/tcp.h"
#include "../wire/buf.h"
#include "addr.h"
#include "decode_int.h"

/* ---- key log problems ---- */

static void keylog_on_error(void *arg, size_t line_no, tp_status st, const char *reason,
                            const char *line, size_t len)
{
    tp_decode *d = arg;
    (void)line, (void)len;
    /* unknown labels (RSA, CLIENT_TRAFFIC_SECRET_1, ...) are normal */
    if (st == TP_ERR_DECODE && !d->bad_key_reason) {
        d->bad_key_line = line_no;
        d->bad_key_reason = reason;
    }
}

/* ---- connections ---- */

typedef struct {
    tp_session *s;
    uint64_t t0; /* ns at open */
} decode_conn;

static double rel_t(const decode_conn *dc, uint64_t ts)
{
    return decode_rel_t(dc->t0, ts);
}

static void *dec_open(void *vctx, const struct sockaddr *client, const struct sockaddr *server,
                      uint64_t ts)
{
    decode_ctx *ctx = vctx;
    decode_conn *dc = calloc(1, sizeof *dc);
    if (!dc)
        return NULL;
    dc->t0 = ts;
    dc->s = decode_session_new(ctx, ++ctx->next_conn, client, server, ts);
    if (!dc->s) {
        free(dc);
        return NULL;
    }
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

static void dec_close(void *vctx, void *conn, uint64_t ts, capture_close_reason why,
                      const capture_close_info *info)
{
    decode_conn *dc = conn;
    (void)vctx;
    decode_session_close(dc->s, dc->t0, ts, why, info);
    free(dc);
}

/* ---- file access ---- */

/* Not mappable (pipe, /dev/stdin): read it all.  Closes fd. */
static bool file_read_all(tp_decode *d, int fd, char *err, size_t errlen)
{
    enum { CHUNK = 1 << 20 };
    wire_buf b;
    wire_buf_init(&b, 0);
    uint8_t *room;
    while ((room = wire_buf_space(&b, CHUNK)) != NULL) {
        ssize_t n = read(fd, room, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "cannot read %s: %s", d->path, strerror(errno));
            wire_buf_cleanup(&b);
            close(fd);
            return false;
        }
        if (n == 0)
            break;
        wire_buf_commit(&b, (size_t)n);
    }
    close(fd);
    d->heap = (uint8_t *)wire_buf_finish(&b, &d->len);
    if (!d->heap) {
        snprintf(err, errlen, "out of memory reading %s", d->path);
        return false;
    }
    d->data = d->heap;
    return true;
}

static bool file_open(tp_decode *d, char *err, size_t errlen)
{
    int fd = open(d->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", d->path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot stat %s: %s", d->path, strerror(errno));
        close(fd);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s is a directory", d->path);
        close(fd);
        return false;
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            (void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
            d->map = m;
            d->data = m;
            d->len = (size_t)st.st_size;
            close(fd);
            return true;
        }
    }
    return file_read_all(d, fd, err, errlen);
}

void tp_decode_close(tp_decode *d)
{
    if (d->map)
        munmap(d->map, d->len);
    free(d->heap);
    crypto_keylog_store_free(d->keys);
    memset(d, 0, sizeof *d);
}

/* The pages of the map before upto are read and no longer needed (packet
 * bytes are used only during their callbacks): they are given back, so the
 * resident memory follows the open connections, not the file's size. */
static void release_read(tp_decode *d, size_t upto)
{
    long page = sysconf(_SC_PAGESIZE);
    if (!d->map || page <= 0)
        return;
    size_t end = upto & ~((size_t)page - 1);
    if (end <= d->released)
        return;
    (void)madvise((uint8_t *)d->map + d->released, end - d->released, MADV_DONTNEED);
    d->released = end;
}

/* ---- opening ---- */

/* Secrets first: a pcapng may carry its Decryption Secrets Blocks anywhere,
 * and a ClientHello must find its lines when it is seen. */
static tp_status collect_dsb_secrets(tp_decode *d)
{
    capture_reader r;
    capture_item it;
    capture_item_kind k;
    if (capture_reader_init(&r, d->data, d->len) != TP_OK)
        return TP_OK;
    while ((k = capture_reader_next(&r, &it)) == CAPTURE_ITEM_PACKET || k == CAPTURE_ITEM_SECRETS) {
        if (k != CAPTURE_ITEM_SECRETS || it.secrets.type != CAPTURE_SECRETS_TLS_KEYLOG)
            continue;
        if (!d->keys && !(d->keys = crypto_keylog_store_new()))
            return TP_ERR_NOMEM;
        if (!d->bad_key_reason)
            d->bad_key_source = "the capture's secrets block";
        tp_status st = crypto_keylog_store_add_text(d->keys, (const char *)it.secrets.data,
                                                    it.secrets.len, 1, keylog_on_error, d, NULL);
        if (st != TP_OK)
            return st;
    }
    return TP_OK;
}

bool tp_decode_open(tp_decode *d, const char *path, const char *keylog, char *err, size_t err_len)
{
    memset(d, 0, sizeof *d);
    d->path = path;
    if (keylog) {
        tp_status st = TP_ERR_NOMEM;
        d->bad_key_source = keylog;
        if ((d->keys = crypto_keylog_store_new()))
            st = crypto_keylog_store_load_file(d->keys, keylog, keylog_on_error, d, NULL);
        if (st != TP_OK) {
            snprintf(err, err_len, "cannot read key log %s: %s", keylog,
                     st == TP_ERR_IO ? strerror(errno) : tp_status_message(st));
            return false;
        }
    }
    if (!file_open(d, err, err_len))
        return false;
    if (d->len == 0) {
        snprintf(err, err_len, "%s is empty", path);
        return false;
    }
    if (capture_reader_init(&d->reader, d->data, d->len) != TP_OK) {
        snprintf(err, err_len, "%s: %s", path, d->reader.err);
        return false;
    }
    if (d->reader.format == CAPTURE_FMT_PCAPNG && collect_dsb_secrets(d) != TP_OK) {
        snprintf(err, err_len, "out of memory reading secrets");
        return false;
    }
    release_read(d, d->len); /* the secrets pass read it all */
    d->released = 0;
    return true;
}

/* ---- running ---- */

static void count_packet(capture_tcp *tcp, const capture_item *it, tp_decode_counts *n)
{
    capture_segment seg;
    n->packets++;
    switch (capture_packet_decode(it->packet.linktype, it->packet.data, it->packet.caplen, &seg)) {
    case CAPTURE_DEC_TCP:
        n->tcp++;
        capture_tcp_add(tcp, it->packet.ts_ns, &seg);
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
        n->unsupported_link = it->packet.linktype;
        break;
    }
}

static void read_packets(tp_decode *d, const tp_decode_params *p, tp_decode_counts *n,
                         capture_tcp *tcp)
{
    capture_item it;
    capture_item_kind k;
    uint64_t last_ts = 0;
    while ((k = capture_reader_next(&d->reader, &it)) != CAPTURE_ITEM_END &&
           k != CAPTURE_ITEM_ERROR) {
        if (k != CAPTURE_ITEM_PACKET)
            continue;
        last_ts = it.packet.ts_ns;
        count_packet(tcp, &it, n);
        if ((n->packets & 16383) == 0) {
            release_read(d, d->reader.off);
            if (p->progress)
                p->progress(p->progress_arg, d->reader.off, d->len);
        }
    }
    if (p->progress)
        p->progress(p->progress_arg, d->len, d->len);
    capture_tcp_finish(tcp, last_ts);
    const capture_tcp_stats *st = capture_tcp_get_stats(tcp);
    n->ooo_segments = st->ooo_segments;
    n->retransmitted = st->retransmitted;
    n->gap_bytes = st->gap_bytes;
    n->read_error = k == CAPTURE_ITEM_ERROR;
}

bool tp_decode_run(tp_decode *d, const tp_decode_params *p, tp_decode_counts *n)
{
    memset(n, 0, sizeof *n);
    decode_ctx ctx = {.p = p, .keys = d->keys};
    capture_tcp_callbacks cb = {dec_open, dec_data, dec_gap, dec_close};
    void *arg = &ctx;
    decode_par *par = NULL;
    if (p->jobs > 1 && !(arg = par = decode_par_new(&ctx, &cb)))
        return false;
    capture_tcp *tcp = capture_tcp_new(&cb, arg, NULL);
    if (tcp)
        read_packets(d, p, n, tcp);
    capture_tcp_free(tcp);
    bool ok = tcp && (!par || decode_par_end(par));
    if (!tcp && par)
        (void)decode_par_end(par);
    n->sessions = ctx.sessions;
    return ok;
}

bool tp_decode_result(const tp_decode *d, const tp_decode_counts *n, char *err, size_t err_len)
{
    const char *path = d->path;
    if (n->read_error)
        snprintf(err, err_len, "%s: %s %s", path,
                 d->reader.status == TP_ERR_TRUNCATED ? "truncated capture:" : "corrupt capture:",
                 d->reader.err);
    else if (n->packets == 0)
        snprintf(err, err_len, "%s holds no packets", path);
    else if (n->tcp == 0 && n->unsupported == n->packets)
        snprintf(err, err_len, "%s: link type %" PRIu32 " is not supported", path,
                 n->unsupported_link);
    else if (n->tcp == 0)
        snprintf(err, err_len, "%s holds no TCP packets (%" PRIu64 " packets read)", path,
                 n->packets);
    else if (n->sessions == 0)
        snprintf(err, err_len, "%s holds TCP packets but no connection with data", path);
    else
        return true;
    return false;
}
