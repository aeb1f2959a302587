/* serve --trace's batched JSON sink: lines are held until the flush, go out
 * whole and in order, a batch that would pass 64 KiB goes out first, a line
 * larger than the batch is written at once after what was held, free
 * flushes the rest, and the file ends up byte for byte what the unbatched
 * writer writes for the same events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis/events.h"
#include "capture/outfile.h"
#include "report/json_sink.h"

typedef struct {
    char path[64];
    capture_outfile file;
    tp_sink *batched;
    FILE *ref_stream; /* the same events through the unbatched stream writer */
    char *ref;
    size_t ref_len;
    tp_sink *ref_sink;
} fixture;

static void fixture_open(fixture *fx)
{
    snprintf(fx->path, sizeof fx->path, "/tmp/tp_json_batchXXXXXX");
    int fd = mkstemp(fx->path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    assert_true(
        capture_outfile_open(&fx->file, "test:", fx->path, CAPTURE_OUTFILE_TRUNC, err, sizeof err));
    fx->batched = report_json_sink_new_file(&fx->file, false);
    assert_non_null(fx->batched);
    assert_true(report_json_sink_batch(fx->batched));
    fx->ref = NULL;
    fx->ref_len = 0;
    fx->ref_stream = open_memstream(&fx->ref, &fx->ref_len);
    assert_non_null(fx->ref_stream);
    fx->ref_sink = report_json_sink_new(fx->ref_stream, false);
    assert_non_null(fx->ref_sink);
}

static void both(fixture *fx, const tp_event *ev)
{
    fx->batched->on_event(fx->batched, ev);
    fx->ref_sink->on_event(fx->ref_sink, ev);
}

/* The file's bytes so far (malloc'd, NUL-terminated). */
static char *file_bytes(const fixture *fx, size_t *out_len)
{
    FILE *f = fopen(fx->path, "rb");
    assert_non_null(f);
    struct stat st;
    assert_int_equal(fstat(fileno(f), &st), 0);
    char *b = malloc((size_t)st.st_size + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)st.st_size, f), (size_t)st.st_size);
    b[st.st_size] = '\0';
    fclose(f);
    *out_len = (size_t)st.st_size;
    return b;
}

static size_t file_size(const fixture *fx)
{
    size_t n;
    char *b = file_bytes(fx, &n);
    /* whatever is out so far is whole lines */
    if (n)
        assert_int_equal(b[n - 1], '\n');
    free(b);
    return n;
}

static void appdata(fixture *fx, unsigned conn, size_t len)
{
    tp_event ev = {.type = TP_EV_APPDATA, .conn = conn, .t = 0.25, .dir = TP_C2S};
    ev.u.appdata.len = len;
    both(fx, &ev);
}

static void test_held_until_flush(void **state)
{
    (void)state;
    fixture fx;
    fixture_open(&fx);
    tp_event acc = {.type = TP_EV_ACCEPT, .conn = 1};
    acc.u.accept.peer = "127.0.0.1:1";
    acc.u.accept.local = "127.0.0.1:2";
    both(&fx, &acc); /* the json-c path */
    appdata(&fx, 1, 6); /* the fast path */
    assert_int_equal(file_size(&fx), 0);
    report_json_sink_flush(fx.batched);
    fflush(fx.ref_stream);
    size_t n;
    char *got = file_bytes(&fx, &n);
    assert_int_equal(n, fx.ref_len);
    assert_memory_equal(got, fx.ref, n);
    free(got);
    report_json_sink_flush(fx.batched); /* nothing held: nothing written */
    assert_int_equal(file_size(&fx), fx.ref_len);

    /* past 64 KiB the batch goes out before the flush, in whole lines */
    for (unsigned i = 0; i < 2000; i++)
        appdata(&fx, 2 + i, i);
    size_t mid = file_size(&fx);
    assert_true(mid > fx.ref_len);

    /* a line longer than the batch: what was held first, then the line */
    static char big[80 * 1024];
    memset(big, 'x', sizeof big - 1);
    tp_event note = {.type = TP_EV_NOTE, .conn = 9999, .t = 1, .dir = TP_S2C};
    note.u.note.text = big;
    both(&fx, &note);
    appdata(&fx, 10000, 1); /* held again */

    report_json_sink_free(fx.batched); /* flushes the rest */
    assert_int_equal(capture_outfile_close(&fx.file), 0);
    report_json_sink_free(fx.ref_sink);
    fclose(fx.ref_stream);
    got = file_bytes(&fx, &n);
    assert_int_equal(n, fx.ref_len);
    assert_memory_equal(got, fx.ref, n);
    free(got);
    free(fx.ref);
    unlink(fx.path);
}

/* A sink on a stream takes no batch (the stream has its own buffer). */
static void test_stream_not_batched(void **state)
{
    (void)state;
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    assert_non_null(f);
    tp_sink *s = report_json_sink_new(f, false);
    assert_false(report_json_sink_batch(s));
    report_json_sink_flush(s); /* harmless */
    report_json_sink_free(s);
    fclose(f);
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held_until_flush),
        cmocka_unit_test(test_stream_not_batched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
