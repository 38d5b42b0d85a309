/*
 * Origin AS lookups (aslookup.h): one TXT question per address through the
 * system's resolver (res_query: /etc/resolv.conf's servers, its timeouts),
 * on the worker thread of a resolver cache.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include <string.h>

#include "net/aslookup.h"
#include "wire/asn.h"

/* Room for a TXT answer: cymru's are one short string. */
#define ANSWER_MAX 1024

static bool origin_as(const struct ip_addr *a, char *out, size_t len)
{
	char qname[ASN_QNAME_MAX], as[ASN_TEXT_MAX];
	uint8_t answer[ANSWER_MAX];
	int n;

	if (len < ASN_TEXT_MAX || !asn_query_name(a, qname, sizeof(qname)))
		return false;
	/* glibc keeps the resolver's state per thread: this worker's own. */
	n = res_query(qname, C_IN, T_TXT, answer, sizeof(answer));
	if (n <= 0 || !asn_parse_answer(answer, n < ANSWER_MAX ? (size_t)n : ANSWER_MAX, as))
		return false;
	memcpy(out, as, ASN_TEXT_MAX);
	return true;
}

struct resolver *aslookup_new(void)
{
	return resolver_new_with(origin_as);
}
