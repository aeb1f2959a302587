/* Journal: append, fsync, reload. */
#include "journal.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../capture/outfile.h"

struct sweep_journal {
    FILE *f;
    char *path;
};

/* A line longer than this is not one of ours: a result is a few KiB. */
#define JOURNAL_MAX_LINE (1024 * 1024)

static void warnf(sweep_journal_warn_fn warn, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warnf(sweep_journal_warn_fn warn, void *ctx, const char *fmt, ...)
{
    if (!warn)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    warn(ctx, msg);
}

static bool result_shape_ok(json_object *o, char *why, size_t why_len)
{
    json_object *v;
    if (!json_object_is_type(o, json_type_object)) {
        snprintf(why, why_len, "not a JSON object");
        return false;
    }
    if (!json_object_object_get_ex(o, "config", &v) || !json_object_is_type(v, json_type_object)) {
        snprintf(why, why_len, "no \"config\" object");
        return false;
    }
    if (!json_object_object_get_ex(o, "status", &v) || !json_object_is_type(v, json_type_string)) {
        snprintf(why, why_len, "no \"status\" string");
        return false;
    }
    return true;
}

/* One journal line (n bytes as read, without its newline now): the result
 * object, or NULL with *why saying what is wrong with it. */
static json_object *parse_line(json_tokener *tok, const char *line, size_t n, char *why,
                               size_t why_len)
{
    json_object *o = NULL;
    if (n > JOURNAL_MAX_LINE) {
        snprintf(why, why_len, "line longer than %d bytes", JOURNAL_MAX_LINE);
    } else {
        json_tokener_reset(tok);
        o = json_tokener_parse_ex(tok, line, (int)strlen(line));
        enum json_tokener_error je = json_tokener_get_error(tok);
        if (!o || je != json_tokener_success) {
            snprintf(why, why_len, "not JSON (%s)",
                     je == json_tokener_continue ? "unexpected end of data"
                                                 : json_tokener_error_desc(je));
            json_object_put(o);
            o = NULL;
        } else if ((size_t)json_tokener_get_parse_end(tok) < strlen(line)) {
            snprintf(why, why_len, "trailing bytes after the JSON object");
            json_object_put(o);
            o = NULL;
        } else if (!result_shape_ok(o, why, why_len)) {
            json_object_put(o);
            o = NULL;
        }
    }
    return o;
}

bool sweep_journal_load(const char *path, sweep_journal_result_fn on_result, void *ctx,
                        sweep_journal_warn_fn warn, void *warn_ctx, sweep_journal_stats *out_stats,
                        char *err, size_t err_len)
{
    sweep_journal_stats st = {0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) {
            if (out_stats)
                *out_stats = st;
            return true;
        }
        snprintf(err, err_len, "cannot read journal %s: %s", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned lineno = 0;
    long pos = 0;
    json_tokener *tok = json_tokener_new();
    bool ok = tok != NULL;
    while (ok && (n = getline(&line, &cap, f)) > 0) {
        lineno++;
        bool complete = line[n - 1] == '\n';
        if (!complete) {
            /* the write of the last result was cut (SIGKILL, full disk) */
            st.torn = true;
            warnf(warn, warn_ctx, "journal %s line %u: torn last line (no newline), ignored", path,
                  lineno);
            break;
        }
        pos += n;
        st.good_len = pos;
        line[n - 1] = '\0';
        if (n > 1 && line[n - 2] == '\r')
            line[n - 2] = '\0';
        if (line[0] == '\0')
            continue; /* blank lines are harmless */
        char why[200] = "";
        json_object *o = parse_line(tok, line, (size_t)n, why, sizeof(why));
        if (o && on_result && !on_result(ctx, o, lineno, why, sizeof(why))) {
            json_object_put(o);
            o = NULL;
        }
        if (!o) {
            st.num_corrupt++;
            warnf(warn, warn_ctx, "journal %s line %u: %s, skipped", path, lineno, why);
            continue;
        }
        st.num_results++;
        json_object_put(o);
    }
    if (ferror(f)) {
        snprintf(err, err_len, "cannot read journal %s: %s", path, strerror(errno));
        ok = false;
    } else if (!tok) {
        snprintf(err, err_len, "out of memory");
    }
    json_tokener_free(tok);
    free(line);
    fclose(f);
    if (out_stats)
        *out_stats = st;
    return ok;
}

sweep_journal *sweep_journal_open(const char *path, bool resume, long good_len, char *err,
                                  size_t err_len)
{
    /* it holds the clients' output: no symlink, mode 0600 (capture/outfile.h) */
    static const char label[] = "tlsprobe sweep: --journal";
    capture_outfile out;
    if (!capture_outfile_open(&out, label, path,
                              resume ? CAPTURE_OUTFILE_KEEP : CAPTURE_OUTFILE_TRUNC, err, err_len))
        return NULL;
    /* drop a torn tail so the next line does not glue onto it */
    if (resume && ftruncate(out.fd, good_len) != 0) {
        snprintf(err, err_len, "%s %s: cannot truncate: %s", label, path, strerror(errno));
        capture_outfile_close(&out);
        return NULL;
    }
    if (lseek(out.fd, 0, SEEK_END) < 0) {
        snprintf(err, err_len, "%s %s: cannot seek: %s", label, path, strerror(errno));
        capture_outfile_close(&out);
        return NULL;
    }
    sweep_journal *j = calloc(1, sizeof(*j));
    if (j)
        j->path = strdup(path);
    if (j && j->path)
        j->f = capture_outfile_stream(&out, "a");
    capture_outfile_close(&out); /* the stream owns the descriptor now */
    if (!j || !j->path || !j->f) {
        snprintf(err, err_len, "%s %s: out of memory", label, path);
        if (j)
            free(j->path);
        free(j);
        return NULL;
    }
    return j;
}

bool sweep_journal_append(sweep_journal *j, json_object *result)
{
    if (!j)
        return true;
    const char *s = json_object_to_json_string_ext(result, JSON_C_TO_STRING_PLAIN);
    /* one buffered write of the whole line, then to disk before we go on */
    if (fputs(s, j->f) == EOF || fputc('\n', j->f) == EOF || fflush(j->f) != 0)
        return false;
    return fsync(fileno(j->f)) == 0;
}

void sweep_journal_close(sweep_journal *j)
{
    if (!j)
        return;
    fclose(j->f);
    free(j->path);
    free(j);
}

FILE *sweep_output_open(const char *label, const char *path)
{
    char err[512];
    capture_outfile out;
    if (!capture_outfile_open(&out, label, path, CAPTURE_OUTFILE_TRUNC, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    FILE *f = capture_outfile_stream(&out, "w");
    if (!f)
        fprintf(stderr, "%s %s: %s\n", label, path, strerror(errno));
    capture_outfile_close(&out);
    return f;
}
