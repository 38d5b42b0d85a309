/*
 * A few lines of TAP (Test Anything Protocol) for the C tests: each check
 * prints "ok N - what" or "not ok N - what", tap_done() prints the plan and
 * returns the exit status.  The automake TAP driver counts the checks.
 */
#ifndef ECMPTRACE_TESTS_TAP_H
#define ECMPTRACE_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count;
static int tap_failures;

static void tap_vok(int passed, const char *file, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void tap_vok(int passed, const char *file, int line, const char *fmt, va_list ap)
{
	tap_count++;
	printf("%sok %d - ", passed ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	printf("\n");
	if (!passed) {
		tap_failures++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
}

static void tap_ok(int passed, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void tap_ok(int passed, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vok(passed, file, line, fmt, ap);
	va_end(ap);
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failures ? 1 : 0;
}

#endif
