/*
 * TFTP filename normalisation and netascii; see pxeha/tftp_path.h.
 * Pure: no I/O, no clock, no allocation.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pxeha/tftp.h"
#include "pxeha/tftp_path.h"

#define CR	0x0d
#define LF	0x0a

static int
is_sep(unsigned char c)
{
	return (c == '/' || c == '\\');
}

static int
is_ctl(unsigned char c)
{
	return (c < 0x20 || c == 0x7f);
}

static int
refuse(char *out, size_t outlen, int rc)
{
	if (outlen > 0)
		out[0] = '\0';
	return (-rc);
}

int
tftp_path_norm(const char *in, size_t len, char *out, size_t outlen)
{
	const unsigned char	*u = (const unsigned char *)in;
	size_t			 i, s, n, o = 0;
	int			 rc = TFTP_PATH_OK;

	/*
	 * Bytes first, over the whole name: a control byte inside a
	 * component that would be dropped still marks a hostile or broken
	 * client, and the answer must not depend on outlen.
	 */
	for (i = 0; i < len; i++)
		if (is_ctl(u[i]))
			return (refuse(out, outlen, TFTP_PATH_E_ACCESS));
	/*
	 * With out == in this writes behind the read position: o never
	 * passes s, as each '/' written stands for at least one
	 * separator read.
	 */
	for (i = 0; i < len;) {
		while (i < len && is_sep(u[i]))
			i++;
		s = i;
		while (i < len && !is_sep(u[i]))
			i++;
		n = i - s;
		if (n == 0 || (n == 1 && u[s] == '.'))
			continue;
		/* Per component, never strstr(): "..." is a name. */
		if (n == 2 && u[s] == '.' && u[s + 1] == '.')
			return (refuse(out, outlen, TFTP_PATH_E_ACCESS));
		if (rc != TFTP_PATH_OK)
			continue;	/* keep looking for ".." */
		if (n > TFTP_PATH_NAME_MAX ||
		    outlen - o < (o > 0 ? 1 : 0) + n + 1) {
			rc = TFTP_PATH_E_LONG;
			continue;
		}
		if (o > 0)
			out[o++] = '/';
		memmove(out + o, in + s, n);
		o += n;
	}
	if (rc != TFTP_PATH_OK)
		return (refuse(out, outlen, rc));
	if (o == 0)
		return (refuse(out, outlen, TFTP_PATH_E_EMPTY));
	out[o] = '\0';
	return (TFTP_PATH_OK);
}

uint16_t
tftp_path_err(int rc)
{
	switch (rc) {
	case -TFTP_PATH_E_ACCESS:
		return (TFTP_ERR_ACCESS);
	case -TFTP_PATH_E_EMPTY:
	case -TFTP_PATH_E_LONG:
		return (TFTP_ERR_NOTFOUND);
	default:
		return (TFTP_ERR_UNDEF);
	}
}

int
tftp_path_next(const char **p, const char **comp, size_t *complen)
{
	const char	*s = *p;
	size_t		 n;

	while (*s == '/')
		s++;
	if (*s == '\0') {
		*p = s;
		return (0);
	}
	for (n = 0; s[n] != '\0' && s[n] != '/'; n++)
		continue;
	*comp = s;
	*complen = n;
	*p = s + n;
	return (1);
}

uint64_t
tftp_netascii_len(const uint8_t *in, size_t n)
{
	uint64_t	 len = n;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (in[i] == CR || in[i] == LF)
			len++;
	return (len);
}

size_t
tftp_netascii_encode(const uint8_t *in, size_t n, uint8_t *out,
    size_t outlen)
{
	size_t	 i, o = 0;

	if (tftp_netascii_len(in, n) > outlen)
		return (TFTP_NETASCII_ESPACE);
	for (i = 0; i < n; i++) {
		if (in[i] == LF) {
			out[o++] = CR;
			out[o++] = LF;
		} else if (in[i] == CR) {
			out[o++] = CR;
			out[o++] = '\0';
		} else
			out[o++] = in[i];
	}
	return (o);
}

size_t
tftp_netascii_decode(struct tftp_netascii_dec *d, const uint8_t *in,
    size_t n, uint8_t *out)
{
	size_t	 i, o = 0;

	for (i = 0; i < n; i++) {
		if (d->cr) {
			d->cr = 0;
			if (in[i] == LF) {
				out[o++] = LF;
				continue;
			}
			out[o++] = CR;
			if (in[i] == '\0')
				continue;
		}
		if (in[i] == CR)
			d->cr = 1;
		else
			out[o++] = in[i];
	}
	return (o);
}

size_t
tftp_netascii_decode_end(struct tftp_netascii_dec *d, uint8_t *out)
{
	if (!d->cr)
		return (0);
	d->cr = 0;
	out[0] = CR;
	return (1);
}
