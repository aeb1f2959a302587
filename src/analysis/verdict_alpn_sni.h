/* Verdict rules over ALPN and SNI (verdict_alpn_sni.c): a fatal
 * no_application_protocol (who sent it, what the client offered, what the
 * server had), a fatal unrecognized_name (--sni-mode strict), a client that
 * gave up after the server's warning unrecognized_name (--sni-mode warn),
 * and h2 selected for --http, which speaks HTTP/1.1.  Rows of the table in
 * verdict.c. */
#ifndef TP_ANALYSIS_VERDICT_ALPN_SNI_H
#define TP_ANALYSIS_VERDICT_ALPN_SNI_H

#include "verdict_relations.h"

TP_VERDICT_RELATIONS_RULE(no_application_protocol);
TP_VERDICT_RELATIONS_RULE(sni_unrecognized);
TP_VERDICT_RELATIONS_RULE(sni_warning_rejected);
TP_VERDICT_RELATIONS_RULE(alpn_h2_in_http);

/* "; the server sent its default certificate (no --sni-cert covers X)" or
 * "; the server sent the certificate of --sni-cert X", when known (live). */
void vd_say_sni_choice(const tp_observation *o, tp_verdict *v);

/* " (the server has http/1.1)" after "the server selected none", live only. */
void vd_say_alpn_server(const tp_observation *o, tp_verdict *v);

#endif
