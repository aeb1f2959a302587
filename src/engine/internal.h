/* Helpers shared by the engine's files (gnutls.c, names.c).  Private. */
#ifndef TP_ENGINE_INTERNAL_H
#define TP_ENGINE_INTERNAL_H

#include <stddef.h>

/* printf into a caller's error buffer; nothing when err is NULL or err_len
 * is 0 (callers may not want the text). */
void engine_err_set(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
