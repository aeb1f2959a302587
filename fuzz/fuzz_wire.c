/* Fuzz target for src/wire and its renderers: the input is read as a stream
 * of records; every handshake-type fragment is split into messages and
 * parsed under a few contexts, then rendered (JSON, text) and fingerprinted.
 * The whole input is also tried as one handshake message and as an SSLv2
 * hello, and as an extension block for every origin. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "report/wire_json.h"
#include "report/wire_text.h"
#include "wire/ext.h"
#include "wire/handshake.h"
#include "wire/ja.h"
#include "wire/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* results are folded in here: the statuses must be consumed (TP_MUST_CHECK) */
static volatile unsigned status_sink;

static void render(const wire_handshake *m)
{
    static char text[8192];
    json_object *o = report_json_handshake(m);
    if (o) {
        (void)json_object_to_json_string(o);
        json_object_put(o);
    }
    (void)report_text_handshake(text, sizeof text, m, 0);
    (void)report_text_handshake(text, sizeof text, m, 1);
    (void)report_text_handshake(text, 7, m, 1);
    if (m->type == WIRE_HS_CLIENT_HELLO && m->status == TP_OK) {
        char ja3[WIRE_JA3_STR_MAX], md5[33], ja4[40];
        status_sink += (unsigned)wire_ja3(&m->u.client_hello, ja3, sizeof ja3, md5);
        status_sink += (unsigned)wire_ja3(&m->u.client_hello, ja3, 5, md5);
        status_sink += (unsigned)wire_ja4(&m->u.client_hello, ja4);
        (void)report_text_client_hello_full(text, sizeof text, &m->u.client_hello);
    }
}

static void parse_message(const wire_hs_ctx *ctx, const uint8_t *p, size_t n)
{
    static wire_handshake m;
    status_sink += (unsigned)wire_hs_parse(ctx, p, n, &m);
    render(&m);
}

/* Every message of a fragment under several negotiated states, since
 * SKE/CKE/Certificate/NST depend on them. */
static void fragment_messages(cur_t frag, wire_hs_ctx *ctx)
{
    static const wire_hs_ctx alt[] = {
        {0x0303, 0xc02f}, {0x0304, 0x1301}, {0x0301, 0x0039}, {0x0303, 0x00a8},
        {0x0303, 0xc01e}, {0x0300, 0x000a}, {0x0303, 0x0003}, {0x0303, 0xc0aa},
    };
    while (cur_len(&frag) >= WIRE_HS_HEADER_LEN) {
        uint8_t type;
        uint32_t len;
        cur_t msg;
        if (wire_hs_peek_header(&frag, &type, &len) != TP_OK ||
            !cur_get_bytes(&frag, &msg, WIRE_HS_HEADER_LEN + (size_t)len))
            break;
        parse_message(ctx, cur_data(&msg), cur_len(&msg));
        for (size_t i = 0; i < sizeof alt / sizeof alt[0]; i++)
            parse_message(&alt[i], cur_data(&msg), cur_len(&msg));
        if (type == WIRE_HS_SERVER_HELLO) {
            wire_handshake m;
            if (wire_hs_parse(ctx, cur_data(&msg), cur_len(&msg), &m) == TP_OK) {
                ctx->version = m.u.server_hello.selected_version;
                ctx->cipher_suite = m.u.server_hello.cipher_suite;
            }
        }
    }
}

static void ext_block_all_origins(cur_t block)
{
    for (int o = WIRE_EXT_FROM_CLIENT_HELLO; o <= WIRE_EXT_FROM_CERTIFICATE; o++) {
        json_object *j = report_json_extensions(block, (wire_ext_origin)o);
        if (j)
            json_object_put(j);
        cur_t it = block, body;
        uint16_t t;
        while (wire_ext_next(&it, &t, &body, NULL)) {
            wire_ext_decoded d;
            wire_ext_decode(t, body, (wire_ext_origin)o, &d);
            /* and the raw body through every decoder type */
            wire_ext_decode((uint16_t)(t % 64), body, (wire_ext_origin)o, &d);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cur_t in;
    wire_record r;
    size_t need;
    wire_hs_ctx ctx = {0, 0};
    static wire_handshake m;

    cur_init(&in, data, size);
    while (cur_len(&in) > 0) {
        if (wire_record_parse(&in, &r, &need) != TP_OK)
            break;
        if (r.type == WIRE_CT_HANDSHAKE) {
            fragment_messages(r.fragment, &ctx);
        } else if (r.type == WIRE_CT_SSLV2_CLIENT_HELLO) {
            status_sink +=
                (unsigned)wire_hs_parse_sslv2(cur_data(&r.fragment), cur_len(&r.fragment), &m);
            render(&m);
        }
    }

    /* the whole input as one message, as an SSLv2 body, as an ext block */
    parse_message(NULL, data, size);
    status_sink += (unsigned)wire_hs_parse_sslv2(data, size, &m);
    render(&m);
    cur_t block;
    cur_init(&block, data, size);
    ext_block_all_origins(block);
    return 0;
}
