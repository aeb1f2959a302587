/* The http status page of `serve --http`: what the connection negotiated,
 * the client's fingerprints, its ClientHello as decoded by our parser, and
 * its request, as HTML or as plain text.  The mode (server/modes.c) gathers
 * the facts; everything shown here passes through the escapers of html.h.
 * No I/O. */
#ifndef TP_REPORT_STATUS_PAGE_H
#define TP_REPORT_STATUS_PAGE_H

#include <stddef.h>

#include "../wire/buf.h"

typedef struct {
    unsigned conn;
    const char *peer;
    /* The negotiated parameters: num rows of label and value (NULL or ""
     * shows "-"). */
    const char *const *labels;
    const char *const *values;
    unsigned num;
    const char *ja3, *ja3_md5, *ja4; /* "" or NULL: "-" */
    /* The decoded ClientHello as text (or a line saying why there is none). */
    const char *hello;
    size_t hello_len;
    const char *request; /* the request line and headers */
    size_t request_len;
} report_status_page;

void report_status_page_text(wire_buf *b, const report_status_page *p);
void report_status_page_html(wire_buf *b, const report_status_page *p);

#endif
