/* The session model, its lowest layer: events to the sinks, notes, the
 * observation side of a direction, a stream given up on, and a key log line
 * for the verifier.  Every other session file calls these; they call none of
 * them (the calls between the session files go one way: session.c ->
 * session_held.c -> session_record.c -> session_hs.c -> session_naming.c,
 * and all of them -> session_out.c). */
#include "session_int.h"

#include <stdio.h>
#include <string.h>

void sess_emit(tp_session *s, tp_event *ev)
{
    ev->conn = s->conn;
    if (ev->t > s->t_emitted)
        s->t_emitted = ev->t;
    for (unsigned i = 0; i < s->num_sinks; i++)
        s->sinks[i]->on_event(s->sinks[i], ev);
}

void sess_note(tp_session *s, double t, tp_dir dir, const char *text)
{
    tp_event ev = {.type = TP_EV_NOTE, .t = t, .dir = dir};
    ev.u.note.text = text;
    sess_emit(s, &ev);
}

tp_obs_side *sess_side(tp_session *s, tp_dir dir)
{
    return dir == TP_C2S ? &s->obs.client : &s->obs.server;
}

void sess_broken(tp_session *s, tp_dir dir, double t, const char *detail)
{
    if (dir == TP_C2S && !s->obs.broken_stream) {
        s->obs.broken_stream = true;
        snprintf(s->obs.broken_detail, sizeof s->obs.broken_detail, "%s", detail);
    }
    sess_note(s, t, dir, detail);
    s->d[dir].dead = true;
}

bool sess_add_secret_line(tp_session *s, const char *nss_line)
{
    crypto_keylog_entry e;
    if (crypto_keylog_parse_line(nss_line, strlen(nss_line), &e) != TP_OK ||
        e.label == CRYPTO_KL_NONE)
        return false;
    return crypto_conn_add_secret(s->cc, &e) == TP_OK;
}
