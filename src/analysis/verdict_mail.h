/* The verdict rules of the mail dialogues (verdict_mail.c): rows of the
 * table in verdict.c, over obs.mail (mail_obs.h). */
#ifndef TP_ANALYSIS_VERDICT_MAIL_H
#define TP_ANALYSIS_VERDICT_MAIL_H

#include "verdict.h"

#define TP_MAIL_RULE(name)                                                                         \
    bool tp_when_##name(const tp_observation *o);                                                  \
    void tp_say_##name(const tp_observation *o, tp_verdict *v);
TP_MAIL_RULE(mail_tls_early)
TP_MAIL_RULE(mail_other_protocol)
TP_MAIL_RULE(mail_line_too_long)
TP_MAIL_RULE(mail_auth_plain)
TP_MAIL_RULE(mail_preamble_timeout)
TP_MAIL_RULE(mail_no_starttls)
TP_MAIL_RULE(mail_starttls_refused)
TP_MAIL_RULE(mail_closed_after_greeting)
TP_MAIL_RULE(mail_closed_in_preamble)
TP_MAIL_RULE(mail_plaintext_on_implicit)
TP_MAIL_RULE(mail_waits_for_greeting)
TP_MAIL_RULE(mail_session_ok)
#undef TP_MAIL_RULE

#endif
