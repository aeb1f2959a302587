/* Verdict rules over the upstream of a terminating proxy (upstream.h):
 * the upstream refused or could not be reached, its TLS failed, it closed
 * first with the client's bytes unanswered, it was too slow.  The client is
 * not blamed for any of these: the actor is the server side (tlsprobe and
 * the real server behind it), and the summary names the upstream.  Each is
 * a (when, say) pair for the rule table of verdict.c. */
#ifndef TP_ANALYSIS_VERDICT_UPSTREAM_H
#define TP_ANALYSIS_VERDICT_UPSTREAM_H

#include "verdict_relations.h"

TP_VERDICT_RELATIONS_RULE(upstream_refused);
TP_VERDICT_RELATIONS_RULE(upstream_tls_failed);
TP_VERDICT_RELATIONS_RULE(upstream_closed_first);
TP_VERDICT_RELATIONS_RULE(upstream_slow);

#endif
