/* For the verdict rule files only: the phrases and facts the rules share
 * (verdict_util.c).  A rule is a pair when_<name>(o) / say_<name>(o, v)
 * with one entry in the table of verdict.c; say_* sets the outcome, phase
 * and actor (vd_fail / vd_ok) and writes the summary (vd_say, vd_say_more). */
#ifndef TP_ANALYSIS_VERDICT_INT_H
#define TP_ANALYSIS_VERDICT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verdict.h"

/* The summary: written, appended to (truncated to fit). */
void vd_say(tp_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vd_say_more(tp_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* outcome fail with phase and actor; outcome ok (after-handshake, actor none) */
void vd_fail(tp_verdict *v, tp_phase phase, tp_actor actor);
void vd_ok(tp_verdict *v);

const char *vd_or(const char *name, const char *none);      /* name, or none when NULL */
bool vd_is(const char *a, const char *b);                   /* both set and equal */
bool vd_in_list(const char *name, const char *const *list); /* list ends with NULL */
/* "TLS_RSA_WITH_AES_128_CBC_SHA, 0x1234, … 12 in all" (at most 6 named) */
void vd_list_suites(char *out, size_t out_len, const uint16_t *ids, unsigned n, unsigned total);

/* Alerts that reject a received record; alerts that reject a certificate. */
extern const char *const vd_record_alerts[];
extern const char *const vd_certificate_alerts[];

bool vd_client_fatal(const tp_observation *o);  /* the client sent a fatal alert */
bool vd_client_silent(const tp_observation *o); /* the client sent not one byte */
bool vd_no_app_data(const tp_observation *o);   /* no application data either way */
/* A client's silent close this long after the server's last record did not
 * answer it: the client was idle (a socket kept for later, a preconnect). */
#define VD_REACTION_SECONDS 1.0
/* the client's alert, or its silent close within VD_REACTION_SECONDS, came
 * right after the server's last (protected) record, nothing of the client's
 * in between */
bool vd_reaction_follows(const tp_observation *o);
/* the client closed at least VD_REACTION_SECONDS after the server's last record */
bool vd_client_idled(const tp_observation *o);
tp_actor vd_closer(const tp_observation *o);             /* who closed first */
const char *vd_close_words(const tp_observation *o);     /* "closed/reset the connection" */
tp_phase vd_client_alert_phase(const tp_observation *o); /* handshake unless data flowed */
/* Appends ", sent encrypted after the server's X" or ", sent unencrypted
 * after the server's encrypted flight (last: Finished)". */
void vd_say_alert_sent(const tp_observation *o, tp_verdict *v);

/* Appends " after the server's X" (its alert, its first protected record,
 * its last message, or where nothing came from the server). */
void vd_say_where(const tp_observation *o, tp_verdict *v);
/* Appends our check of the server's last record, only where the client's
 * reaction followed it. */
void vd_add_record_check(const tp_observation *o, tp_verdict *v);
/* Appends the server's alert that answered the client's (cause before symptom). */
void vd_add_server_reaction(const tp_observation *o, tp_verdict *v);
/* "handshake completed (TLS1.3, AES-256-GCM)" */
void vd_say_completed(const tp_observation *o, tp_verdict *v);

#endif
