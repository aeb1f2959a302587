/* The sweep axes alpn (the server's ALPN list) and sni-mode (what the server
 * does with a name no certificate covers): values, parsing, how a value
 * goes into the engine configuration (axis_names.c).  Rows of matrix.c's
 * axis table. */
#ifndef TP_SWEEP_AXIS_NAMES_H
#define TP_SWEEP_AXIS_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "../engine/alpn_sni.h"
#include "matrix.h"

unsigned sweep_alpn_values(const char **out, unsigned max);
bool sweep_alpn_parse(const char *csv, const char **out, unsigned max, unsigned *out_n, char *err,
                      size_t err_len);
void sweep_alpn_apply(sweep_setup *s, const char *value);

unsigned sweep_sni_mode_values(const char **out, unsigned max);
bool sweep_sni_mode_parse(const char *csv, const char **out, unsigned max, unsigned *out_n,
                          char *err, size_t err_len);
void sweep_sni_mode_apply(sweep_setup *s, const char *value);

/* The engine's ALPN and SNI configuration of one connection: base (the
 * serve options) with what the setup's axes say (su NULL: base). */
void sweep_names_config(tp_engine_names *out, const tp_engine_names *base, const sweep_setup *su);

#endif
