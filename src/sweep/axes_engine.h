/* The sweep's engine axis (axes_engine.c): gnutls, openssl. */
#ifndef TP_SWEEP_AXES_ENGINE_H
#define TP_SWEEP_AXES_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "../engine/engine.h"
#include "matrix.h"

unsigned sweep_engine_values(const char **out, unsigned max);
bool sweep_engine_parse(const char *csv, const char **out, unsigned max, unsigned *out_n,
                        char *err, size_t err_len);
void sweep_engine_apply(sweep_setup *s, const char *value);

#endif
