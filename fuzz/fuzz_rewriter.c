/* Fuzz target: the record rewriter (src/quirk) on arbitrary "engine"
 * output.  [quirks lo][quirks hi][chunk][stream...]: the two bytes pick
 * quirks from the table below, chunk the push size (0: all at once), and
 * the rest is what the engine pushes (records; the ServerHello in it sets
 * the version and suite; two key log lines give keys for its client
 * random).  Protected records that do not open make the rewriter pass the
 * stream through; nothing may crash or read out of bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quirk/quirk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const quirks[16] = {
    "cbc-padding=max", "cbc-padding=random", "cbc-padding-scope=first", "hs-fragment=3",
    "hs-coalesce",     "big-records",        "max-record=7",            "appdata-split=1/n-1",
    "empty-records",   "record-version=0x0300", "tls13-padding=5000",   "ccs-compat=on",
    "ccs-compat=off",  "alert-unrecognized-name", "key-update",         "appdata-split=2",
};

static void on_emit(void *ctx, const uint8_t *d, size_t len, const char *quirk)
{
    size_t *total = ctx;
    (void)quirk;
    if (len && d[0] == 0xff) /* touch the bytes: out of bounds shows under ASan */
        (*total)++;
    *total += len;
}

static void on_note(void *ctx, const char *text)
{
    (void)ctx;
    (void)text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    tp_quirk_set set = {0};
    char err[512];
    unsigned mask = (unsigned)data[0] | (unsigned)data[1] << 8;
    for (unsigned i = 0; i < 16 && set.num < TP_QUIRK_MAX; i++)
        if (mask & (1u << i) && !tp_quirk_set_add(&set, quirks[i], err, sizeof err))
            abort(); /* every name in the table is valid */
    size_t step = data[2], total = 0;
    tp_rewriter_out o = {.emit = on_emit, .note = on_note, .ctx = &total};
    tp_rewriter *rw = tp_rewriter_new(&set, &o);
    if (!rw)
        return 0;
    /* client random 00..00: the seeds' ServerHellos belong to it */
    static const char cr[] = "0000000000000000000000000000000000000000000000000000000000000000";
    static const char *const lines[] = {
        "CLIENT_RANDOM %s 0101010101010101010101010101010101010101010101010101010101010101"
        "01010101010101010101010101010101",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET %s 0202020202020202020202020202020202020202020202020202"
        "020202020202",
        "SERVER_TRAFFIC_SECRET_0 %s 03030303030303030303030303030303030303030303030303030303030303"
        "03",
    };
    for (unsigned i = 0; i < 3; i++) {
        char line[300];
        snprintf(line, sizeof line, lines[i], cr);
        tp_rewriter_add_secret(rw, line);
    }
    data += 3;
    size -= 3;
    while (size) {
        size_t n = step && size > step ? step : size;
        tp_rewriter_push(rw, data, n);
        data += n;
        size -= n;
    }
    tp_rewriter_flush(rw);
    tp_rewriter_free(rw);
    return 0;
}
