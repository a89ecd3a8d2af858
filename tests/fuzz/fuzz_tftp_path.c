/*
 * Fuzz the TFTP filename normaliser and netascii.  The first byte picks
 * outlen; the rest is the requested name.  A result must have no ".." or
 * "." component, no leading, trailing or doubled '/', no '\', no control
 * byte, no component over TFTP_PATH_NAME_MAX, must fit outlen, must
 * normalise to itself, and must equal what a byte-at-a-time model here
 * builds; in-place use must agree; the return code must follow the
 * documented order (access, long, empty).  The same bytes are netascii
 * encoded: the length must be tftp_netascii_len, the encoding must carry
 * no bare CR or LF, and decoding it (by the model and by the streaming
 * decoder cut at a data-chosen chunk size) must give the input back.
 * Deterministic, no globals; abort() on any broken invariant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/tftp_path.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)
#define MAXIN		4096

/*
 * The model: a state machine over the bytes, no lookahead.  Returns the
 * expected rc and the unbounded result in out (room for len + 1).
 */
static int
model(const uint8_t *in, size_t len, char *out, size_t *olen)
{
	size_t	 i, o = 0, start = 0, comp = 0;
	int	 longcomp = 0;

	for (i = 0; i < len; i++)
		if (in[i] < 0x20 || in[i] == 0x7f)
			return (-TFTP_PATH_E_ACCESS);
	for (i = 0; i <= len; i++) {
		if (i < len && in[i] != '/' && in[i] != '\\') {
			if (comp == 0) {
				start = o;
				if (o > 0)
					out[o++] = '/';
			}
			out[o++] = (char)in[i];
			comp++;
			continue;
		}
		/* End of a component (or none): undo "." and "". */
		if (comp == 1 && in[i - 1] == '.')
			o = start;
		else if (comp == 2 && in[i - 1] == '.' && in[i - 2] == '.')
			return (-TFTP_PATH_E_ACCESS);
		else if (comp > TFTP_PATH_NAME_MAX)
			longcomp = 1;
		comp = 0;
	}
	out[o] = '\0';
	*olen = o;
	if (longcomp)
		return (-TFTP_PATH_E_LONG);
	return (o == 0 ? -TFTP_PATH_E_EMPTY : TFTP_PATH_OK);
}

static void
check_result(const char *out, size_t outlen)
{
	const char	*p, *c;
	size_t		 n, len = strlen(out), i, total = 0;
	char		 again[MAXIN + 1];

	CHECK(len > 0 && len < outlen);
	CHECK(out[0] != '/' && out[len - 1] != '/');
	CHECK(strstr(out, "//") == NULL);
	for (i = 0; i < len; i++)
		CHECK(out[i] != '\\' && (unsigned char)out[i] >= 0x20 &&
		    out[i] != 0x7f);
	p = out;
	while (tftp_path_next(&p, &c, &n)) {
		CHECK(n > 0 && n <= TFTP_PATH_NAME_MAX);
		CHECK(!(n == 1 && c[0] == '.'));
		CHECK(!(n == 2 && c[0] == '.' && c[1] == '.'));
		total += n + 1;
	}
	CHECK(total == len + 1);
	CHECK(tftp_path_norm(out, len, again, sizeof(again)) == TFTP_PATH_OK);
	CHECK(strcmp(again, out) == 0);
}

static void
fuzz_norm(const uint8_t *name, size_t len, size_t outlen)
{
	char	 out[MAXIN + 1], inplace[MAXIN + 1], want[MAXIN + 1];
	size_t	 wlen = 0;
	int	 rc, mrc;

	memset(out, 'Z', sizeof(out));
	rc = tftp_path_norm((const char *)name, len, out, outlen);
	mrc = model(name, len, want, &wlen);
	if (mrc == TFTP_PATH_OK && wlen + 1 > outlen)
		mrc = -TFTP_PATH_E_LONG;
	CHECK(rc == mrc);
	if (rc == TFTP_PATH_OK) {
		check_result(out, outlen);
		CHECK(strcmp(out, want) == 0);
	} else {
		CHECK(rc == -TFTP_PATH_E_ACCESS || rc == -TFTP_PATH_E_EMPTY ||
		    rc == -TFTP_PATH_E_LONG);
		CHECK(outlen == 0 ? out[0] == 'Z' : out[0] == '\0');
		CHECK(tftp_path_err(rc) == (rc == -TFTP_PATH_E_ACCESS ? 2 : 1));
	}
	/* In place, with room for the NUL after the input. */
	memcpy(inplace, name, len);
	CHECK(tftp_path_norm(inplace, len, inplace, outlen < len + 1 ?
	    outlen : len + 1) == rc);
	if (rc == TFTP_PATH_OK)
		CHECK(strcmp(inplace, out) == 0);
}

static void
fuzz_netascii(const uint8_t *in, size_t n, size_t chunk)
{
	uint8_t				 enc[2 * MAXIN], dec[2 * MAXIN + 1];
	struct tftp_netascii_dec	 d = { 0 };
	size_t				 len, i, o = 0, got = 0;

	len = tftp_netascii_encode(in, n, enc, sizeof(enc));
	CHECK(len != TFTP_NETASCII_ESPACE);
	CHECK(len == tftp_netascii_len(in, n));
	if (len > 0)
		CHECK(tftp_netascii_encode(in, n, dec, len - 1) ==
		    TFTP_NETASCII_ESPACE);
	/* Model decode: every CR is followed by NUL or LF, no bare LF. */
	for (i = 0; i < len; i++) {
		CHECK(enc[i] != 0x0a);
		if (enc[i] == 0x0d) {
			CHECK(i + 1 < len);
			CHECK(enc[i + 1] == 0 || enc[i + 1] == 0x0a);
			dec[o++] = enc[i + 1] == 0 ? 0x0d : 0x0a;
			i++;
		} else
			dec[o++] = enc[i];
	}
	CHECK(o == n && memcmp(dec, in, n) == 0);
	for (i = 0; i < len; i += chunk) {
		o = tftp_netascii_decode(&d, enc + i,
		    len - i < chunk ? len - i : chunk, dec + got);
		CHECK(o <= chunk + 1);
		got += o;
	}
	got += tftp_netascii_decode_end(&d, dec + got);
	CHECK(got == n && memcmp(dec, in, n) == 0);
	/* Decoding arbitrary bytes never writes more than it reads. */
	memset(&d, 0, sizeof(d));
	got = tftp_netascii_decode(&d, in, n, dec);
	got += tftp_netascii_decode_end(&d, dec + got);
	CHECK(got <= n && d.cr == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 outlen, len;

	if (size == 0 || size > MAXIN)
		return (0);
	/* Small outlens most often: that is where the edges are. */
	outlen = data[0] < 0xc0 ? data[0] % 64 : MAXIN + 1;
	len = size - 1;
	fuzz_norm(data + 1, len, outlen);
	fuzz_netascii(data + 1, len, 1 + data[0] % 17);
	return (0);
}
