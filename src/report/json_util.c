#include "json_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_object *report_json_seconds(double t)
{
    char buf[32];
    if (t < 0)
        t = 0;
    snprintf(buf, sizeof buf, "%.6f", t);
    /* trim trailing zeros, keep at least one digit after a point or none */
    char *end = buf + strlen(buf) - 1;
    while (end > buf && *end == '0')
        *end-- = '\0';
    if (*end == '.')
        *end = '\0';
    return json_object_new_double_s(t, buf);
}

json_object *report_json_hex(const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *buf = malloc(len * 2 + 1);
    if (!buf)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        buf[2 * i] = digits[p[i] >> 4];
        buf[2 * i + 1] = digits[p[i] & 15];
    }
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
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}
