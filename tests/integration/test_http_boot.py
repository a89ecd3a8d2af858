"""Boot-file HTTP server ([http]): curl against pxeha on a private link in
px* namespaces (198.18.81.0/24): sizes with sha256, HEAD, single ranges
and 416, path confinement (".." and symlinks) without leaking paths,
Windows-style names, methods, 20 clients at once, a file replaced while
it is being sent, max_connections, reload, and /metrics.  Every wait is
bounded.
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import wait_until

SRV = "198.18.81.1"
CLI = "198.18.81.2"
BASE = "http://%s" % SRV

CONF = """\
[node]
name = htest
state_dir = {state}
log_level = info

[tftp]
enable = yes
root = %(tftp_root)s

[http]
enable = yes
listen = %(listen)s
max_connections = %(max_connections)s
"""


def make_file(path, size):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            f.write(os.urandom(n))
            left -= n
    return path


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                return h.hexdigest()
            h.update(b)


def curl_bin():
    p = shutil.which("curl")
    if not p:
        pytest.fail("curl is not installed")
    return p


class Resp:
    def __init__(self, rc, code, headers, body_path, speed, stderr):
        self.rc, self.code, self.headers = rc, code, headers
        self.body_path, self.speed, self.stderr = body_path, speed, stderr

    @property
    def body(self):
        return self.body_path.read_bytes()

    def h(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return "Resp(rc=%s code=%s headers=%r stderr=%r)" % (
            self.rc, self.code, self.headers, self.stderr[-300:])


# A client under the test's control: it sends a GET, reads the headers
# and the first `first` body bytes, says "ready", and reads the rest only
# when told to ("go" on stdin).  Until then the server's socket buffer
# fills and the transfer stays in progress, whatever the kernel buffers.
HELD_CLIENT = r"""
import hashlib, json, socket, sys
host, path, first = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.create_connection((host, 80), timeout=60)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, host)).encode())
buf = b""
while b"\r\n\r\n" not in buf:
    d = s.recv(65536)
    if not d:
        break
    buf += d
head, _, body = buf.partition(b"\r\n\r\n")
lines = head.decode().split("\r\n")
hdrs = dict((k.strip().lower(), v.strip()) for k, _, v in
            (l.partition(":") for l in lines[1:]))
length = int(hdrs.get("content-length", "0"))
h = hashlib.sha256()
got = 0
def take(d):
    global got
    d = d[:length - got]
    h.update(d)
    got += len(d)
take(body)
while got < min(first, length):
    d = s.recv(65536)
    if not d:
        break
    take(d)
print("ready", flush=True)
sys.stdin.readline()
while got < length:
    try:
        d = s.recv(1 << 20)
    except OSError:
        break
    if not d:
        break
    take(d)
print(json.dumps({"status": lines[0], "length": length, "got": got,
                  "sha256": h.hexdigest()}), flush=True)
"""


def parse_headers(text):
    """The last response's headers (curl -D), lower-cased names."""
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b]
    out = {}
    if not blocks:
        return out
    for line in blocks[-1].split("\n")[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            out.setdefault(k.strip().lower(), v.strip())
    return out


class Lab:
    def __init__(self, srv, cli, tmp, make_pxeha):
        self.srv, self.cli, self.tmp = srv, cli, tmp
        self.root = tmp / "boot"
        self.root.mkdir()
        self.out = tmp / "out"
        self.out.mkdir()
        self._pxeha = make_pxeha
        self.daemon = None
        self._n = 0

    def conf(self, **kw):
        opts = dict(tftp_root=self.root, listen="%s:80" % SRV,
                    max_connections=1000)
        opts.update(kw)
        return CONF % opts

    def start(self, **kw):
        self.daemon = self._pxeha(self.srv, self.conf(**kw)).start()
        ok = wait_until(lambda: ":80 " in self.srv.run(
            ["ss", "-Hltn"]).stdout, 5)
        assert ok, "nothing listens on tcp port 80:\n%s" % self.daemon.log()
        return self

    def put(self, name, size=None, data=None):
        p = self.root / name
        if data is not None:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
            return p
        return make_file(p, size)

    def _args(self, path, method=None, headers=(), extra=(), head=False):
        self._n += 1
        body = self.out / ("body%d" % self._n)
        hdrs = self.out / ("hdrs%d" % self._n)
        args = [curl_bin(), "-sS", "--path-as-is", "-m", "120",
                "-o", str(body), "-D", str(hdrs),
                "-w", "%{http_code} %{speed_download}"]
        if head:
            args.append("-I")
        if method:
            args += ["-X", method]
        for h in headers:
            args += ["-H", h]
        args += list(extra)
        args.append(path if path.startswith("http") else BASE + path)
        return args, body, hdrs

    @staticmethod
    def _resp(rc, stdout, stderr, body, hdrs):
        code, _, speed = (stdout.strip() or "0 0").partition(" ")
        headers = parse_headers(hdrs.read_text(errors="replace")
                                if hdrs.exists() else "")
        if not body.exists():
            body.write_bytes(b"")
        return Resp(rc, int(code or 0), headers, body, float(speed or 0),
                    stderr)

    def get(self, path, **kw):
        args, body, hdrs = self._args(path, **kw)
        r = self.cli.run(args, check=False, timeout=150)
        return self._resp(r.returncode, r.stdout, r.stderr, body, hdrs)

    def spawn(self, path, **kw):
        """Start curl in the client namespace; finish() gives the Resp."""
        args, body, hdrs = self._args(path, **kw)
        p = self.cli.popen(args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)

        def finish(timeout=150):
            out, err = p.communicate(timeout=timeout)
            return self._resp(p.returncode, out, err, body, hdrs)
        return p, finish

    def held(self, path, first=1 << 20):
        """Start HELD_CLIENT; returns (go, proc): go() lets it read the
        rest and returns its result."""
        p = self.cli.popen(["/usr/bin/python3", "-c", HELD_CLIENT, SRV, path,
                            str(first)], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        line = p.stdout.readline()
        assert line.strip() == "ready", (line, p.stderr.read()
                                         if p.poll() is not None else "")

        def go(timeout=60):
            out, err = p.communicate("go\n", timeout=timeout)
            return json.loads(out.strip().splitlines()[-1])
        return go, p

    def metrics(self):
        code, body = self.daemon.http("/metrics")
        assert code == 200, (code, body)
        out = {}
        for fam in text_string_to_metric_families(body):
            for s in fam.samples:
                out[(s.name, frozenset(s.labels.items()))] = s.value
        return out

    def metric(self, name, **labels):
        return self.metrics().get((name, frozenset(labels.items())), 0)


@pytest.fixture
def lab(netns, veth, pxeha, tmp_path):
    srv, cli = netns("hsrv"), netns("hcli")
    veth(srv, cli, SRV + "/24", CLI + "/24")
    return Lab(srv, cli, tmp_path, pxeha)


def assert_no_leak(lab, resp):
    text = resp.body.decode(errors="replace") + json.dumps(resp.headers)
    for s in (str(lab.root), str(lab.tmp), "/tmp", "pytest"):
        assert s not in text, (s, text)


# ------------------------------------------------------------------ bodies

def test_sizes_sha256_and_headers(lab):
    lab.start()
    speeds = {}
    for size in (0, 1, 3 << 20, 64 << 20):
        src = lab.put("sizes/f%d.bin" % size, size)
        r = lab.get("/sizes/f%d.bin" % size)
        assert r.rc == 0 and r.code == 200, r
        assert r.h("content-length") == str(size), r
        assert r.h("transfer-encoding") is None, r
        assert r.h("accept-ranges") == "bytes", r
        assert r.h("content-type") == "application/octet-stream", r
        assert r.body_path.stat().st_size == size
        assert sha256(r.body_path) == sha256(src), size
        speeds[size] = r.speed
    print("one curl, 64 MiB: %.1f MB/s" % (speeds[64 << 20] / 1e6))
    log = lab.daemon.log()
    assert "GET sizes/f%d.bin 200: %d bytes" % (64 << 20, 64 << 20) in log


def test_text_types_and_query_ignored(lab):
    lab.start()
    lab.put("menu.ipxe", data=b"#!ipxe\nchain http://x/boot.ipxe\n")
    r = lab.get("/menu.ipxe?mac=52:54:00:12:34:56&arch=x64")
    assert r.code == 200 and r.h("content-type") == "text/plain", r
    assert r.body == b"#!ipxe\nchain http://x/boot.ipxe\n"


def test_head(lab):
    lab.start()
    lab.put("head.bin", 123457)
    r = lab.get("/head.bin", head=True)
    assert r.rc == 0 and r.code == 200, r
    assert r.h("content-length") == "123457", r
    assert r.h("accept-ranges") == "bytes", r
    # curl -I writes the headers as the output: nothing may follow them.
    assert r.body.startswith(b"HTTP/1.1 200") and r.body.endswith(
        b"\r\n\r\n") and r.body.count(b"\r\n\r\n") == 1, r.body
    r = lab.get("/head.bin", head=True, headers=["Range: bytes=10-19"])
    assert r.code == 206 and r.h("content-length") == "10", r
    assert r.h("content-range") == "bytes 10-19/123457", r
    r = lab.get("/nothing.bin", head=True)
    assert r.code == 404, r


# ------------------------------------------------------------------ ranges

def test_ranges(lab):
    lab.start()
    size = 1000003
    src = lab.put("r.bin", size)
    data = src.read_bytes()
    for spec, lo, hi in (("bytes=0-99", 0, 99),
                         ("bytes=100-", 100, size - 1),
                         ("bytes=-100", size - 100, size - 1),
                         ("bytes=999000-99999999", 999000, size - 1),
                         ("bytes=-99999999", 0, size - 1)):
        r = lab.get("/r.bin", headers=["Range: " + spec])
        assert r.code == 206, (spec, r)
        assert r.h("content-range") == "bytes %d-%d/%d" % (lo, hi, size), r
        assert r.h("content-length") == str(hi - lo + 1), r
        assert r.body == data[lo:hi + 1], spec
    for spec in ("bytes=%d-" % size, "bytes=%d-%d" % (size + 5, size + 9),
                 "bytes=-0"):
        r = lab.get("/r.bin", headers=["Range: " + spec])
        assert r.code == 416, (spec, r)
        assert r.h("content-range") == "bytes */%d" % size, r
    # Several ranges, nonsense, an invalid range, If-Range: the whole file.
    for hdrs in (["Range: bytes=0-1,5-6"], ["Range: bytes=junk"],
                 ["Range: bytes=9-2"], ["Range: items=0-1"],
                 ["Range: bytes=0-1", "If-Range: \"x\""]):
        r = lab.get("/r.bin", headers=hdrs)
        assert r.code == 200 and r.body == data, (hdrs, r)
        assert r.h("content-range") is None, r
    # An empty file has no satisfiable range.
    lab.put("empty.bin", data=b"")
    r = lab.get("/empty.bin", headers=["Range: bytes=0-"])
    assert r.code == 416 and r.h("content-range") == "bytes */0", r
    # curl's resume is a Range request too.
    part = lab.out / "resume.bin"
    part.write_bytes(data[:4096])
    res = lab.cli.run([curl_bin(), "-sS", "-C", "-", "-o", str(part),
                       BASE + "/r.bin"], check=False, timeout=60)
    assert res.returncode == 0, res
    assert part.read_bytes() == data


# ------------------------------------------------------------------- paths

@pytest.fixture
def tree(lab, tmp_path):
    efi = lab.put("boot/x64/wdsmgfw.efi", 5000)
    lab.put("pxelinux.0", data=b"pxelinux" * 100)
    (lab.root / "dir").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret\n" * 10)
    (tmp_path / "secret").write_bytes(b"secret\n" * 10)
    (lab.root / "link-in").symlink_to("boot/x64/wdsmgfw.efi")
    (lab.root / "link-out").symlink_to(outside / "secret")
    (lab.root / "link-out-rel").symlink_to("../outside/secret")
    (lab.root / "linkdir").symlink_to(outside)
    lab.start()
    return efi


def test_windows_names_and_case(lab, tree):
    want = tree.read_bytes()
    for path in ("/boot/x64/wdsmgfw.efi", "/boot%5Cx64%5Cwdsmgfw.efi",
                 "/%5CBoot%5CX64%5CWDSMGFW.EFI", "/BOOT/x64/WdsMgFw.efi",
                 "//boot//x64/./wdsmgfw.efi", "/link-in",
                 "/boot/x64/wdsmgfw%2Eefi",
                 "http://%s/boot/x64/wdsmgfw.efi" % SRV):
        r = lab.get(path)
        assert r.code == 200 and r.body == want, (path, r)
    assert lab.get("/PXELINUX.0").body == b"pxelinux" * 100


def test_dotdot_and_symlinks_are_refused_without_leaks(lab, tree, tmp_path):
    for path in ("/../secret", "/boot/../../secret", "/%2e%2e/secret",
                 "/boot/%2E%2E/pxelinux.0", "/..%5csecret",
                 "/boot%5C..%5C..%5Csecret", "/.."):
        r = lab.get(path)
        assert r.code == 403, (path, r)
        assert b"secret" not in r.body
        assert_no_leak(lab, r)
    for path in ("/link-out", "/link-out-rel", "/linkdir/secret",
                 str(tmp_path / "secret")):
        r = lab.get(path)
        assert r.code in (403, 404), (path, r)
        assert b"secret" not in r.body
        assert_no_leak(lab, r)
    for path, codes in (("/missing.efi", [404]), ("/boot/x64/missing", [404]),
                        ("/dir", [403]), ("/boot/", [403]), ("/", [403, 404])):
        r = lab.get(path)
        assert r.code in codes, (path, r)
        assert_no_leak(lab, r)
    for path in ("/a%00b", "/pxelinux.0%00.efi", "/a%0a", "/a%zz",
                 "/a%"):
        r = lab.get(path)
        assert r.code == 400, (path, r)
        assert_no_leak(lab, r)
    assert lab.get("/pxelinux.0").code == 200


def test_methods(lab, tree):
    for method, extra in (("POST", ["-d", "x=1"]), ("PUT", ["-d", "x"]),
                          ("DELETE", []), ("OPTIONS", [])):
        r = lab.get("/pxelinux.0", method=method, extra=extra)
        assert r.code == 405, (method, r)
        allow = r.h("allow") or ""
        assert "GET" in allow and "HEAD" in allow, r
    assert (lab.root / "pxelinux.0").read_bytes() == b"pxelinux" * 100


# ------------------------------------------------------------------- load

def test_20_clients_32mib_each(lab):
    lab.start()
    size = 32 << 20
    src = lab.put("big/boot.wim", size)
    want = sha256(src)
    t0 = time.monotonic()
    jobs = [lab.spawn("/big/boot.wim") for _ in range(20)]
    res = [finish() for _, finish in jobs]
    dt = time.monotonic() - t0
    for r in res:
        assert r.rc == 0 and r.code == 200, r
        assert r.body_path.stat().st_size == size
        assert sha256(r.body_path) == want
    print("20 clients x 32 MiB: %.1f MB/s total in %.2f s" %
          (20 * size / dt / 1e6, dt))
    assert lab.metric("pxeha_http_transfers_total", result="done") == 20
    assert lab.metric("pxeha_http_active_transfers") == 0
    # One shared descriptor for the file, none left open afterwards.
    assert lab.metric("pxeha_http_open_files") == 0


def test_file_replaced_by_rename_keeps_old_bytes(lab, tmp_path):
    lab.start()
    size = 64 << 20
    old = lab.put("swap.bin", size)
    keep_old = tmp_path / "old.keep"
    shutil.copyfile(old, keep_old)
    new = make_file(tmp_path / "new.bin", size + 12345)
    keep_new = tmp_path / "new.keep"
    shutil.copyfile(new, keep_new)
    go, _ = lab.held("/swap.bin")
    assert lab.metric("pxeha_http_active_transfers") == 1
    os.rename(new, old)
    res = go()
    assert res["status"] == "HTTP/1.1 200 OK", res
    assert (res["got"], res["sha256"]) == (size, sha256(keep_old)), res
    r = lab.get("/swap.bin")
    assert r.code == 200 and sha256(r.body_path) == sha256(keep_new)
    assert lab.metric("pxeha_http_transfers_total", result="done") == 2


def test_file_changed_in_place_is_cut_short(lab, tmp_path):
    lab.start()
    size = 64 << 20
    src = lab.put("inplace.bin", size)
    go, _ = lab.held("/inplace.bin")
    assert lab.metric("pxeha_http_active_transfers") == 1
    with open(src, "r+b") as f:
        f.seek(size - 4096)
        f.write(b"\0" * 4096)
    res = go()
    # Never a complete body: the connection ends early.
    assert res["length"] == size and res["got"] < size, res
    assert lab.metric("pxeha_http_errors_total",
                      reason="file_changed") == 1
    assert lab.metric("pxeha_http_active_transfers") == 0
    assert "file changed on disk" in lab.daemon.log()
    # The next request gets the new bytes whole.
    r = lab.get("/inplace.bin")
    assert r.code == 200 and sha256(r.body_path) == sha256(src)


def test_max_connections_answers_503(lab):
    lab.start(max_connections=2)
    lab.put("slow.bin", 64 << 20)
    held = [lab.held("/slow.bin") for _ in range(2)]
    assert lab.metric("pxeha_http_connections") == 2
    t0 = time.monotonic()
    r = lab.get("/slow.bin")
    assert r.code == 503 and time.monotonic() - t0 < 2, r
    assert r.h("retry-after") == "5", r
    assert r.h("connection") == "close", r
    for go, _ in held:
        assert go()["got"] == 64 << 20
    ok = wait_until(lambda: lab.metric("pxeha_http_connections") == 0, 5)
    assert ok, lab.daemon.log()
    assert lab.get("/slow.bin", head=True).code == 200
    assert lab.metric("pxeha_http_requests_total", code="503") == 1
    assert lab.metric("pxeha_http_errors_total", reason="busy") == 1


def test_client_gone_mid_transfer_is_counted(lab):
    lab.start()
    lab.put("gone.bin", 64 << 20)
    _, p = lab.held("/gone.bin")
    assert lab.metric("pxeha_http_active_transfers") == 1
    p.kill()
    p.communicate(timeout=10)
    ok = wait_until(lambda: lab.metric("pxeha_http_active_transfers") == 0,
                    5)
    assert ok, lab.daemon.log()
    assert lab.metric("pxeha_http_errors_total", reason="aborted") == 1
    assert lab.metric("pxeha_http_transfers_total", result="failed") == 1
    assert lab.metric("pxeha_http_connections") == 0
    assert "connection closed after" in lab.daemon.log()
    assert lab.get("/gone.bin", head=True).code == 200


def test_stop_during_a_transfer(lab):
    lab.start()
    lab.put("stop.bin", 64 << 20)
    go, p = lab.held("/stop.bin")
    assert lab.metric("pxeha_http_active_transfers") == 1
    assert lab.daemon.stop() == 0
    res = go()
    assert res["got"] < 64 << 20, res
    assert "connection closed after" in lab.daemon.log()


# ------------------------------------------------------- reload and views

def test_reload_moves_root_and_port(lab, tmp_path):
    lab.start()
    lab.put("a.bin", data=b"tftp root\n")
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.bin").write_bytes(b"http root\n")
    assert lab.get("/a.bin").body == b"tftp root\n"
    text = lab.daemon.conf.read_text().replace(
        "listen = %s:80\n" % SRV, "listen = %s:8080\n" % SRV)
    lab.daemon.conf.write_text(text + "root = %s\n" % other)
    lab.daemon.signal(signal.SIGHUP)
    ok = wait_until(lambda: lab.get("http://%s:8080/a.bin" % SRV).code ==
                    200, 5)
    assert ok, lab.daemon.log()
    assert lab.get("http://%s:8080/a.bin" % SRV).body == b"http root\n"
    assert lab.get("/a.bin").rc != 0          # port 80 is closed
    st = lab.daemon.status()["subsystems"]["http"]
    assert st["state"] == "running" and st["listen"] == SRV + ":8080", st


def test_metrics_and_status(lab, tree):
    lab.get("/pxelinux.0")
    lab.get("/pxelinux.0", headers=["Range: bytes=0-9"])
    lab.get("/missing")
    lab.get("/../x")
    lab.get("/pxelinux.0", method="POST", extra=["-d", "x"])
    lab.get("/pxelinux.0", headers=["Range: bytes=9999-"])
    m = lab.metrics()

    def v(name, **labels):
        return m.get((name, frozenset(labels.items())), 0)
    assert v("pxeha_http_requests_total", code="200") == 1
    assert v("pxeha_http_requests_total", code="206") == 1
    assert v("pxeha_http_requests_total", code="404") == 1
    assert v("pxeha_http_requests_total", code="403") == 1
    assert v("pxeha_http_requests_total", code="405") == 1
    assert v("pxeha_http_requests_total", code="416") == 1
    assert v("pxeha_http_bytes_sent_total") == 800 + 10
    assert v("pxeha_http_errors_total", reason="not_found") == 1
    assert v("pxeha_http_errors_total", reason="forbidden") == 1
    assert v("pxeha_http_errors_total", reason="method") == 1
    assert v("pxeha_http_errors_total", reason="unsatisfiable") == 1
    assert v("pxeha_http_transfers_total", result="done") == 2
    assert v("pxeha_http_active_transfers") == 0
    st = lab.daemon.status()["subsystems"]["http"]
    assert st["state"] == "running", st
    assert st["listen"] == SRV + ":80", st
    assert st["requests"] == 6 and st["transfers_done"] == 2, st
    assert st["bytes_sent"] == 810, st
