/* The piece list a record is reshaped in. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool reserve(qr_list *l, unsigned more)
{
    if (l->failed)
        return false;
    if (l->n + more <= l->cap)
        return true;
    unsigned cap = l->cap ? l->cap : 8;
    while (cap < l->n + more)
        cap *= 2;
    qr_piece *np = realloc(l->p, (size_t)cap * sizeof *np);
    if (!np) {
        l->failed = true;
        return false;
    }
    l->p = np;
    l->cap = cap;
    return true;
}

unsigned qr_split(qr_list *l, unsigned i, size_t size, const tp_quirk *q, const tp_quirk_set *set)
{
    if (i >= l->n || size == 0 || l->p[i].len <= size)
        return 1;
    qr_piece whole = l->p[i];
    unsigned parts = (unsigned)((whole.len + size - 1) / size);
    if (!reserve(l, parts - 1))
        return 1;
    memmove(&l->p[i + parts], &l->p[i + 1], (size_t)(l->n - i - 1) * sizeof l->p[0]);
    for (unsigned k = 0; k < parts; k++) {
        qr_piece *p = &l->p[i + k];
        *p = whole;
        p->data = whole.data + (size_t)k * size;
        p->len = k + 1 < parts ? size : whole.len - (size_t)k * size;
        qr_mark(p, q, set);
    }
    l->n += parts - 1;
    return parts;
}

int qr_insert(qr_list *l, unsigned i, const qr_piece *p)
{
    if (i > l->n || !reserve(l, 1))
        return -1;
    memmove(&l->p[i + 1], &l->p[i], (size_t)(l->n - i) * sizeof l->p[0]);
    l->p[i] = *p;
    l->n++;
    return (int)i;
}

void qr_mark(qr_piece *p, const tp_quirk *q, const tp_quirk_set *set)
{
    p->quirks |= 1u << (unsigned)(q - set->q);
}
