/* ALPN and SNI of the engine's configuration (alpn_sni.c): the server's
 * ALPN list in its preference order and what to do when nothing matches
 * (--alpn, --alpn-mode), certificates per server name and what to do with a
 * name none of them covers (--sni-cert, --sni-mode).  Public: the command
 * fills tp_engine_names and checks the values with the functions below. */
#ifndef TP_ENGINE_ALPN_SNI_H
#define TP_ENGINE_ALPN_SNI_H

#include <stdbool.h>
#include <stddef.h>

/* A name the client asks for that no certificate covers (RFC 6066 3):
 * ignore: the default certificate; warn: a warning unrecognized_name first
 * (TLS <= 1.2 only: TLS 1.3 has no warning alerts, RFC 8446 6.2); strict: a
 * fatal unrecognized_name.  A client without SNI gets the default. */
typedef enum { TP_SNI_IGNORE = 0, TP_SNI_WARN, TP_SNI_STRICT } tp_sni_mode;

#define TP_SNI_CERTS_MAX 16
#define TP_ALPN_PROTOS_MAX 16

typedef struct {
    char name[254];      /* "www.example" or "*.example" */
    char cert_file[512]; /* "": a certificate generated for name */
    char key_file[512];  /* "": the key is in cert_file */
    char spec[1300];     /* the option's value, for messages */
} tp_sni_cert;

typedef struct {
    const char *alpn; /* "h2,http/1.1", the server's preference order; NULL: no ALPN */
    bool alpn_strict; /* --alpn-mode strict: no_application_protocol when nothing matches */
    tp_sni_mode sni_mode;
    unsigned num_sni_certs;
    tp_sni_cert sni_certs[TP_SNI_CERTS_MAX];
} tp_engine_names;

/* The server's side as the trace and verdict name it. */
typedef struct {
    const char *alpn;      /* "h2, http/1.1" or NULL */
    const char *alpn_mode; /* "strict", "ignore" */
    const char *sni_mode;  /* "strict", "warn", "ignore" */
    const char *sni_names; /* "www.example, *.api.example" (--sni-cert names) or "" */
} tp_engine_names_info;

/* --alpn: 1 to TP_ALPN_PROTOS_MAX names of 1 to 255 bytes (RFC 7301 3.1);
 * false with a message naming the bad name and the rule. */
bool tp_alpn_list_check(const char *csv, char *err, size_t err_len);
/* --sni-cert NAME (generated) or NAME=CERT[,KEY]; false with a message. */
bool tp_sni_cert_parse(const char *spec, tp_sni_cert *out, char *err, size_t err_len);
/* Loads an --sni-cert's files (when it names files) to check them: the
 * certificate and key parse, the key is the certificate's; false with a
 * message naming the file. */
bool tp_sni_cert_check(const tp_sni_cert *c, char *err, size_t err_len);
/* "strict", "warn", "ignore". */
bool tp_sni_mode_parse(const char *s, tp_sni_mode *out);
const char *tp_sni_mode_name(tp_sni_mode m);

#endif
