/* The fleet view: connections grouped by client fingerprint (JA4, with the
 * JA3 and a summary of what the client offered) and by verdict cause.
 *
 * One connection is a fleet_conn: filled from the tp_event stream by the
 * fleet sink (fleet_sink_new: live serve and offline decode, the one
 * pipeline), or by the caller from a JSON lines trace (fleet_conn_set_offer
 * with the hello's fields).  fleet_add folds it into its group; a group
 * keeps counts, distinct peers, first/last seen, an example connection and
 * up to FLEET_MAX_TYPICAL distinct verdict summaries (digit runs as "N")
 * with their counts.  Memory: the open connections of the sink, and the
 * groups (bounded by FLEET_MAX_GROUPS; more go to one "other" group).
 *
 * Pure over its inputs (no I/O); the table is safe to share between the
 * server's worker threads (one mutex). */
#ifndef TP_ANALYSIS_FLEET_H
#define TP_ANALYSIS_FLEET_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../wire/handshake.h"
#include "events.h"

#define FLEET_MAX_GROUPS 4096
#define FLEET_MAX_TYPICAL 4

/* The offered properties a rule may name ("what distinguishes the failing
 * groups"): one value each, a static string. */
enum {
    FLEET_PROP_VERSION = 0, /* highest offered: "TLS1.3", "TLS1.2", ... */
    FLEET_PROP_SUPPORTED_VERSIONS, /* "sent" / "not sent" */
    FLEET_PROP_SHA256_SUITE,       /* a TLS1.2 suite with SHA-256: "offered" / "not offered" */
    FLEET_PROP_ECDHE_SUITE,        /* an ECDHE suite (TLS <= 1.2) */
    FLEET_PROP_AEAD_SUITE,         /* an AEAD suite (GCM, CCM, ChaCha20) */
    FLEET_PROP_SNI,                /* "sent" / "not sent" */
    FLEET_PROP_ALPN,               /* "sent" / "not sent" */
    FLEET_NUM_PROPS
};

/* The axis names of the properties, as a rule says them. */
extern const char *const fleet_prop_names[FLEET_NUM_PROPS];

typedef struct {
    unsigned conn;    /* connection number in its source */
    unsigned source;  /* index of the input file (0 live) */
    double wall;      /* accept time, seconds since the epoch (0: not known) */
    char peer[64];    /* peer address without the port */
    bool has_hello;   /* a ClientHello was seen */
    char ja4[40], ja3[33];
    char offer[200]; /* "TLS1.3 max, 17 suites, supported_versions, SNI, ALPN h2,http/1.1" */
    const char *props[FLEET_NUM_PROPS];
    bool has_verdict;
    tp_outcome outcome;
    const char *phase, *actor; /* static names */
    char cause[48];
    char summary[640];
    unsigned unchecked; /* protected records the verifier could not open (no keys) */
} fleet_conn;

typedef struct {
    char normalised[640];
    char example[640];
    unsigned count;
} fleet_typical;

typedef struct {
    char ja4[40], ja3[33], offer[200];
    const char *props[FLEET_NUM_PROPS];
    char cause[48];
    const char *phase, *actor; /* of the first connection */
    bool other;                /* the overflow group past FLEET_MAX_GROUPS */
    unsigned count, num_outcome[3]; /* by tp_outcome */
    unsigned num_unchecked;         /* connections with protected records not checked */
    unsigned num_peers;
    uint64_t *peer_hash; /* open addressing, peer_cap slots, 0: empty */
    unsigned peer_cap;
    double first, last;
    unsigned example_conn, example_source;
    unsigned num_typical;
    fleet_typical typical[FLEET_MAX_TYPICAL];
} fleet_group;

typedef struct {
    pthread_mutex_t lock;
    fleet_group *groups;
    unsigned num_groups, cap_groups;
    uint64_t num_conns;
    uint64_t num_no_hello; /* connections without a ClientHello (not TLS, unused) */
} fleet_table;

void fleet_table_init(fleet_table *t);
void fleet_table_cleanup(fleet_table *t);

/* Fills the fingerprints, the offer summary and the properties from a
 * parsed ClientHello and its JA3 MD5 / JA4 (either may be NULL). */
void fleet_conn_set_hello(fleet_conn *c, const wire_client_hello *ch, const char *ja3_md5,
                          const char *ja4);

/* The same from a trace's fields: the hello's version, the names in
 * supported_versions (when sent), the suites' names, whether SNI was sent,
 * the ALPN list joined with ',' (NULL: none). */
typedef struct {
    const char *legacy_version;
    bool supported_versions;
    const char *const *versions;
    unsigned num_versions;
    const char *const *suites;
    unsigned num_suites;
    bool sni;
    const char *alpn;
} fleet_offer;
void fleet_conn_set_offer(fleet_conn *c, const fleet_offer *o, const char *ja3_md5,
                          const char *ja4);

/* The peer's address without its port ("[::1]:50412" → "::1"). */
void fleet_conn_set_peer(fleet_conn *c, const char *peer);

/* The verdict's fields. */
void fleet_conn_set_verdict(fleet_conn *c, const tp_verdict *v);

/* Folds one connection into its group (key: JA4 and cause).  false when
 * out of memory (the connection is still counted). */
bool fleet_add(fleet_table *t, const fleet_conn *c);

/* The groups in report order: failing groups first (most failures first),
 * then by count; ties by first seen.  *out_n set; the array is the table's
 * (sorted in place).  Call after the last fleet_add. */
fleet_group *fleet_sorted(fleet_table *t, unsigned *out_n);

/* The group's verdicts could not be decided without keys (cause
 * unreadable-without-keys): neither failing nor working for the order and
 * the rule. */
bool fleet_group_undecided(const fleet_group *g);

/* The most frequent typical summary of a group (NULL: none). */
const fleet_typical *fleet_group_typical(const fleet_group *g);
/* "fail" when most of the group's connections failed, else "ok"
 * (unused counts as neither: a group of unused connections is "unused"). */
tp_outcome fleet_group_outcome(const fleet_group *g);

/* A sink that builds a fleet_conn per connection from its events and adds
 * it to t at the connection's close.  source is stored with each
 * connection.  NULL on allocation failure. */
tp_sink *fleet_sink_new(fleet_table *t, unsigned source);
void fleet_sink_set_source(tp_sink *s, unsigned source);
/* For a reader of JSON lines traces, the same per-connection state without
 * events: the open connection conn (a new one when missing and create),
 * NULL without memory; fleet_sink_finish folds it into the table and frees
 * it.  Not for a sink shared with sessions at the same time. */
fleet_conn *fleet_sink_conn(tp_sink *s, unsigned conn, bool create);
void fleet_sink_finish(tp_sink *s, unsigned conn);
/* Folds every connection still open (a trace cut short). */
void fleet_sink_finish_all(tp_sink *s);
void fleet_sink_free(tp_sink *s);

#endif
