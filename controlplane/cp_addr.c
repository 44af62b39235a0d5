#include "cp_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

void
cp_addr_v4(struct cp_addr *a, uint32_t ip4)
{
	memset(a, 0, sizeof(*a));
	a->family = ip4 != 0 ? AF_INET : 0;
	a->ip4 = ip4;
}

void
cp_addr_v6(struct cp_addr *a, const uint8_t *ip6)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	memcpy(a->ip6, ip6, 16);
}

bool
cp_addr_is_set(const struct cp_addr *a)
{
	static const uint8_t any[16];

	if (a->family == AF_INET)
		return a->ip4 != 0;
	return a->family == AF_INET6 && memcmp(a->ip6, any, 16) != 0;
}

bool
cp_addr_eq(const struct cp_addr *a, const struct cp_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->ip4 == b->ip4;
	return a->family != AF_INET6 || memcmp(a->ip6, b->ip6, 16) == 0;
}

const char *
cp_addr_str(const struct cp_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (a->family == AF_INET) {
		struct in_addr ia = { .s_addr = htonl(a->ip4) };

		if (inet_ntop(AF_INET, &ia, buf, (socklen_t)len) == NULL)
			buf[0] = '\0';
	} else if (a->family == AF_INET6) {
		if (inet_ntop(AF_INET6, a->ip6, buf, (socklen_t)len) == NULL)
			buf[0] = '\0';
	}
	return buf;
}

int
cp_addr_parse(struct cp_addr *a, const char *s)
{
	struct in_addr ia;
	uint8_t b6[16];

	if (s == NULL)
		return -EINVAL;
	if (inet_pton(AF_INET, s, &ia) == 1) {
		cp_addr_v4(a, ntohl(ia.s_addr));
		return 0;
	}
	if (inet_pton(AF_INET6, s, b6) == 1) {
		cp_addr_v6(a, b6);
		return 0;
	}
	return -EINVAL;
}

int
cp_addr_json_set(json_t *o, const char *key4, const char *key6, const struct cp_addr *a)
{
	char buf[CP_ADDR_STRLEN];

	if (json_object_set_new(o, key4,
				json_integer(a->family == AF_INET ? (json_int_t)a->ip4 : 0)) != 0)
		return -ENOMEM;
	if (a->family == AF_INET6 &&
	    json_object_set_new(o, key6, json_string(cp_addr_str(a, buf, sizeof(buf)))) != 0)
		return -ENOMEM;
	return 0;
}

int
cp_addr_json_get(struct cp_addr *a, json_t *o, const char *key4, const char *key6)
{
	json_t *v6 = json_object_get(o, key6), *v4 = json_object_get(o, key4);
	json_int_t ip4;

	if (v6 != NULL) {
		if (!json_is_string(v6) || cp_addr_parse(a, json_string_value(v6)) != 0 ||
		    a->family != AF_INET6)
			return -EINVAL;
		return 0;
	}
	if (!json_is_integer(v4) || (ip4 = json_integer_value(v4)) < 0 || ip4 > UINT32_MAX)
		return -EINVAL;
	cp_addr_v4(a, (uint32_t)ip4);
	return 0;
}
