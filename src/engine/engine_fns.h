/* The functions of engine.h, without an include guard: engine.h includes
 * it once as the public API; engine/backend.h includes it again under each
 * engine file's prefix (gnutls_prefix.h, openssl_prefix.h), which is how
 * engine.c dispatches to the engine a configuration chose.  A function
 * added here is added to both prefix headers and to engine.c. */

/* Creates the engine (credentials, priority).  On failure returns NULL and
 * writes a user-facing message naming the bad value into err. */
tp_engine *tp_engine_new(const tp_engine_config *cfg, char *err, size_t err_len);
void tp_engine_free(tp_engine *e);
/* Whether a client may renegotiate (--renegotiation allow): the engine then
 * runs the handshake again on a ClientHello after the completed one (safe
 * renegotiation, RFC 5746, is the engine's default); otherwise it declines
 * with a no_renegotiation warning (RFC 5246 7.2.2). */
bool tp_engine_renegotiation_allowed(const tp_engine *e);
/* What --client-cert asked for. */
tp_client_cert tp_engine_client_cert(const tp_engine *e);
/* The TP_RESUME_* bits this server offers. */
unsigned tp_engine_resumption(const tp_engine *e);
/* ALPN and SNI as configured: the server's side for the trace and verdict. */
void tp_engine_names_info_get(const tp_engine *e, tp_engine_names_info *out);
/* The certificate the connection's ClientHello chose: "default", an
 * --sni-cert NAME, "none" (--sni-mode strict refused), "" (not yet). */
const char *tp_engine_conn_sni_cert(const tp_engine_conn *c);
/* SHA-256 fingerprint of the server certificate as "AA:BB:..". */
const char *tp_engine_cert_fingerprint(const tp_engine *e);
/* PEM of the generated certificate (*out_len bytes), for the command to
 * save; NULL when the certificate came from files.  The engine
 * writes no file. */
const char *tp_engine_cert_pem(const tp_engine *e, size_t *out_len);
/* Certificates (certgen.c): the variants of the generated chain, in the
 * order --help lists them, and a line about one (NULL when unknown);
 * whether the sweep's cert axis tries it unless named (rsa8192 takes
 * minutes to generate). */
unsigned tp_engine_cert_variants(const char *const **out);
const char *tp_engine_cert_variant_help(const char *name);
bool tp_engine_cert_variant_swept(const char *name);
/* The generated chain's variant ("none" for the valid chain) and what is
 * wrong with it ("notAfter 2026-10-31 10:00 UTC"); NULL without a chain. */
const char *tp_engine_cert_variant(const tp_engine *e, const char **out_detail);
/* PEM of the generated root CA (--save-ca); NULL without a chain. */
const char *tp_engine_ca_pem(const tp_engine *e, size_t *out_len);
/* What --ocsp staples: "good", "revoked", "unknown", "file", or NULL. */
const char *tp_engine_ocsp(const tp_engine *e);
/* A client certificate and its key (one PEM) issued by the generated root
 * CA, for --client-ca generated; malloc()ed (the caller wipes and frees
 * it), NULL with err set. */
char *tp_engine_client_cert_pem(size_t *out_len, char *err, size_t err_len);
/* The --client-ca file client certificates are verified against ("generated":
 * the generated root CA), or NULL. */
const char *tp_engine_client_ca(const tp_engine *e);
/* The check of the client's certificate against --client-ca: "ok",
 * "unknown-ca", "bad-signature", "expired", "not-yet-valid", "invalid";
 * NULL when not checked (no --client-ca, no certificate). */
const char *tp_engine_conn_client_verify(tp_engine_conn *c);

tp_engine_conn *tp_engine_conn_new(tp_engine *e, const tp_transport *t);
void tp_engine_conn_free(tp_engine_conn *c);
tp_engine_rc tp_engine_conn_handshake(tp_engine_conn *c);
/* Reads application data: *out_n bytes on TP_ENGINE_OK. */
tp_engine_rc tp_engine_conn_read(tp_engine_conn *c, uint8_t *buf, size_t len, size_t *out_n);
tp_engine_rc tp_engine_conn_write(tp_engine_conn *c, const uint8_t *buf, size_t len);
/* Sends a HelloRequest (TLS <= 1.2; RFC 5246 7.4.1.1) and takes the
 * client's renegotiation on this connection whatever --renegotiation says.
 * false when the protocol has none (TLS 1.3) or the engine refused. */
bool tp_engine_conn_request_renegotiation(tp_engine_conn *c);
/* Runs an action (level and desc: TP_ACT_ALERT only).  false, with why
 * saying why not ("KeyUpdate exists in TLS 1.3 only; this session is
 * TLS1.2"), when the session cannot take it.  *out_end: the session is
 * over (a fatal alert went out); the caller closes without close_notify. */
bool tp_engine_conn_act(tp_engine_conn *c, tp_engine_action a, uint8_t level, uint8_t desc,
                        bool *out_end, char *why, size_t why_len);
/* Sends close_notify (best effort). */
void tp_engine_conn_close(tp_engine_conn *c);
void tp_engine_conn_info(tp_engine_conn *c, tp_engine_info *out);
/* Last error: short name ("GNUTLS_E_NO_CIPHER_SUITES") and text. */
const char *tp_engine_conn_error_name(const tp_engine_conn *c);
const char *tp_engine_conn_error_text(const tp_engine_conn *c);
/* true when the engine wants to write but the transport pushed back */
bool tp_engine_conn_has_pending(const tp_engine_conn *c);


/* --psk: "'y', 'z'": the engine's --psk identities (for the verdict), or
 * NULL; the key of one (for the verifier's binder check): true with
 * *out_len bytes in out.  engine is a tp_engine. */
const char *tp_engine_psk_identities(const tp_engine *e);
bool tp_engine_psk_key(const void *engine, const char *identity, uint8_t *out, size_t cap,
                       size_t *out_len);
