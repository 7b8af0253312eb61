/*
 * env.c - helpers for the environment types of env.h (TXT answer sets and
 * status names).  No global state.
 */
#include "env.h"

void
dns_txt_init(struct dns_txt *t)
{
	size_t i;

	t->n = 0;
	for (i = 0; i < DNS_TXT_MAX_RECORDS; i++)
		str_init(&t->rec[i], DNS_TXT_MAX);
}

int
dns_txt_add(struct dns_txt *t, const char *data, size_t len)
{
	if (t->n >= DNS_TXT_MAX_RECORDS)
		return -1;
	str_init(&t->rec[t->n], DNS_TXT_MAX);
	if (str_set(&t->rec[t->n], data, len) != STR_OK) {
		str_free(&t->rec[t->n]);
		return -1;
	}
	t->n++;
	return 0;
}

void
dns_txt_free(struct dns_txt *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		str_free(&t->rec[i]);
	t->n = 0;
}

const char *
dns_rcode_name(enum dns_rcode rc)
{
	switch (rc) {
	case DNS_OK:
		return "ok";
	case DNS_NODATA:
		return "nodata";
	case DNS_NXDOMAIN:
		return "nxdomain";
	case DNS_TEMPFAIL:
		return "tempfail";
	case DNS_PERMFAIL:
		return "permfail";
	}
	return "unknown";
}

const char *
dns_sec_name(enum dns_sec sec)
{
	switch (sec) {
	case DNS_SEC_INSECURE:
		return "insecure";
	case DNS_SEC_SECURE:
		return "secure";
	case DNS_SEC_BOGUS:
		return "bogus";
	}
	return "unknown";
}
