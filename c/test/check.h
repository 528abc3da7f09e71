/* The unit tests' check: count a passed or failed condition, naming a
 * failed one on stderr. One copy per test binary (static counters). */
#ifndef COPYBENCH_TEST_CHECK_H
#define COPYBENCH_TEST_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond) {                                                                    \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
        }                                                                              \
    } while (0)

#endif
