/* The --psk ID:HEX and --srp USER:PASSWORD values as a table, for either
 * engine (psk.c: GnuTLS's credentials; openssl_psk.c: libssl's callbacks):
 * parsing with a message naming the bad value, lookup by identity, the
 * identities as the verdict names them.  No TLS library here.  Private to
 * engine/. */
#ifndef TP_ENGINE_PSK_TABLE_H
#define TP_ENGINE_PSK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define PSK_ID_MAX 128 /* bytes of an identity tlsprobe accepts */
#define PSK_KEY_MAX 64 /* bytes of a key */
#define SRP_PASS_MAX 128

typedef struct {
    char id[PSK_ID_MAX + 1];
    uint8_t key[PSK_KEY_MAX > SRP_PASS_MAX ? PSK_KEY_MAX : SRP_PASS_MAX];
    size_t key_len; /* the key's bytes, or the password's */
} psk_entry;

typedef struct {
    psk_entry *psk, *srp;
    unsigned num_psk, num_srp;
    char ids[256]; /* "'y', 'z'": the PSK identities, for the verdict */
} psk_table;

/* "ID:SECRET" -> entry (hex: SECRET is an even number of hex digits, else
 * a password); false with err naming the value and the valid form. */
bool psk_entry_parse(const char *opt, const char *arg, bool hex, psk_entry *out, char *err,
                     size_t err_len);
/* The --psk and --srp values of cfg into t (zeroed first); false with err
 * set (t then holds what psk_table_clear frees). */
bool psk_table_load(psk_table *t, const tp_engine_config *cfg, char *err, size_t err_len);
/* Wipes and frees the keys. */
void psk_table_clear(psk_table *t);
/* The entry of an identity (len bytes, not NUL-terminated), or NULL. */
const psk_entry *psk_table_find(const psk_table *t, bool srp, const void *id, size_t len);
/* The key of a PSK identity: true with *out_len bytes in out. */
bool psk_table_key(const psk_table *t, const char *identity, uint8_t *out, size_t cap,
                   size_t *out_len);
/* Zeroes n bytes the compiler may not leave out. */
void psk_wipe(void *p, size_t n);

#endif
