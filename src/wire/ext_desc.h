/* One descriptor row per extension tlsprobe decodes: its type, its name,
 * its decoder and its fields (ext_desc.c).  The fields are said once,
 * through an emitter; the back-ends in report/ (text and JSON) decide how
 * each shape is spelt.  Adding an extension is its parser (ext.c) and one
 * row.  No I/O, no allocation. */
#ifndef TP_WIRE_EXT_DESC_H
#define TP_WIRE_EXT_DESC_H

#include "ext.h"

typedef const char *(*wire_namer)(uint16_t value);
typedef struct wire_ext_emitter wire_ext_emitter;

/* The shapes a field can have.  Every call names the field's JSON key; the
 * text back-end writes the pieces one after another, without separators of
 * its own (the pre/post words carry them). */
typedef struct {
    /* a number: JSON "key":v; text pre, v in decimal, post */
    void (*num)(wire_ext_emitter *e, const char *key, uint64_t v, const char *pre,
                const char *post);
    /* a number whose text is a word */
    void (*code)(wire_ext_emitter *e, const char *key, uint64_t v, const char *word);
    /* a boolean: JSON true/false; text if_true or if_false */
    void (*flag)(wire_ext_emitter *e, const char *key, bool v, const char *if_true,
                 const char *if_false);
    /* a registry value: its name, or its number */
    void (*name)(wire_ext_emitter *e, const char *key, uint16_t v, wire_namer names);
    /* a list of registry values */
    void (*list)(wire_ext_emitter *e, const char *key, const wire_list *l, wire_namer names);
    /* peer-chosen text (a host name), escaped by the back-end */
    void (*text)(wire_ext_emitter *e, const char *key, cur_t s);
    /* u8-prefixed entries of peer-chosen text (ALPN protocol names) */
    void (*texts)(wire_ext_emitter *e, const char *key, cur_t list);
    /* opaque bytes in hex; the text says if_empty when there are none */
    void (*hex)(wire_ext_emitter *e, const char *key, cur_t bytes, const char *if_empty);
    /* a client's key shares: group and key length of each */
    void (*shares)(wire_ext_emitter *e, const char *key, const wire_ext_key_share *ks);
    /* words of the text alone (JSON says the same by a key's absence) */
    void (*note)(wire_ext_emitter *e, const char *text);
    /* the body did not parse (st) */
    void (*error)(wire_ext_emitter *e, tp_status st, size_t body_len);
} wire_ext_emitter_ops;

/* Back-ends embed this first and cast back in their ops. */
struct wire_ext_emitter {
    const wire_ext_emitter_ops *ops;
};

typedef struct wire_ext_desc {
    uint16_t type;
    const char *name; /* IANA name */
    tp_status (*decode)(cur_t body, wire_ext_origin origin, wire_ext_decoded *out);
    /* NULL: nothing beyond presence (the body must be empty) */
    void (*fields)(const struct wire_ext_desc *row, const wire_ext_decoded *d,
                   wire_ext_origin origin, wire_ext_emitter *e);
    /* for rows that share one shape (lists): the key and the registry */
    const char *key;
    wire_namer names;
} wire_ext_desc;

/* The row of a type, or NULL for a type tlsprobe does not decode. */
const wire_ext_desc *wire_ext_desc_find(uint16_t type);
/* The IANA name of an extension type ("server_name", "key_share", ...:
 * the row's name, else the registry's), "GREASE" for RFC 8701 values, NULL
 * when unknown (callers print the number). */
const char *wire_ext_name(uint16_t type);
/* Row i (0..) of the table, NULL past the end. */
const wire_ext_desc *wire_ext_desc_at(unsigned i);

/* The fields of one decoded extension (wire_ext_decode) into e: the row's
 * fields, the error of a malformed body, the length of an unknown type. */
void wire_ext_emit(const wire_ext_decoded *d, wire_ext_origin origin, wire_ext_emitter *e);

#endif
