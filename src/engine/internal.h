/* Helpers shared by the engine's files (gnutls.c, names.c, formable.c).  Private. */
#ifndef TP_ENGINE_INTERNAL_H
#define TP_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "names.h"

/* printf into a caller's error buffer; nothing when err is NULL or err_len
 * is 0 (callers may not want the text). */
void engine_err_set(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Whether a certificate-based or TLS 1.3 cipher suite of this build has the
 * protocol, kx, cipher and mac of c (NULL: any); a TLS <= 1.2 suite counts
 * only when kx_fits(its kx name, ctx) says the certificate's key fits. */
bool engine_suite_exists(const engine_combo *c, bool (*kx_fits)(const char *kx, const void *ctx),
                         const void *ctx);

#endif
