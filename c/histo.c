#include "histo.h"
#include "common.h"

#include <math.h>
#include <stdlib.h>

void histo_init(struct histo *h)
{
    h->count = 0;
    h->min_ns = UINT64_MAX;
    h->max_ns = 0;
    h->sum_ns = 0;
    h->bucket = xcalloc(HISTO_BUCKETS, sizeof *h->bucket);
}

void histo_free(struct histo *h)
{
    free(h->bucket);
    h->bucket = NULL;
}

unsigned histo_index(uint64_t ns)
{
    if (ns < HISTO_SUB)
        return (unsigned)ns;
    unsigned e = 63u - (unsigned)__builtin_clzll(ns); /* e >= HISTO_SUB_BITS */
    unsigned sub = (unsigned)(ns >> (e - HISTO_SUB_BITS)) & (HISTO_SUB - 1);
    return (e - HISTO_SUB_BITS + 1) * HISTO_SUB + sub;
}

uint64_t histo_lower(unsigned idx)
{
    if (idx < HISTO_SUB)
        return idx;
    unsigned e = idx / HISTO_SUB + HISTO_SUB_BITS - 1;
    uint64_t sub = idx % HISTO_SUB;
    return (HISTO_SUB + sub) << (e - HISTO_SUB_BITS);
}

uint64_t histo_width(unsigned idx)
{
    if (idx < HISTO_SUB)
        return 1;
    unsigned e = idx / HISTO_SUB + HISTO_SUB_BITS - 1;
    return 1ull << (e - HISTO_SUB_BITS);
}

void histo_add(struct histo *h, uint64_t ns)
{
    h->bucket[histo_index(ns)]++;
    h->count++;
    h->sum_ns += ns;
    if (ns < h->min_ns)
        h->min_ns = ns;
    if (ns > h->max_ns)
        h->max_ns = ns;
}

void histo_merge(struct histo *into, const struct histo *from)
{
    for (unsigned i = 0; i < HISTO_BUCKETS; i++)
        into->bucket[i] += from->bucket[i];
    into->count += from->count;
    into->sum_ns += from->sum_ns;
    if (from->min_ns < into->min_ns)
        into->min_ns = from->min_ns;
    if (from->max_ns > into->max_ns)
        into->max_ns = from->max_ns;
}

uint64_t histo_quantile(const struct histo *h, double q)
{
    if (h->count == 0)
        return 0;
    uint64_t rank = (uint64_t)ceil(q * (double)h->count);
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HISTO_BUCKETS; i++) {
        seen += h->bucket[i];
        if (seen >= rank) {
            uint64_t mid = histo_lower(i) + (histo_width(i) - 1) / 2;
            if (mid < h->min_ns)
                mid = h->min_ns;
            if (mid > h->max_ns)
                mid = h->max_ns;
            return mid;
        }
    }
    return h->max_ns;
}

double histo_mean(const struct histo *h)
{
    return h->count ? (double)(h->sum_ns / h->count) : 0.0;
}
