/* Fuzz target: arbitrary text as an NSS key log.  Besides not crashing,
 * every entry that parses must format back to a line that parses to the
 * same entry, and must be found in the store afterwards. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(const char *line, size_t len)
{
    crypto_keylog_entry e, again;
    const char *why = NULL;
    tp_status st = crypto_keylog_parse_line_ex(line, len, &e, &why);
    if (st != TP_OK) {
        if (!why || e.label != CRYPTO_KL_NONE)
            abort();
        return;
    }
    if (e.label == CRYPTO_KL_NONE)
        return;
    char buf[400];
    size_t n = crypto_keylog_entry_format(&e, buf, sizeof buf);
    if (n == 0 || strlen(buf) != n)
        abort();
    if (crypto_keylog_parse_line(buf, n, &again) != TP_OK || memcmp(&e, &again, sizeof e) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    crypto_keylog_store *s = crypto_keylog_store_new();
    if (!s)
        return 0;
    crypto_keylog_stats stats = {0};
    if (crypto_keylog_store_add_text(s, text, size, 1, NULL, NULL, &stats) != TP_OK)
        abort();
    if (stats.num_added + stats.num_malformed + stats.num_unknown > stats.num_lines)
        abort();

    /* line by line: round trip, and every good line is in the store */
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n')
            continue;
        check_line(text + start, i - start);
        crypto_keylog_entry e;
        if (crypto_keylog_parse_line(text + start, i - start, &e) == TP_OK &&
            e.label != CRYPTO_KL_NONE && !crypto_keylog_store_find(s, e.label, e.client_random))
            abort();
        start = i + 1;
    }
    crypto_keylog_store_free(s);
    return 0;
}
