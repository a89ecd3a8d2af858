# shellcheck shell=bash
# Shared helpers for tools/run, tools/test and friends.  Source it, don't run it:
#   . "$(dirname "$0")/lib/common.sh"
#
# Provides:
#   pxeha_root                 print the repository top (also in $PXEHA_ROOT)
#   need_root "$@"             re-exec the calling script under sudo if not root, or fail
#   install_pkgs PKG...        apt-get install only what is missing (daemons kept from starting)
#   build_dir NAME ARGS...     meson setup (once) + ninja -j2, concise output
#   run_bounded SECS CMD...    run CMD under timeout(1); Ctrl-C/TERM reach it; returns its status
#   log/warn/die               messages on stderr
#   PKGS_BUILD PKGS_TEST PKGS_LAB   package lists (arrays)

if [[ -n ${_PXEHA_COMMON_SH:-} ]]; then
	return 0
fi
_PXEHA_COMMON_SH=1

PXEHA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# shellcheck disable=SC2034  # used by the scripts that source this file
PKGS_BUILD=(meson ninja-build pkg-config gcc libc6-dev libevent-dev libssl-dev zlib1g-dev libinih-dev)
# Debian 12 ships clang 14 (package clang = 1:14.0-55.x); its libFuzzer/sanitizer runtimes
# are in libclang-rt-14-dev.  Change both together if the clang major changes.
# shellcheck disable=SC2034
# Real DHCP peers for the integration tests: dhclient, udhcpc, dhcpcd, the ISC relay
# and perfdhcp (Debian ships it in kea-admin).  Daemons are kept from starting.
PKGS_TEST=(libcmocka-dev clang libclang-rt-14-dev python3 python3-pytest python3-scapy
	python3-prometheus-client iproute2 curl procps strace
	isc-dhcp-client udhcpc dhcpcd-base isc-dhcp-relay kea-admin
	tftp-hpa atftp busybox nftables dnsmasq-base
	qemu-system-x86 seabios ipxe-qemu ovmf ipxe)
# shellcheck disable=SC2034
# The lab's QEMU client (SeaBIOS + QEMU's iPXE NIC ROM) and what tools/lib/bootkit needs
# to build its kernel + initramfs (the kernel package is downloaded, never installed).
PKGS_LAB=(iproute2 iputils-ping udhcpc busybox qemu-system-x86 seabios ipxe-qemu ipxe
	gcc libc6-dev python3)

log() { printf '%s\n' "${0##*/}: $*" >&2; }
warn() { printf '%s\n' "${0##*/}: warning: $*" >&2; }
die() {
	printf '%s\n' "${0##*/}: error: $*" >&2
	exit 1
}

pxeha_root() { printf '%s\n' "$PXEHA_ROOT"; }

# need_root "$@": if not root, run the calling script again under sudo with the same
# arguments (and the PXEHA_*/CI variables), else fail with a clear message.
need_root() {
	((EUID == 0)) && return 0
	if [[ -z ${_PXEHA_SUDO_REEXEC:-} ]] && command -v sudo >/dev/null 2>&1; then
		local self envs=() v
		self="$(cd "$(dirname "$0")" && pwd)/${0##*/}"
		for v in $(compgen -v PXEHA_) CI; do
			[[ -n ${!v+x} ]] && envs+=("$v=${!v}")
		done
		log "root is needed: re-running under sudo"
		exec sudo -- env _PXEHA_SUDO_REEXEC=1 "${envs[@]}" "$self" "$@"
	fi
	die "must run as root (network namespaces, packages); sudo is not available: run it as root"
}

_pxeha_pkg_installed() {
	local st
	st=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[[ $st == *" ok installed" ]]
}

_PXEHA_APT_UPDATED=

# install_pkgs PKG...: install (apt) only the packages not yet installed.
install_pkgs() {
	local p missing=()
	local -A seen=()
	for p in "$@"; do
		[[ -n ${seen[$p]:-} ]] && continue
		seen[$p]=1
		_pxeha_pkg_installed "$p" || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0

	log "installing missing packages: ${missing[*]}"
	if ((EUID != 0)); then
		warn "not root: cannot install; run as root or: apt-get install ${missing[*]}"
		return 1
	fi
	local need_update=1
	[[ -n $_PXEHA_APT_UPDATED ]] && need_update=
	(
		created=
		# shellcheck disable=SC2317  # invoked by the trap
		cleanup() { if [[ -n $created ]]; then rm -f /usr/sbin/policy-rc.d; fi; }
		trap cleanup EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM HUP
		# Keep any daemon the packages bring (dnsmasq, tftpd-hpa, ...) from starting.
		if [[ ! -e /usr/sbin/policy-rc.d && ! -L /usr/sbin/policy-rc.d ]]; then
			printf '#!/bin/sh\n# temporary, from pxeha tools/lib/common.sh install_pkgs\nexit 101\n' \
				>/usr/sbin/policy-rc.d
			chmod 755 /usr/sbin/policy-rc.d
			created=1
		fi
		export DEBIAN_FRONTEND=noninteractive
		apt_opts=(-q -o DPkg::Lock::Timeout=300)
		if [[ -n $need_update ]]; then
			timeout -k 10 900 apt-get "${apt_opts[@]}" update ||
				echo "${0##*/}: warning: apt-get update failed; trying the install anyway" >&2
		fi
		timeout -k 10 1800 apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"
	)
	local rc=$?
	_PXEHA_APT_UPDATED=1
	if ((rc != 0)); then
		warn "apt-get install failed (status $rc)"
		return 1
	fi
	for p in "${missing[@]}"; do
		_pxeha_pkg_installed "$p" || {
			warn "package $p is still not installed"
			return 1
		}
	done
	return 0
}

# run_bounded SECS CMD...: run CMD under timeout(1) (its own process group, killed as a
# whole on expiry), in the background so that a SIGINT/SIGTERM to this shell is passed on
# to it as SIGINT (a second one SIGKILLs its group).  Once CMD is gone the signal is raised again here,
# so the caller's own trap (or the default action) still happens.  Returns CMD's status
# (124 or 137 if it timed out).
run_bounded() {
	local secs=$1
	shift
	local _rb_pid='' _rb_sig='' _rb_got='' _rb_rc _rb_old_int _rb_old_term
	_rb_old_int=$(trap -p INT)
	_rb_old_term=$(trap -p TERM)
	# shellcheck disable=SC2317
	_rb_fwd() {
		if [[ -n $_rb_sig && -n $_rb_pid ]]; then
			kill -s KILL -- "-$_rb_pid" 2>/dev/null
		elif [[ -n $_rb_pid ]]; then
			# SIGINT also for a SIGTERM: it lets pytest run its finalizers.
			kill -s INT "$_rb_pid" 2>/dev/null
		fi
		_rb_sig=$1 _rb_got=1
	}
	trap '_rb_fwd INT' INT
	trap '_rb_fwd TERM' TERM
	timeout -k 10 "$secs" "$@" &
	_rb_pid=$!
	while :; do
		_rb_got=''
		wait "$_rb_pid"
		_rb_rc=$?
		# A trapped signal ends `wait` early: then wait again for CMD to go.
		if ((_rb_rc > 128)) && [[ -n $_rb_got ]] && kill -0 "$_rb_pid" 2>/dev/null; then
			continue
		fi
		break
	done
	_rb_pid=
	if [[ -n $_rb_old_int ]]; then eval "$_rb_old_int"; else trap - INT; fi
	if [[ -n $_rb_old_term ]]; then eval "$_rb_old_term"; else trap - TERM; fi
	if [[ -n $_rb_sig ]]; then
		kill -s "$_rb_sig" "$BASHPID"
	fi
	return "$_rb_rc"
}

# build_dir NAME [MESON_ARGS...]: configure (only if not configured yet) and build.
# NAME is a directory: absolute, relative to the repo top if it contains a '/', else
# build/NAME.  The environment (e.g. CC=clang) applies to the first configure only.
# Logs: DIR/pxeha-setup.log and DIR/pxeha-build.log.  Returns non-zero on failure.
build_dir() {
	local name=$1
	shift
	local dir
	case $name in
	/*) dir=$name ;;
	*/*) dir=$PXEHA_ROOT/$name ;;
	*) dir=$PXEHA_ROOT/build/$name ;;
	esac
	local rel=${dir#"$PXEHA_ROOT"/}
	local rc

	if [[ ! -f $dir/build.ninja ]]; then
		local wipe=() tmp
		[[ -f $dir/meson-private/coredata.dat ]] && wipe=(--wipe)
		log "configuring $rel${*:+ ($*)}${CC:+ with CC=$CC}"
		tmp=$(mktemp)
		run_bounded 600 meson setup "${wipe[@]}" "$@" "$dir" "$PXEHA_ROOT" >"$tmp" 2>&1
		rc=$?
		if ((rc != 0)); then
			tail -n 40 "$tmp" >&2
			mkdir -p "$dir" 2>/dev/null && mv -f "$tmp" "$dir/pxeha-setup.log" 2>/dev/null
			rm -f "$tmp"
			warn "meson setup of $rel failed (status $rc); full log: $rel/pxeha-setup.log"
			return 1
		fi
		mv -f "$tmp" "$dir/pxeha-setup.log"
	fi

	log "building $rel"
	run_bounded 3600 ninja -j2 -C "$dir" >"$dir/pxeha-build.log" 2>&1
	rc=$?
	local nwarn
	nwarn=$(grep -c 'warning:' "$dir/pxeha-build.log")
	if ((rc != 0)); then
		{
			grep -E '(error|warning):|^FAILED:' "$dir/pxeha-build.log" | head -n 40
			echo "--- last lines of $rel/pxeha-build.log ---"
			tail -n 25 "$dir/pxeha-build.log"
		} >&2
		case $rc in 124 | 137) warn "build of $rel timed out" ;; esac
		warn "build of $rel failed (status $rc); full log: $rel/pxeha-build.log"
		return 1
	fi
	if ((nwarn > 0)); then
		grep 'warning:' "$dir/pxeha-build.log" | head -n 20 >&2
		log "built $rel ($nwarn compiler warnings; full log: $rel/pxeha-build.log)"
	else
		log "built $rel"
	fi
	return 0
}
