/* See verdict_alpn_sni.h.  The sentences relate what the client offered
 * to what the server had: "the client offered ALPN h2 only; the server has
 * http/1.1 (--alpn http/1.1 --alpn-mode strict)". */
#include "verdict_alpn_sni.h"

#include "verdict_int.h"

#include <string.h>

static bool alert_is(const tp_obs_side *s, bool fatal, const char *desc)
{
    return s->has_alert && s->fatal_alert == fatal && vd_is(s->alert.description, desc);
}

/* "the client offered ALPN h2 only" / "it offered no ALPN" */
static void say_offered(const tp_relations *r, const char *who, tp_verdict *v)
{
    char offered[200];
    tp_rel_alpn_offered(r, offered, sizeof offered);
    if (r->num_alpn_offered)
        vd_say_more(v, "%s offered ALPN %s%s", who, offered,
                    r->num_alpn_offered == 1 ? " only" : "");
    else
        vd_say_more(v, "%s offered no ALPN", who);
}

/* The server's list as --alpn spells it: "h2, http/1.1" -> "h2,http/1.1". */
static void alpn_option(char *out, size_t cap, const tp_relations *r)
{
    size_t n = 0;
    for (const char *p = r->alpn_server; *p && n + 1 < cap; p++)
        if (!(*p == ' ' && p > r->alpn_server && p[-1] == ','))
            out[n++] = *p;
    out[n] = '\0';
}

/* ---- no_application_protocol (RFC 7301 3.2) ---- */

bool tp_when_no_application_protocol(const tp_observation *o)
{
    return alert_is(&o->server, true, "no_application_protocol") ||
           alert_is(&o->client, true, "no_application_protocol");
}
void tp_say_no_application_protocol(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    bool server = alert_is(&o->server, true, "no_application_protocol");
    vd_fail(v, TP_PHASE_HANDSHAKE, server ? TP_ACTOR_SERVER : TP_ACTOR_CLIENT);
    if (!server) {
        vd_say(v, "the client sent fatal no_application_protocol: ");
        say_offered(r, "it", v);
        if (r->alpn_selected[0])
            vd_say_more(v, " and the server selected %s", r->alpn_selected);
        else
            vd_say_more(v, " and requires one of them; the server selected none");
        vd_add_server_reaction(o, v);
        return;
    }
    vd_say(v, "the server sent fatal no_application_protocol: ");
    say_offered(r, "the client", v);
    if (!r->alpn_server[0]) {
        vd_say_more(v, "; the server found none of them acceptable");
        return;
    }
    char opt[sizeof r->alpn_server];
    alpn_option(opt, sizeof opt, r);
    vd_say_more(v,
                "; the server has %s (--alpn %s --alpn-mode %s) and none of them is in the "
                "client's list",
                r->alpn_server, opt, vd_or(r->alpn_mode, "strict"));
}

/* ---- SNI ---- */

bool tp_when_sni_unrecognized(const tp_observation *o)
{
    return alert_is(&o->server, true, "unrecognized_name");
}
void tp_say_sni_unrecognized(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    vd_say(v, "the server sent fatal unrecognized_name: the client asked for %s",
           r->sni_offered ? r->sni : "no name (no server_name extension)");
    if (r->sni_mode && r->sni_names[0])
        vd_say_more(v,
                    ", which neither an --sni-cert (%s) nor the default certificate covers, "
                    "and --sni-mode %s refuses it",
                    r->sni_names, r->sni_mode);
    else if (r->sni_mode)
        vd_say_more(v,
                    ", which the default certificate does not cover (no --sni-cert given), "
                    "and --sni-mode %s refuses it",
                    r->sni_mode);
    else
        vd_say_more(v, ", which the server does not recognize");
}

bool tp_when_sni_warning_rejected(const tp_observation *o)
{
    if (o->handshake_done || !alert_is(&o->server, false, "unrecognized_name"))
        return false;
    /* a certificate alert is about the certificate, not the warning */
    return !(vd_client_fatal(o) && vd_in_list(o->client.alert.description, vd_certificate_alerts));
}
void tp_say_sni_warning_rejected(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    vd_say(v, "the client gave up after the server's warning unrecognized_name");
    if (vd_client_fatal(o))
        vd_say_more(v, " (it sent %s %s)", o->client.alert.level, o->client.alert.description);
    else
        vd_say_more(v, " (it %s)", vd_close_words(o));
    vd_say_more(v,
                "; it asked for %s%s; a warning lets the client go on with the default "
                "certificate (RFC 6066 3), this client treats it as fatal",
                r->sni_offered ? r->sni : "no name",
                vd_is(r->sni_mode, "warn") ? ", which no certificate covers (--sni-mode warn)"
                                           : "");
}

void vd_say_sni_choice(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    if (!r->sni_cert[0] || !r->sni_offered)
        return;
    if (strcmp(r->sni_cert, "default") == 0)
        vd_say_more(v, "; the server sent its default certificate (%s %s)",
                    r->sni_names[0] ? "no --sni-cert covers" : "no --sni-cert given for", r->sni);
    else
        vd_say_more(v, "; the server sent the certificate of --sni-cert %s", r->sni_cert);
}

void vd_say_alpn_server(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    if (!r->alpn_mode)
        return; /* offline: not known */
    if (r->alpn_server[0])
        vd_say_more(v, " (the server has %s)", r->alpn_server);
    else
        vd_say_more(v, " (the server has no ALPN list)");
}

/* ---- h2 for --http ---- */

bool tp_when_alpn_h2_in_http(const tp_observation *o)
{
    /* a connection that got h2 and was never used stays unused (a preconnect) */
    return o->handshake_done && vd_is(o->facts.mode, "http") &&
           vd_is(o->facts.rel.alpn_selected, "h2") && o->facts.app_bytes[0];
}
void tp_say_alpn_h2_in_http(const tp_observation *o, tp_verdict *v)
{
    tp_app_layer a;
    tp_facts_app_fit(&o->facts, &a);
    char opt[sizeof o->facts.rel.alpn_server];
    alpn_option(opt, sizeof opt, &o->facts.rel);
    vd_ok(v);
    v->actor = TP_ACTOR_SERVER; /* it agreed to a protocol its mode does not speak */
    vd_say_completed(o, v);
    vd_say_more(v,
                "; the server selected ALPN h2 (--alpn %s), but tlsprobe's --http speaks "
                "HTTP/1.1 only",
                opt[0] ? opt : "h2");
    if (vd_is(a.fit, "h2-preface"))
        vd_say_more(v, "; the client spoke HTTP/2 (connection preface) and tlsprobe answered "
                       "with HTTP/2 GOAWAY HTTP_1_1_REQUIRED (a browser then retries with "
                       "HTTP/1.1)");
    else
        vd_say_more(v, "; the client sent HTTP/1.x over h2");
}
