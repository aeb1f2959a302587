/* Temporary: no verifier linked yet; every protected record is unchecked. */
#include "verify.h"

#include <stdlib.h>

struct tp_verify {
    int unused;
};

tp_verify *tp_verify_new(void) { return calloc(1, sizeof(tp_verify)); }
void tp_verify_free(tp_verify *v) { free(v); }
void tp_verify_client_random(tp_verify *v, const uint8_t cr[32]) { (void)v; (void)cr; }
void tp_verify_server_hello(tp_verify *v, const uint8_t sr[32], uint16_t version, uint16_t suite,
                            bool etm)
{
    (void)v; (void)sr; (void)version; (void)suite; (void)etm;
}
bool tp_verify_add_secret(tp_verify *v, const char *line) { (void)v; (void)line; return true; }
void tp_verify_handshake(tp_verify *v, tp_dir dir, const uint8_t *msg, size_t len, bool is_finished,
                         int *out_verified, uint8_t *out_expected, size_t *out_expected_len)
{
    (void)v; (void)dir; (void)msg; (void)len; (void)is_finished; (void)out_expected;
    *out_verified = -1;
    *out_expected_len = 0;
}
void tp_verify_switch(tp_verify *v, tp_dir dir, tp_epoch epoch) { (void)v; (void)dir; (void)epoch; }
void tp_verify_open(tp_verify *v, tp_dir dir, const wire_record *rec, uint8_t *buf, size_t cap,
                    tp_record_check *check)
{
    (void)v; (void)dir; (void)rec; (void)buf; (void)cap;
    check->integrity = TP_INTEGRITY_UNCHECKED;
    check->detail = "no keys";
}
