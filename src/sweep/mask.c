/* Masking key material in client output; see mask.h. */
#include "mask.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Names after which a hex string is a secret (case-insensitive). */
static const char *const names[] = {
    "master-key", "session-id", "psk", "client_random", "_secret", "rsa ", "ticket",
};

static bool is_hex(char c)
{
    return isxdigit((unsigned char)c) != 0;
}

/* Offset just after the first secret name in line[0..len), or len when none. */
static size_t after_name(const char *line, size_t len)
{
    size_t best = len;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t nl = strlen(names[k]);
        for (size_t i = 0; i + nl <= len && i < best; i++) {
            if (strncasecmp(line + i, names[k], nl) == 0) {
                best = i + nl;
                break;
            }
        }
    }
    return best;
}

static size_t mask_runs(char *p, size_t len, size_t min_run)
{
    size_t masked = 0;
    for (size_t i = 0; i < len;) {
        if (!is_hex(p[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && is_hex(p[j]))
            j++;
        if (j - i >= min_run) {
            memset(p + i, '*', j - i);
            masked += j - i;
        }
        i = j;
    }
    return masked;
}

size_t sweep_mask_secrets(char *buf, size_t len, bool first_line_cut)
{
    size_t masked = 0;
    for (size_t start = 0; start < len;) {
        const char *nl = memchr(buf + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - buf) : len;
        char *line = buf + start;
        size_t line_len = end - start;
        bool cut = start == 0 && first_line_cut;
        size_t from = cut ? 0 : after_name(line, line_len);
        masked += mask_runs(line + from, line_len - from, cut ? 1 : 8);
        masked += mask_runs(line, from, 32);
        start = end + 1;
    }
    return masked;
}
