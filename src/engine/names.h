/* Names tlsprobe accepts on the command line for the negotiation controls
 * (--protocols, --ciphers, --macs, --kx, --groups, --sigalgs, --comp), which
 * of them this engine build can negotiate, and how a set of lists becomes a
 * GnuTLS priority string.  Used by the CLI (serve, list) and by the sweep
 * (one configuration per connection; combinations the engine cannot form
 * are skipped).  Names use GnuTLS spelling; matching is case-insensitive and
 * the canonical spelling is what comes back. */
#ifndef TP_ENGINE_NAMES_H
#define TP_ENGINE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/status.h"

typedef enum {
    ENGINE_FLAG_PROTOCOLS,
    ENGINE_FLAG_CIPHERS,
    ENGINE_FLAG_MACS,
    ENGINE_FLAG_KX,
    ENGINE_FLAG_GROUPS,
    ENGINE_FLAG_SIGALGS,
    ENGINE_FLAG_COMP,
    ENGINE_FLAG_COUNT
} engine_flag;

typedef struct {
    const char *name;      /* "TLS1.0", "AES-128-CBC", "X25519", ... */
    bool negotiable;       /* this engine build can negotiate it (given a
                              certificate of the right kind) */
    const char *note;      /* why not negotiable, or NULL */
    const char *needs;     /* negotiable only with this option ("--psk",
                              "--srp"), or NULL */
    unsigned num_iana_ids; /* protocol version, group or signature scheme
                              codepoints; 0 for ciphers, MACs and kx (those
                              only exist as parts of suites) */
    uint16_t iana_ids[2];
} engine_name;

/* Comma-separated name lists, one per flag, exactly as typed after the flag
 * (NULL or "" = engine default, i.e. what GnuTLS's NORMAL allows).  The
 * strings are borrowed. */
typedef struct {
    const char *csv[ENGINE_FLAG_COUNT];
} engine_lists;

/* One value per axis, for the sweep; NULL = axis not fixed. */
typedef struct {
    const char *protocol, *kx, *cipher, *mac, *group, *sigalg;
    const char *key_type; /* "rsa:2048", ... (certificate key); NULL = rsa */
} engine_combo;

/* "--protocols", "--ciphers", ... */
const char *engine_flag_option(engine_flag flag);
/* "protocol", "cipher", ... (singular, as used in messages and sweep axes) */
const char *engine_flag_noun(engine_flag flag);

/* The accepted names for a flag, in preference order; static table built on
 * first use (thread-safe).  Returns how many. */
unsigned engine_names(engine_flag flag, const engine_name **out);
/* Table entry for a name (case-insensitive), or NULL. */
const engine_name *engine_name_find(engine_flag flag, const char *name);

/* Certificate key types for --key-type ("rsa:2048", ...).  Returns how many. */
unsigned engine_key_types(const char *const **out);
bool engine_key_type_valid(const char *key_type);

/* "GnuTLS 3.7.9" (runtime library version). */
const char *engine_version_string(void);

/* Splits and checks one comma list: every name must exist and be
 * negotiable.  *out gets table entries (at most max), *out_n their number.
 * On failure err says what and lists the valid names:
 *   unknown cipher 'AES-129-GCM'; valid: AES-128-CBC, AES-256-CBC, ...
 *   this engine (GnuTLS 3.7.9) has no compression; valid: NULL
 * Returns TP_ERR_USAGE for a bad name, TP_ERR_LIMIT when more than max. */
__attribute__((warn_unused_result)) tp_status engine_list_parse(engine_flag flag, const char *csv,
                                                                const engine_name **out,
                                                                unsigned max, unsigned *out_n,
                                                                char *err, size_t err_len);

/* Turns the lists into a GnuTLS priority string: NORMAL, with each given
 * list replacing NORMAL's ("-CIPHER-ALL:+3DES-CBC"), so legacy values are
 * reachable by naming them; %flags are added where GnuTLS needs them for
 * what was named.  The result is checked with gnutls_priority_init and
 * must leave at least one cipher suite.  TP_ERR_USAGE with a message in err
 * for a bad name or an empty result; TP_ERR_LIMIT when out is too small. */
__attribute__((warn_unused_result)) tp_status engine_build_priority(const engine_lists *lists,
                                                                    char *out, size_t out_len,
                                                                    char *err, size_t err_len);

/* Checks a user --priority string; on error err names the position:
 *   invalid priority string at offset 7: 'NORMAL:+FOO' (near '+FOO') */
__attribute__((warn_unused_result)) tp_status engine_priority_check(const char *priority, char *err,
                                                                    size_t err_len);

/* Whether one value per axis can be negotiated together: a suite with that
 * kx/cipher/mac exists for the protocol, an AEAD cipher goes with mac AEAD,
 * TLS1.3 has no RSA kx and no CBC, ECDHE needs an elliptic curve group and
 * DHE a finite-field one, the kx and sigalg fit the certificate key type.
 * On false, why (may be NULL) gets a short reason. */
bool engine_combo_formable(const engine_combo *c, char *why, size_t why_len);

/* Lists with a single value per fixed axis of the combo. */
void engine_lists_from_combo(engine_lists *out, const engine_combo *c);

#endif
