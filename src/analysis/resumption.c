/* Resumption in words: see resumption.h. */
#include "resumption.h"

#include <stdio.h>
#include <string.h>

/* What the client offered, as a phrase. */
static const char *offer_name(const tp_resumption *r)
{
    if (r->offered_psk)
        return "a TLS 1.3 ticket (pre_shared_key)";
    if (r->offered_ticket)
        return "a session ticket";
    return "a session id";
}

const char *tp_resumption_why(const tp_resumption *r)
{
    bool offered = r->offered_id || r->offered_ticket || r->offered_psk;
    if (!offered || !r->decided || r->resumed)
        return NULL;
    unsigned need = r->offered_psk ? TP_RES_PSK
                                   : (r->offered_ticket ? TP_RES_TICKET : 0) |
                                         (r->offered_id ? TP_RES_ID : 0);
    if (r->server_known && !(r->server_modes & need))
        return "resumption-off";
    if (r->cache_miss && !r->offered_ticket)
        return "cache-miss";
    if (!r->server_known)
        return "not-known";
    if (r->offered_psk)
        return "psk-unknown";
    return r->offered_ticket && (r->server_modes & TP_RES_TICKET) ? "ticket-unknown" : "cache-miss";
}

const char *tp_resumption_why_text(const char *why)
{
    static const struct {
        const char *id, *text;
    } t[] = {
        {"resumption-off", "the server does not take it (--resumption; TLS 1.2 tickets are off "
                           "with renegotiation)"},
        {"cache-miss", "the session id was not in the server's cache (another server, a restart, "
                       "or evicted)"},
        {"ticket-unknown", "the server could not use the ticket (issued by another server or "
                           "process, another key, or expired)"},
        {"psk-unknown", "the server could not use the ticket (issued by another server or "
                        "process, another key, or expired)"},
        {"not-known", "the capture does not say why"},
    };
    for (size_t i = 0; why && i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].id, why))
            return t[i].text;
    return "";
}

static const char *how_text(const tp_resumption *r)
{
    if (!strcmp(r->how, "psk"))
        return !strcmp(r->psk_mode ? r->psk_mode : "", "psk_ke") ? "with a TLS 1.3 PSK (psk_ke)"
                                                                  : "with a TLS 1.3 PSK (psk_dhe_ke)";
    return !strcmp(r->how, "ticket") ? "by session ticket" : "by session id";
}

void tp_resumption_say(const tp_resumption *r, char *out, size_t out_len)
{
    out[0] = '\0';
    const char *why = tp_resumption_why(r);
    int w = 0;
    if (r->resumed && r->how)
        w = snprintf(out, out_len, "resumed %s", how_text(r));
    else if (r->external_psk && r->psk_mode) /* taken: a new session, no resumption */
        w = snprintf(out, out_len, "keyed by the external PSK (%s)", r->psk_mode);
    else if (why)
        w = snprintf(out, out_len,
                     "the client offered resumption (%s); the server did a full handshake: %s",
                     offer_name(r), tp_resumption_why_text(why));
    if (w < 0 || (size_t)w >= out_len || !r->early)
        return;
    if (!strcmp(r->early, "accepted"))
        snprintf(out + w, out_len - (size_t)w, "%s0-RTT early data accepted (%u record%s)",
                 w ? "; " : "", r->early_records, r->early_records == 1 ? "" : "s");
    else
        snprintf(out + w, out_len - (size_t)w, "%s0-RTT early data rejected%s", w ? "; " : "",
                 r->early_replay ? " (a replay: this ticket's early data was taken before)"
                                 : "");
}
