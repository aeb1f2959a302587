#include "json_util.h"

#include "../wire/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t report_json_format_seconds(char *buf, size_t cap, double t)
{
    /* microseconds, rounded; written without printf (the decode path writes
     * this for every record) and without trailing zeros */
    if (!(t > 0))
        t = 0;
    if (t > 1e12)
        t = 1e12;
    unsigned long long us = (unsigned long long)(t * 1e6 + 0.5);
    unsigned long long whole = us / 1000000ULL;
    unsigned frac = (unsigned)(us % 1000000ULL);
    char tmp[32];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    if (cap < n + 8)
        return 0;
    size_t len = 0;
    while (n)
        buf[len++] = tmp[--n];
    if (frac) {
        char digits[6];
        for (int i = 5; i >= 0; i--) {
            digits[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int last = 5;
        while (digits[last] == '0')
            last--;
        buf[len++] = '.';
        for (int i = 0; i <= last; i++)
            buf[len++] = digits[i];
    }
    buf[len] = '\0';
    return len;
}

json_object *report_json_seconds(double t)
{
    char buf[40];
    report_json_format_seconds(buf, sizeof buf, t);
    return json_object_new_double_s(t, buf);
}

json_object *report_json_hex(const uint8_t *p, size_t len)
{
    char *buf = malloc(len * 2 + 1);
    if (!buf)
        return NULL;
    wire_hex_encode(buf, p, len);
    json_object *o = json_object_new_string_len(buf, (int)(len * 2));
    free(buf);
    return o;
}

json_object *report_json_str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

const char *report_json_line(json_object *o)
{
    size_t len;
    return report_json_line_len(o, &len);
}

const char *report_json_line_len(json_object *o, size_t *out_len)
{
    return json_object_to_json_string_length(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, out_len);
}
