"""Network-boot a real QEMU machine and wait for the bootkit's console marker.

    from helpers.qemu_boot import boot
    r = boot("pxt-ns", "pxtap0", firmware="bios", marker="t1", log_path=tmp / "vm.log")
    assert r["ok"], r["console_text"]

The machine has one NIC on an existing tap (``ip netns exec NS ip tuntap add TAP mode
tap``; the caller enslaves it to a bridge or addresses it), network boot only, and runs
``qemu-system-x86_64`` inside namespace NS.  The boot files come from tools/lib/bootkit:
the kernel's initramfs prints ``PXEHA-BOOT-OK <marker>`` on ttyS0 and powers off.

firmware="bios": SeaBIOS + the NIC's default iPXE option ROM (it DHCPs with user class
"iPXE", so the server must hand it boot.ipxe directly).
firmware="uefi": OVMF (a fresh copy of OVMF_VARS per run).  With the NIC's default ROM
(QEMU's efi-virtio.rom is iPXE too) that ROM's EFI driver boots the NIC itself: one iPXE
DHCP (arch 7 + user class "iPXE") that must get boot.ipxe; ipxe.efi is never fetched.
nic_rom=False (romfile=) leaves the NIC to OVMF's own driver: plain UEFI PXE (arch 7,
no user class) that must get ipxe.efi, which then DHCPs again as iPXE for boot.ipxe.
That is the path a real UEFI machine takes (~8 s longer).

QEMU is always stopped before boot() returns (SIGTERM, then SIGKILL; bounded), and gets
SIGKILL if the calling process dies first (PR_SET_PDEATHSIG).
RouterAdvertiser (below) takes ~12 s off every iPXE network configuration.
Python standard library only.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

QEMU = "qemu-system-x86_64"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
OK_RE = re.compile(rb"PXEHA-BOOT-OK (\S+)\r?\n")
FAIL_RE = re.compile(rb"PXEHA-BOOT-FAIL (\S+)\r?\n")
KEEP_LINES = 200


def _tail_text(data, lines=KEEP_LINES):
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    # ANSI escapes from the firmware menus make failure messages unreadable.
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[a-zA-Z=>]", "", text)
    return "\n".join(text.split("\n")[-lines:])


def qemu_args(tap_name, firmware="bios", mac="52:54:00:12:34:56", nic="virtio-net-pci",
              serial_path="/dev/null", memory=512, vars_path=None, extra=(), nic_rom=True):
    """The QEMU command line (without the ``ip netns exec`` prefix)."""
    device = "%s,netdev=n0,mac=%s,bootindex=1" % (nic, mac)
    if not nic_rom:
        if firmware == "bios":
            raise ValueError("bios needs the NIC's option ROM (it is the only PXE code)")
        device += ",romfile="
    args = [QEMU, "-accel", "kvm", "-accel", "tcg", "-m", str(memory),
            "-nographic", "-monitor", "none", "-no-reboot",
            "-serial", "file:" + str(serial_path),
            "-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap_name,
            # bootindex=1: the NIC first (and only) in the fw_cfg boot order, for both
            # SeaBIOS and OVMF.
            "-device", device]
    if firmware == "bios":
        args += ["-boot", "n"]
    elif firmware == "uefi":
        if vars_path is None:
            raise ValueError("uefi needs vars_path (a writable copy of OVMF_VARS)")
        args += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
                 "-drive", "if=pflash,format=raw,unit=1,file=" + str(vars_path)]
    else:
        raise ValueError("firmware must be 'bios' or 'uefi', not %r" % (firmware,))
    return args + [str(a) for a in extra]


def _die_with_parent():
    """preexec_fn: SIGKILL this child (QEMU: `ip netns exec` execs it) if we die."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort only
        pass


def _stop(proc, term_wait=5.0, kill_wait=5.0):
    """Stop QEMU by its PID: SIGTERM, then SIGKILL; every wait bounded."""
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=term_wait)
        return
    except subprocess.TimeoutExpired:
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=kill_wait)
    except subprocess.TimeoutExpired:
        pass


def boot(ns, tap_name, firmware="bios", mac="52:54:00:12:34:56", timeout=240,
         marker=None, log_path=None, nic="virtio-net-pci", memory=512, extra=(),
         exit_wait=10.0, nic_rom=True, echo=None):
    """Boot one machine; return dict(ok, seconds, console_text, marker_seen, reason, ...).

    ns: network namespace to run QEMU in (None: the current one; tests use a namespace).
    marker: the expected marker (None: any PXEHA-BOOT-OK line counts).
    log_path: where the serial console goes (kept); default a temporary file (removed).
    ok is True when the marker line was seen; seconds is from QEMU start to that line.
    After the marker the guest powers itself off; QEMU is given exit_wait seconds to
    exit on its own, then stopped.  QEMU never outlives this call.
    nic_rom: keep the NIC's default option ROM (QEMU's iPXE).  With uefi that ROM's EFI
    driver boots the NIC itself (iPXE DHCP: arch 7 + user class iPXE, straight to
    boot.ipxe); nic_rom=False (uefi only) drops it (romfile=) so OVMF's own virtio/e1000
    driver and PXE code do a plain UEFI PXE boot (arch 7, no user class) that must be
    given ipxe.efi, which then DHCPs again as iPXE.
    echo: a binary file (sys.stdout.buffer) that gets the console as it arrives.
    """
    tmpdir = tempfile.mkdtemp(prefix="pxeha-qemu-")
    serial = str(log_path) if log_path else os.path.join(tmpdir, "serial.log")
    qemu_err = os.path.join(tmpdir, "qemu.err")
    vars_path = None
    if firmware == "uefi":
        vars_path = os.path.join(tmpdir, "OVMF_VARS.fd")
        shutil.copyfile(OVMF_VARS, vars_path)
    # Start with an empty console file (QEMU's file: chardev truncates, but an old file
    # from a previous run must not be read before QEMU opens it).
    open(serial, "wb").close()
    args = qemu_args(tap_name, firmware, mac, nic, serial, memory, vars_path, extra,
                     nic_rom)
    if ns:
        args = ["ip", "netns", "exec", ns] + args
    result = {"ok": False, "seconds": None, "console_text": "", "marker_seen": None,
              "reason": "", "firmware": firmware, "nic": nic, "nic_rom": nic_rom,
              "cmd": args,
              "qemu_rc": None, "qemu_stderr": ""}
    proc = None
    data = b""
    t0 = time.monotonic()
    try:
        with open(qemu_err, "wb") as errf:
            # `ip netns exec` execs QEMU: proc.pid is QEMU's PID.
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=errf,
                                    stderr=subprocess.STDOUT,
                                    preexec_fn=_die_with_parent)
        deadline = t0 + timeout
        with open(serial, "rb") as f:
            while True:
                chunk = f.read()
                exited = proc.poll() is not None
                if exited:
                    chunk += f.read()  # what QEMU wrote just before it exited
                if echo is not None and chunk:
                    echo.write(chunk)
                    echo.flush()
                data += chunk
                m = OK_RE.search(data)
                if m:
                    result["seconds"] = round(time.monotonic() - t0, 1)
                    result["marker_seen"] = m.group(1).decode(errors="replace")
                    if marker is None or result["marker_seen"] == marker:
                        result["ok"] = True
                        result["reason"] = "marker seen"
                    else:
                        result["reason"] = "wrong marker %r (expected %r)" % (
                            result["marker_seen"], marker)
                    break
                if FAIL_RE.search(data):
                    result["reason"] = "the iPXE script failed (PXEHA-BOOT-FAIL)"
                    break
                if exited:
                    result["reason"] = "QEMU exited (status %s) without the marker" % (
                        proc.returncode,)
                    break
                if time.monotonic() > deadline:
                    result["reason"] = "no marker within %ss" % (timeout,)
                    break
                time.sleep(0.2)
            if result["ok"]:
                # The guest powers off: let QEMU exit on its own (bounded).
                try:
                    proc.wait(timeout=exit_wait)
                except subprocess.TimeoutExpired:
                    pass
            data += f.read()
    finally:
        if proc is not None:
            _stop(proc)
            result["qemu_rc"] = proc.returncode
        try:
            with open(qemu_err, "rb") as ef:
                result["qemu_stderr"] = ef.read()[-4000:].decode(errors="replace")
        except OSError:
            pass
        result["console_text"] = _tail_text(data)
        shutil.rmtree(tmpdir, ignore_errors=True)
    return result


def _ra_loop(ifname, interval=0.5):
    """Send an empty IPv6 Router Advertisement to ff02::1 on IFNAME every INTERVAL s."""
    import socket
    import struct
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    # type 134, code 0, checksum (the kernel fills it), hop limit 64, flags 0 (no
    # DHCPv6), router lifetime 0 (not a default router), reachable 0, retrans 0;
    # no options, so no prefix: nobody gets an address or a route from it.
    ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 0, 0, 0)
    while True:
        try:
            idx = socket.if_nametoindex(ifname)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
            sock.sendto(ra, ("ff02::1", 0, 0, idx))
        except OSError:
            pass  # no link-local address or carrier yet: try again
        time.sleep(interval)


class RouterAdvertiser:
    """Optional speed-up: empty IPv6 RAs on the machine's link, from namespace NS.

    iPXE configures IPv4 (DHCP) and IPv6 (router solicitation) together and waits for
    both: with no router on the link, every iPXE "Configuring (net0 ...)" takes ~12 s
    more.  An RA without prefix or M/O flags ends its IPv6 step at once (and configures
    nothing).  Run it on the interface the machine's tap is bridged to:

        with RouterAdvertiser("pxt-srv", "pxtbr0"):
            r = boot(...)
    """

    def __init__(self, ns, ifname, interval=0.5):
        self.args = [sys.executable, os.path.abspath(__file__), "--ra", ifname,
                     str(interval)]
        if ns:
            self.args = ["ip", "netns", "exec", ns] + self.args
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent)
        return self

    def stop(self):
        if self.proc is not None:
            _stop(self.proc, term_wait=3.0, kill_wait=3.0)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    import argparse
    import json

    if len(sys.argv) >= 3 and sys.argv[1] == "--ra":
        try:
            _ra_loop(sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.5)
        except KeyboardInterrupt:
            pass
        raise SystemExit(0)
    ap = argparse.ArgumentParser(
        description="network-boot one QEMU machine (or: --ra IFNAME [INTERVAL])")
    ap.add_argument("ns")
    ap.add_argument("tap")
    ap.add_argument("--firmware", default="bios", choices=("bios", "uefi"))
    ap.add_argument("--mac", default="52:54:00:12:34:56")
    ap.add_argument("--nic", default="virtio-net-pci")
    ap.add_argument("--marker")
    ap.add_argument("--timeout", type=float, default=240)
    ap.add_argument("--log")
    ap.add_argument("--ra-on", metavar="IFNAME",
                    help="send empty IPv6 RAs on IFNAME (in NS) during the boot")
    ap.add_argument("--no-nic-rom", action="store_true",
                    help="uefi: plain OVMF PXE instead of the NIC's iPXE ROM")
    ap.add_argument("--follow", action="store_true",
                    help="copy the serial console to stdout as it arrives")
    a = ap.parse_args()
    ra = RouterAdvertiser(a.ns, a.ra_on).start() if a.ra_on else None
    try:
        r = boot(a.ns, a.tap, a.firmware, a.mac, a.timeout, a.marker, a.log, a.nic,
                 nic_rom=not a.no_nic_rom,
                 echo=sys.stdout.buffer if a.follow else None)
    finally:
        if ra:
            ra.stop()
    tail = r.pop("console_text")
    if a.follow:
        print("\n[qemu_boot] %s%s" % (r["reason"], " after %.1f s" % r["seconds"]
                                      if r["ok"] else ""))
    else:
        print(json.dumps(r, indent=1))
    if not r["ok"]:
        print("--- console (tail) ---\n" + "\n".join(tail.split("\n")[-40:]))
    raise SystemExit(0 if r["ok"] else 1)
