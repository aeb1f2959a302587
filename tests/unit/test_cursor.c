/* Unit tests for the byte cursor (src/wire/cursor.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "wire/cursor.h"

static const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};

static void test_getters_advance(void **state)
{
    (void)state;
    cur_t c;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    cur_init(&c, bytes, sizeof bytes);
    assert_true(cur_get_u8(&c, &u8));
    assert_int_equal(u8, 0x01);
    assert_true(cur_get_u16(&c, &u16));
    assert_int_equal(u16, 0x0203);
    assert_true(cur_get_u24(&c, &u32));
    assert_int_equal(u32, 0x040506);
    assert_int_equal(cur_len(&c), 1);
    assert_ptr_equal(cur_data(&c), bytes + 6);
    assert_false(cur_get_u16(&c, &u16));
    assert_int_equal(cur_len(&c), 1);
    assert_true(cur_get_u8(&c, &u8));
    assert_int_equal(u8, 0x07);
    assert_int_equal(cur_len(&c), 0);
    assert_false(cur_get_u8(&c, &u8));
}

static void test_u32_and_bounds(void **state)
{
    (void)state;
    cur_t c;
    uint32_t v = 0xdeadbeef;
    cur_init(&c, bytes, 3);
    assert_false(cur_get_u32(&c, &v));
    assert_int_equal(v, 0xdeadbeef); /* output untouched on failure */
    assert_int_equal(cur_len(&c), 3);
    cur_init(&c, bytes, 4);
    assert_true(cur_get_u32(&c, &v));
    assert_int_equal(v, 0x01020304);
}

static void test_skip_bytes_copy(void **state)
{
    (void)state;
    cur_t c, view;
    uint8_t out[4] = {0};
    cur_init(&c, bytes, sizeof bytes);
    assert_false(cur_skip(&c, 8));
    assert_int_equal(cur_len(&c), 7);
    assert_true(cur_skip(&c, 1));
    assert_false(cur_get_bytes(&c, &view, 7));
    assert_int_equal(cur_len(&c), 6);
    assert_true(cur_get_bytes(&c, &view, 2));
    assert_ptr_equal(cur_data(&view), bytes + 1);
    assert_int_equal(cur_len(&view), 2);
    assert_false(cur_copy(&c, out, 5));
    assert_int_equal(out[0], 0);
    assert_true(cur_copy(&c, out, 4));
    assert_memory_equal(out, bytes + 3, 4);
    assert_int_equal(cur_len(&c), 0);
    assert_true(cur_skip(&c, 0));
}

static void test_prefixed(void **state)
{
    (void)state;
    /* u8 prefix 2 -> {aa bb}, then u16 prefix 3 -> {cc dd ee} */
    static const uint8_t in[] = {0x02, 0xaa, 0xbb, 0x00, 0x03, 0xcc, 0xdd, 0xee};
    cur_t c, v;
    cur_init(&c, in, sizeof in);
    assert_true(cur_get_u8_prefixed(&c, &v));
    assert_int_equal(cur_len(&v), 2);
    assert_int_equal(cur_data(&v)[1], 0xbb);
    assert_true(cur_get_u16_prefixed(&c, &v));
    assert_int_equal(cur_len(&v), 3);
    assert_int_equal(cur_data(&v)[0], 0xcc);
    assert_int_equal(cur_len(&c), 0);
}

static void test_prefixed_failure_leaves_cursor(void **state)
{
    (void)state;
    /* u16 prefix says 5 but only 3 follow */
    static const uint8_t in[] = {0x00, 0x05, 0x01, 0x02, 0x03};
    static const uint8_t in24[] = {0x00, 0x00, 0x04, 0x01};
    cur_t c, v = {NULL, 0};
    cur_init(&c, in, sizeof in);
    assert_false(cur_get_u16_prefixed(&c, &v));
    assert_ptr_equal(cur_data(&c), in);
    assert_int_equal(cur_len(&c), sizeof in);
    /* a short prefix also fails without moving */
    cur_init(&c, in, 1);
    assert_false(cur_get_u16_prefixed(&c, &v));
    assert_int_equal(cur_len(&c), 1);
    cur_init(&c, in24, sizeof in24);
    assert_false(cur_get_u24_prefixed(&c, &v));
    assert_int_equal(cur_len(&c), sizeof in24);
    /* zero-length body is fine */
    static const uint8_t empty[] = {0x00};
    cur_init(&c, empty, 1);
    assert_true(cur_get_u8_prefixed(&c, &v));
    assert_int_equal(cur_len(&v), 0);
    assert_int_equal(cur_len(&c), 0);
}

static void test_get_uN(void **state)
{
    (void)state;
    cur_t c;
    uint32_t v;
    cur_init(&c, bytes, sizeof bytes);
    assert_true(cur_get_uN(&c, 0, &v));
    assert_int_equal(v, 0);
    assert_true(cur_get_uN(&c, 3, &v));
    assert_int_equal(v, 0x010203);
    assert_false(cur_get_uN(&c, 5, &v));
    assert_int_equal(cur_len(&c), 4);
}

static const uint8_t eight[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

static void test_little_endian(void **state)
{
    (void)state;
    cur_t c;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    cur_init(&c, eight, sizeof eight);
    assert_true(cur_get_u16le(&c, &u16));
    assert_int_equal(u16, 0x0201);
    assert_true(cur_get_u32le(&c, &u32));
    assert_int_equal(u32, 0x06050403);
    assert_int_equal(cur_len(&c), 3);
    u32 = 0xdeadbeef;
    assert_false(cur_get_u32le(&c, &u32));
    assert_int_equal(u32, 0xdeadbeef); /* untouched on failure */
    assert_int_equal(cur_len(&c), 3);
    assert_ptr_equal(cur_data(&c), eight + 6);
    cur_init(&c, eight, sizeof eight);
    assert_true(cur_get_u64le(&c, &u64));
    assert_true(u64 == 0x0807060504030201ull);
    assert_int_equal(cur_len(&c), 1);
    assert_false(cur_get_u64le(&c, &u64));
    assert_int_equal(cur_len(&c), 1);
}

static void test_u64_and_run_time_order(void **state)
{
    (void)state;
    cur_t c;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64 = 7;
    cur_init(&c, eight, sizeof eight);
    assert_true(cur_get_u64(&c, &u64));
    assert_true(u64 == 0x0102030405060708ull);
    cur_init(&c, eight, 7);
    assert_false(cur_get_u64(&c, &u64));
    assert_int_equal(cur_len(&c), 7); /* a short read leaves the cursor */
    assert_true(u64 == 0x0102030405060708ull);
    cur_init(&c, eight, sizeof eight);
    assert_true(cur_get_u16_order(&c, true, &u16));
    assert_int_equal(u16, 0x0102);
    assert_true(cur_get_u16_order(&c, false, &u16));
    assert_int_equal(u16, 0x0403);
    assert_true(cur_get_u32_order(&c, false, &u32));
    assert_int_equal(u32, 0x08070605);
    cur_init(&c, eight, sizeof eight);
    assert_true(cur_get_u32_order(&c, true, &u32));
    assert_int_equal(u32, 0x01020304);
    cur_init(&c, eight, sizeof eight);
    assert_true(cur_get_u64_order(&c, false, &u64));
    assert_true(u64 == 0x0807060504030201ull);
    cur_init(&c, eight, sizeof eight);
    assert_true(cur_get_u64_order(&c, true, &u64));
    assert_true(u64 == 0x0102030405060708ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_getters_advance),
        cmocka_unit_test(test_u32_and_bounds),
        cmocka_unit_test(test_skip_bytes_copy),
        cmocka_unit_test(test_prefixed),
        cmocka_unit_test(test_prefixed_failure_leaves_cursor),
        cmocka_unit_test(test_get_uN),
        cmocka_unit_test(test_little_endian),
        cmocka_unit_test(test_u64_and_run_time_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
