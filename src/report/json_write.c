/* See json_write.h.  The layout json-c writes with JSON_C_TO_STRING_PLAIN:
 * no spaces; {"k":v,...}; [a,...]; strings and keys escaped as
 * wire_buf_add_json_str does (json-c's table, '/' left alone). */
#include "json_write.h"

#include <stdint.h>
#include <string.h>

#include "json_util.h"

static void put_char(wire_buf *b, char ch)
{
    wire_buf_put(b, &ch, 1);
}

static void put_str(wire_buf *b, const char *s)
{
    wire_buf_put(b, s, strlen(s));
}

/* json-c's own text for what is not written here. */
static void write_by_json_c(wire_buf *b, json_object *o)
{
    size_t len = 0;
    const char *s = report_json_line_len(o, &len);
    if (s)
        wire_buf_add_bytes(b, s, len);
    else if (wire_buf_ok(b))
        b->status = TP_ERR_NOMEM; /* the first failure sticks, as an append's */
}

static void write_string(wire_buf *b, json_object *o)
{
    const char *s = json_object_get_string(o);
    if ((size_t)json_object_get_string_len(o) != strlen(s)) {
        write_by_json_c(b, o); /* a NUL inside: \u0000, past a C string's end */
        return;
    }
    wire_buf_add_json_str(b, s);
}

static void write_int(wire_buf *b, json_object *o)
{
    int64_t v = json_object_get_int64(o);
    if (v == INT64_MAX) { /* maybe a uint64 clamped: json-c knows which */
        write_by_json_c(b, o);
        return;
    }
    if (v < 0) {
        put_char(b, '-');
        wire_buf_add_uint(b, (unsigned long long)(-(v + 1)) + 1);
    } else {
        wire_buf_add_uint(b, (unsigned long long)v);
    }
}

void report_json_write(wire_buf *b, json_object *o)
{
    switch (o ? json_object_get_type(o) : json_type_null) {
    case json_type_null:
        put_str(b, "null");
        break;
    case json_type_boolean:
        put_str(b, json_object_get_boolean(o) ? "true" : "false");
        break;
    case json_type_int:
        write_int(b, o);
        break;
    case json_type_string:
        write_string(b, o);
        break;
    case json_type_object: {
        put_char(b, '{');
        bool first = true;
        json_object_object_foreach(o, key, val)
        {
            if (!first)
                put_char(b, ',');
            first = false;
            wire_buf_add_json_str(b, key);
            put_char(b, ':');
            report_json_write(b, val);
        }
        put_char(b, '}');
        break;
    }
    case json_type_array: {
        put_char(b, '[');
        size_t n = json_object_array_length(o);
        for (size_t i = 0; i < n; i++) {
            if (i)
                put_char(b, ',');
            report_json_write(b, json_object_array_get_idx(o, i));
        }
        put_char(b, ']');
        break;
    }
    default: /* doubles: json-c's formatting (and report_json_seconds' own text) */
        write_by_json_c(b, o);
        break;
    }
}
