/* The session model, held records: live, a protected record whose keys
 * the engine has not logged yet is held back (bounded: TP_HELD_MAX records,
 * TP_HELD_BYTES_MAX bytes per direction) and processed when they arrive. */
#include <stdlib.h>
#include <string.h>

#include "session_int.h"

/* Whether the verifier can open dir's records of its current epoch now. */
bool sess_keys_known(const tp_session *s, tp_dir dir)
{
    return crypto_conn_has_keys(s->cc, dir, crypto_conn_epoch(s->cc, dir));
}

double sess_held_secret_t(const tp_session *s, double t)
{
    for (int dir = 0; dir < 2; dir++)
        if (s->d[dir].num_held && s->d[dir].held[0].t < t)
            t = s->d[dir].held[0].t;
    return t < s->t_emitted ? s->t_emitted : t;
}

/* Processes the held records of dir; with `force`, also those whose keys
 * are still missing (they are then reported unchecked). */
void sess_release_held(tp_session *s, tp_dir dir, bool force)
{
    dir_state *d = &s->d[dir];
    unsigned done = 0;
    while (done < d->num_held && (force || sess_keys_known(s, dir))) {
        struct held_record *h = &d->held[done];
        cur_t in;
        cur_init(&in, h->bytes, h->len);
        wire_record rec;
        size_t need;
        if (wire_record_parse(&in, &rec, &need) == TP_OK)
            sess_process_record(s, dir, h->t, &rec, h->quirk);
        free(h->bytes);
        free(h->quirk);
        d->held_bytes -= h->len;
        done++;
    }
    if (done > 0) {
        memmove(d->held, d->held + done, (d->num_held - done) * sizeof d->held[0]);
        d->num_held -= done;
    }
}

bool sess_hold_record(tp_session *s, tp_dir dir, double t, const wire_record *rec)
{
    dir_state *d = &s->d[dir];
    size_t len = cur_len(&rec->header) + cur_len(&rec->fragment);
    if (d->num_held >= TP_HELD_MAX || d->held_bytes + len > TP_HELD_BYTES_MAX)
        return false;
    uint8_t *copy = malloc(len);
    if (!copy)
        return false;
    memcpy(copy, cur_data(&rec->header), cur_len(&rec->header));
    memcpy(copy + cur_len(&rec->header), cur_data(&rec->fragment), cur_len(&rec->fragment));
    d->held[d->num_held++] = (struct held_record){
        .t = t, .bytes = copy, .len = len, .quirk = d->quirk ? strdup(d->quirk) : NULL};
    d->held_bytes += len;
    return true;
}

void sess_held_free(dir_state *d)
{
    for (unsigned j = 0; j < d->num_held; j++) {
        free(d->held[j].bytes);
        free(d->held[j].quirk);
    }
    d->num_held = 0;
    d->held_bytes = 0;
}
