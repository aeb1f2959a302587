/* Handshake message parsing (RFC 5246 7.4, RFC 8446 4, RFC 5246 E.2 for the
 * SSLv2-framed ClientHello).  One table maps each type to its name and its
 * body parser; every parser consumes its body exactly. */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "handshake.h"
#include "iana.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static tp_status done(const cur_t *c)
{
    return cur_len(c) == 0 ? TP_OK : TP_ERR_TRAILING;
}

/* ---- extension blocks ------------------------------------------------- */

bool wire_ext_next(cur_t *exts, uint16_t *out_type, cur_t *out_body, tp_status *out_err)
{
    if (cur_len(exts) == 0)
        return false;
    cur_t save = *exts;
    if (!cur_get_u16(exts, out_type) || !cur_get_u16_prefixed(exts, out_body)) {
        *exts = save;
        if (out_err)
            *out_err = TP_ERR_DECODE;
        return false;
    }
    return true;
}

bool wire_ext_find(cur_t exts, uint16_t type, cur_t *out_body)
{
    uint16_t t;
    cur_t body;
    while (wire_ext_next(&exts, &t, &body, NULL)) {
        if (t == type) {
            *out_body = body;
            return true;
        }
    }
    return false;
}

/* Checks the framing of a whole extension block.  RFC 8446 4.2: no type may
 * appear twice; checked for the types below 64 plus renegotiation_info,
 * which is where duplicates matter in practice, with a small bitmap. */
static tp_status ext_block_check(cur_t exts)
{
    uint64_t seen = 0;
    bool seen_reneg = false;
    uint16_t t;
    cur_t body;
    tp_status err = TP_OK;
    while (wire_ext_next(&exts, &t, &body, &err)) {
        if (t < 64) {
            if (seen & ((uint64_t)1 << t))
                return TP_ERR_DECODE;
            seen |= (uint64_t)1 << t;
        } else if (t == 0xff01) {
            if (seen_reneg)
                return TP_ERR_DECODE;
            seen_reneg = true;
        }
    }
    return err;
}

/* Optional trailing extension block of the hellos (RFC 5246 7.4.1.2: absent
 * or a u16-prefixed block). */
static tp_status hello_extensions(cur_t *c, bool *out_has, cur_t *out_exts)
{
    *out_has = false;
    cur_init(out_exts, NULL, 0);
    if (cur_len(c) == 0)
        return TP_OK;
    if (!cur_get_u16_prefixed(c, out_exts))
        return TP_ERR_DECODE;
    *out_has = true;
    tp_status st = ext_block_check(*out_exts);
    if (st != TP_OK)
        return st;
    return done(c);
}

/* ---- hellos ----------------------------------------------------------- */

static tp_status parse_client_hello(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    (void)ctx;
    wire_client_hello *ch = &m->u.client_hello;
    /* RFC 5246 7.4.1.2 / RFC 8446 4.1.2 */
    if (!cur_get_u16(&c, &ch->legacy_version) || !cur_get_bytes(&c, &ch->random, 32) ||
        !cur_get_u8_prefixed(&c, &ch->session_id) || cur_len(&ch->session_id) > 32)
        return TP_ERR_DECODE;
    /* CipherSuite cipher_suites<2..2^16-2> */
    if (!cur_get_u16_prefixed(&c, &ch->cipher_suites) || cur_len(&ch->cipher_suites) < 2 ||
        cur_len(&ch->cipher_suites) % 2 != 0)
        return TP_ERR_DECODE;
    /* CompressionMethod compression_methods<1..2^8-1> */
    if (!cur_get_u8_prefixed(&c, &ch->compression) || cur_len(&ch->compression) < 1)
        return TP_ERR_DECODE;
    return hello_extensions(&c, &ch->has_extensions, &ch->extensions);
}

/* RFC 8446 4.1.3: SHA-256("HelloRetryRequest") */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static tp_status parse_server_hello(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    (void)ctx;
    wire_server_hello *sh = &m->u.server_hello;
    /* RFC 5246 7.4.1.3 / RFC 8446 4.1.3 */
    if (!cur_get_u16(&c, &sh->legacy_version) || !cur_get_bytes(&c, &sh->random, 32) ||
        !cur_get_u8_prefixed(&c, &sh->session_id) || cur_len(&sh->session_id) > 32 ||
        !cur_get_u16(&c, &sh->cipher_suite) || !cur_get_u8(&c, &sh->compression))
        return TP_ERR_DECODE;
    sh->hello_retry_request = memcmp(cur_data(&sh->random), hrr_random, 32) == 0;
    sh->selected_version = sh->legacy_version;
    tp_status st = hello_extensions(&c, &sh->has_extensions, &sh->extensions);
    if (st != TP_OK)
        return st;
    cur_t sv;
    if (sh->has_extensions && wire_ext_find(sh->extensions, 43, &sv)) {
        /* RFC 8446 4.2.1: selected_version, exactly two bytes */
        if (!cur_get_u16(&sv, &sh->selected_version) || cur_len(&sv) != 0)
            return TP_ERR_DECODE;
    }
    return TP_OK;
}

/* ---- Certificate ------------------------------------------------------ */

static void cert_copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void cert_name(X509_NAME *name, char *dst, size_t cap)
{
    dst[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        int n = BIO_read(b, dst, (int)cap - 1);
        dst[n > 0 ? n : 0] = '\0';
    }
    BIO_free(b);
}

/* OpenSSL builds the summary: DER is parsed by a library, never by us. */
static void cert_summarise(cur_t der, wire_cert_summary *s)
{
    memset(s, 0, sizeof *s);
    s->der = der;
    cert_copy_str(s->key_type, sizeof s->key_type, "unknown");
    const unsigned char *p = cur_data(&der);
    X509 *x = d2i_X509(NULL, &p, (long)cur_len(&der));
    if (!x)
        return;
    /* the DER must fill the entry exactly */
    if (p != cur_data(&der) + cur_len(&der)) {
        X509_free(x);
        return;
    }
    s->parsed = true;
    cert_name(X509_get_subject_name(x), s->subject, sizeof s->subject);
    cert_name(X509_get_issuer_name(x), s->issuer, sizeof s->issuer);
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (pk) {
        const char *kt = "unknown";
        switch (EVP_PKEY_get_base_id(pk)) {
        case EVP_PKEY_RSA:
            kt = "RSA";
            break;
        case EVP_PKEY_RSA_PSS:
            kt = "RSA-PSS";
            break;
        case EVP_PKEY_EC:
            kt = "EC";
            break;
        case EVP_PKEY_ED25519:
            kt = "Ed25519";
            break;
        case EVP_PKEY_ED448:
            kt = "Ed448";
            break;
        case EVP_PKEY_DSA:
            kt = "DSA";
            break;
        default:
            break;
        }
        cert_copy_str(s->key_type, sizeof s->key_type, kt);
        int bits = EVP_PKEY_get_bits(pk);
        s->key_bits = bits > 0 ? (unsigned)bits : 0;
    }
    const char *sig = OBJ_nid2ln(X509_get_signature_nid(x));
    cert_copy_str(s->sig_alg, sizeof s->sig_alg, sig ? sig : "unknown");
    X509_free(x);
}

/* A server sends the same certificate on every connection, and libcrypto's
 * d2i_X509 costs more than the rest of a connection's tracing together: keep
 * the last few summaries per thread, keyed by the whole DER (compared byte
 * for byte, so a cache hit is exactly the same input). */
#define CERT_CACHE_SLOTS 4
#define CERT_CACHE_MAX_DER 8192

static _Thread_local struct {
    size_t len;
    uint8_t der[CERT_CACHE_MAX_DER];
    wire_cert_summary summary;
} cert_cache[CERT_CACHE_SLOTS];
static _Thread_local unsigned cert_cache_next;

static void cert_summarise_cached(cur_t der, wire_cert_summary *s)
{
    size_t len = cur_len(&der);
    for (unsigned i = 0; i < CERT_CACHE_SLOTS; i++) {
        if (cert_cache[i].len == len && len > 0 &&
            memcmp(cert_cache[i].der, cur_data(&der), len) == 0) {
            *s = cert_cache[i].summary;
            s->der = der;
            return;
        }
    }
    cert_summarise(der, s);
    if (len == 0 || len > CERT_CACHE_MAX_DER)
        return;
    unsigned slot = cert_cache_next++ % CERT_CACHE_SLOTS;
    memcpy(cert_cache[slot].der, cur_data(&der), len);
    cert_cache[slot].len = len;
    cert_cache[slot].summary = *s;
}

static void cert_add(wire_certificate *cm, cur_t der)
{
    if (cm->num_summaries < WIRE_CERT_SUMMARY_MAX)
        cert_summarise_cached(der, &cm->certs[cm->num_summaries++]);
    cm->num_certs++;
}

static tp_status parse_certificate_list(cur_t c, bool tls13, wire_certificate *cm)
{
    cur_t list;
    cm->num_certs = 0;
    cm->num_summaries = 0;
    cm->status_stapled = false;
    cur_init(&cm->request_context, NULL, 0);
    /* RFC 8446 4.4.2: opaque certificate_request_context<0..2^8-1> */
    if (tls13 && !cur_get_u8_prefixed(&c, &cm->request_context))
        return TP_ERR_DECODE;
    /* certificate_list<0..2^24-1> */
    if (!cur_get_u24_prefixed(&c, &list))
        return TP_ERR_DECODE;
    while (cur_len(&list) > 0) {
        cur_t der, exts;
        /* opaque ASN.1Cert<1..2^24-1> */
        if (!cur_get_u24_prefixed(&list, &der) || cur_len(&der) == 0)
            return TP_ERR_DECODE;
        if (tls13) {
            /* RFC 8446 4.4.2: CertificateEntry carries extensions */
            if (!cur_get_u16_prefixed(&list, &exts) || ext_block_check(exts) != TP_OK)
                return TP_ERR_DECODE;
            cur_t st;
            if (cm->num_certs == 0 && wire_ext_find(exts, 5 /* status_request */, &st))
                cm->status_stapled = true;
        }
        cert_add(cm, der);
    }
    return done(&c);
}

static tp_status parse_certificate(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    if (ctx && ctx->version == 0x0304)
        return parse_certificate_list(c, true, &m->u.certificate);
    if (ctx && ctx->version != 0)
        return parse_certificate_list(c, false, &m->u.certificate);
    /* version not known yet: whichever layout consumes the body exactly */
    tp_status st = parse_certificate_list(c, false, &m->u.certificate);
    if (st == TP_OK)
        return st;
    return parse_certificate_list(c, true, &m->u.certificate) == TP_OK ? TP_OK : st;
}

/* ---- key exchange ----------------------------------------------------- */

static const wire_suite *ctx_suite(const wire_hs_ctx *ctx)
{
    return ctx ? wire_suite_find(ctx->cipher_suite) : NULL;
}

static bool ctx_has_sigalgs(const wire_hs_ctx *ctx)
{
    /* RFC 5246 7.4.1.4.1: SignatureAndHashAlgorithm appears from TLS 1.2;
     * an unknown version is read as TLS 1.2, the common case */
    return !ctx || ctx->version == 0 || ctx->version >= 0x0303;
}

static unsigned bignum_bits(cur_t n)
{
    uint8_t b = 0;
    while (cur_len(&n) > 0 && cur_data(&n)[0] == 0)
        if (!cur_skip(&n, 1))
            return 0;
    if (cur_len(&n) == 0 || !cur_get_u8(&n, &b))
        return 0;
    unsigned bits = (unsigned)cur_len(&n) * 8;
    while (b) {
        bits++;
        b >>= 1;
    }
    return bits;
}

static bool kx_is_anon(const wire_suite *s)
{
    return s->kx && strncmp(s->kx, "ANON", 4) == 0;
}

static tp_status ske_signature(const wire_hs_ctx *ctx, cur_t *c, wire_server_key_exchange *ske)
{
    ske->has_signature = true;
    /* RFC 5246 7.4.3 digitally-signed: TLS 1.2 prefixes the scheme */
    if (ctx_has_sigalgs(ctx)) {
        ske->has_sigalg = true;
        if (!cur_get_u16(c, &ske->sigalg))
            return TP_ERR_DECODE;
    }
    if (!cur_get_u16_prefixed(c, &ske->signature) || cur_len(&ske->signature) == 0)
        return TP_ERR_DECODE;
    return TP_OK;
}

static tp_status ske_ec_params(cur_t *c, wire_server_key_exchange *ske)
{
    uint8_t curve_type;
    /* RFC 8422 5.4: ECParameters; only named_curve (3) is allowed */
    if (!cur_get_u8(c, &curve_type) || curve_type != 3 || !cur_get_u16(c, &ske->named_group))
        return TP_ERR_DECODE;
    /* ECPoint point<1..2^8-1> */
    if (!cur_get_u8_prefixed(c, &ske->public_value) || cur_len(&ske->public_value) == 0)
        return TP_ERR_DECODE;
    return TP_OK;
}

static tp_status ske_dh_params(cur_t *c, wire_server_key_exchange *ske)
{
    cur_t p, g;
    /* RFC 5246 7.4.3 ServerDHParams: dh_p, dh_g, dh_Ys all <1..2^16-1> */
    if (!cur_get_u16_prefixed(c, &p) || cur_len(&p) == 0 || !cur_get_u16_prefixed(c, &g) ||
        cur_len(&g) == 0 || !cur_get_u16_prefixed(c, &ske->public_value) ||
        cur_len(&ske->public_value) == 0)
        return TP_ERR_DECODE;
    ske->dh_p_bits = bignum_bits(p);
    return TP_OK;
}

static tp_status parse_server_key_exchange(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    wire_server_key_exchange *ske = &m->u.server_key_exchange;
    const wire_suite *s = ctx_suite(ctx);
    tp_status st;
    ske->family = s ? s->family : WIRE_KX_UNKNOWN;
    switch (ske->family) {
    case WIRE_KX_ECDHE:
        if ((st = ske_ec_params(&c, ske)) != TP_OK)
            return st;
        break;
    case WIRE_KX_DHE:
        if ((st = ske_dh_params(&c, ske)) != TP_OK)
            return st;
        break;
    case WIRE_KX_PSK:
    case WIRE_KX_RSA_PSK:
        /* RFC 4279 2: psk_identity_hint<0..2^16-1> only */
        if (!cur_get_u16_prefixed(&c, &ske->psk_hint))
            return TP_ERR_DECODE;
        return done(&c);
    case WIRE_KX_DHE_PSK:
        if (!cur_get_u16_prefixed(&c, &ske->psk_hint))
            return TP_ERR_DECODE;
        if ((st = ske_dh_params(&c, ske)) != TP_OK)
            return st;
        return done(&c);
    case WIRE_KX_ECDHE_PSK:
        /* RFC 5489 2 */
        if (!cur_get_u16_prefixed(&c, &ske->psk_hint))
            return TP_ERR_DECODE;
        if ((st = ske_ec_params(&c, ske)) != TP_OK)
            return st;
        return done(&c);
    case WIRE_KX_SRP: {
        cur_t n, g, salt;
        /* RFC 5054 2.8.3 ServerSRPParams */
        if (!cur_get_u16_prefixed(&c, &n) || !cur_get_u16_prefixed(&c, &g) ||
            !cur_get_u8_prefixed(&c, &salt) || !cur_get_u16_prefixed(&c, &ske->public_value))
            return TP_ERR_DECODE;
        ske->dh_p_bits = bignum_bits(n);
        if (strcmp(s->kx, "SRP") == 0)
            return done(&c);
        break;
    }
    case WIRE_KX_RSA: {
        /* RFC 2246 7.4.3: ServerRSAParams, only for EXPORT suites */
        cur_t mod, exp;
        if (!s->export_grade)
            return TP_ERR_DECODE;
        if (!cur_get_u16_prefixed(&c, &mod) || !cur_get_u16_prefixed(&c, &exp))
            return TP_ERR_DECODE;
        ske->public_value = mod;
        ske->dh_p_bits = bignum_bits(mod);
        break;
    }
    default:
        return TP_ERR_UNSUPPORTED;
    }
    if (!kx_is_anon(s) && (st = ske_signature(ctx, &c, ske)) != TP_OK)
        return st;
    return done(&c);
}

static tp_status parse_client_key_exchange(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    wire_client_key_exchange *cke = &m->u.client_key_exchange;
    const wire_suite *s = ctx_suite(ctx);
    cke->family = s ? s->family : WIRE_KX_UNKNOWN;
    switch (cke->family) {
    case WIRE_KX_RSA:
        /* RFC 5246 7.4.7.1; SSL 3.0 sends the bare ciphertext */
        if (ctx->version == 0x0300) {
            cke->exchange = c;
            return cur_len(&c) ? TP_OK : TP_ERR_DECODE;
        }
        if (!cur_get_u16_prefixed(&c, &cke->exchange) || cur_len(&cke->exchange) == 0)
            return TP_ERR_DECODE;
        break;
    case WIRE_KX_DHE:
    case WIRE_KX_SRP:
        /* RFC 5246 7.4.7.2 dh_Yc<1..2^16-1>; RFC 5054 2.8.1 srp_A */
        if (!cur_get_u16_prefixed(&c, &cke->exchange) || cur_len(&cke->exchange) == 0)
            return TP_ERR_DECODE;
        break;
    case WIRE_KX_ECDHE:
        /* RFC 8422 5.7 ECPoint ecdh_Yc<1..2^8-1> */
        if (!cur_get_u8_prefixed(&c, &cke->exchange) || cur_len(&cke->exchange) == 0)
            return TP_ERR_DECODE;
        break;
    case WIRE_KX_PSK:
        /* RFC 4279 2 */
        if (!cur_get_u16_prefixed(&c, &cke->psk_identity))
            return TP_ERR_DECODE;
        break;
    case WIRE_KX_DHE_PSK:
    case WIRE_KX_RSA_PSK:
        if (!cur_get_u16_prefixed(&c, &cke->psk_identity) ||
            !cur_get_u16_prefixed(&c, &cke->exchange))
            return TP_ERR_DECODE;
        break;
    case WIRE_KX_ECDHE_PSK:
        if (!cur_get_u16_prefixed(&c, &cke->psk_identity) ||
            !cur_get_u8_prefixed(&c, &cke->exchange))
            return TP_ERR_DECODE;
        break;
    default:
        cke->exchange = c;
        return TP_ERR_UNSUPPORTED;
    }
    return done(&c);
}

/* ---- the rest --------------------------------------------------------- */

static tp_status parse_certificate_request(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    wire_certificate_request *cr = &m->u.certificate_request;
    if (ctx && ctx->version == 0x0304) {
        /* RFC 8446 4.3.2 */
        if (!cur_get_u8_prefixed(&c, &cr->request_context) ||
            !cur_get_u16_prefixed(&c, &cr->extensions) || ext_block_check(cr->extensions) != TP_OK)
            return TP_ERR_DECODE;
        cur_t sa;
        /* signature_algorithms is mandatory (RFC 8446 4.3.2) */
        if (!wire_ext_find(cr->extensions, 13, &sa) || !cur_get_u16_prefixed(&sa, &cr->sigalgs) ||
            cur_len(&sa) != 0 || cur_len(&cr->sigalgs) % 2 != 0)
            return TP_ERR_DECODE;
        return done(&c);
    }
    /* RFC 5246 7.4.4: certificate_types<1..2^8-1> */
    if (!cur_get_u8_prefixed(&c, &cr->cert_types) || cur_len(&cr->cert_types) == 0)
        return TP_ERR_DECODE;
    if (ctx_has_sigalgs(ctx)) {
        /* supported_signature_algorithms<2..2^16-2> */
        if (!cur_get_u16_prefixed(&c, &cr->sigalgs) || cur_len(&cr->sigalgs) < 2 ||
            cur_len(&cr->sigalgs) % 2 != 0)
            return TP_ERR_DECODE;
    }
    if (!cur_get_u16_prefixed(&c, &cr->cas))
        return TP_ERR_DECODE;
    return done(&c);
}

static tp_status parse_new_session_ticket(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    wire_new_session_ticket *t = &m->u.new_session_ticket;
    if (!cur_get_u32(&c, &t->lifetime))
        return TP_ERR_DECODE;
    if (ctx && ctx->version == 0x0304) {
        /* RFC 8446 4.6.1 */
        if (!cur_get_u32(&c, &t->age_add) || !cur_get_u8_prefixed(&c, &t->nonce) ||
            !cur_get_u16_prefixed(&c, &t->ticket) || cur_len(&t->ticket) == 0 ||
            !cur_get_u16_prefixed(&c, &t->extensions) || ext_block_check(t->extensions) != TP_OK)
            return TP_ERR_DECODE;
        return done(&c);
    }
    /* RFC 5077 3.3 */
    if (!cur_get_u16_prefixed(&c, &t->ticket))
        return TP_ERR_DECODE;
    return done(&c);
}

static tp_status parse_certificate_verify(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    wire_certificate_verify *cv = &m->u.certificate_verify;
    /* RFC 5246 7.4.8 / RFC 8446 4.4.3 */
    if (ctx_has_sigalgs(ctx) && !cur_get_u16(&c, &cv->sigalg))
        return TP_ERR_DECODE;
    if (!cur_get_u16_prefixed(&c, &cv->signature) || cur_len(&cv->signature) == 0)
        return TP_ERR_DECODE;
    return done(&c);
}

static tp_status parse_finished(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    (void)ctx;
    /* RFC 5246 7.4.9: verify_data is the whole body (12 bytes for TLS,
     * 36 for SSL 3.0, the hash length for TLS 1.3) */
    m->u.finished = c;
    return cur_len(&c) > 0 ? TP_OK : TP_ERR_DECODE;
}

static tp_status parse_encrypted_extensions(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    (void)ctx;
    /* RFC 8446 4.3.1 */
    if (!cur_get_u16_prefixed(&c, &m->u.encrypted_extensions) ||
        ext_block_check(m->u.encrypted_extensions) != TP_OK)
        return TP_ERR_DECODE;
    return done(&c);
}

static tp_status parse_empty(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    (void)ctx;
    (void)m;
    /* HelloRequest, ServerHelloDone, EndOfEarlyData have empty bodies */
    return done(&c);
}

static tp_status parse_key_update(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    (void)ctx;
    (void)m;
    uint8_t req;
    /* RFC 8446 4.6.3: update_not_requested(0), update_requested(1) */
    if (!cur_get_u8(&c, &req) || req > 1)
        return TP_ERR_DECODE;
    return done(&c);
}

static tp_status parse_certificate_status(const wire_hs_ctx *ctx, cur_t c, wire_handshake *m)
{
    (void)ctx;
    (void)m;
    uint8_t type;
    cur_t resp;
    /* RFC 6066 8: CertificateStatus { status_type; OCSPResponse<1..2^24-1> } */
    if (!cur_get_u8(&c, &type) || !cur_get_u24_prefixed(&c, &resp) || cur_len(&resp) == 0)
        return TP_ERR_DECODE;
    return done(&c);
}

typedef tp_status (*hs_body_parser)(const wire_hs_ctx *ctx, cur_t body, wire_handshake *m);

static const struct {
    uint8_t type;
    const char *name;
    hs_body_parser parse;
} hs_rows[] = {
    {WIRE_HS_HELLO_REQUEST, "HelloRequest", parse_empty},
    {WIRE_HS_CLIENT_HELLO, "ClientHello", parse_client_hello},
    {WIRE_HS_SERVER_HELLO, "ServerHello", parse_server_hello},
    {3, "HelloVerifyRequest", NULL},
    {WIRE_HS_NEW_SESSION_TICKET, "NewSessionTicket", parse_new_session_ticket},
    {WIRE_HS_END_OF_EARLY_DATA, "EndOfEarlyData", parse_empty},
    {WIRE_HS_ENCRYPTED_EXTENSIONS, "EncryptedExtensions", parse_encrypted_extensions},
    {WIRE_HS_CERTIFICATE, "Certificate", parse_certificate},
    {WIRE_HS_SERVER_KEY_EXCHANGE, "ServerKeyExchange", parse_server_key_exchange},
    {WIRE_HS_CERTIFICATE_REQUEST, "CertificateRequest", parse_certificate_request},
    {WIRE_HS_SERVER_HELLO_DONE, "ServerHelloDone", parse_empty},
    {WIRE_HS_CERTIFICATE_VERIFY, "CertificateVerify", parse_certificate_verify},
    {WIRE_HS_CLIENT_KEY_EXCHANGE, "ClientKeyExchange", parse_client_key_exchange},
    {WIRE_HS_FINISHED, "Finished", parse_finished},
    {21, "CertificateURL", NULL},
    {WIRE_HS_CERTIFICATE_STATUS, "CertificateStatus", parse_certificate_status},
    {23, "SupplementalData", NULL},
    {WIRE_HS_KEY_UPDATE, "KeyUpdate", parse_key_update},
    {25, "CompressedCertificate", NULL},
    {WIRE_HS_MESSAGE_HASH, "MessageHash", NULL},
};

static int hs_row(uint8_t type)
{
    for (size_t i = 0; i < N_ELEMS(hs_rows); i++)
        if (hs_rows[i].type == type)
            return (int)i;
    return -1;
}

const char *wire_hs_type_name(uint8_t type)
{
    int r = hs_row(type);
    return r < 0 ? NULL : hs_rows[r].name;
}

tp_status wire_hs_peek_header(const cur_t *in, uint8_t *out_type, uint32_t *out_len)
{
    cur_t c = *in;
    if (!cur_get_u8(&c, out_type) || !cur_get_u24(&c, out_len))
        return TP_ERR_TRUNCATED;
    return TP_OK;
}

tp_status wire_hs_parse(const wire_hs_ctx *ctx, const uint8_t *msg, size_t len, wire_handshake *out)
{
    static const wire_hs_ctx no_ctx = {0, 0};
    cur_t c;
    memset(out, 0, sizeof *out);
    cur_init(&c, msg, len);
    out->raw = c;
    if (!ctx)
        ctx = &no_ctx;
    if (!cur_get_u8(&c, &out->type) || !cur_get_u24(&c, &out->length))
        return out->status = TP_ERR_TRUNCATED;
    if (cur_len(&c) < out->length) {
        out->body = c;
        return out->status = TP_ERR_TRUNCATED;
    }
    if (!cur_get_bytes(&c, &out->body, out->length))
        return out->status = TP_ERR_TRUNCATED;
    if (cur_len(&c) != 0) {
        /* the caller promised exactly one message */
        cur_init(&out->raw, msg, WIRE_HS_HEADER_LEN + out->length);
        return out->status = TP_ERR_TRAILING;
    }
    int r = hs_row(out->type);
    if (r < 0 || !hs_rows[r].parse)
        return out->status = TP_ERR_UNSUPPORTED;
    return out->status = hs_rows[r].parse(ctx, out->body, out);
}

tp_status wire_hs_parse_sslv2(const uint8_t *frag, size_t len, wire_handshake *out)
{
    cur_t c;
    uint8_t msg_type;
    uint16_t specs_len, sid_len, chal_len;
    memset(out, 0, sizeof *out);
    cur_init(&c, frag, len);
    out->raw = c;
    out->type = WIRE_HS_CLIENT_HELLO;
    wire_client_hello *ch = &out->u.client_hello;
    ch->sslv2 = true;
    /* RFC 5246 E.2: msg_type, version, three lengths */
    if (!cur_get_u8(&c, &msg_type) || msg_type != 1)
        return out->status = TP_ERR_DECODE;
    out->body = c;
    out->length = (uint32_t)cur_len(&c);
    if (!cur_get_u16(&c, &ch->legacy_version) || !cur_get_u16(&c, &specs_len) ||
        !cur_get_u16(&c, &sid_len) || !cur_get_u16(&c, &chal_len))
        return out->status = TP_ERR_DECODE;
    /* cipher_specs are 3 bytes each and non-empty; session_id is 0 or 16
     * bytes; the challenge 16..32 */
    if (specs_len == 0 || specs_len % 3 != 0 || (sid_len != 0 && sid_len != 16) || chal_len < 16 ||
        chal_len > 32)
        return out->status = TP_ERR_DECODE;
    if (!cur_get_bytes(&c, &ch->cipher_suites, specs_len) ||
        !cur_get_bytes(&c, &ch->session_id, sid_len) ||
        !cur_get_bytes(&c, &ch->challenge, chal_len))
        return out->status = TP_ERR_DECODE;
    /* RFC 5246 E.2: the challenge stands in for the random, right-aligned */
    ch->random = ch->challenge;
    return out->status = done(&c);
}

static void cur_rebase(cur_t *c, const uint8_t *from, size_t len, const uint8_t *to)
{
    if (c->data && c->data >= from && c->len <= len && (size_t)(c->data - from) <= len - c->len)
        c->data = to + (c->data - from);
    else if (!c->len)
        c->data = to; /* an empty view: keep it inside the copy */
    else
        cur_init(c, to, 0); /* not from these bytes (never the parser's case) */
}

void wire_ch_rebase(wire_client_hello *ch, const uint8_t *from, size_t len, const uint8_t *to)
{
    cur_rebase(&ch->random, from, len, to);
    cur_rebase(&ch->session_id, from, len, to);
    cur_rebase(&ch->cipher_suites, from, len, to);
    cur_rebase(&ch->compression, from, len, to);
    cur_rebase(&ch->extensions, from, len, to);
    cur_rebase(&ch->challenge, from, len, to);
}
