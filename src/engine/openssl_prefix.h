/* Included first by openssl.c (and by backend.h): the engine.h functions
 * that file defines get the prefix tp_openssl_, the engine and connection
 * types become tp_openssl_engine and tp_openssl_conn, so engine.c can call the
 * OpenSSL engine by name.  No include guard: backend.h undoes it
 * (engine_prefix_end.h) and includes it again. */
#define tp_engine tp_openssl_engine
#define tp_engine_conn tp_openssl_conn
#define tp_engine_new tp_openssl_new
#define tp_engine_free tp_openssl_free
#define tp_engine_renegotiation_allowed tp_openssl_renegotiation_allowed
#define tp_engine_client_cert tp_openssl_client_cert
#define tp_engine_cert_fingerprint tp_openssl_cert_fingerprint
#define tp_engine_cert_pem tp_openssl_cert_pem
#define tp_engine_cert_variant tp_openssl_cert_variant
#define tp_engine_ca_pem tp_openssl_ca_pem
#define tp_engine_ocsp tp_openssl_ocsp
#define tp_engine_client_ca tp_openssl_client_ca
#define tp_engine_conn_client_verify tp_openssl_conn_client_verify
#define tp_engine_conn_new tp_openssl_conn_new
#define tp_engine_conn_free tp_openssl_conn_free
#define tp_engine_conn_handshake tp_openssl_conn_handshake
#define tp_engine_conn_read tp_openssl_conn_read
#define tp_engine_conn_write tp_openssl_conn_write
#define tp_engine_conn_request_renegotiation tp_openssl_conn_request_renegotiation
#define tp_engine_conn_close tp_openssl_conn_close
#define tp_engine_conn_info tp_openssl_conn_info
#define tp_engine_conn_error_name tp_openssl_conn_error_name
#define tp_engine_conn_error_text tp_openssl_conn_error_text
#define tp_engine_conn_has_pending tp_openssl_conn_has_pending
#define tp_engine_conn_act tp_openssl_conn_act
#define tp_engine_psk_identities tp_openssl_psk_identities
#define tp_engine_psk_key tp_openssl_psk_key
#define tp_engine_names_info_get tp_openssl_names_info_get
#define tp_engine_conn_sni_cert tp_openssl_conn_sni_cert
#define tp_engine_resumption tp_openssl_resumption
