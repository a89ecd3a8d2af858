/*
 * Typed INI values.  Strict on purpose: a boot server's config is read by
 * people under pressure, so "10 m" or "1.2.3.04" is an error with a reason
 * rather than a guess.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cfgval.h"

static int
is_blank(const char *s)
{
	return (s == NULL || *s == '\0');
}

const char *
cfgv_bool(const char *s, int *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return (NULL);
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return (NULL);
		}
	}
	return ("not a boolean (use yes or no)");
}

/* Parse decimal digits only; *end gets the first non-digit. */
static int
parse_digits(const char *s, uint64_t *v, const char **end)
{
	uint64_t n = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return (-1);
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		return (-1);
	*v = n;
	*end = p;
	return (0);
}

const char *
cfgv_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;

	if (parse_digits(s, &v, &end) == -1 || *end != '\0')
		return ("not a whole number");
	if (v < min || v > max)
		return ("out of range");
	*out = v;
	return (NULL);
}

/* A unit suffix and what it multiplies by; "" is the bare number. */
struct unit {
	const char	*suffix;
	uint64_t	 mul;
};

static const struct unit duration_units[] = {
	{ "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
	{ NULL, 0 }
};
static const struct unit size_units[] = {
	{ "", 1 }, { "K", 1024 }, { "k", 1024 }, { "M", 1024 * 1024 },
	{ "G", 1024 * 1024 * 1024 }, { NULL, 0 }
};

/* Digits followed by exactly one of the suffixes, scaled, in [min, max]. */
static const char *
parse_scaled(const char *s, const struct unit *u, uint64_t min, uint64_t max,
    uint64_t *out, const char *what, const char *range)
{
	const char *end;
	uint64_t v;

	if (parse_digits(s, &v, &end) == -1)
		return (what);
	for (; u->suffix != NULL; u++)
		if (strcmp(end, u->suffix) == 0)
			break;
	if (u->suffix == NULL)
		return (what);
	if (v > UINT64_MAX / u->mul || v * u->mul < min || v * u->mul > max)
		return (range);
	*out = v * u->mul;
	return (NULL);
}

const char *
cfgv_duration(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	const char *err;
	uint64_t v;

	if ((err = parse_scaled(s, duration_units, min, max, &v,
	    "not a duration (use e.g. 90s, 10m, 12h or 7d)",
	    "duration out of range")) != NULL)
		return (err);
	*out = (uint32_t)v;
	return (NULL);
}

const char *
cfgv_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return (parse_scaled(s, size_units, min, max, out,
	    "not a size (use e.g. 1468, 64K or 1M)", "size out of range"));
}

static const char *
parse_ipv4(const char *s, uint32_t *out, const char **endp)
{
	uint32_t a = 0;
	uint64_t part;
	const char *p = s, *end;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0) {
			if (*p != '.')
				return ("not an IPv4 address");
			p++;
		}
		if (parse_digits(p, &part, &end) == -1 || part > 255 ||
		    end - p > 3)
			return ("not an IPv4 address");
		if (*p == '0' && end - p > 1)
			return ("not an IPv4 address (leading zero)");
		a = a << 8 | (uint32_t)part;
		p = end;
	}
	*out = a;
	*endp = p;
	return (NULL);
}

const char *
cfgv_ipv4(const char *s, uint32_t *out)
{
	const char *err, *end;

	if ((err = parse_ipv4(s, out, &end)) != NULL)
		return (err);
	return (*end == '\0' ? NULL : "not an IPv4 address");
}

uint32_t
cfgv_mask(unsigned prefix)
{
	return (prefix == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - prefix)));
}

const char *
cfgv_cidr(const char *s, uint32_t *net, unsigned *prefix)
{
	const char *err, *end;
	uint64_t len;
	uint32_t a;

	if ((err = parse_ipv4(s, &a, &end)) != NULL || *end != '/')
		return ("not a network (use e.g. 198.18.10.0/24)");
	if (cfgv_uint(end + 1, 1, 32, &len) != NULL)
		return ("prefix length must be 1 to 32");
	if ((a & ~cfgv_mask((unsigned)len)) != 0)
		return ("host bits are set (write the network address)");
	*net = a;
	*prefix = (unsigned)len;
	return (NULL);
}

const char *
cfgv_range(const char *s, struct cfg_range *r)
{
	const char *err, *end;
	uint32_t a, b;

	if ((err = parse_ipv4(s, &a, &end)) != NULL)
		return ("not an address range (use first-last)");
	if (*end == '\0') {
		r->first = r->last = a;
		return (NULL);
	}
	if (*end != '-' || cfgv_ipv4(end + 1, &b) != NULL)
		return ("not an address range (use first-last)");
	if (b < a)
		return ("range ends before it starts");
	r->first = a;
	r->last = b;
	return (NULL);
}

const char *
cfgv_hostport(const char *s, char *host, size_t hostlen, uint16_t *port)
{
	const char *colon, *hs, *he;
	uint64_t p;
	uint32_t a;
	size_t n;

	if (*s == '[') {
		hs = s + 1;
		if ((he = strchr(hs, ']')) == NULL || he[1] != ':')
			return ("not an address:port (use e.g. 127.0.0.1:8067)");
		colon = he + 1;
		for (const char *q = hs; q < he; q++)
			if (!isxdigit((unsigned char)*q) && *q != ':' &&
			    *q != '.')
				return ("not an IPv6 address");
		if (he == hs)
			return ("not an IPv6 address");
	} else {
		hs = s;
		if ((colon = strrchr(s, ':')) == NULL)
			return ("not an address:port (use e.g. 127.0.0.1:8067)");
		he = colon;
	}
	n = (size_t)(he - hs);
	if (n == 0 || n >= hostlen)
		return ("not an address:port (use e.g. 127.0.0.1:8067)");
	memcpy(host, hs, n);
	host[n] = '\0';
	if (*s != '[' && cfgv_ipv4(host, &a) != NULL)
		return ("not an IPv4 address (names are not resolved)");
	if (cfgv_uint(colon + 1, 1, 65535, &p) != NULL)
		return ("port must be 1 to 65535");
	*port = (uint16_t)p;
	return (NULL);
}

const char *
cfgv_name(const char *s, char *dst, size_t n)
{
	size_t i, len = strlen(s);

	if (len == 0 || len >= n)
		return ("name is empty or too long");
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._:-", s[i]) == NULL)
			return ("name may hold only letters, digits and ._:-");
	memcpy(dst, s, len + 1);
	return (NULL);
}

const char *
cfgv_path(const char *s, char *dst, size_t n)
{
	size_t i, len = strlen(s);

	if (len == 0 || s[0] != '/')
		return ("not an absolute path");
	if (len >= n)
		return ("path too long");
	for (i = 0; i < len; i++)
		if (iscntrl((unsigned char)s[i]))
			return ("path holds a control character");
	memcpy(dst, s, len + 1);
	return (NULL);
}

const char *
cfgv_domain(const char *s, char *dst, size_t n)
{
	size_t i, len = strlen(s), label = 0;

	if (len == 0 || len > 253 || len >= n)
		return ("not a domain name");
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return ("not a domain name");
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return ("not a domain name");
		if ((label == 0 && s[i] == '-') || ++label > 63)
			return ("not a domain name");
	}
	if (s[len - 1] == '-')
		return ("not a domain name");
	memcpy(dst, s, len + 1);
	return (NULL);
}

int
cfgv_split(const char *s, char *items, size_t itemlen, size_t max)
{
	const char *p = s, *e, *comma;
	size_t count = 0, n;

	if (is_blank(s))
		return (-1);
	for (;;) {
		comma = strchr(p, ',');
		e = comma != NULL ? comma : p + strlen(p);
		while (p < e && isspace((unsigned char)*p))
			p++;
		while (e > p && isspace((unsigned char)e[-1]))
			e--;
		n = (size_t)(e - p);
		if (n == 0 || n >= itemlen || count == max)
			return (-1);
		memcpy(items + count * itemlen, p, n);
		items[count * itemlen + n] = '\0';
		count++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return ((int)count);
}

int
cfgv_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

const char *
cfgv_hex(const char *s, uint8_t *dst, size_t *len, size_t min, size_t max)
{
	size_t n = 0;
	int hi, lo;

	while (*s != '\0') {
		if (n > 0 && *s == ':')
			s++;
		if ((hi = cfgv_hexdigit(s[0])) == -1 || (lo = cfgv_hexdigit(s[1])) == -1)
			return ("not hex bytes (use e.g. 01:a0:ff or 01a0ff)");
		if (n == max)
			return ("too many bytes");
		dst[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	if (n < min)
		return ("too few bytes");
	*len = n;
	return (NULL);
}

const char *
cfgv_mac(const char *s, uint8_t mac[6])
{
	int i, hi, lo;

	for (i = 0; i < 6; i++) {
		if (i > 0) {
			if (*s != ':' && *s != '-')
				return ("not a MAC address (use "
				    "aa:bb:cc:dd:ee:ff)");
			s++;
		}
		if ((hi = cfgv_hexdigit(s[0])) == -1 || (lo = cfgv_hexdigit(s[1])) == -1)
			return ("not a MAC address (use aa:bb:cc:dd:ee:ff)");
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return (*s == '\0' ? NULL : "not a MAC address (use aa:bb:cc:dd:ee:ff)");
}

const char *
cfgv_guid(const char *s, uint8_t guid[16])
{
	static const char bad[] = "not a GUID (use "
	    "8-4-4-4-12 hex digits, e.g. 4c4c4544-0042-3510-8052-b3c04f4e3832)";
	static const int group[] = { 8, 4, 4, 4, 12 };
	uint8_t b[16];
	size_t n = 0, g, j;
	int hi, lo, brace = *s == '{';

	s += brace;
	for (g = 0; g < 5; g++) {
		if (g > 0 && *s++ != '-')
			return (bad);
		for (j = 0; j < (size_t)group[g]; j += 2) {
			if ((hi = cfgv_hexdigit(s[0])) == -1 || (lo = cfgv_hexdigit(s[1])) == -1)
				return (bad);
			b[n++] = (uint8_t)(hi << 4 | lo);
			s += 2;
		}
	}
	if (brace && *s++ != '}')
		return (bad);
	if (*s != '\0')
		return (bad);
	/* time_low, time_mid, time_hi_and_version little-endian. */
	guid[0] = b[3];
	guid[1] = b[2];
	guid[2] = b[1];
	guid[3] = b[0];
	guid[4] = b[5];
	guid[5] = b[4];
	guid[6] = b[7];
	guid[7] = b[6];
	memcpy(guid + 8, b + 8, 8);
	return (NULL);
}

const char *
cfgv_fmt_ip(char buf[CFGV_IPSTR], uint32_t a)
{
	snprintf(buf, CFGV_IPSTR, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff);
	return (buf);
}
