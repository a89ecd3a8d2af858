/*
 * Reading the config file: the I/O half of config.c.  The file is read
 * once into memory so the SHA-256 shown by /status is of exactly the bytes
 * that were parsed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "pxeha/config.h"

#define CFG_FILE_MAX	(4 * 1024 * 1024)

static int
read_all(const char *path, char **out, size_t *outlen)
{
	FILE *f;
	char *buf = NULL, *n;
	size_t len = 0, cap = 0, r;

	if ((f = fopen(path, "re")) == NULL)
		return (-1);
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > CFG_FILE_MAX + 8192 ||
			    (n = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				errno = EFBIG;
				return (-1);
			}
			buf = n;
		}
		r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return (-1);
	}
	fclose(f);
	*out = buf;
	*outlen = len;
	return (0);
}

struct cfg *
cfg_load(const char *path, struct cfg_errors *errs)
{
	struct cfg *c;
	char *text, *msg;
	size_t len;
	unsigned int hlen = 0;

	if (read_all(path, &text, &len) == -1) {
		if (asprintf(&msg, "%s: cannot read: %s", path,
		    strerror(errno)) != -1)
			(void)cfg_errors_add(errs, msg);
		else
			errs->oom = 1;
		return (NULL);
	}
	if ((c = cfg_parse(path, text, len, errs)) != NULL) {
		if (EVP_Digest(text, len, c->sha256, &hlen, EVP_sha256(),
		    NULL) != 1 || hlen != sizeof(c->sha256))
			memset(c->sha256, 0, sizeof(c->sha256));
		if (c->node.name[0] == '\0' &&
		    gethostname(c->node.name, sizeof(c->node.name) - 1) == -1)
			snprintf(c->node.name, sizeof(c->node.name), "pxeha");
	}
	free(text);
	return (c);
}
