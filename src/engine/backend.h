/* The engine files' functions under their prefixes, for engine.c: each is
 * engine_fns.h with gnutls_prefix.h or openssl_prefix.h in force, so a
 * prototype cannot drift from engine.h.  Private to engine/. */
#ifndef TP_ENGINE_BACKEND_H
#define TP_ENGINE_BACKEND_H

#include "engine.h"

typedef struct tp_gnutls_engine tp_gnutls_engine;
typedef struct tp_gnutls_conn tp_gnutls_conn;
typedef struct tp_openssl_engine tp_openssl_engine;
typedef struct tp_openssl_conn tp_openssl_conn;

#include "gnutls_prefix.h"
#include "engine_fns.h"
#include "engine_prefix_end.h"

#include "openssl_prefix.h"
#include "engine_fns.h"
#include "engine_prefix_end.h"

#endif
