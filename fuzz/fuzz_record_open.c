/* Fuzz target: input bytes pick a record cipher, keys and a record, and
 * run the independent record check on it.  Must never crash or read out
 * of bounds, whatever the lengths.  Three modes (first byte % 3):
 *
 *  0 open:      [mode][case][type][keys 96][fragment...]   raw open
 *  1 roundtrip: [mode][case][type][keys 96][plaintext...]  seal then open;
 *               the result must be the same plaintext (else abort)
 *  2 conn:      [mode][suite 2][version 2][etm][cr 32][sr 32][master 48]
 *               [type][record version 2][fragment...] through crypto_conn
 *               (suite looked up in the IANA table, TLS <= 1.2 keys) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/conn.h"
#include "crypto/record.h"
#include "wire/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    const char *cipher, *mac, *prf;
    uint16_t version;
    bool etm;
} cases[] = {
    {"AES-128-CBC", "SHA1", NULL, 0x0301, false},
    {"AES-128-CBC", "SHA1", NULL, 0x0302, true},
    {"AES-256-CBC", "SHA384", "SHA384", 0x0303, false},
    {"AES-128-CBC", "SHA256", NULL, 0x0303, true},
    {"3DES-CBC", "SHA1", NULL, 0x0301, false},
    {"CAMELLIA-128-CBC", "SHA1", NULL, 0x0303, false},
    {"CAMELLIA-256-CBC", "SHA256", NULL, 0x0303, true},
    {"AES-128-CBC", "MD5", NULL, 0x0302, false},
    {"AES-128-GCM", "AEAD", "SHA256", 0x0303, false},
    {"AES-256-GCM", "AEAD", "SHA384", 0x0304, false},
    {"AES-128-CCM", "AEAD", "SHA256", 0x0303, false},
    {"AES-128-CCM-8", "AEAD", "SHA256", 0x0304, false},
    {"AES-256-CCM-8", "AEAD", "SHA256", 0x0303, false},
    {"CHACHA20-POLY1305", "AEAD", "SHA256", 0x0303, false},
    {"CHACHA20-POLY1305", "AEAD", "SHA256", 0x0304, false},
    {"ARCFOUR-128", "SHA1", NULL, 0x0301, false},
    {"NULL", "SHA1", NULL, 0x0303, false},
    {"NULL", "MD5", NULL, 0x0301, false},
};

#define NUM_CASES (sizeof cases / sizeof cases[0])
#define KEYS_LEN 96 /* 48 MAC key + 32 key + 16 IV */

static uint8_t out[WIRE_MAX_CIPHERTEXT + 512], rec[WIRE_MAX_CIPHERTEXT + 512];

static void run_record(unsigned mode, const uint8_t *data, size_t size)
{
    if (size < 2 + KEYS_LEN)
        return;
    unsigned ci = data[0] % NUM_CASES;
    unsigned type = data[1];
    const uint8_t *keys = data + 2;
    const uint8_t *rest = data + 2 + KEYS_LEN;
    size_t rest_len = size - 2 - KEYS_LEN;
    if (rest_len > WIRE_MAX_CIPHERTEXT)
        rest_len = WIRE_MAX_CIPHERTEXT;
    uint16_t ver = cases[ci].version;
    uint16_t wire_ver = ver == 0x0304 ? 0x0303 : ver;

    crypto_suite s;
    if (crypto_suite_from_names(cases[ci].cipher, cases[ci].mac, cases[ci].prf, ver == 0x0304,
                                &s) != TP_OK)
        abort();
    crypto_record opener = {0}, sealer = {0};
    if (crypto_record_init(&opener, &s, ver, cases[ci].etm, false, keys, keys + 48, keys + 80) !=
        TP_OK)
        return; /* e.g. RC4 without the legacy provider */
    tp_record_check chk;
    if (mode == 0) {
        /* outer type is fuzzed too; both an output copy and in place */
        crypto_record_open(&opener, type, wire_ver, rest, rest_len, out, sizeof out, &chk);
        if (chk.integrity == TP_INTEGRITY_OK && chk.plaintext_len > rest_len)
            abort();
        memcpy(rec, rest, rest_len);
        crypto_record_set_seq(&opener, 0);
        crypto_record_open(&opener, type, wire_ver, rec, rest_len, rec, rest_len, &chk);
    } else {
        if (rest_len > WIRE_MAX_PLAINTEXT)
            rest_len = WIRE_MAX_PLAINTEXT;
        if (crypto_record_init(&sealer, &s, ver, cases[ci].etm, true, keys, keys + 48, keys + 80) !=
            TP_OK)
            abort();
        crypto_seal_opts o = {0};
        if (type & 1) {
            /* some non-minimal CBC padding or TLS 1.3 padding */
            o.cbc_pad_set = s.family == CRYPTO_FAMILY_CBC;
            size_t body = rest_len + 1 + (cases[ci].etm ? 0 : s.mac_len);
            size_t bs = s.block_len ? s.block_len : 1;
            o.cbc_pad_len = (unsigned)((bs - body % bs) % bs + bs * ((type >> 1) % 4));
            o.tls13_pad_len = type >> 2;
        }
        unsigned inner = type ? type : 23; /* TLS 1.3 needs a non-zero type */
        size_t rl = 0;
        if (crypto_record_seal(&sealer, inner, wire_ver, rest, rest_len, &o, rec, sizeof rec,
                               &rl) != TP_OK)
            abort();
        unsigned outer = ver == 0x0304 ? 23 : inner;
        if (crypto_record_open(&opener, outer, wire_ver, rec, rl, out, sizeof out, &chk) != TP_OK ||
            chk.inner_type != inner || chk.plaintext_len != rest_len ||
            (rest_len && memcmp(chk.plaintext, rest, rest_len) != 0))
            abort();
    }
    crypto_record_cleanup(&opener);
    crypto_record_cleanup(&sealer);
}

static void run_conn(const uint8_t *data, size_t size)
{
    if (size < 2 + 2 + 1 + 32 + 32 + 48 + 3)
        return;
    uint16_t suite = (uint16_t)(data[0] << 8 | data[1]);
    uint16_t version = (uint16_t)(data[2] << 8 | data[3]);
    bool etm = data[4] & 1;
    const uint8_t *cr = data + 5, *sr = data + 37;
    crypto_keylog_entry e = {.label = CRYPTO_KL_CLIENT_RANDOM, .secret_len = 48};
    memcpy(e.client_random, cr, 32);
    memcpy(e.secret, data + 69, 48);
    const uint8_t *r = data + 117;
    size_t frag_len = size - 117 - 3;
    if (frag_len > WIRE_MAX_CIPHERTEXT)
        frag_len = WIRE_MAX_CIPHERTEXT;

    crypto_conn *c = crypto_conn_new();
    if (!c)
        return;
    crypto_conn_set_hello(c, cr, sr, version, suite, etm);
    if (crypto_conn_add_secret(c, &e) != TP_OK)
        abort();
    tp_dir dir = (data[4] & 2) ? TP_S2C : TP_C2S;
    tp_record_check chk;
    /* before activation nothing is protected */
    crypto_conn_open(c, dir, r[0], (uint16_t)(r[1] << 8 | r[2]), r + 3, frag_len, out, sizeof out,
                     &chk);
    if (chk.is_protected)
        abort();
    crypto_conn_activate(c, dir, (data[4] & 4) ? CRYPTO_EPOCH_HANDSHAKE : CRYPTO_EPOCH_APPLICATION);
    crypto_conn_open(c, dir, r[0], (uint16_t)(r[1] << 8 | r[2]), r + 3, frag_len, out, sizeof out,
                     &chk);
    if (chk.integrity == TP_INTEGRITY_OK && chk.plaintext) {
        /* a Finished check on whatever came out must not crash either */
        uint8_t exp[CRYPTO_FINISHED_MAX];
        size_t exp_len;
        crypto_conn_add_handshake(c, chk.plaintext, chk.plaintext_len);
        crypto_conn_check_finished(c, dir, chk.plaintext, chk.plaintext_len, exp, &exp_len);
        if (exp_len > CRYPTO_FINISHED_MAX)
            abort();
    }
    size_t sl = 0;
    if (crypto_conn_seal(c, dir, 23, version, r + 3, frag_len > 100 ? 100 : frag_len, NULL, rec,
                         sizeof rec, &sl) == TP_OK &&
        sl != crypto_conn_seal_size(c, dir, frag_len > 100 ? 100 : frag_len, NULL))
        abort();
    crypto_conn_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0] % 3;
    if (mode == 2)
        run_conn(data + 1, size - 1);
    else
        run_record(mode, data + 1, size - 1);
    return 0;
}
