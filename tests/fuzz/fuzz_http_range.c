/*
 * Fuzz the boot-file HTTP request parsing.  The first byte picks a file
 * size (and an outlen), the rest is both a Range value and a
 * request-target.
 *
 * Range: the result is one of the three codes; an OK range lies inside
 * the file (first <= last < size); the outputs are untouched otherwise;
 * an empty file is never OK; the answer does not depend on bytes past
 * len; an OK range printed back as "bytes=F-L" parses to itself, and
 * the answer agrees with a model here that splits on commas and reads
 * the one range with sscanf-free digit loops of its own.
 *
 * Path: the result has no byte below 0x20 nor 0x7f, starts with '/',
 * fits outlen, and decoding it again (after escaping every '%') gives
 * it back; the answer never depends on outlen except for E_LONG.
 * Deterministic, no globals; abort() on any broken invariant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/http_range.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)
#define MAXIN		4096

static const uint64_t sizes[] = {
	0, 1, 2, 10, 499, 500, 10000, 1u << 20, 600ull << 20, UINT64_MAX
};

static int
blank(char c)
{
	return (c == ' ' || c == '\t');
}

/* Digits at s[*i..e), saturating; -1 when none. */
static int
num(const char *s, size_t *i, size_t e, uint64_t *v)
{
	size_t	 st = *i;
	uint64_t x = 0;

	for (; *i < e && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
		unsigned d = (unsigned)(s[*i] - '0');

		x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
	}
	*v = x;
	return (*i > st ? 0 : -1);
}

/* An independent reading of RFC 9110 14.1.1 for one range. */
static int
model(const char *s, size_t len, uint64_t size, uint64_t *f, uint64_t *l)
{
	size_t	 b = 0, e = len, i, k, n = 0, rs = 0, re = 0;
	uint64_t a, z;

	while (b < e && blank(s[b]))
		b++;
	while (e > b && blank(s[e - 1]))
		e--;
	if (e - b < 6)
		return (HTTP_RANGE_NONE);
	for (k = 0; k < 5; k++)
		if ((s[b + k] | 0x20) != "bytes"[k])
			return (HTTP_RANGE_NONE);
	if (s[b + 5] != '=')
		return (HTTP_RANGE_NONE);
	for (i = b + 6; i <= e; i = k + 1) {
		size_t x, y;

		for (k = i; k < e && s[k] != ','; k++)
			;
		for (x = i; x < k && blank(s[x]); x++)
			;
		for (y = k; y > x && blank(s[y - 1]); y--)
			;
		if (x == y)
			continue;
		if (++n > 1)
			return (HTTP_RANGE_NONE);
		rs = x;
		re = y;
	}
	if (n != 1)
		return (HTTP_RANGE_NONE);
	i = rs;
	if (s[i] == '-') {
		i++;
		if (num(s, &i, re, &z) == -1 || i != re)
			return (HTTP_RANGE_NONE);
		if (z == 0 || size == 0)
			return (HTTP_RANGE_UNSAT);
		*f = z >= size ? 0 : size - z;
		*l = size - 1;
		return (HTTP_RANGE_OK);
	}
	if (num(s, &i, re, &a) == -1 || i == re || s[i] != '-')
		return (HTTP_RANGE_NONE);
	i++;
	z = UINT64_MAX;
	if (i < re && (num(s, &i, re, &z) == -1 || i != re || z < a))
		return (HTTP_RANGE_NONE);
	if (a >= size)
		return (HTTP_RANGE_UNSAT);
	*f = a;
	*l = z >= size ? size - 1 : z;
	return (HTTP_RANGE_OK);
}

static void
check_range(const char *s, size_t len, uint64_t size)
{
	char	 buf[64];
	uint64_t f = 7, l = 9, mf = 0, ml = 0, f2, l2;
	int	 rc, mrc;

	rc = http_range_parse(s, len, size, &f, &l);
	CHECK(rc == HTTP_RANGE_NONE || rc == HTTP_RANGE_OK ||
	    rc == HTTP_RANGE_UNSAT);
	mrc = model(s, len, size, &mf, &ml);
	CHECK(rc == mrc);
	if (rc != HTTP_RANGE_OK) {
		CHECK(f == 7 && l == 9);
		return;
	}
	CHECK(size > 0 && f <= l && l < size);
	CHECK(f == mf && l == ml);
	snprintf(buf, sizeof(buf), "bytes=%llu-%llu", (unsigned long long)f,
	    (unsigned long long)l);
	CHECK(http_range_parse(buf, strlen(buf), size, &f2, &l2) ==
	    HTTP_RANGE_OK && f2 == f && l2 == l);
}

static void
check_path(const char *s, size_t len, size_t outlen)
{
	static char out[MAXIN + 2], back[MAXIN + 2], esc[3 * MAXIN + 2];
	size_t	 i, o = 0;
	int	 rc, rc2;

	rc = http_path_decode(s, len, out, sizeof(out));
	CHECK(rc > 0 || rc == -HTTP_PATH_E_BAD || rc == -HTTP_PATH_E_LONG);
	rc2 = http_path_decode(s, len, back, outlen);
	if (rc < 0) {
		CHECK(out[0] == '\0');
		CHECK(rc2 == rc || (rc == -HTTP_PATH_E_LONG && rc2 == rc));
		return;
	}
	CHECK(rc2 == rc || rc2 == -HTTP_PATH_E_LONG);
	CHECK(rc2 != -HTTP_PATH_E_LONG || (size_t)rc + 1 > outlen);
	CHECK(rc2 < 0 || ((size_t)rc2 + 1 <= outlen &&
	    memcmp(back, out, (size_t)rc + 1) == 0));
	CHECK((size_t)rc == strlen(out) && out[0] == '/');
	for (i = 0; i < (size_t)rc; i++)
		CHECK((unsigned char)out[i] >= 0x20 &&
		    (unsigned char)out[i] != 0x7f);
	/* Escape '%', '?' and '#' and decode again: the same path. */
	for (i = 0; i < (size_t)rc; i++) {
		if (out[i] == '%' || out[i] == '?' || out[i] == '#') {
			snprintf(esc + o, 4, "%%%02X", (unsigned char)out[i]);
			o += 3;
		} else
			esc[o++] = out[i];
	}
	CHECK(http_path_decode(esc, o, back, sizeof(back)) == rc);
	CHECK(strcmp(back, out) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	const char *s;
	size_t	 n, i;

	if (len < 1 || len > MAXIN)
		return (0);
	s = (const char *)buf + 1;
	n = len - 1;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_range(s, n, sizes[(buf[0] + i) % (sizeof(sizes) /
		    sizeof(sizes[0]))]);
	check_range(s, n, (uint64_t)buf[0] * 977);
	check_path(s, n, buf[0]);
	(void)http_content_type("x");
	return (0);
}
