/* A bug-report bundle: a reproducible .tar.gz of named byte blocks.
 *
 * The archive is a POSIX ustar stream of regular files, sorted by name,
 * each mode 0600, owner 0:0 ("root"), mtime fixed (REPORT_BUNDLE_MTIME,
 * or $SOURCE_DATE_EPOCH), compressed with zlib's deflate in a gzip
 * wrapper whose header carries no time and no name: the same inputs give
 * the same bytes.  The file is written through capture/outfile.h (mode
 * 0600, never through a symbolic link).
 *
 * zlib, not libarchive: the writer needs one file type and no reading;
 * a ustar header is 512 bytes of fixed fields (POSIX.1-2001), simpler to
 * get byte-for-byte reproducible than libarchive's defaults (it stores
 * the user's names and times). */
#ifndef TP_REPORT_BUNDLE_H
#define TP_REPORT_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#define REPORT_BUNDLE_MTIME 1704067200L /* 2024-01-01T00:00:00Z */
#define REPORT_BUNDLE_MAX_ENTRIES 64

typedef struct {
    char *name; /* path inside the archive, "tlsprobe-bundle/..." */
    unsigned char *data;
    size_t len;
} report_bundle_entry;

typedef struct {
    report_bundle_entry e[REPORT_BUNDLE_MAX_ENTRIES];
    unsigned n;
} report_bundle;

/* Adds a copy of data as name (at most 99 bytes); false when full, the
 * name is too long or taken, or out of memory. */
bool report_bundle_add(report_bundle *b, const char *name, const void *data, size_t len);
/* Whether name was added. */
bool report_bundle_has(const report_bundle *b, const char *name);
/* Writes the archive to path; false with a message in err. */
bool report_bundle_write(report_bundle *b, const char *label, const char *path, char *err,
                         size_t err_len);
void report_bundle_free(report_bundle *b);

#endif
