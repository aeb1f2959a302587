/* Included first by gnutls.c (and by backend.h): the engine.h functions
 * that file defines get the prefix tp_gnutls_, the engine and connection
 * types become tp_gnutls_engine and tp_gnutls_conn, so engine.c can call the
 * GnuTLS engine by name.  No include guard: backend.h undoes it
 * (engine_prefix_end.h) and includes it again.  It includes engine.h
 * (once: a no-op in backend.h). */
#define tp_engine tp_gnutls_engine
#define tp_engine_conn tp_gnutls_conn
#define tp_engine_new tp_gnutls_new
#define tp_engine_free tp_gnutls_free
#define tp_engine_renegotiation_allowed tp_gnutls_renegotiation_allowed
#define tp_engine_client_cert tp_gnutls_client_cert
#define tp_engine_cert_fingerprint tp_gnutls_cert_fingerprint
#define tp_engine_cert_pem tp_gnutls_cert_pem
#define tp_engine_cert_variant tp_gnutls_cert_variant
#define tp_engine_ca_pem tp_gnutls_ca_pem
#define tp_engine_ocsp tp_gnutls_ocsp
#define tp_engine_client_ca tp_gnutls_client_ca
#define tp_engine_conn_client_verify tp_gnutls_conn_client_verify
#define tp_engine_conn_new tp_gnutls_conn_new
#define tp_engine_conn_free tp_gnutls_conn_free
#define tp_engine_conn_handshake tp_gnutls_conn_handshake
#define tp_engine_conn_read tp_gnutls_conn_read
#define tp_engine_conn_write tp_gnutls_conn_write
#define tp_engine_conn_request_renegotiation tp_gnutls_conn_request_renegotiation
#define tp_engine_conn_close tp_gnutls_conn_close
#define tp_engine_conn_info tp_gnutls_conn_info
#define tp_engine_conn_error_name tp_gnutls_conn_error_name
#define tp_engine_conn_error_text tp_gnutls_conn_error_text
#define tp_engine_conn_has_pending tp_gnutls_conn_has_pending
#define tp_engine_conn_act tp_gnutls_conn_act
#define tp_engine_psk_identities tp_gnutls_psk_identities
#define tp_engine_psk_key tp_gnutls_psk_key
#define tp_engine_names_info_get tp_gnutls_names_info_get
#define tp_engine_conn_sni_cert tp_gnutls_conn_sni_cert

#define tp_engine_resumption tp_gnutls_resumption

#include "engine.h"
