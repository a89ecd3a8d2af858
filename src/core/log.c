/*
 * One logging API (after OpenBSD's log.c).  In the foreground lines go to
 * stderr; when stderr is connected to journald (JOURNAL_STREAM set) each
 * line carries a "<N>" priority prefix journald understands, otherwise a
 * timestamp.  With log_target = syslog they go to syslog(3).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pxeha/log.h"

static int	 log_to_syslog;
static int	 log_level = LOG_INFO;
static int	 log_journal;
static uint64_t	 log_suppressed;

static const char *const prio_names[] = {
	"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"
};

void
log_init(int to_syslog, int level, const char *ident)
{
	log_to_syslog = to_syslog;
	log_level = level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return (log_level);
}

uint64_t
log_suppressed_total(void)
{
	return (log_suppressed);
}

static void vlog(int, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
vlog(int prio, const char *fmt, va_list ap)
{
	char line[2048], ts[32];
	struct tm tm;
	time_t now;
	int saved = errno;

	if (prio > log_level) {
		errno = saved;
		return;
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_to_syslog)
		syslog(prio, "%s", line);
	else if (log_journal)
		fprintf(stderr, "<%d>%s\n", prio, line);
	else {
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s %s: %s\n", ts, prio_names[prio & 7], line);
	}
	errno = saved;
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

#define LOGFN(fn, prio)				\
void						\
fn(const char *fmt, ...)			\
{						\
	va_list ap;				\
						\
	va_start(ap, fmt);			\
	vlog(prio, fmt, ap);			\
	va_end(ap);				\
}

LOGFN(log_debug, LOG_DEBUG)
LOGFN(log_info, LOG_INFO)
LOGFN(log_notice, LOG_NOTICE)
LOGFN(log_warnx, LOG_WARNING)
LOGFN(log_errx, LOG_ERR)

/* The message with ": strerror(errno)" appended; errno is kept. */
static void vlog_errno(int, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
vlog_errno(int prio, const char *fmt, va_list ap)
{
	char buf[1024];
	int saved = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_msg(prio, "%s: %s", buf, strerror(saved));
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

int
log_rl_allow(struct log_rl *rl, uint64_t now, unsigned *suppressed)
{
	uint64_t refill;

	if (!rl->primed) {
		rl->primed = 1;
		rl->tokens = LOG_RL_BURST;
		rl->last_ms = now;
	}
	if (now > rl->last_ms) {
		refill = (now - rl->last_ms) / LOG_RL_INTERVAL_MS;
		if (refill > 0) {
			rl->tokens = refill >= LOG_RL_BURST ? LOG_RL_BURST :
			    rl->tokens + (unsigned)refill > LOG_RL_BURST ?
			    LOG_RL_BURST : rl->tokens + (unsigned)refill;
			rl->last_ms += refill * LOG_RL_INTERVAL_MS;
		}
	} else if (now < rl->last_ms)
		rl->last_ms = now;	/* a clock that went back: restart */
	if (rl->tokens == 0) {
		rl->suppressed++;
		return (0);
	}
	rl->tokens--;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return (1);
}

void
log_rl(struct log_rl *rl, uint64_t now, int prio, const char *fmt, ...)
{
	char buf[1024];
	unsigned supp;
	va_list ap;

	if (prio > log_level)
		return;
	if (!log_rl_allow(rl, now, &supp)) {
		log_suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (supp > 0)
		log_msg(prio, "%s (%u similar messages suppressed)", buf, supp);
	else
		log_msg(prio, "%s", buf);
}

const char *
log_escape(char *dst, size_t n, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;
	unsigned char ch;

	if (n == 0)
		return (dst);
	for (i = 0; i < len && o + 1 < n; i++) {
		ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
			dst[o++] = (char)ch;
			continue;
		}
		if (o + 4 >= n)
			break;
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[ch >> 4];
		dst[o++] = hex[ch & 15];
	}
	dst[o] = '\0';
	return (dst);
}
