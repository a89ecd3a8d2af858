/*
 * Request-target decoding and Range parsing for the boot-file HTTP
 * server (http_range.h).  Pure.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "pxeha/http_range.h"
#include "../core/cfgval.h"

static int
ctlbyte(unsigned char c)
{
	return (c < 0x20 || c == 0x7f);
}

/* Skip "scheme://authority" of an absolute-form target; *pos at its path. */
static int
skip_absolute(const char *in, size_t len, size_t *pos)
{
	size_t	 i, n;

	if (len >= 7 && strncasecmp(in, "http://", 7) == 0)
		n = 7;
	else if (len >= 8 && strncasecmp(in, "https://", 8) == 0)
		n = 8;
	else
		return (-1);
	for (i = n; i < len && in[i] != '/' && in[i] != '?' && in[i] != '#';
	    i++)
		if (ctlbyte((unsigned char)in[i]))
			return (-1);
	if (i == n)
		return (-1);		/* no host */
	*pos = i;
	return (0);
}

/*
 * Check the whole target first, so that the answer never depends on
 * outlen: no control byte anywhere, and every '%' of the path part
 * followed by two hex digits.  Returns the end of the path part, or -1.
 */
static int
check_target(const char *in, size_t len, size_t start, size_t *pathend)
{
	size_t	 i;
	int	 inpath = 1;

	for (i = start; i < len; i++) {
		if (ctlbyte((unsigned char)in[i]))
			return (-1);
		if (inpath && (in[i] == '?' || in[i] == '#')) {
			*pathend = i;
			inpath = 0;
		}
		if (inpath && in[i] == '%' && (len - i < 3 ||
		    cfgv_hexdigit((unsigned char)in[i + 1]) == -1 ||
		    cfgv_hexdigit((unsigned char)in[i + 2]) == -1))
			return (-1);
	}
	if (inpath)
		*pathend = len;
	return (0);
}

int
http_path_decode(const char *in, size_t len, char *out, size_t outlen)
{
	size_t	 i = 0, o = 0, end = len;
	unsigned char c;

	if (outlen > 0)
		out[0] = '\0';
	if (len == 0 || (in[0] != '/' && skip_absolute(in, len, &i) == -1) ||
	    check_target(in, len, i, &end) == -1)
		return (-HTTP_PATH_E_BAD);
	/* "http://host" and "http://host?q" name the root. */
	if (i == end || in[i] != '/') {
		if (outlen < 2)
			return (-HTTP_PATH_E_LONG);
		out[o++] = '/';
	}
	for (; i < end; i++) {
		c = (unsigned char)in[i];
		if (c == '%') {
			c = (unsigned char)(cfgv_hexdigit((unsigned char)in[i + 1]) << 4 |
			    cfgv_hexdigit((unsigned char)in[i + 2]));
			i += 2;
			if (ctlbyte(c))
				goto bad;
		}
		if (o + 1 >= outlen) {
			/* A decoded control byte further on still wins. */
			for (i++; i < end; i++)
				if (in[i] == '%' && ctlbyte((unsigned char)
				    (cfgv_hexdigit((unsigned char)in[i + 1]) << 4 |
				    cfgv_hexdigit((unsigned char)in[i + 2]))))
					goto bad;
			if (outlen > 0)
				out[0] = '\0';
			return (-HTTP_PATH_E_LONG);
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return ((int)o);
bad:
	if (outlen > 0)
		out[0] = '\0';
	return (-HTTP_PATH_E_BAD);
}

static int
ows(char c)
{
	return (c == ' ' || c == '\t');
}

/*
 * Read 1*DIGIT at v[*i..len); saturates at UINT64_MAX.  Returns 0, or
 * -1 when there is no digit.
 */
static int
digits(const char *v, size_t len, size_t *i, uint64_t *n)
{
	uint64_t x = 0;
	size_t	 s = *i;
	unsigned d;

	while (*i < len && v[*i] >= '0' && v[*i] <= '9') {
		d = (unsigned)(v[*i] - '0');
		x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
		(*i)++;
	}
	*n = x;
	return (*i == s ? -1 : 0);
}

/*
 * One range-spec, v[0..len) with no surrounding blanks.  Returns
 * HTTP_RANGE_OK (first and last set) or _UNSAT, or -1 when malformed or
 * invalid.
 */
static int
one_range(const char *v, size_t len, uint64_t size, uint64_t *first,
    uint64_t *last)
{
	uint64_t a, b;
	size_t	 i = 0;

	if (len > 0 && v[0] == '-') {		/* suffix-range */
		i = 1;
		if (digits(v, len, &i, &b) == -1 || i != len)
			return (-1);
		/* RFC 9110 14.1.1: a zero suffix or an empty file. */
		if (b == 0 || size == 0)
			return (HTTP_RANGE_UNSAT);
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return (HTTP_RANGE_OK);
	}
	if (digits(v, len, &i, &a) == -1 || i >= len || v[i] != '-')
		return (-1);
	i++;
	if (i == len)
		b = UINT64_MAX;
	else if (digits(v, len, &i, &b) == -1 || i != len || b < a)
		return (-1);			/* RFC 9110 14.1.1: invalid */
	if (a >= size)
		return (HTTP_RANGE_UNSAT);
	*first = a;
	*last = b >= size ? size - 1 : b;
	return (HTTP_RANGE_OK);
}

int
http_range_parse(const char *v, size_t len, uint64_t size, uint64_t *first,
    uint64_t *last)
{
	uint64_t f = 0, l = 0;
	size_t	 i, s, e, n = 0, spec = 0, specend = 0;
	int	 r;

	if (v == NULL)
		return (HTTP_RANGE_NONE);
	while (len > 0 && ows(v[len - 1]))
		len--;
	for (i = 0; i < len && ows(v[i]); i++)
		;
	if (len - i < 6 || strncasecmp(v + i, "bytes=", 6) != 0)
		return (HTTP_RANGE_NONE);
	/* 1#range-spec: count the non-empty elements, keep the one. */
	for (s = i + 6; s <= len; s = e + 1) {
		for (e = s; e < len && v[e] != ','; e++)
			;
		while (s < e && ows(v[s]))
			s++;
		if (s == e)
			continue;
		if (n++ > 0)
			return (HTTP_RANGE_NONE);	/* no multipart */
		spec = s;
		specend = e;
		while (specend > spec && ows(v[specend - 1]))
			specend--;
	}
	if (n == 0)
		return (HTTP_RANGE_NONE);
	r = one_range(v + spec, specend - spec, size, &f, &l);
	if (r == -1)
		return (HTTP_RANGE_NONE);
	if (r == HTTP_RANGE_OK) {
		*first = f;
		*last = l;
	}
	return (r);
}

const char *
http_content_type(const char *path)
{
	static const char *const text[] = { ".ipxe", ".txt", ".cfg",
	    ".conf", NULL };
	size_t	 n = strlen(path), k;
	int	 i;

	for (i = 0; text[i] != NULL; i++) {
		k = strlen(text[i]);
		if (n > k && strcasecmp(path + n - k, text[i]) == 0)
			return ("text/plain");
	}
	return ("application/octet-stream");
}
