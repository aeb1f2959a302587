/* The mail preamble and dialogue on arbitrary bytes: the first byte picks
 * the protocol (none: recognised from a greeting, smtp, imap, pop3),
 * whether a STARTTLS preamble is expected and --records; the rest is cut
 * into chunks as in fuzz_session (first byte of each chunk: direction and
 * length), through the JSON and text sinks.  The credential parser sees
 * every chunk as a line too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/session.h"
#include "report/json_sink.h"
#include "report/text_sink.h"
#include "wire/mail_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    bool records = mode & 8;
    tp_sink *json = report_json_sink_new(devnull, records);
    tp_sink *text = report_text_sink_new(devnull, 2, false, records);
    tp_session_params p = {.conn = 1,
                           .peer = "127.0.0.1:1",
                           .local = "127.0.0.1:2",
                           .num_sinks = 2,
                           .want_data_events = true,
                           .want_record_bytes = records,
                           .mail = (tp_mail_proto)(mode & 3),
                           .mail_starttls = mode & 4};
    p.sinks[0] = json;
    p.sinks[1] = text;
    tp_session *s = tp_session_new(&p);
    wire_mail_auth_step step = WIRE_MAIL_AUTH_NONE;
    size_t off = 1;
    double t = 0;
    while (s && off < size) {
        uint8_t ctl = data[off++];
        size_t n = (size_t)(ctl & 0x7f) * 8 + 1;
        if (n > size - off)
            n = size - off;
        tp_session_feed(s, (ctl & 0x80) ? TP_S2C : TP_C2S, t, data + off, n);
        char shown[64], user[16];
        (void)wire_mail_auth_line((tp_mail_proto)(mode & 3), &step, data + off, n, shown,
                                  sizeof shown, user, sizeof user);
        off += n;
        t += 0.001;
    }
    tp_session_end(s, t, TP_END_PEER_CLOSED);
    tp_session_free(s);
    report_json_sink_free(json);
    report_text_sink_free(text);
    return 0;
}
