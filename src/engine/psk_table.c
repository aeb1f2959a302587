/* The --psk / --srp table: see psk_table.h. */
#include "psk_table.h"
#include "../wire/hex.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void psk_wipe(void *p, size_t n)
{
    if (p)
        explicit_bzero(p, n);
}

bool psk_entry_parse(const char *opt, const char *arg, bool hex, psk_entry *out, char *err,
                     size_t err_len)
{
    /* hex has no ':', so a PSK identity may hold one (the last ':' splits);
     * a password may, so a user name may not (the first ':' splits) */
    const char *colon = !arg ? NULL : hex ? strrchr(arg, ':') : strchr(arg, ':');
    const char *what = hex ? "ID:HEX" : "USER:PASSWORD";
    if (!colon || colon == arg) {
        engine_err_set(err, err_len, "%s '%s': expected %s (a non-empty %s before ':')", opt,
                       arg ? arg : "", what, hex ? "identity" : "user name");
        return false;
    }
    size_t id_len = (size_t)(colon - arg);
    if (id_len > PSK_ID_MAX) {
        engine_err_set(err, err_len, "%s '%.40s...': the identity is over %d bytes", opt, arg,
                       PSK_ID_MAX);
        return false;
    }
    memcpy(out->id, arg, id_len);
    out->id[id_len] = '\0';
    const char *s = colon + 1;
    size_t n = strlen(s);
    if (!hex) {
        if (n == 0 || n > SRP_PASS_MAX) {
            engine_err_set(err, err_len, "%s '%s': the password must have 1 to %d bytes", opt,
                           arg, SRP_PASS_MAX);
            return false;
        }
        memcpy(out->key, s, n);
        out->key_len = n;
        return true;
    }
    bool digits = n > 0 && n % 2 == 0 && n / 2 <= PSK_KEY_MAX;
    for (size_t i = 0; digits && i < n; i++)
        digits = wire_hex_digit((unsigned char)s[i]) >= 0;
    if (!digits) {
        engine_err_set(err, err_len,
                       "%s '%s': the key '%s' is not hex (valid: 2 to %d hex digits, an even "
                       "number, e.g. %s:1a2b3c4d)",
                       opt, arg, s, 2 * PSK_KEY_MAX, out->id);
        return false;
    }
    for (size_t i = 0; i < n / 2; i++)
        out->key[i] = (uint8_t)(wire_hex_digit((unsigned char)s[2 * i]) << 4 |
                                wire_hex_digit((unsigned char)s[2 * i + 1]));
    out->key_len = n / 2;
    return true;
}

static bool entries_load(const char *opt, const char *const *list, unsigned num, bool hex,
                         psk_entry **out, char *err, size_t err_len)
{
    if (!num)
        return true;
    *out = calloc(num, sizeof(**out));
    if (!*out) {
        engine_err_set(err, err_len, "out of memory");
        return false;
    }
    for (unsigned i = 0; i < num; i++)
        if (!psk_entry_parse(opt, list[i], hex, &(*out)[i], err, err_len))
            return false;
    return true;
}

static void ids_join(psk_table *p)
{
    size_t len = 0;
    for (unsigned i = 0; i < p->num_psk; i++) {
        int w = snprintf(p->ids + len, sizeof p->ids - len, "%s'%s'", i ? ", " : "", p->psk[i].id);
        if (w < 0 || (size_t)w >= sizeof p->ids - len)
            break;
        len += (size_t)w;
    }
}

bool psk_table_load(psk_table *t, const tp_engine_config *cfg, char *err, size_t err_len)
{
    memset(t, 0, sizeof *t);
    t->num_psk = cfg->num_psk;
    t->num_srp = cfg->num_srp;
    if (!entries_load("--psk", cfg->psk, cfg->num_psk, true, &t->psk, err, err_len) ||
        !entries_load("--srp", cfg->srp, cfg->num_srp, false, &t->srp, err, err_len))
        return false;
    ids_join(t);
    return true;
}

void psk_table_clear(psk_table *t)
{
    if (t->psk)
        psk_wipe(t->psk, t->num_psk * sizeof(*t->psk));
    if (t->srp)
        psk_wipe(t->srp, t->num_srp * sizeof(*t->srp));
    free(t->psk);
    free(t->srp);
    t->psk = t->srp = NULL;
    t->num_psk = t->num_srp = 0;
}

const psk_entry *psk_table_find(const psk_table *t, bool srp, const void *id, size_t len)
{
    const psk_entry *e = srp ? t->srp : t->psk;
    unsigned n = srp ? t->num_srp : t->num_psk;
    for (unsigned i = 0; i < n; i++)
        if (strlen(e[i].id) == len && memcmp(e[i].id, id, len) == 0)
            return &e[i];
    return NULL;
}

bool psk_table_key(const psk_table *t, const char *identity, uint8_t *out, size_t cap,
                   size_t *out_len)
{
    const psk_entry *e = psk_table_find(t, false, identity, strlen(identity));
    if (!e || e->key_len > cap)
        return false;
    memcpy(out, e->key, e->key_len);
    *out_len = e->key_len;
    return true;
}
