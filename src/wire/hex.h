/* Lower-case hex, the one encoder every module uses (key log lines, JA3
 * hashes, traces). */
#ifndef TP_WIRE_HEX_H
#define TP_WIRE_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2 * n hex digits and a NUL at out (room for 2 * n + 1). */
static inline void wire_hex_encode(char *out, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

#endif
