/* Small json-c helpers shared by the report writers. */
#ifndef TP_REPORT_JSON_UTIL_H
#define TP_REPORT_JSON_UTIL_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* The same text into buf (cap >= 40); returns its length. */
size_t report_json_format_seconds(char *buf, size_t cap, double t);
/* Seconds as a number with microsecond precision and no trailing zeros. */
json_object *report_json_seconds(double t);
/* Lower-case hex string of bytes (NULL on allocation failure). */
json_object *report_json_hex(const uint8_t *p, size_t len);
/* String or JSON null. */
json_object *report_json_str_or_null(const char *s);
/* Serialises compactly, without escaping '/'. */
const char *report_json_line(json_object *o);
/* The same, and its length. */
const char *report_json_line_len(json_object *o, size_t *out_len);

/* json_object_object_add for a key that outlives the object (a string
 * literal, a static table's name): json-c keeps the pointer instead of
 * copying the key, and frees nothing for it.  The bytes written are the same. */
static inline void report_json_add_static(json_object *o, const char *key, json_object *v)
{
    json_object_object_add_ex(o, key, v, JSON_C_OBJECT_KEY_IS_CONSTANT);
}

#endif
