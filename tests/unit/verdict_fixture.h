/* Shared by the verdict-rule unit tests (test_relations.c,
 * test_verdict_certs.c, test_alpn_sni.c): a neutral observation to start a
 * hand-made case from, and the assertion every verdict test makes (outcome,
 * phase, who acted, the cause and the words).  Include after cmocka.h and
 * analysis/verdict.h. */
#ifndef TP_TEST_VERDICT_FIXTURE_H
#define TP_TEST_VERDICT_FIXTURE_H

#include <stdbool.h>
#include <string.h>

/* Both Finished unchecked, the peer closed after a second. */
static inline void obs_init(tp_observation *o)
{
    memset(o, 0, sizeof *o);
    o->client.finished_verified = o->server.finished_verified = -1;
    o->end = TP_END_PEER_CLOSED;
    o->t_end = 1.0;
    tp_facts_init(&o->facts);
}

static inline void assert_verdict(const tp_verdict *v, bool ok, tp_phase phase, tp_actor actor,
                                  const char *cause, const char *words)
{
    assert_int_equal(v->ok, ok);
    assert_int_equal(v->phase, phase);
    assert_int_equal(v->actor, actor);
    assert_non_null(v->cause);
    assert_string_equal(v->cause, cause);
    if (!strstr(v->summary, words))
        fail_msg("'%s' not in '%s'", words, v->summary);
}

static inline bool cause_is(const tp_verdict *v, const char *cause)
{
    return v->cause && strcmp(v->cause, cause) == 0;
}

#endif
