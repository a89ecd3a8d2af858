/*
 * TFTP uploads (WRQ) into [tftp] upload_dir, around the pure receive
 * machine in recv.c.
 *
 * Uploads never touch the boot tree: they land in their own directory,
 * as plain names only (no subdirectories), never over an existing file
 * (ERROR 6).  The data goes to a hidden temporary file that is synced
 * and then linked under its name when the last block is in, so a reader
 * never sees half a file and a crash leaves no partial upload behind a
 * real name.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "pxeha/clock.h"
#include "pxeha/log.h"
#include "pxeha/net.h"
#include "pxeha/tftp.h"
#include "pxeha/tftp_io.h"
#include "pxeha/tftp_path.h"
#include "pxeha/tftp_recv.h"
#include "tftp_io_int.h"

#define UP_NACTS	16

static void	up_cb(evutil_socket_t, short, void *);
static void	up_tmr_cb(evutil_socket_t, short, void *);

/* Close everything u holds, drop its unfinished file, free it. */
static void
up_dispose(struct tftp_up *u)
{
	tio_close(u->ev, u->tmr, u->fd);
	if (u->wfd != -1) {
		close(u->wfd);
		(void)unlinkat(u->dirfd, u->tmp, 0);
	}
	if (u->dirfd != -1)
		close(u->dirfd);
	free(u);
}

void
tftp_up_free(struct tftp_up *u)
{
	struct tftp_io *io = u->io;

	TAILQ_REMOVE(&io->ups, u, link);
	io->nsess--;
	up_dispose(u);
}

static int
up_write(struct tftp_up *u, const uint8_t *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = write(u->wfd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += r;
		n -= (size_t)r;
		u->written += (uint64_t)r;
	}
	return (0);
}

/* Store one block; netascii is decoded on the way. */
static int
up_store(struct tftp_up *u, const uint8_t *p, size_t n)
{
	uint8_t buf[TFTP_BLKSIZE_MAX + 1];

	if (!u->netascii)
		return (up_write(u, p, n));
	n = tftp_netascii_decode(&u->dec, p, n, buf);
	return (up_write(u, buf, n));
}

/* All bytes are in: sync, then give the file its name. */
static int
up_commit(struct tftp_up *u)
{
	uint8_t c;

	if (u->netascii && tftp_netascii_decode_end(&u->dec, &c) == 1 &&
	    up_write(u, &c, 1) == -1)
		return (-1);
	if (fsync(u->wfd) == -1)
		return (-1);
	/* link(2) never replaces: a file that appeared meanwhile wins. */
	if (linkat(u->dirfd, u->tmp, u->dirfd, u->name, 0) == -1)
		return (-1);
	(void)unlinkat(u->dirfd, u->tmp, 0);
	close(u->wfd);
	u->wfd = -1;
	(void)fsync(u->dirfd);
	return (0);
}

/* Step the machine and carry out its actions; -1 when u was freed. */
static int
up_run(struct tftp_up *u, const struct tftp_ev *ev)
{
	static const struct tftp_ev tick = { TFTP_EV_TIMER, NULL, 0 };
	struct tftp_recv_act acts[UP_NACTS];
	struct tftp_io *io = u->io;
	uint64_t now = clock_ms();
	char p[32];
	int n, i, e;

	n = tftp_recv_step(&u->r, ev != NULL ? ev : &tick, now, acts,
	    UP_NACTS, io->out, sizeof(io->out));
	for (i = 0; i < n; i++) {
		switch (acts[i].type) {
		case TFTP_RACT_SEND:
			if (sendto(u->fd, io->out + acts[i].out_off,
			    acts[i].len, 0, (struct sockaddr *)&u->peer,
			    sizeof(u->peer)) == -1)
				io->send_errors++;
			break;
		case TFTP_RACT_WRITE:
			if (up_store(u, ev->buf + acts[i].buf_off,
			    acts[i].len) == 0)
				break;
			/* FALLTHROUGH */
		case TFTP_RACT_COMPLETE:
			if (acts[i].type == TFTP_RACT_COMPLETE &&
			    up_commit(u) == 0)
				break;
			e = errno;
			log_warnx("tftp %s: upload %s: %s",
			    tio_peer_str(&u->peer, p, sizeof(p)), u->name,
			    strerror(e));
			n = tftp_recv_abort(&u->r, e == EEXIST ?
			    TFTP_ERR_EXISTS : e == ENOSPC || e == EDQUOT ?
			    TFTP_ERR_DISKFULL : TFTP_ERR_UNDEF, e == EEXIST ?
			    "File already exists" : "Cannot store the file",
			    acts, UP_NACTS, io->out, sizeof(io->out));
			i = -1;		/* carry out the abort's actions */
			break;
		case TFTP_RACT_CLOSE:
			tio_peer_str(&u->peer, p, sizeof(p));
			if (acts[i].reason == TFTP_RCLOSE_DONE &&
			    u->wfd == -1) {
				io->uploads_done++;
				io->upload_bytes += u->written;
				log_info("tftp %s: received %s, %llu bytes in "
				    "%.3f s", p, u->name,
				    (unsigned long long)u->written,
				    (double)(now - u->start_ms) / 1e3);
			} else {
				io->uploads_failed++;
				log_notice("tftp %s: upload %s ended (%d) "
				    "after %llu bytes", p, u->name,
				    (int)acts[i].reason,
				    (unsigned long long)u->written);
			}
			tftp_up_free(u);
			return (-1);
		}
	}
	tio_arm(u->tmr, tftp_recv_deadline(&u->r), now);
	return (0);
}

static void
up_tmr_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)up_run(arg, NULL);
}

static void
up_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tftp_up *u = arg;
	struct tftp_ev ev;
	ssize_t n;
	int k;

	(void)what;
	for (k = 0; k < 64; k++) {
		if ((n = tio_recv_peer(u->io, fd, &u->peer)) < 0)
			return;
		ev.type = TFTP_EV_PKT;
		ev.buf = u->io->rbuf;
		ev.len = (size_t)n;
		if (up_run(u, &ev) == -1)
			return;
	}
}

void
tftp_up_start(struct tftp_io *io, const struct tftp_req *req,
    const struct sockaddr_in *from, const struct net_pktinfo *pi)
{
	struct tftp_limits lim;
	struct tftp_opts granted;
	struct tftp_up *u;
	struct stat sb;
	char name[TFTP_FILENAME_MAX + 1], p[32], esc[TIO_SHOWN];
	int r, nopt;

	tio_peer_str(from, p, sizeof(p));
	r = tftp_path_norm(req->filename, req->filename_len, name,
	    sizeof(name));
	if (r == 0 && (strchr(name, '/') != NULL || name[0] == '.' ||
	    strlen(name) >= TIO_SHOWN))
		r = -TFTP_PATH_E_ACCESS;	/* plain, visible names only */
	log_escape(esc, sizeof(esc), req->filename, req->filename_len);
	if (r != 0) {
		log_info("tftp %s: WRQ %s refused: not a plain file name", p,
		    esc);
		tio_send_error(io, io->lfd, from, TFTP_ERR_ACCESS,
		    "Access violation");
		return;
	}
	if (fstatat(io->updirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		log_info("tftp %s: WRQ %s refused: it exists", p, esc);
		tio_send_error(io, io->lfd, from, TFTP_ERR_EXISTS,
		    "File already exists");
		return;
	}
	if ((req->opt.present & TFTP_OPT_TSIZE) &&
	    req->opt.tsize > io->cfg.upload_max) {
		tio_send_error(io, io->lfd, from, TFTP_ERR_DISKFULL,
		    "File too large");
		return;
	}
	memset(&lim, 0, sizeof(lim));
	lim.max_blksize = (uint32_t)io->cfg.max_blksize;
	lim.max_window = io->cfg.max_window;
	lim.allow_rollover = 1;
	nopt = tftp_negotiate(req, &lim, UINT64_MAX, &granted);
	if ((u = calloc(1, sizeof(*u))) == NULL)
		goto busy;
	u->io = io;
	u->fd = u->wfd = -1;
	/*
	 * The upload keeps its own handle on the directory: a reload that
	 * moves upload_dir must not strand its temporary file.
	 */
	u->dirfd = fcntl(io->updirfd, F_DUPFD_CLOEXEC, 0);
	u->peer = *from;
	u->netascii = req->mode == TFTP_MODE_NETASCII;
	u->start_ms = clock_ms();
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->tmp, sizeof(u->tmp), ".%s.pxeha-%ld-%llu", name,
	    (long)getpid(), (unsigned long long)++io->up_seq);
	if (tftp_recv_init(&u->r, &granted, nopt > 0, (int)io->cfg.rollover,
	    io->cfg.upload_max) != 0)
		goto fail;
	if (u->dirfd == -1)
		goto fail;
	u->wfd = openat(u->dirfd, u->tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0640);
	u->fd = net_udp_open(pi->src, 0, NULL, 0);
	u->ev = u->fd == -1 ? NULL : event_new(io->base, u->fd,
	    EV_READ | EV_PERSIST, up_cb, u);
	u->tmr = evtimer_new(io->base, up_tmr_cb, u);
	if (u->wfd == -1 || u->ev == NULL || u->tmr == NULL ||
	    event_add(u->ev, NULL) == -1)
		goto fail;
	TAILQ_INSERT_TAIL(&io->ups, u, link);
	io->nsess++;
	io->sessions_total++;
	log_info("tftp %s: WRQ %s (%s)", p, u->name, u->netascii ?
	    "netascii" : "octet");
	(void)up_run(u, NULL);
	return;
fail:
	log_warn("tftp %s: cannot start the upload of %s", p, esc);
	up_dispose(u);
busy:
	tio_send_error(io, io->lfd, from, TFTP_ERR_UNDEF,
	    "Cannot store the file now; try again later");
}
