/* The one place in src/crypto that does I/O: reading a key log file.
 * Kept apart so that the parser and store stay pure (and fuzzable). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "keylog.h"

#define KEYLOG_MAX_LINE 1024

tp_status crypto_keylog_store_load_file(crypto_keylog_store *s, const char *path,
                                        crypto_keylog_error_fn on_error, void *arg,
                                        crypto_keylog_stats *stats)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return TP_ERR_IO;

    /* Read line by line with a fixed buffer: a key log can be large (a
     * browser session) and is not trusted to have short lines. */
    char line[KEYLOG_MAX_LINE + 2];
    size_t line_no = 1;
    tp_status st = TP_OK;
    while (st == TP_OK && fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            /* overlong: report it once, then skip to its end */
            crypto_keylog_stats over = {.num_lines = 1, .num_malformed = 1};
            if (on_error)
                on_error(arg, line_no, TP_ERR_DECODE, "line longer than 1024 bytes", line, 64);
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n')
                ;
            if (stats) {
                stats->num_lines += over.num_lines;
                stats->num_malformed += over.num_malformed;
            }
        } else {
            st = crypto_keylog_store_add_text(s, line, n, line_no, on_error, arg, stats);
        }
        line_no++;
    }
    int read_error = ferror(f);
    int saved = errno;
    OPENSSL_cleanse(line, sizeof line);
    fclose(f);
    if (st == TP_OK && read_error) {
        errno = saved;
        return TP_ERR_IO;
    }
    return st;
}
