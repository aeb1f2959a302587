/* What the openssl engine can negotiate, for tlsprobe list --engine
 * openssl (the engine writes no output: the command prints these). */
#ifndef TP_ENGINE_OPENSSL_LIST_H
#define TP_ENGINE_OPENSSL_LIST_H

#include <stdbool.h>

#include "names.h"

typedef struct {
    const char *name;     /* OpenSSL's: "ECDHE-RSA-AES128-GCM-SHA256" */
    const char *standard; /* IANA's: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
    const char *version;  /* the lowest: "TLS1.0" ... "TLS1.3" */
    char kx[24], cipher[32], mac[16]; /* tlsprobe's names; kx "" in TLS 1.3 */
} engine_ossl_suite;

/* Every suite of this build at security level 0, up to cap; how many. */
unsigned engine_ossl_suites(engine_ossl_suite *out, unsigned cap);
/* Whether the engine can negotiate the name of flag (either spelling);
 * when not, why (may be NULL) says so. */
bool engine_ossl_negotiable(engine_flag flag, const char *name, const char **why);
/* The groups, in OpenSSL's default order, as tlsprobe names them. */
unsigned engine_ossl_groups(const char *const **out);

#endif
