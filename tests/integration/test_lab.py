"""The demo lab: `tools/run` with no argument.

It builds (a no-op here: PXEHA_BUILD points it at the test build), puts pxeha
in network namespace pxdemo-srv on conf/demo.ini and a client namespace
pxdemo-cli on a veth pair, and removes all of it on Ctrl-C.  The test checks
that the lab comes up, that its control port stays inside the namespace, and
that SIGINT stops it promptly leaving no namespace and no state behind.
"""
import hashlib
import os
import pathlib
import signal
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUN = ROOT / "tools" / "run"
SRV, CLI = "pxdemo-srv", "pxdemo-cli"
STATE = pathlib.Path("/run/pxeha-demo")
CTL_PORT = 8067
READY_SECS = 60
STOP_SECS = 15


def _sh(args, timeout=15):
    return subprocess.run(args, capture_output=True, text=True,
                          timeout=timeout, check=False)


def _netns_names():
    r = _sh(["ip", "netns", "list"])
    assert r.returncode == 0, r.stderr
    return [line.split()[0] for line in r.stdout.splitlines() if line.strip()]


def _listening_ports():
    """TCP ports listening in this (the root) namespace."""
    r = _sh(["ss", "-Hltn"])
    assert r.returncode == 0, r.stderr
    ports = set()
    for line in r.stdout.splitlines():
        cols = line.split()
        if len(cols) >= 4:
            port = cols[3].rpartition(":")[2]
            if port.isdigit():
                ports.add(int(port))
    return ports


def _tail(path, n=60):
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError as e:
        return "(no log: %s)" % e
    return "\n".join(lines[-n:])


def _cleanup_leftovers():
    """Kill what is left in our namespaces (by PID) and delete them."""
    for name in _netns_names():
        if not name.startswith("pxdemo-"):
            continue
        r = _sh(["ip", "netns", "pids", name])
        for pid in r.stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        _sh(["ip", "netns", "del", name])
    subprocess.run(["rm", "-rf", "--", str(STATE)], check=False)


def test_demo_lab_starts_and_stops_clean(tmp_path):
    build = os.environ.get("PXEHA_BUILD")
    if not build:
        pytest.fail("PXEHA_BUILD is not set (run through tools/test)")
    build = pathlib.Path(build).resolve()
    ctl = build / "tools" / "pxehactl"

    if SRV in _netns_names():
        pytest.fail("network namespace %s already exists: a developer's demo lab "
                    "(tools/run) seems to be running on this machine; stop it "
                    "(Ctrl-C) and run this test again" % SRV)

    log_path = tmp_path / "tools-run.log"
    env = dict(os.environ, PXEHA_BUILD=str(build))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(RUN), "--no-client"], cwd=str(ROOT),
                                env=env,
                                stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        # 1. The lab comes up: pxehactl status answers inside pxdemo-srv.
        deadline = time.monotonic() + READY_SECS
        last = None
        while True:
            if proc.poll() is not None:
                pytest.fail("tools/run exited with %s before the lab was up:\n%s"
                            % (proc.returncode, _tail(log_path)))
            if SRV in _netns_names():
                last = _sh(["ip", "netns", "exec", SRV, str(ctl), "status"],
                           timeout=10)
                if last.returncode == 0:
                    break
            if time.monotonic() > deadline:
                detail = "" if last is None else "%s%s" % (last.stdout, last.stderr)
                pytest.fail("pxehactl status did not succeed in %s within %ss: %s\n"
                            "--- tools/run log ---\n%s"
                            % (SRV, READY_SECS, detail, _tail(log_path)))
            time.sleep(0.5)

        # 2. The control endpoint lives in the namespace, not in the root one.
        assert CTL_PORT not in _listening_ports(), (
            "port %d is listening in the root namespace" % CTL_PORT)

        # 3. A client in pxdemo-cli gets a lease from pxeha, as the banner
        #    says, and pxehactl lists it.
        r = _sh(["ip", "netns", "exec", "pxdemo-cli", "udhcpc", "-i",
                 "pxdemo-br", "-q", "-n", "-t", "5", "-T", "1"], timeout=30)
        assert r.returncode == 0, "%s%s\n%s" % (r.stdout, r.stderr,
                                                _tail(log_path))
        r = _sh(["ip", "netns", "exec", SRV, str(ctl), "leases"], timeout=10)
        assert r.returncode == 0 and " active " in r.stdout, r.stdout
        r = _sh(["ip", "-n", "pxdemo-cli", "-4", "addr", "show", "pxdemo-br"],
                timeout=10)
        assert "inet 198.18.10.1" in r.stdout, r.stdout    # .100-.199 pool

        # 3b. The banner's demo client: DHCP names a boot file and the
        #     next server, and the file comes over TFTP, byte-identical.
        r = _sh(["ip", "netns", "exec", "pxdemo-cli",
                 str(ROOT / "tools" / "lib" / "demo-client")], timeout=60)
        assert r.returncode == 0, "%s%s\n%s" % (r.stdout, r.stderr,
                                                _tail(log_path))
        assert 'boot "demo/welcome.bin" from 198.18.10.1' in r.stdout, r.stdout
        want = hashlib.sha256((STATE / "boot" / "demo" /
                               "welcome.bin").read_bytes()).hexdigest()
        assert "fetched 4194304 bytes" in r.stdout, r.stdout
        assert "sha256 %s..." % want[:16] in r.stdout, r.stdout

        # 4. Ctrl-C stops it promptly and leaves nothing behind.
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=STOP_SECS)
        except subprocess.TimeoutExpired:
            pytest.fail("tools/run did not exit within %ss of SIGINT:\n%s"
                        % (STOP_SECS, _tail(log_path)))
        took = time.monotonic() - t0
        left = [n for n in _netns_names() if n.startswith("pxdemo-")]
        assert not left, "namespaces left after SIGINT (rc=%s): %s\n%s" % (
            rc, left, _tail(log_path))
        assert not STATE.exists(), "%s left after SIGINT" % STATE
        print("tools/run stopped in %.1fs with status %s" % (took, rc))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # tools/run leads its own session: its process group has its pid.
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)
        _cleanup_leftovers()


def test_demo_lab_boots_its_machine(tmp_path):
    """tools/run --exit-after-boot: the lab's QEMU machine (SeaBIOS + iPXE
    ROM) network-boots the kernel from pxeha, its console shows the
    marker, and the lab is gone afterwards."""
    build = os.environ.get("PXEHA_BUILD")
    if not build:
        pytest.fail("PXEHA_BUILD is not set (run through tools/test)")
    if SRV in _netns_names():
        pytest.fail("network namespace %s already exists: a developer's demo "
                    "lab seems to be running; stop it and run this again" % SRV)
    env = dict(os.environ, PXEHA_BUILD=str(pathlib.Path(build).resolve()))
    log_path = tmp_path / "tools-run.log"
    try:
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([str(RUN), "--exit-after-boot"],
                                    cwd=str(ROOT), env=env,
                                    stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT,
                                    start_new_session=True)
            try:
                rc = proc.wait(timeout=600)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
                pytest.fail("tools/run --exit-after-boot ran past 600 s:\n%s"
                            % _tail(log_path))
        out = log_path.read_text(errors="replace")
        assert rc == 0, "rc %s\n%s" % (rc, _tail(log_path, 120))
        # The console, copied by tools/run: iPXE fetched its script and the
        # kernel from pxeha, and the kernel's init printed the marker.
        assert "iPXE" in out and "boot.ipxe" in out, _tail(log_path, 120)
        assert "PXEHA-BOOT-OK demo" in out, _tail(log_path, 120)
        assert "the machine booted from pxeha" in out, _tail(log_path, 120)
        left = [n for n in _netns_names() if n.startswith("pxdemo-")]
        assert not left, left
        assert not STATE.exists()
    finally:
        _cleanup_leftovers()
