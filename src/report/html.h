/* HTML: the one escaper and the page frame.  Every HTML tlsprobe writes
 * (the http status page of serve, the sweep's grid report) is built here,
 * in report/, through wire/buf.h.  No I/O. */
#ifndef TP_REPORT_HTML_H
#define TP_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "../wire/buf.h"

/* Appends n bytes of s (NULL: nothing) as HTML text, safe in an element
 * and in a quoted attribute: & < > " ' become entities; '\n' and '\t' stay;
 * '\r' is dropped (line ends show as plain newlines); other control bytes
 * and DEL become '?'; valid UTF-8 (RFC 3629) passes whole, and each byte
 * that is not part of one becomes U+FFFD.  Each entity or character is
 * appended whole or not at all, so a full fixed builder never ends in a cut
 * entity. */
void report_html_escape(wire_buf *b, const char *s, size_t n);
/* The same for a C string (NULL: nothing). */
void report_html_escape_str(wire_buf *b, const char *s);
/* Escapes s into out (out_len bytes, NUL-terminated, cut before the first
 * entity or character that does not fit); returns the length written. */
size_t report_html_escape_to(char *out, size_t out_len, const char *s);

/* Plain text for a terminal or a text/plain page: '\r' dropped, control
 * bytes other than '\n' and '\t', and DEL, as \xNN, so a client's bytes
 * cannot move the reader's terminal. */
void report_text_escape(wire_buf *b, const char *s, size_t n);

/* "<!DOCTYPE html>...<title>TITLE</title><style>STYLE</style></head><body>\n"
 * (title escaped; style is ours, not escaped) and its end. */
void report_html_begin(wire_buf *b, const char *title, const char *style);
void report_html_end(wire_buf *b);

#endif
