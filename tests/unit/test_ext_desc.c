/* Unit tests for the extension descriptor table (src/wire/ext_desc.h):
 * one well-formed row per decoded type, and the fields each row emits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wire/buf.h"
#include "wire/ext_desc.h"
#include "wire/iana.h"

/* An emitter that logs each call as "op:key=value;". */
typedef struct {
    wire_ext_emitter base;
    wire_buf log;
} rec_emitter;

static wire_buf *log_of(wire_ext_emitter *e)
{
    return &((rec_emitter *)e)->log;
}

static void r_num(wire_ext_emitter *e, const char *key, uint64_t v, const char *pre,
                  const char *post)
{
    wire_buf_printf(log_of(e), "num:%s=%llu[%s|%s];", key, (unsigned long long)v, pre, post);
}
static void r_code(wire_ext_emitter *e, const char *key, uint64_t v, const char *word)
{
    wire_buf_printf(log_of(e), "code:%s=%llu[%s];", key, (unsigned long long)v, word);
}
static void r_flag(wire_ext_emitter *e, const char *key, bool v, const char *t, const char *f)
{
    (void)t, (void)f;
    wire_buf_printf(log_of(e), "flag:%s=%d;", key, v);
}
static void r_name(wire_ext_emitter *e, const char *key, uint16_t v, wire_namer names)
{
    wire_buf_printf(log_of(e), "name:%s=%s;", key, names(v) ? names(v) : "?");
}
static void r_list(wire_ext_emitter *e, const char *key, const wire_list *l, wire_namer names)
{
    wire_buf_printf(log_of(e), "list:%s=", key);
    for (unsigned i = 0; i < l->num; i++) {
        const char *n = names(wire_list_get(l, i));
        wire_buf_printf(log_of(e), "%s%s", i ? "," : "", n ? n : "?");
    }
    wire_buf_add_char(log_of(e), ';');
}
static void r_text(wire_ext_emitter *e, const char *key, cur_t s)
{
    wire_buf_printf(log_of(e), "text:%s=%.*s;", key, (int)cur_len(&s), cur_data(&s));
}
static void r_texts(wire_ext_emitter *e, const char *key, cur_t list)
{
    wire_buf_printf(log_of(e), "texts:%s=%zu;", key, cur_len(&list));
}
static void r_hex(wire_ext_emitter *e, const char *key, cur_t bytes, const char *if_empty)
{
    wire_buf_printf(log_of(e), "hex:%s=", key);
    wire_buf_add_hex(log_of(e), bytes);
    wire_buf_printf(log_of(e), "[%s];", if_empty);
}
static void r_shares(wire_ext_emitter *e, const char *key, const wire_ext_key_share *ks)
{
    wire_buf_printf(log_of(e), "shares:%s=%u;", key, ks->num_entries);
}
static void r_note(wire_ext_emitter *e, const char *text)
{
    wire_buf_printf(log_of(e), "note:%s;", text);
}
static void r_error(wire_ext_emitter *e, tp_status st, size_t len)
{
    wire_buf_printf(log_of(e), "error:%s/%zu;", tp_status_name(st), len);
}

static const wire_ext_emitter_ops rec_ops = {
    r_num, r_code, r_flag, r_name, r_list, r_text, r_texts, r_hex, r_shares, r_note, r_error,
};

/* The log of one extension body decoded and emitted from origin o. */
static const char *emitted(rec_emitter *r, uint16_t type, const uint8_t *body, size_t len,
                           wire_ext_origin o)
{
    cur_t c;
    cur_init(&c, body, len);
    wire_ext_decoded d;
    wire_ext_decode(type, c, o, &d);
    r->base.ops = &rec_ops;
    wire_buf_reset(&r->log);
    wire_ext_emit(&d, o, &r->base);
    assert_true(wire_buf_ok(&r->log));
    return wire_buf_str(&r->log);
}

static void test_table_rows(void **state)
{
    (void)state;
    unsigned n = 0;
    for (const wire_ext_desc *row; (row = wire_ext_desc_at(n)) != NULL; n++) {
        assert_non_null(row->name);
        assert_non_null(row->decode);
        /* the row names its type, and only one row has it */
        assert_ptr_equal(wire_ext_desc_find(row->type), row);
        assert_string_equal(wire_ext_name(row->type), row->name);
        /* rows that share the list shape say their key and registry */
        assert_true((row->key == NULL) == (row->names == NULL));
    }
    /* every type ext.h has a parser for has its row */
    static const uint16_t decoded[] = {
        WIRE_EXT_SERVER_NAME,
        WIRE_EXT_MAX_FRAGMENT_LENGTH,
        WIRE_EXT_STATUS_REQUEST,
        WIRE_EXT_SUPPORTED_GROUPS,
        WIRE_EXT_EC_POINT_FORMATS,
        WIRE_EXT_SIGNATURE_ALGORITHMS,
        WIRE_EXT_ALPN,
        WIRE_EXT_PADDING,
        WIRE_EXT_ENCRYPT_THEN_MAC,
        WIRE_EXT_EXTENDED_MASTER_SECRET,
        WIRE_EXT_RECORD_SIZE_LIMIT,
        WIRE_EXT_SESSION_TICKET,
        WIRE_EXT_PRE_SHARED_KEY,
        WIRE_EXT_EARLY_DATA,
        WIRE_EXT_SUPPORTED_VERSIONS,
        WIRE_EXT_COOKIE,
        WIRE_EXT_PSK_KEY_EXCHANGE_MODES,
        WIRE_EXT_POST_HANDSHAKE_AUTH,
        WIRE_EXT_SIGNATURE_ALGORITHMS_CERT,
        WIRE_EXT_KEY_SHARE,
        WIRE_EXT_RENEGOTIATION_INFO,
    };
    for (size_t i = 0; i < sizeof decoded / sizeof decoded[0]; i++)
        assert_non_null(wire_ext_desc_find(decoded[i]));
    assert_true(n >= sizeof decoded / sizeof decoded[0]);
    assert_null(wire_ext_desc_find(0xfe0d));
    assert_string_equal(wire_ext_name(0xfe0d), "encrypted_client_hello"); /* named, not decoded */
    assert_string_equal(wire_ext_name(0x3a3a), "GREASE");
    assert_null(wire_ext_name(0x7777));
}

static void test_fields_per_row(void **state)
{
    (void)state;
    rec_emitter r;
    wire_buf_init(&r.log, 0);
    static const uint8_t sni[] = {0, 6, 0, 0, 3, 'a', '.', 'b'};
    assert_string_equal(
        emitted(&r, WIRE_EXT_SERVER_NAME, sni, sizeof sni, WIRE_EXT_FROM_CLIENT_HELLO),
        "text:host_name=a.b;");
    assert_string_equal(emitted(&r, WIRE_EXT_SERVER_NAME, sni, 0, WIRE_EXT_FROM_SERVER_HELLO),
                        "note:(acknowledged);");
    static const uint8_t groups[] = {0, 4, 0, 0x1d, 0, 0x17};
    assert_string_equal(
        emitted(&r, WIRE_EXT_SUPPORTED_GROUPS, groups, sizeof groups, WIRE_EXT_FROM_CLIENT_HELLO),
        "list:groups=X25519,SECP256R1;");
    static const uint8_t modes[] = {1, 1};
    assert_string_equal(emitted(&r, WIRE_EXT_PSK_KEY_EXCHANGE_MODES, modes, sizeof modes,
                                WIRE_EXT_FROM_CLIENT_HELLO),
                        "list:modes=psk_dhe_ke;");
    static const uint8_t pad[] = {0, 0, 1};
    assert_string_equal(emitted(&r, WIRE_EXT_PADDING, pad, sizeof pad, WIRE_EXT_FROM_CLIENT_HELLO),
                        "num:length=3[| bytes];flag:all_zero=0;");
    static const uint8_t sel[] = {0x03, 0x04};
    assert_string_equal(
        emitted(&r, WIRE_EXT_SUPPORTED_VERSIONS, sel, sizeof sel, WIRE_EXT_FROM_SERVER_HELLO),
        "name:selected=TLS1.3;");
    static const uint8_t ks[] = {0, 0x1d, 0, 2, 9, 9};
    assert_string_equal(emitted(&r, WIRE_EXT_KEY_SHARE, ks, sizeof ks, WIRE_EXT_FROM_SERVER_HELLO),
                        "name:group=X25519;num:length=2[(|)];");
    assert_string_equal(emitted(&r, WIRE_EXT_KEY_SHARE, ks, 2, WIRE_EXT_FROM_HRR),
                        "name:group=X25519;");
    static const uint8_t reneg[] = {0};
    assert_string_equal(
        emitted(&r, WIRE_EXT_RENEGOTIATION_INFO, reneg, sizeof reneg, WIRE_EXT_FROM_CLIENT_HELLO),
        "hex:renegotiated_connection=[initial];");
    static const uint8_t ocsp[] = {1, 0, 0, 0, 0};
    assert_string_equal(
        emitted(&r, WIRE_EXT_STATUS_REQUEST, ocsp, sizeof ocsp, WIRE_EXT_FROM_CLIENT_HELLO),
        "code:status_type=1[ocsp];");
    /* presence only, malformed, and a type without a row */
    assert_string_equal(
        emitted(&r, WIRE_EXT_EXTENDED_MASTER_SECRET, pad, 0, WIRE_EXT_FROM_CLIENT_HELLO), "");
    assert_string_equal(
        emitted(&r, WIRE_EXT_EXTENDED_MASTER_SECRET, pad, 2, WIRE_EXT_FROM_SERVER_HELLO),
        "error:trailing_bytes/2;");
    assert_string_equal(
        emitted(&r, WIRE_EXT_SUPPORTED_GROUPS, groups, 5, WIRE_EXT_FROM_CLIENT_HELLO),
        "error:decode_error/5;");
    assert_string_equal(emitted(&r, 0x7777, pad, sizeof pad, WIRE_EXT_FROM_CLIENT_HELLO),
                        "num:length=3[| bytes];");
    wire_buf_cleanup(&r.log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_fields_per_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
