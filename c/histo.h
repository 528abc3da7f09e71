/* Latency histogram with bounded relative error: exact below 128 ns, then
 * 128 linear sub-buckets per power of two, so a reported percentile is
 * within 1/256 (< 0.4 %) of the true value. One per thread, merged at the end. */
#ifndef COPYBENCH_HISTO_H
#define COPYBENCH_HISTO_H

#include <stdint.h>

#define HISTO_SUB_BITS 7
#define HISTO_SUB (1u << HISTO_SUB_BITS)
#define HISTO_BUCKETS ((64 - HISTO_SUB_BITS + 1) * HISTO_SUB)

struct histo {
    uint64_t count;
    uint64_t min_ns, max_ns;
    long double sum_ns;
    uint64_t *bucket; /* HISTO_BUCKETS counters */
};

void histo_init(struct histo *h);
void histo_free(struct histo *h);
void histo_add(struct histo *h, uint64_t ns);
void histo_merge(struct histo *into, const struct histo *from);
/* Value at quantile q in [0, 1], in ns, clamped to [min, max]; 0 if empty. */
uint64_t histo_quantile(const struct histo *h, double q);
double histo_mean(const struct histo *h);

/* Bucket mapping, exposed for the unit test. */
unsigned histo_index(uint64_t ns);
uint64_t histo_lower(unsigned idx);
uint64_t histo_width(unsigned idx);

#endif
