/*
 * pxeha: arguments, config load, wiring, the event loop and signals.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "pxeha/clock.h"
#include "pxeha/config.h"
#include "pxeha/ctl.h"
#include "pxeha/daemon.h"
#include "pxeha/dhcp_io.h"
#include "pxeha/tftp_io.h"
#include "pxeha/http_boot.h"
#include "pxeha/log.h"
#include "pxeha/net.h"
#include "build_config.h"

#define DEFAULT_CONFIG	PXEHA_SYSCONFDIR "/pxeha/pxeha.ini"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pxeha [-c FILE] [--check]\n"
	    "       pxeha --interfaces | --version\n"
	    "  -c, --config FILE  configuration (default %s)\n"
	    "  -t, --check        validate the configuration and exit:\n"
	    "                     0 if it is good, 2 with every error found\n"
	    "      --interfaces   list the interfaces pxeha can see and exit\n"
	    "  -V, --version      print the version and exit\n",
	    DEFAULT_CONFIG);
}

static void
print_errors(const struct cfg_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msg[i]);
	if (errs->oom)
		fprintf(stderr, "pxeha: out of memory while reading the "
		    "configuration\n");
}

static int
list_interfaces(void)
{
	struct net_iface *ifs;
	size_t n, i, j;
	char a[INET_ADDRSTRLEN];

	if (net_iface_list(&ifs, &n) == -1) {
		fprintf(stderr, "pxeha: cannot list interfaces: %s\n",
		    strerror(errno));
		return (1);
	}
	for (i = 0; i < n; i++) {
		printf("%-15s index %-3u mtu %-5u %s", ifs[i].name,
		    ifs[i].index, ifs[i].mtu, ifs[i].up ? "up  " : "down");
		if (ifs[i].has_mac)
			printf(" %02x:%02x:%02x:%02x:%02x:%02x", ifs[i].mac[0],
			    ifs[i].mac[1], ifs[i].mac[2], ifs[i].mac[3],
			    ifs[i].mac[4], ifs[i].mac[5]);
		for (j = 0; j < ifs[i].naddr; j++)
			printf(" %s/%u", inet_ntop(AF_INET, &ifs[i].addr[j], a,
			    sizeof(a)), ifs[i].prefix[j]);
		printf("\n");
	}
	free(ifs);
	return (0);
}

static int
mkdir_p(const char *path, mode_t mode)
{
	char buf[CFG_PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return (-1);
		*p = '/';
	}
	if (mkdir(buf, mode) == -1 && errno != EEXIST)
		return (-1);
	return (0);
}

int
pxeha_token_load(struct pxeha *px, const struct cfg *cfg)
{
	const char *path = cfg->ctl.token_file;
	unsigned char rnd[32];
	char tok[PXEHA_TOKEN_MAX];
	ssize_t r;
	size_t i, n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1 &&
	    errno == ENOENT) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			log_warnx("ctl: no randomness for a token");
			return (-1);
		}
		for (i = 0; i < sizeof(rnd); i++)
			snprintf(tok + 2 * i, 3, "%02x", rnd[i]);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600)) == -1 || write(fd, tok, 64) != 64 ||
		    write(fd, "\n", 1) != 1 || fsync(fd) == -1) {
			log_warn("ctl: cannot create token file %s", path);
			if (fd != -1)
				close(fd);
			return (-1);
		}
		close(fd);
		log_info("ctl: created token file %s", path);
		memcpy(px->token, tok, 64);
		px->token[64] = '\0';
		return (0);
	}
	if (fd == -1) {
		log_warn("ctl: cannot open token file %s", path);
		return (-1);
	}
	r = read(fd, tok, sizeof(tok) - 1);
	close(fd);
	if (r <= 0) {
		log_warnx("ctl: token file %s is empty or unreadable", path);
		return (-1);
	}
	n = (size_t)r;
	while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r' ||
	    tok[n - 1] == ' '))
		n--;
	if (n < 16) {
		log_warnx("ctl: token in %s is shorter than 16 characters",
		    path);
		return (-1);
	}
	memcpy(px->token, tok, n);
	px->token[n] = '\0';
	return (0);
}

/* Keys whose change needs a restart; say so instead of half-applying. */
static void
warn_restart_keys(const struct cfg *old, const struct cfg *nw)
{
	if (strcmp(old->ctl.host, nw->ctl.host) != 0 ||
	    old->ctl.port != nw->ctl.port)
		log_warnx("config: [ctl] listen changed; takes effect at "
		    "restart");
	if (strcmp(old->node.state_dir, nw->node.state_dir) != 0)
		log_warnx("config: [node] state_dir changed; takes effect at "
		    "restart");
	if (old->node.log_target != nw->node.log_target)
		log_warnx("config: [node] log_target changed; takes effect "
		    "at restart");
}

int
pxeha_reload(struct pxeha *px, struct cfg_errors *errs)
{
	struct cfg *nw;
	size_t i;

	log_info("config: reloading %s", px->cfg_path);
	if ((nw = cfg_load(px->cfg_path, errs)) == NULL) {
		px->reloads_failed++;
		px->last_reload_fail_wall = clock_wall();
		for (i = 0; i < errs->n; i++)
			log_errx("config: %s", errs->msg[i]);
		log_errx("config: reload failed; generation %llu stays live",
		    (unsigned long long)px->generation);
		return (-1);
	}
	if (px->dhcp != NULL && dhcp_io_reload(px->dhcp, nw) == -1) {
		char *m = strdup("dhcp: cannot rebuild the DHCP service for the "
		    "new configuration (see the log)");

		if (m != NULL)
			(void)cfg_errors_add(errs, m);
		cfg_free(nw);
		px->reloads_failed++;
		px->last_reload_fail_wall = clock_wall();
		log_errx("config: reload failed; generation %llu stays live",
		    (unsigned long long)px->generation);
		return (-1);
	}
	if (px->tftp != NULL && tftp_io_reload(px->tftp, nw) == -1) {
		char *m = strdup("tftp: cannot serve the new [tftp] root or "
		    "port (see the log)");

		if (m != NULL)
			(void)cfg_errors_add(errs, m);
		/* The DHCP side already runs the new config; keep it. */
		log_errx("config: [tftp] keeps its previous settings");
	}
	if (px->http != NULL && http_boot_reload(px->http, nw) == -1) {
		char *m = strdup("http: cannot serve the new [http] root or "
		    "listen address (see the log)");

		if (m != NULL)
			(void)cfg_errors_add(errs, m);
		log_errx("config: [http] keeps its previous settings");
	}
	warn_restart_keys(px->cfg, nw);
	if (strcmp(px->cfg->ctl.token_file, nw->ctl.token_file) != 0)
		(void)pxeha_token_load(px, nw);
	/* Restart-only keys keep their running values in the live snapshot. */
	snprintf(nw->ctl.host, sizeof(nw->ctl.host), "%s", px->cfg->ctl.host);
	nw->ctl.port = px->cfg->ctl.port;
	snprintf(nw->node.state_dir, sizeof(nw->node.state_dir), "%s",
	    px->cfg->node.state_dir);
	nw->node.log_target = px->cfg->node.log_target;
	cfg_free(px->cfg);
	px->cfg = nw;
	px->generation++;
	px->cfg->generation = px->generation;
	px->loaded_wall = clock_wall();
	px->reloads_ok++;
	log_setlevel(nw->node.log_level);
	log_notice("config: generation %llu is live",
	    (unsigned long long)px->generation);
	return (0);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct pxeha *px = arg;
	struct cfg_errors errs = { 0 };

	(void)what;
	switch (sig) {
	case SIGHUP:
		(void)pxeha_reload(px, &errs);
		cfg_errors_fini(&errs);
		break;
	case SIGTERM:
	case SIGINT:
		log_notice("pxeha: %s received, stopping",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
		event_base_loopexit(px->base, NULL);
		break;
	}
}

static int
run(struct pxeha *px)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT };
	size_t i;
	int rc = 0;

	if (mkdir_p(px->cfg->node.state_dir, 0750) == -1)
		fatal("cannot create state_dir %s", px->cfg->node.state_dir);
	if (pxeha_token_load(px, px->cfg) == -1)
		log_warnx("ctl: POST /reload is disabled until the token file "
		    "is readable");
	signal(SIGPIPE, SIG_IGN);
	if ((px->base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		px->sigev[i] = evsignal_new(px->base, sigs[i], signal_cb, px);
		if (px->sigev[i] == NULL || evsignal_add(px->sigev[i], NULL))
			fatalx("cannot install signal handlers");
	}
	if ((px->dhcp = dhcp_io_new(px, px->cfg)) == NULL)
		fatalx("dhcp: cannot open the lease store in %s",
		    px->cfg->node.state_dir);
	if ((px->tftp = tftp_io_new(px, px->cfg)) == NULL)
		fatalx("tftp: cannot start the TFTP service");
	if ((px->http = http_boot_new(px, px->cfg)) == NULL)
		fatalx("http: cannot start the boot-file HTTP service");
	if ((px->ctl = ctl_new(px)) == NULL)
		fatalx("ctl: cannot start the control endpoint");
	log_notice("pxeha %s: node %s running, config generation %llu",
	    PXEHA_VERSION, px->cfg->node.name,
	    (unsigned long long)px->generation);
	if (event_base_dispatch(px->base) == -1)
		rc = 1;
	ctl_free(px->ctl);
	http_boot_free(px->http);
	tftp_io_free(px->tftp);
	dhcp_io_free(px->dhcp);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		event_free(px->sigev[i]);
	event_base_free(px->base);
	log_notice("pxeha: stopped");
	return (rc);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 't' },
		{ "interfaces", no_argument, NULL, 'I' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pxeha px;
	struct cfg_errors errs = { 0 };
	const char *path = DEFAULT_CONFIG;
	int ch, check = 0, rc;

	while ((ch = getopt_long(argc, argv, "c:thV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'I':
			return (list_interfaces());
		case 'V':
			printf("pxeha %s\n", PXEHA_VERSION);
			return (0);
		case 'h':
			usage(stdout);
			return (0);
		default:
			usage(stderr);
			return (2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		return (2);
	}
	memset(&px, 0, sizeof(px));
	if ((px.cfg = cfg_load(path, &errs)) == NULL) {
		print_errors(&errs);
		fprintf(stderr, "pxeha: %s: %zu error%s\n", path, errs.n,
		    errs.n == 1 ? "" : "s");
		cfg_errors_fini(&errs);
		return (2);
	}
	if (check) {
		printf("pxeha: %s: configuration ok\n", path);
		cfg_free(px.cfg);
		return (0);
	}
	if ((px.cfg_path = strdup(path)) == NULL)
		fatalx("out of memory");
	log_init(px.cfg->node.log_target == CFG_LOG_SYSLOG,
	    px.cfg->node.log_level, "pxeha");
	px.generation = 1;
	px.cfg->generation = 1;
	px.start_ms = clock_ms();
	px.start_wall = px.loaded_wall = clock_wall();
	rc = run(&px);
	cfg_free(px.cfg);
	free(px.cfg_path);
	return (rc);
}
