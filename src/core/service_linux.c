#include <sys/resource.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pxeha/service.h"

int
service_procstat(struct procstat *ps)
{
	struct rusage ru;
	struct rlimit rl;
	unsigned long long vsize, rss;
	struct dirent *de;
	long page = sysconf(_SC_PAGESIZE);
	DIR *d;
	FILE *f;

	memset(ps, 0, sizeof(*ps));
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		ps->cpu_seconds = (double)ru.ru_utime.tv_sec +
		    (double)ru.ru_utime.tv_usec / 1e6 +
		    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		ps->max_fds = (uint64_t)rl.rlim_cur;
	if ((f = fopen("/proc/self/statm", "re")) != NULL) {
		if (fscanf(f, "%llu %llu", &vsize, &rss) == 2 && page > 0) {
			ps->vsize_bytes = vsize * (uint64_t)page;
			ps->rss_bytes = rss * (uint64_t)page;
		}
		fclose(f);
	}
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				ps->open_fds++;
		closedir(d);
		if (ps->open_fds > 0)
			ps->open_fds--;		/* the one opendir holds */
	}
	return (0);
}
