/* Unit tests for the builder (src/wire/buf.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/buf.h"

static void test_integers_and_text(void **state)
{
    (void)state;
    wire_buf b;
    wire_buf_init(&b, 0);
    assert_string_equal(wire_buf_str(&b), "");
    wire_buf_add_u8(&b, 0x16);
    wire_buf_add_u16(&b, 0x0303);
    wire_buf_add_u24(&b, 0x01abcdef); /* only the low 24 bits */
    wire_buf_add_u32(&b, 0xdeadbeef);
    static const uint8_t want[] = {0x16, 0x03, 0x03, 0xab, 0xcd, 0xef, 0xde, 0xad, 0xbe, 0xef};
    assert_int_equal(wire_buf_len(&b), sizeof want);
    assert_memory_equal(wire_buf_data(&b), want, sizeof want);
    wire_buf_reset(&b);
    wire_buf_add_str(&b, "n=");
    wire_buf_add_uint(&b, 0);
    wire_buf_add_char(&b, ',');
    wire_buf_add_uint(&b, 18446744073709551615ull);
    wire_buf_printf(&b, " %s/%04x", "x", 0x2a);
    assert_string_equal(wire_buf_str(&b), "n=0,18446744073709551615 x/002a");
    assert_int_equal(wire_buf_status(&b), TP_OK);
    size_t len = 0;
    char *s = wire_buf_finish(&b, &len);
    assert_non_null(s);
    assert_int_equal(len, strlen("n=0,18446744073709551615 x/002a"));
    assert_string_equal(s, "n=0,18446744073709551615 x/002a");
    free(s);
    assert_int_equal(wire_buf_len(&b), 0);
}

static void test_little_endian(void **state)
{
    (void)state;
    uint8_t storage[7];
    wire_buf b;
    wire_buf_init_fixed(&b, storage, sizeof storage);
    wire_buf_add_u16le(&b, 0x0102);
    wire_buf_add_u32le(&b, 0x0a0b0c0d);
    static const uint8_t want[] = {0x02, 0x01, 0x0d, 0x0c, 0x0b, 0x0a};
    assert_int_equal(wire_buf_status(&b), TP_OK);
    assert_int_equal(wire_buf_len(&b), sizeof want);
    assert_memory_equal(storage, want, sizeof want);
    /* full: the next append fails and sticks */
    wire_buf_add_u16le(&b, 1);
    assert_int_equal(wire_buf_status(&b), TP_ERR_LIMIT);
    assert_int_equal(wire_buf_len(&b), sizeof want);
}

static void test_grows_past_first_allocation(void **state)
{
    (void)state;
    wire_buf b;
    wire_buf_init(&b, 0);
    for (unsigned i = 0; i < 5000; i++)
        wire_buf_printf(&b, "%u;", i % 10);
    assert_true(wire_buf_ok(&b));
    assert_int_equal(wire_buf_len(&b), 10000);
    const char *s = wire_buf_str(&b);
    assert_int_equal(s[9998], '9');
    assert_int_equal(s[10000], '\0');
    wire_buf_cleanup(&b);
}

/* The ceiling stands in for an allocation that fails: the first append
 * that does not fit sets the error, and every later one is a no-op even
 * when it would fit. */
static void test_sticky_error_on_ceiling(void **state)
{
    (void)state;
    wire_buf b;
    wire_buf_init(&b, 10);
    wire_buf_add_str(&b, "12345678");
    assert_true(wire_buf_ok(&b));
    wire_buf_add_str(&b, "abc");
    assert_int_equal(wire_buf_status(&b), TP_ERR_LIMIT);
    assert_int_equal(wire_buf_len(&b), 8);
    wire_buf_add_char(&b, 'z');
    wire_buf_add_u16(&b, 1);
    wire_buf_printf(&b, "%d", 1);
    wire_buf_add_json_str(&b, "");
    assert_null(wire_buf_space(&b, 1));
    assert_int_equal(wire_buf_len(&b), 8);
    assert_string_equal(wire_buf_str(&b), "12345678");
    assert_int_equal(wire_buf_status(&b), TP_ERR_LIMIT);
    size_t len = 99;
    assert_null(wire_buf_finish(&b, &len));
    assert_int_equal(len, 99);
}

static void test_exact_ceiling_fits(void **state)
{
    (void)state;
    wire_buf b;
    wire_buf_init(&b, 4);
    wire_buf_printf(&b, "%s", "abcd");
    assert_true(wire_buf_ok(&b));
    wire_buf_printf(&b, "%s", "e"); /* printf is all or nothing */
    assert_false(wire_buf_ok(&b));
    assert_string_equal(wire_buf_str(&b), "abcd");
    wire_buf_cleanup(&b);
}

static void test_fixed_storage(void **state)
{
    (void)state;
    char store[8];
    wire_buf b;
    wire_buf_init_fixed(&b, store, sizeof store);
    wire_buf_add_str(&b, "abcdefg");
    assert_true(wire_buf_ok(&b));
    assert_ptr_equal(wire_buf_str(&b), store);
    wire_buf_add_char(&b, 'h');
    assert_int_equal(wire_buf_status(&b), TP_ERR_LIMIT);
    assert_string_equal(store, "abcdefg");
    size_t len;
    assert_null(wire_buf_finish(&b, &len)); /* storage stays the caller's */
    wire_buf_reset(&b);
    assert_true(wire_buf_ok(&b));
    wire_buf_add_str(&b, "ok");
    assert_string_equal(store, "ok");
    wire_buf zero;
    wire_buf_init_fixed(&zero, store, 0);
    wire_buf_add_str(&zero, "");
    assert_false(wire_buf_ok(&zero));
}

static void test_space_and_commit(void **state)
{
    (void)state;
    wire_buf b;
    wire_buf_init(&b, 0);
    uint8_t *p = wire_buf_space(&b, 16);
    assert_non_null(p);
    memcpy(p, "xyz", 3);
    wire_buf_commit(&b, 3);
    wire_buf_commit(&b, 1000); /* more than reserved: ignored */
    assert_string_equal(wire_buf_str(&b), "xyz");
    wire_buf_cleanup(&b);
}

static void test_hex_escaped_json(void **state)
{
    (void)state;
    static const uint8_t raw[] = {'a', '\\', 0x00, 0x7f, 0xe9, '~'};
    cur_t c;
    cur_init(&c, raw, sizeof raw);
    wire_buf b;
    wire_buf_init(&b, 0);
    wire_buf_add_hex(&b, c);
    assert_string_equal(wire_buf_str(&b), "615c007fe97e");
    wire_buf_reset(&b);
    wire_buf_add_escaped(&b, c, false);
    assert_string_equal(wire_buf_str(&b), "a\\\\x00\\x7f\\xe9~");
    wire_buf_reset(&b);
    wire_buf_add_escaped(&b, c, true);
    assert_string_equal(wire_buf_str(&b), "a\\x5c\\x00\\x7f\\xe9~");
    wire_buf_reset(&b);
    wire_buf_add_json_str(&b, "q\"b\\/\b\f\n\r\t\x01\x1f\xc3\xa9");
    assert_string_equal(wire_buf_str(&b), "\"q\\\"b\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\xc3\xa9\"");
    wire_buf_cleanup(&b);
}

static void test_copy_out(void **state)
{
    (void)state;
    wire_buf b;
    wire_buf_init(&b, 0);
    wire_buf_add_str(&b, "0123456789");
    char out[16];
    memset(out, 'Z', sizeof out);
    assert_int_equal(wire_buf_copy_out(&b, out, sizeof out, "..."), 10);
    assert_string_equal(out, "0123456789");
    assert_int_equal(wire_buf_copy_out(&b, out, 11, "..."), 10); /* exactly fits */
    assert_string_equal(out, "0123456789");
    assert_int_equal(wire_buf_copy_out(&b, out, 8, "..."), 7);
    assert_string_equal(out, "0123...");
    assert_int_equal(wire_buf_copy_out(&b, out, 8, ""), 7);
    assert_string_equal(out, "0123456");
    assert_int_equal(wire_buf_copy_out(&b, out, 3, "..."), 2); /* no room for the mark */
    assert_string_equal(out, "01");
    assert_int_equal(wire_buf_copy_out(&b, out, 0, "..."), 0);
    /* a failed builder is marked even when what it holds fits */
    wire_buf small;
    wire_buf_init(&small, 4);
    wire_buf_add_str(&small, "ab");
    wire_buf_add_str(&small, "cde");
    assert_int_equal(wire_buf_copy_out(&small, out, sizeof out, "."), 2);
    assert_string_equal(out, "a.");
    wire_buf_cleanup(&small);
    wire_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers_and_text),
        cmocka_unit_test(test_little_endian),
        cmocka_unit_test(test_grows_past_first_allocation),
        cmocka_unit_test(test_sticky_error_on_ceiling),
        cmocka_unit_test(test_exact_ceiling_fits),
        cmocka_unit_test(test_fixed_storage),
        cmocka_unit_test(test_space_and_commit),
        cmocka_unit_test(test_hex_escaped_json),
        cmocka_unit_test(test_copy_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
