/* Decoders for the content of individual extensions (RFC 6066, 7301, 8446
 * 4.2, 8422, 7627, 7366, 5746, 5077, 7685, 8449).  Each takes the extension
 * body (without type and length) and fills a small caller-owned struct of
 * views into the same buffer and plain values.  No allocation, no I/O.
 * All return TP_OK, TP_ERR_DECODE (malformed, incl. inner lengths running
 * past the body) or TP_ERR_TRAILING (bytes left after the structure). */
#ifndef TP_WIRE_EXT_H
#define TP_WIRE_EXT_H

#include "cursor.h"
#include "handshake.h"
#include "status.h"

enum {
    WIRE_EXT_SERVER_NAME = 0,
    WIRE_EXT_MAX_FRAGMENT_LENGTH = 1,
    WIRE_EXT_STATUS_REQUEST = 5,
    WIRE_EXT_SUPPORTED_GROUPS = 10,
    WIRE_EXT_EC_POINT_FORMATS = 11,
    WIRE_EXT_SIGNATURE_ALGORITHMS = 13,
    WIRE_EXT_ALPN = 16,
    WIRE_EXT_PADDING = 21,
    WIRE_EXT_ENCRYPT_THEN_MAC = 22,
    WIRE_EXT_EXTENDED_MASTER_SECRET = 23,
    WIRE_EXT_RECORD_SIZE_LIMIT = 28,
    WIRE_EXT_SESSION_TICKET = 35,
    WIRE_EXT_PRE_SHARED_KEY = 41,
    WIRE_EXT_EARLY_DATA = 42,
    WIRE_EXT_SUPPORTED_VERSIONS = 43,
    WIRE_EXT_COOKIE = 44,
    WIRE_EXT_PSK_KEY_EXCHANGE_MODES = 45,
    WIRE_EXT_POST_HANDSHAKE_AUTH = 49,
    WIRE_EXT_SIGNATURE_ALGORITHMS_CERT = 50,
    WIRE_EXT_KEY_SHARE = 51,
    WIRE_EXT_RENEGOTIATION_INFO = 0xff01,
};

/* Which message an extension block came from: several extensions have a
 * different shape in the client's and the server's messages. */
typedef enum {
    WIRE_EXT_FROM_CLIENT_HELLO = 0,
    WIRE_EXT_FROM_SERVER_HELLO,
    WIRE_EXT_FROM_HRR,
    WIRE_EXT_FROM_ENCRYPTED_EXTENSIONS,
    WIRE_EXT_FROM_NEW_SESSION_TICKET,
    WIRE_EXT_FROM_CERTIFICATE_REQUEST,
    WIRE_EXT_FROM_CERTIFICATE,
} wire_ext_origin;

/* A list of fixed-size big-endian items (u8 or u16). */
typedef struct {
    cur_t list;        /* the items, without their length prefix */
    unsigned num;      /* number of items */
    unsigned item_len; /* 1 or 2 */
} wire_list;

/* Item i of a list (0 when out of range). */
uint16_t wire_list_get(const wire_list *l, unsigned i);

/* server_name (RFC 6066 3).  A server's acknowledgement is an empty body
 * (num_names 0). */
typedef struct {
    unsigned num_names;
    bool has_host;
    cur_t host; /* first host_name entry */
} wire_ext_sni;
TP_MUST_CHECK tp_status wire_ext_sni_parse(cur_t body, wire_ext_sni *out);

/* application_layer_protocol_negotiation (RFC 7301 3.1): every entry is
 * non-empty; the server's list holds exactly one. */
typedef struct {
    cur_t list; /* the u8-prefixed entries, for wire_alpn_next */
    unsigned num_protocols;
    cur_t first;
    cur_t last;
} wire_ext_alpn;
TP_MUST_CHECK tp_status wire_ext_alpn_parse(cur_t body, wire_ext_alpn *out);
/* Iterates alpn.list: true and the next protocol name while any remain. */
TP_MUST_CHECK bool wire_alpn_next(cur_t *list, cur_t *out_proto);

/* supported_versions (RFC 8446 4.2.1): a u8-prefixed list from the client,
 * one selected version from the server (ServerHello and HRR). */
typedef struct {
    wire_list versions; /* client */
    uint16_t selected;  /* server */
    uint16_t highest;   /* client: highest non-GREASE entry; server: selected */
} wire_ext_versions;
TP_MUST_CHECK tp_status wire_ext_versions_parse(cur_t body, bool from_server,
                                                wire_ext_versions *out);

/* supported_groups (RFC 8446 4.2.7), signature_algorithms and
 * signature_algorithms_cert (RFC 8446 4.2.3): a non-empty u16-prefixed
 * list of u16. */
TP_MUST_CHECK tp_status wire_ext_u16_list_parse(cur_t body, wire_list *out);
/* ec_point_formats (RFC 8422 5.1.2), psk_key_exchange_modes (RFC 8446
 * 4.2.9): a non-empty u8-prefixed list of u8. */
TP_MUST_CHECK tp_status wire_ext_u8_list_parse(cur_t body, wire_list *out);

#define WIRE_KEY_SHARE_MAX 8
/* key_share (RFC 8446 4.2.8).  Client: list of entries; ServerHello: one
 * entry; HRR: the selected group only. */
typedef struct {
    unsigned num_entries; /* all entries in the client's list */
    struct {
        uint16_t group;
        cur_t key;
    } entries[WIRE_KEY_SHARE_MAX]; /* the first WIRE_KEY_SHARE_MAX of them */
    uint16_t selected_group;       /* ServerHello / HRR */
    cur_t server_key;              /* ServerHello */
} wire_ext_key_share;
TP_MUST_CHECK tp_status wire_ext_key_share_parse(cur_t body, wire_ext_origin origin,
                                                 wire_ext_key_share *out);

/* Extensions whose body must be empty: extended_master_secret (RFC 7627),
 * encrypt_then_mac (RFC 7366), post_handshake_auth, early_data outside
 * NewSessionTicket.  TP_ERR_TRAILING when not empty. */
TP_MUST_CHECK tp_status wire_ext_empty_parse(cur_t body);

/* early_data (RFC 8446 4.2.10): empty, or in NewSessionTicket a u32. */
typedef struct {
    bool has_max_size;
    uint32_t max_early_data_size;
} wire_ext_early_data;
TP_MUST_CHECK tp_status wire_ext_early_data_parse(cur_t body, wire_ext_origin origin,
                                                  wire_ext_early_data *out);

/* renegotiation_info (RFC 5746 3.2): u8-prefixed renegotiated_connection. */
TP_MUST_CHECK tp_status wire_ext_reneg_parse(cur_t body, cur_t *out_renegotiated);

/* session_ticket (RFC 5077 3.2): the opaque ticket (may be empty). */
TP_MUST_CHECK tp_status wire_ext_session_ticket_parse(cur_t body, cur_t *out_ticket);

/* status_request (RFC 6066 8): client: type + responder ids + extensions;
 * the server's acknowledgement is empty (is_ack). */
typedef struct {
    bool is_ack;
    uint8_t status_type; /* 1 = ocsp */
    cur_t responder_id_list;
    cur_t request_extensions;
} wire_ext_status_request;
TP_MUST_CHECK tp_status wire_ext_status_request_parse(cur_t body, wire_ext_status_request *out);

/* padding (RFC 7685): length and whether every byte is zero as required. */
typedef struct {
    size_t len;
    bool all_zero;
} wire_ext_padding;
TP_MUST_CHECK tp_status wire_ext_padding_parse(cur_t body, wire_ext_padding *out);

/* record_size_limit (RFC 8449 4): one u16 (the protocol forbids < 64;
 * that is for the caller to judge). */
TP_MUST_CHECK tp_status wire_ext_record_size_limit_parse(cur_t body, uint16_t *out_limit);

/* max_fragment_length (RFC 6066 4): one u8 code 1..4. */
TP_MUST_CHECK tp_status wire_ext_max_fragment_length_parse(cur_t body, uint8_t *out_code);

/* pre_shared_key (RFC 8446 4.2.11): client: identities and binders;
 * server: selected_identity. */
typedef struct {
    unsigned num_identities;
    unsigned num_binders;
    cur_t first_identity;
    uint32_t first_obfuscated_age;
    cur_t binders;              /* the u16-prefixed binder list body */
    uint16_t selected_identity; /* server */
} wire_ext_psk;
TP_MUST_CHECK tp_status wire_ext_psk_parse(cur_t body, bool from_server, wire_ext_psk *out);

/* cookie (RFC 8446 4.2.2): non-empty u16-prefixed opaque. */
TP_MUST_CHECK tp_status wire_ext_cookie_parse(cur_t body, cur_t *out_cookie);

/* One decoded extension of any of the kinds above, for renderers that walk a
 * block.  known is false for types without a decoder (status TP_OK then). */
typedef struct {
    uint16_t type;
    cur_t body;
    bool known;
    tp_status status;
    union {
        wire_ext_sni sni;
        wire_ext_alpn alpn;
        wire_ext_versions versions;
        wire_list list; /* groups, sigalgs, point formats, psk modes */
        wire_ext_key_share key_share;
        wire_ext_early_data early_data;
        cur_t opaque; /* renegotiation_info, session_ticket, cookie */
        wire_ext_status_request status_request;
        wire_ext_padding padding;
        uint16_t record_size_limit;
        uint8_t max_fragment_length;
        wire_ext_psk psk;
    } u;
} wire_ext_decoded;
/* Never fails as a call: the outcome is out->status. */
void wire_ext_decode(uint16_t type, cur_t body, wire_ext_origin origin, wire_ext_decoded *out);

/* ClientHello helpers.  Suites are u16 for TLS hellos, 3-byte CIPHER-SPECs
 * for SSLv2 ones (wire_client_hello.sslv2). */
unsigned wire_ch_num_suites(const wire_client_hello *ch);
uint32_t wire_ch_suite_at(const wire_client_hello *ch, unsigned i);
/* Finds an extension of a hello; false when absent or no extensions. */
TP_MUST_CHECK bool wire_ch_find_ext(const wire_client_hello *ch, uint16_t type, cur_t *out_body);

#endif
