/* --psk ID:HEX and --srp USER:PASSWORD: checking the values (the CLI asks
 * before it starts anything).  The credentials themselves are the engine's
 * (psk.c, behind tp_engine_config's psk and srp lists). */
#ifndef TP_ENGINE_PSK_H
#define TP_ENGINE_PSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* Whether arg is "ID:HEX" (a non-empty identity of at most 128 bytes and
 * 2 to 128 hex digits, an even number).  On false err names the bad value
 * and the valid form: "--psk 'dev:12x4': the key '12x4' is not hex ...". */
bool tp_engine_psk_valid(const char *arg, char *err, size_t err_len);
/* Whether arg is "USER:PASSWORD" (both non-empty). */
bool tp_engine_srp_valid(const char *arg, char *err, size_t err_len);

/* tp_engine_psk_identities, tp_engine_psk_key: engine.h (each engine's). */

#endif
