/* The per-server resumption store: see resume_store.h. */
#include "resume_store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t key[STORE_KEY_MAX];
    size_t key_len;
    uint8_t *data;
    size_t data_len;
} store_entry;

struct engine_store {
    pthread_mutex_t lock;
    store_entry cache[STORE_SESSIONS];
    unsigned cache_next;
    uint8_t used[STORE_TICKETS][32];
    unsigned num_used, used_next;
};

engine_store *engine_store_new(void)
{
    engine_store *s = calloc(1, sizeof *s);
    if (s)
        pthread_mutex_init(&s->lock, NULL);
    return s;
}

static void entry_clear(store_entry *e)
{
    if (e->data)
        explicit_bzero(e->data, e->data_len); /* a session holds its master secret */
    free(e->data);
    e->data = NULL;
    e->data_len = e->key_len = 0;
}

void engine_store_free(engine_store *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < STORE_SESSIONS; i++)
        entry_clear(&s->cache[i]);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static store_entry *find(engine_store *s, const uint8_t *key, size_t key_len)
{
    for (unsigned i = 0; i < STORE_SESSIONS; i++) {
        store_entry *e = &s->cache[i];
        if (e->data && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            return e;
    }
    return NULL;
}

bool engine_store_put(engine_store *s, const uint8_t *key, size_t key_len, const uint8_t *data,
                      size_t data_len)
{
    if (key_len == 0 || key_len > STORE_KEY_MAX || data_len == 0)
        return false;
    uint8_t *copy = malloc(data_len);
    if (!copy)
        return false;
    memcpy(copy, data, data_len);
    pthread_mutex_lock(&s->lock);
    store_entry *e = find(s, key, key_len);
    if (!e) {
        e = &s->cache[s->cache_next];
        s->cache_next = (s->cache_next + 1) % STORE_SESSIONS;
    }
    entry_clear(e);
    memcpy(e->key, key, key_len);
    e->key_len = key_len;
    e->data = copy;
    e->data_len = data_len;
    pthread_mutex_unlock(&s->lock);
    return true;
}

uint8_t *engine_store_get(engine_store *s, const uint8_t *key, size_t key_len,
                          void *(*alloc)(size_t), size_t *out_len)
{
    uint8_t *out = NULL;
    *out_len = 0;
    pthread_mutex_lock(&s->lock);
    store_entry *e = find(s, key, key_len);
    if (e && (out = alloc(e->data_len)) != NULL) {
        memcpy(out, e->data, e->data_len);
        *out_len = e->data_len;
    }
    pthread_mutex_unlock(&s->lock);
    return out;
}

void engine_store_remove(engine_store *s, const uint8_t *key, size_t key_len)
{
    pthread_mutex_lock(&s->lock);
    store_entry *e = find(s, key, key_len);
    if (e)
        entry_clear(e);
    pthread_mutex_unlock(&s->lock);
}

bool engine_store_ticket_used(engine_store *s, const uint8_t id[32], bool take)
{
    bool found = false;
    pthread_mutex_lock(&s->lock);
    for (unsigned i = 0; i < s->num_used && !found; i++)
        found = memcmp(s->used[i], id, 32) == 0;
    if (!found && take) {
        memcpy(s->used[s->used_next], id, 32);
        s->used_next = (s->used_next + 1) % STORE_TICKETS;
        if (s->num_used < STORE_TICKETS)
            s->num_used++;
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

void engine_tls13_psk_kx(tp_engine_info *out)
{
    const char *g = out->group;
    snprintf(out->kx, sizeof out->kx, "%s", !g[0] ? "PSK"
                                            : strncmp(g, "FFDHE", 5) == 0 ? "DHE-PSK"
                                                                          : "ECDHE-PSK");
}
