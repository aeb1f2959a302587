/* Verdict rules over the facts of relations.h: refusals at capacity, a
 * client certificate required and not sent, SNI against the certificate's
 * names, a client still sending at the handshake deadline, and application
 * data that does not fit the server's mode.  Each is a (when, say) pair for
 * the rule table in verdict.c, which keeps their order. */
#ifndef TP_ANALYSIS_VERDICT_RELATIONS_H
#define TP_ANALYSIS_VERDICT_RELATIONS_H

#include "verdict.h"

#define TP_VERDICT_RELATIONS_RULE(name)                                                            \
    bool tp_when_##name(const tp_observation *o);                                                  \
    void tp_say_##name(const tp_observation *o, tp_verdict *v)

TP_VERDICT_RELATIONS_RULE(at_capacity);
TP_VERDICT_RELATIONS_RULE(interactive_busy);
TP_VERDICT_RELATIONS_RULE(client_cert_missing);
TP_VERDICT_RELATIONS_RULE(certificate_name_mismatch);
TP_VERDICT_RELATIONS_RULE(still_sending);
TP_VERDICT_RELATIONS_RULE(app_not_http);
TP_VERDICT_RELATIONS_RULE(app_h2_preface);
TP_VERDICT_RELATIONS_RULE(app_incomplete);
TP_VERDICT_RELATIONS_RULE(alpn_not_selected);
TP_VERDICT_RELATIONS_RULE(renegotiation_declined);
/* verdict_certs.c */
TP_VERDICT_RELATIONS_RULE(client_cert_rejected);
TP_VERDICT_RELATIONS_RULE(client_left_flawed_cert);
/* "the client rejected the server's certificate (variant ...): fatal X" */
void vd_say_cert_rejected(const tp_observation *o, tp_verdict *v);

/* What became of a renegotiation on a working session: ", after a
 * server-requested renegotiation (a second full handshake)", "; the client
 * declined ..." (session-ok's summary). */
void vd_say_renegotiation(const tp_observation *o, tp_verdict *v);

/* Whatever rule decided: the verdict's relations, and a misfit of the
 * application data to the mode in layers.app (unless the mode said). */
void tp_verdict_relations_fill(const tp_observation *o, tp_verdict *v);

#endif
