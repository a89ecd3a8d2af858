/*
 * Corpus replay: feeds every file under the given directories to the
 * harness's LLVMFuzzerTestOneInput, for builds without libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
replay_file(const char *path)
{
	unsigned char *buf;
	size_t n;
	long len;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return (-1);
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)len + 1)) == NULL) {
		fclose(f);
		return (-1);
	}
	n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return (0);
}

int
main(int argc, char *argv[])
{
	struct dirent *de;
	char path[4096];
	int i, count = 0;
	DIR *d;

	for (i = 1; i < argc; i++) {
		if ((d = opendir(argv[i])) == NULL) {
			if (replay_file(argv[i]) == -1) {
				perror(argv[i]);
				return (1);
			}
			count++;
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
			    de->d_name);
			if (replay_file(path) == -1) {
				perror(path);
				closedir(d);
				return (1);
			}
			count++;
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", count);
	return (count > 0 ? 0 : 1);
}
