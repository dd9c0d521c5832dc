/* A small test harness: CHECK macros that count failures and keep going,
 * and a main() convention: return test_done() (0 pass, 1 fail, 77 skip). */
#ifndef PETREL_TEST_H
#define PETREL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_SKIP 77

static int test_failures;
static int test_checks;

#define CHECK(cond)                                                              \
	do {                                                                     \
		test_checks++;                                                   \
		if (!(cond)) {                                                   \
			test_failures++;                                         \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,   \
				__LINE__, #cond);                                \
		}                                                                \
	} while (0)

#define CHECK_EQ(a, b)                                                           \
	do {                                                                     \
		long long a_ = (long long)(a), b_ = (long long)(b);              \
		test_checks++;                                                   \
		if (a_ != b_) {                                                  \
			test_failures++;                                         \
			fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, %s == %lld\n", \
				__FILE__, __LINE__, #a, a_, #b, b_);             \
		}                                                                \
	} while (0)

#define CHECK_MEM(a, b, n)                                                       \
	do {                                                                     \
		test_checks++;                                                   \
		if (memcmp((a), (b), (n)) != 0) {                                \
			test_failures++;                                         \
			fprintf(stderr, "%s:%d: CHECK_MEM failed: %s vs %s (%zu bytes)\n", \
				__FILE__, __LINE__, #a, #b, (size_t)(n));        \
		}                                                                \
	} while (0)

static inline int test_done(void)
{
	printf("%d checks, %d failed\n", test_checks, test_failures);
	return test_failures ? 1 : 0;
}

/* Print why and return TEST_SKIP from main(). ctest reports it as skipped. */
static inline int test_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	return TEST_SKIP;
}

#endif
