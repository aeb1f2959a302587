/* Lower-case hex, the one encoder every module uses (key log lines, JA3
 * hashes, traces), and the one digit decoder (key logs, --psk keys). */
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

/* The value of one hex digit (either case), or -1. */
static inline int wire_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
