/* Verdict rules over PSKs (an identity the server does not have, a key
 * that differs) and the words for the server's on-demand actions after the
 * handshake (post-handshake CertificateRequest, KeyUpdate), whatever rule
 * decided (verdict_psk.c). */
#ifndef TP_ANALYSIS_VERDICT_PSK_H
#define TP_ANALYSIS_VERDICT_PSK_H

#include "verdict_relations.h"

TP_VERDICT_RELATIONS_RULE(psk_unknown_identity);
TP_VERDICT_RELATIONS_RULE(psk_key_mismatch);
TP_VERDICT_RELATIONS_RULE(pha_failed);

/* Appends what the on-demand actions after the handshake did: "; the
 * server asked for a certificate after the handshake; the client sent
 * none", "; the server updated its keys (KeyUpdate, update_requested) and
 * the client updated its own". */
void tp_verdict_actions_more(const tp_observation *o, tp_verdict *v);

#endif
