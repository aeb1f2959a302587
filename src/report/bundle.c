/* The reproducible .tar.gz writer; see bundle.h. */
#include "bundle.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "capture/outfile.h"

bool report_bundle_has(const report_bundle *b, const char *name)
{
    for (unsigned i = 0; i < b->n; i++)
        if (!strcmp(b->e[i].name, name))
            return true;
    return false;
}

bool report_bundle_add(report_bundle *b, const char *name, const void *data, size_t len)
{
    if (b->n >= REPORT_BUNDLE_MAX_ENTRIES || strlen(name) > 99 || report_bundle_has(b, name))
        return false;
    report_bundle_entry *e = &b->e[b->n];
    e->name = strdup(name);
    e->data = malloc(len ? len : 1);
    if (!e->name || !e->data) {
        free(e->name);
        free(e->data);
        return false;
    }
    if (len)
        memcpy(e->data, data, len);
    e->len = len;
    b->n++;
    return true;
}

void report_bundle_free(report_bundle *b)
{
    for (unsigned i = 0; i < b->n; i++) {
        free(b->e[i].name);
        free(b->e[i].data);
    }
    b->n = 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const report_bundle_entry *)a)->name, ((const report_bundle_entry *)b)->name);
}

static long bundle_mtime(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    char *end;
    long v = s && *s ? strtol(s, &end, 10) : -1;
    return v >= 0 && s && *end == '\0' ? v : REPORT_BUNDLE_MTIME;
}

/* One ustar header (POSIX.1-2001 pax "ustar" format, typeflag '0'). */
static void tar_header(unsigned char h[512], const report_bundle_entry *e, long mtime)
{
    memset(h, 0, 512);
    memcpy(h, e->name, strlen(e->name));
    snprintf((char *)h + 100, 8, "%07o", 0600);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)e->len & 077777777777ULL);
    snprintf((char *)h + 136, 12, "%011lo", (unsigned long)mtime & 077777777777UL);
    memset(h + 148, ' ', 8);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memcpy(h + 265, "root", 4);
    memcpy(h + 297, "root", 4);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    h[155] = ' ';
}

typedef struct {
    z_stream z;
    capture_outfile *f;
    int err;
} gz_out;

static void gz_feed(gz_out *g, const void *p, size_t n, int flush)
{
    unsigned char buf[16384];
    g->z.next_in = (unsigned char *)p;
    g->z.avail_in = (uInt)n;
    int rc;
    do {
        g->z.next_out = buf;
        g->z.avail_out = sizeof buf;
        rc = deflate(&g->z, flush);
        if (rc == Z_STREAM_ERROR) {
            g->err = EIO;
            return;
        }
        size_t have = sizeof buf - g->z.avail_out;
        if (have && !g->err)
            g->err = capture_outfile_write(g->f, buf, have);
    } while (!g->err && (g->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END)));
}

static void write_entries(gz_out *g, const report_bundle *b)
{
    static const unsigned char zero[1024];
    long mtime = bundle_mtime();
    for (unsigned i = 0; i < b->n && !g->err; i++) {
        unsigned char h[512];
        tar_header(h, &b->e[i], mtime);
        gz_feed(g, h, sizeof h, Z_NO_FLUSH);
        const unsigned char *p = b->e[i].data;
        for (size_t off = 0; off < b->e[i].len && !g->err; off += 1u << 20) {
            size_t n = b->e[i].len - off < (1u << 20) ? b->e[i].len - off : 1u << 20;
            gz_feed(g, p + off, n, Z_NO_FLUSH);
        }
        size_t pad = (512 - b->e[i].len % 512) % 512;
        gz_feed(g, zero, pad, Z_NO_FLUSH);
    }
    gz_feed(g, zero, sizeof zero, Z_FINISH); /* two zero blocks end the archive */
}

bool report_bundle_write(report_bundle *b, const char *label, const char *path, char *err,
                         size_t err_len)
{
    qsort(b->e, b->n, sizeof b->e[0], by_name);
    capture_outfile f;
    if (!capture_outfile_open(&f, label, path, CAPTURE_OUTFILE_TRUNC, err, err_len))
        return false;
    gz_out g = {.f = &f};
    /* windowBits 15 + 16: a gzip wrapper; zlib's default header has no
     * name and mtime 0 */
    if (deflateInit2(&g.z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        snprintf(err, err_len, "%s %s: zlib: cannot start the compressor", label, path);
        capture_outfile_close(&f);
        return false;
    }
    write_entries(&g, b);
    deflateEnd(&g.z);
    int rc = capture_outfile_close(&f);
    if (g.err || rc) {
        snprintf(err, err_len, "%s %s: %s", label, path, strerror(g.err ? g.err : rc));
        return false;
    }
    return true;
}
