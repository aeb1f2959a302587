/* The one HTML escaper, the text escaper and the page frame (html.h). */
#include <string.h>

#include "html.h"

/* Length of the valid UTF-8 sequence at p (RFC 3629 4), 0 when the byte
 * there starts none. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0;
    if (c == 0xe0)
        lo = 0xa0; /* overlong */
    else if (c == 0xed)
        hi = 0x9f; /* surrogates */
    else if (c == 0xf0)
        lo = 0x90; /* overlong */
    else if (c == 0xf4)
        hi = 0x8f; /* above U+10FFFF */
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return len;
}

static const char *html_entity(unsigned char ch)
{
    switch (ch) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

void report_html_escape(wire_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; p && i < n && wire_buf_ok(b);) {
        unsigned char ch = p[i];
        const char *entity = html_entity(ch);
        if (entity) {
            wire_buf_add_str(b, entity);
        } else if (ch >= 0x80) {
            size_t len = utf8_len(p + i, n - i);
            if (len) {
                wire_buf_add_bytes(b, p + i, len);
                i += len;
                continue;
            }
            wire_buf_add_str(b, "\xef\xbf\xbd"); /* U+FFFD */
        } else if (ch == '\r') {
            /* line ends shown as plain newlines */
        } else if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f) {
            wire_buf_add_char(b, '?'); /* would break the page */
        } else {
            wire_buf_add_char(b, (char)ch);
        }
        i++;
    }
}

void report_html_escape_str(wire_buf *b, const char *s)
{
    if (s)
        report_html_escape(b, s, strlen(s));
}

size_t report_html_escape_to(char *out, size_t out_len, const char *s)
{
    wire_buf b;
    wire_buf_init_fixed(&b, out, out_len);
    if (out_len)
        out[0] = '\0';
    report_html_escape_str(&b, s);
    return wire_buf_len(&b);
}

void report_text_escape(wire_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; s && i < n && wire_buf_ok(b); i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\r')
            continue;
        if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
            wire_buf_printf(b, "\\x%02x", ch);
        else
            wire_buf_add_char(b, (char)ch);
    }
}

void report_html_begin(wire_buf *b, const char *title, const char *style)
{
    wire_buf_add_str(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    wire_buf_add_str(b, "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
    report_html_escape_str(b, title);
    wire_buf_add_str(b, "</title>\n<style>\n");
    wire_buf_add_str(b, style);
    wire_buf_add_str(b, "</style></head><body>\n");
}

void report_html_end(wire_buf *b)
{
    wire_buf_add_str(b, "</body></html>\n");
}
