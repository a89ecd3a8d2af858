"""Fixtures for pxeha integration tests.

Every host is a network namespace named px<id>-<role>; every link is a veth
pair created with both ends inside namespaces; addresses are in
198.18.0.0/15.  Everything a test creates is removed when it ends, and only
processes the test started are stopped (by PID).
"""
import json
import os
import pathlib
import signal
import subprocess
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_seq = [0]


def _uid():
    _seq[0] += 1
    return "%x%x" % (os.getpid() % 0xFFFF, _seq[0])


def wait_until(pred, timeout=5.0, step=0.05):
    """Poll pred() until it is truthy or timeout seconds pass; return its
    last value (so the caller asserts on it)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def sh(args, check=True, timeout=30, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run(args, check=check, timeout=timeout, **kw)


@pytest.fixture(scope="session")
def build_dir():
    d = os.environ.get("PXEHA_BUILD")
    if not d:
        pytest.fail("PXEHA_BUILD is not set (run through tools/test)")
    p = pathlib.Path(d).resolve()
    if not (p / "src" / "pxeha").exists():
        pytest.fail("no pxeha binary in %s" % p)
    return p


@pytest.fixture(scope="session")
def pxeha_bin(build_dir):
    return build_dir / "src" / "pxeha"


@pytest.fixture(scope="session")
def pxehactl_bin(build_dir):
    return build_dir / "tools" / "pxehactl"


class Netns:
    def __init__(self, name):
        self.name = name

    def _wrap(self, args):
        return ["ip", "netns", "exec", self.name] + [str(a) for a in args]

    def run(self, args, check=True, timeout=30, **kw):
        return sh(self._wrap(args), check=check, timeout=timeout, **kw)

    def popen(self, args, **kw):
        return subprocess.Popen(self._wrap(args), **kw)

    def __repr__(self):
        return "Netns(%s)" % self.name


@pytest.fixture
def netns():
    made = []

    def make(role):
        name = "px%s-%s" % (_uid(), role)
        assert len(name) <= 32
        sh(["ip", "netns", "add", name])
        made.append(name)
        ns = Netns(name)
        ns.run(["ip", "link", "set", "lo", "up"])
        return ns

    yield make
    for name in reversed(made):
        sh(["ip", "netns", "del", name], check=False)


@pytest.fixture
def veth():
    def make(ns_a, ns_b, addr_a=None, addr_b=None, mtu=None, mac_a=None,
             mac_b=None):
        u = _uid()
        a, b = "px%sa" % u, "px%sb" % u
        assert len(a) <= 15
        # Both ends are created directly inside their namespaces: nothing
        # ever appears in the root namespace.
        sh(["ip", "link", "add", a, "netns", ns_a.name, "type", "veth",
            "peer", "name", b, "netns", ns_b.name])
        for ns, ifn, addr, mac in ((ns_a, a, addr_a, mac_a),
                                   (ns_b, b, addr_b, mac_b)):
            if mac:
                ns.run(["ip", "link", "set", ifn, "address", mac])
            if mtu:
                ns.run(["ip", "link", "set", ifn, "mtu", str(mtu)])
            for ad in ([addr] if isinstance(addr, str) else (addr or [])):
                ns.run(["ip", "addr", "add", ad, "dev", ifn])
            ns.run(["ip", "link", "set", ifn, "up"])
        return a, b

    return make


class Pxeha:
    """A pxeha process running in a namespace on a generated config."""

    def __init__(self, ns, binary, ctl, workdir, conf_text, name="pxeha"):
        self.ns, self.binary, self.ctl = ns, binary, ctl
        self.dir = workdir
        self.conf = workdir / ("%s.ini" % name)
        self.logfile = workdir / ("%s.log" % name)
        self.conf.write_text(conf_text)
        self.proc = None

    def start(self, wait=True, extra=()):
        if getattr(self, "_log", None) is not None:
            self._log.close()
        self._log = open(self.logfile, "ab")
        self.proc = self.ns.popen([self.binary, "-c", self.conf, *extra],
                                  stdout=self._log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready()
        return self

    def log(self):
        return self.logfile.read_text(errors="replace")

    def http(self, path, method="GET", token=None, timeout=5):
        """Request the control endpoint from inside the namespace (curl)."""
        args = ["curl", "-sS", "-m", str(timeout), "-X", method,
                "-o", "/dev/stdout", "-w", "\n%{http_code}"]
        if token:
            args += ["-H", "Authorization: Bearer %s" % token]
        args.append("http://%s%s" % (self.ctl, path))
        r = self.ns.run(args, check=False, timeout=timeout + 5)
        body, _, code = r.stdout.rpartition("\n")
        return int(code or 0), body

    def status(self):
        code, body = self.http("/status")
        assert code == 200, (code, body)
        return json.loads(body)

    def wait_ready(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("pxeha exited with %s:\n%s" %
                                     (self.proc.returncode, self.log()))
            code, _ = self.http("/status", timeout=1)
            if code == 200:
                return
            time.sleep(0.1)
        raise AssertionError("pxeha not ready in %ss:\n%s" %
                             (timeout, self.log()))

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=5):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError("pxeha did not stop within %ss" % timeout)


@pytest.fixture
def pxeha(request, pxeha_bin, tmp_path):
    """Factory: pxeha(ns, conf_text) -> Pxeha (not started).

    conf_text may use {state} and {dir} placeholders (per-test scratch).
    The ctl address is read from the caller: default 127.0.0.1:8067.
    """
    made = []

    def make(ns, conf_text, ctl="127.0.0.1:8067", name="pxeha"):
        state = tmp_path / ("%s-state" % name)
        state.mkdir(exist_ok=True)
        text = conf_text.replace("{state}", str(state)).replace(
            "{dir}", str(tmp_path))
        p = Pxeha(ns, pxeha_bin, ctl, tmp_path, text, name)
        made.append(p)
        return p

    yield make
    failed = request.node.rep_call.failed if hasattr(request.node, "rep_call") else True
    for p in made:
        try:
            p.stop()
        except AssertionError:
            failed = True
        finally:
            if p.proc is not None and p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait(5)
        if failed:
            print("---- log of %s ----\n%s" % (p.conf.name, p.log()))


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture
def plain_dhcp(tmp_path):
    """Factory: plain_dhcp(ns, ifname, first, last) starts dnsmasq in ns as
    a site's ordinary DHCP server on ifname (addresses first..last, nothing
    about PXE, no DNS), as pxeha's ProxyDHCP tests find one; its leases
    file is returned with the process.  Stopped (by PID) at the end."""
    made = []

    def make(ns, ifname, first, last):
        n = len(made)
        leases = tmp_path / ("dm%d.leases" % n)
        with open(tmp_path / ("dm%d.log" % n), "wb") as log:
            p = ns.popen(["dnsmasq", "--no-daemon", "--conf-file=/dev/null",
                          "--port=0", "--bind-interfaces",
                          "--interface=" + ifname, "--no-ping",
                          "--dhcp-range=%s,%s,10m" % (first, last),
                          "--dhcp-leasefile=%s" % leases,
                          "--pid-file=%s" % (tmp_path / ("dm%d.pid" % n)),
                          "--log-dhcp"],
                         stdout=subprocess.DEVNULL, stderr=log)
        made.append(p)
        return p, leases

    yield make
    for p in made:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
