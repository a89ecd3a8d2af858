"""TFTP uploads (WRQ): off unless [tftp] upload_dir is set; then plain
names land in that directory (never in the boot tree), whole or not at
all, never over an existing file, capped by upload_max.  Real clients:
tftp-hpa (put, octet and netascii) and atftp (put with a window), on a
private link in px* namespaces (198.18.61.0/24)."""
import os
import signal
import time

from conftest import wait_until

SRV, CLI = "198.18.61.1", "198.18.61.2"

CONF = """\
[node]
name = uptest
state_dir = {state}
log_level = debug

[tftp]
enable = yes
root = %(root)s
%(extra)s
"""


def lab(netns, veth, pxeha, tmp_path, extra=""):
    srv, cli = netns("srv"), netns("cli")
    veth(srv, cli, SRV + "/24", CLI + "/24")
    root, up = tmp_path / "boot", tmp_path / "up"
    root.mkdir()
    up.mkdir()
    (root / "boot.bin").write_bytes(b"boot tree file\n")
    d = pxeha(srv, CONF % dict(root=root, extra=extra % dict(up=up))).start()
    assert wait_until(lambda: ":69 " in srv.run(["ss", "-Hlun"]).stdout, 5)
    return srv, cli, root, up, d


def put(cli, src, name, mode="binary"):
    return cli.run(["tftp", "-m", mode, SRV, "-c", "put", str(src), name],
                   check=False, timeout=60)


def test_wrq_refused_without_upload_dir(netns, veth, pxeha, tmp_path):
    srv, cli, root, up, d = lab(netns, veth, pxeha, tmp_path)
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(5000))
    r = put(cli, src, "x.bin")
    assert "Error code 2" in r.stdout + r.stderr, r
    assert not (root / "x.bin").exists() and not (up / "x.bin").exists()
    assert "WRQ refused" in d.log()


def test_uploads_land_whole_in_upload_dir(netns, veth, pxeha, tmp_path):
    srv, cli, root, up, d = lab(netns, veth, pxeha, tmp_path,
                                "upload_dir = %(up)s\nupload_max = 4M\n")
    src = tmp_path / "src.bin"
    data = os.urandom(3 * 1024 * 1024 + 5)
    src.write_bytes(data)

    # tftp-hpa, octet, lock-step.
    r = put(cli, src, "/hpa.bin")
    assert r.returncode == 0 and "Error" not in r.stdout, r
    assert (up / "hpa.bin").read_bytes() == data
    assert not (root / "hpa.bin").exists()

    # atftp with a window of 8.
    r = cli.run(["atftp", "--option", "windowsize 8", "--option",
                 "blksize 1468", "-p", "-r", "atftp.bin", "-l", str(src),
                 SRV], check=False, timeout=60)
    assert r.returncode == 0, r
    assert (up / "atftp.bin").read_bytes() == data

    # netascii: the client sends CR LF / CR NUL, the file gets local text.
    txt = tmp_path / "t.txt"
    text = b"line one\nline two\r\nbare\rcr\n"
    txt.write_bytes(text)
    r = put(cli, txt, "t.txt", mode="ascii")
    assert r.returncode == 0, r
    assert (up / "t.txt").read_bytes() == text

    # Never over an existing file; never into a subdirectory or dot file.
    r = put(cli, src, "hpa.bin")
    assert "Error code 6" in r.stdout + r.stderr, r
    for bad in ("sub/x.bin", "../x.bin", ".hidden"):
        r = put(cli, src, bad)
        assert "Error code 2" in r.stdout + r.stderr, (bad, r)

    # Over upload_max: refused, and nothing (not even a temporary) stays.
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (5 * 1024 * 1024))
    r = put(cli, big, "big.bin")
    assert "Error code 3" in r.stdout + r.stderr, r
    assert wait_until(lambda: sorted(p.name for p in up.iterdir()) ==
                      ["atftp.bin", "hpa.bin", "t.txt"], 15), \
        sorted(p.name for p in up.iterdir())

    # Counted once each upload has ended (the server lingers after the
    # last ACK to re-ACK a lost one).
    def uploads():
        code, body = d.http("/metrics")
        for line in body.splitlines():
            if line.startswith('pxeha_tftp_uploads_total{result="done"}'):
                return int(float(line.split()[1]))
        return 0
    assert wait_until(lambda: uploads() == 3, 20), d.log()


def test_upload_survives_a_reload_that_moves_upload_dir(netns, veth, pxeha,
                                                        tmp_path):
    srv, cli, root, up, d = lab(netns, veth, pxeha, tmp_path,
                                "upload_dir = %(up)s\n")
    up2 = tmp_path / "up2"
    up2.mkdir()
    src = tmp_path / "src.bin"
    data = os.urandom(24 * 1024 * 1024)
    src.write_bytes(data)
    # Lock-step 512-byte blocks: long enough to reload in the middle.
    p = cli.popen(["tftp", "-m", "binary", SRV, "-c", "put", str(src),
                   "moved.bin"])
    try:
        assert wait_until(lambda: any(f.name.startswith(".moved.bin.")
                                      for f in up.iterdir()), 10), \
            "the upload did not start"
        d.conf.write_text(d.conf.read_text().replace(str(up), str(up2)))
        d.signal(signal.SIGHUP)
        assert wait_until(lambda: "generation 2 is live" in d.log(), 10)
        assert p.wait(120) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(5)
    # It lands whole where it started; nothing is left anywhere else.
    assert wait_until(lambda: (up / "moved.bin").exists(), 15), d.log()
    assert (up / "moved.bin").read_bytes() == data
    assert [f.name for f in up.iterdir()] == ["moved.bin"]
    assert list(up2.iterdir()) == []
