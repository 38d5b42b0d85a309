/*
 * What every fuzz target shares: libFuzzer's entry point (replay.c calls
 * it in make check) and CHECK, which turns a broken property into a crash
 * the fuzzer reports.
 */
#ifndef ECMPTRACE_TESTS_FUZZ_H
#define ECMPTRACE_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

#endif
