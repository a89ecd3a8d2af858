/*
 * Logging: one API, levels are syslog priorities, output to stderr (with
 * journald-compatible "<N>" prefixes when stderr is the journal) or syslog.
 *
 * Anything a packet, a peer or a file can trigger logs through log_rl():
 * a token bucket per call site, so a flood becomes one line per interval
 * plus "(N similar messages suppressed)".
 */
#ifndef PXEHA_LOG_H
#define PXEHA_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

/* Per-call-site rate limiter; declare as "static struct log_rl rl;". */
struct log_rl {
	uint64_t	 last_ms;	/* last refill */
	unsigned	 tokens;
	unsigned	 suppressed;
	int		 primed;
};

#define LOG_RL_BURST		5	/* lines let through at once */
#define LOG_RL_INTERVAL_MS	10000	/* one token back per interval */

void	log_init(int to_syslog, int level, const char *ident);
void	log_setlevel(int level);
int	log_getlevel(void);
uint64_t log_suppressed_total(void);

void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Like log_warnx with ": strerror(errno)" appended; errno is preserved. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_errx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_msg(int prio, const char *, ...) __attribute__((format(printf, 2, 3)));
/* Startup only: log and exit(1). */
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Decide whether a rate-limited message may be emitted at now (monotonic
 * ms).  Returns 1 and sets *suppressed to the count dropped since the last
 * emitted line (and resets it), or 0 and counts the drop.  Pure.
 */
int	log_rl_allow(struct log_rl *, uint64_t now, unsigned *suppressed);

/* Rate-limited log line: appends the suppressed count when non-zero. */
void	log_rl(struct log_rl *, uint64_t now, int prio, const char *, ...)
	    __attribute__((format(printf, 4, 5)));

/* Copy s into dst (size n) with non-printable bytes as \xNN; for peer text. */
const char *log_escape(char *dst, size_t n, const char *s, size_t len);

#endif
