/* The whole analysis pipeline on arbitrary bytes: the input is cut into
 * chunks, each chunk going to one direction (first byte of each chunk picks
 * direction and length), through every sink a user can ask for. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/session.h"
#include "report/json_sink.h"
#include "report/text_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    tp_sink *json = report_json_sink_new(devnull, true);
    tp_sink *text = report_text_sink_new(devnull, 2, false, true);
    static const uint16_t suites[] = {0xc02f, 0x1301};
    static const uint16_t groups[] = {0x001d};
    tp_server_config cfg = {.suites = suites, .num_suites = 2, .groups = groups, .num_groups = 1};
    tp_session_params p = {.conn = 1,
                           .peer = "127.0.0.1:1",
                           .local = "127.0.0.1:2",
                           .num_sinks = 2,
                           .server = &cfg,
                           .want_data_events = true,
                           .want_record_bytes = true};
    p.sinks[0] = json;
    p.sinks[1] = text;
    tp_session *s = tp_session_new(&p);
    size_t off = 0;
    double t = 0;
    while (s && off < size) {
        uint8_t ctl = data[off++];
        size_t n = (size_t)(ctl & 0x7f) * 8 + 1;
        if (n > size - off)
            n = size - off;
        tp_session_feed(s, (ctl & 0x80) ? TP_S2C : TP_C2S, t, data + off, n);
        off += n;
        t += 0.001;
    }
    tp_session_end(s, t, TP_END_PEER_CLOSED);
    tp_session_free(s);
    report_json_sink_free(json);
    report_text_sink_free(text);
    return 0;
}
