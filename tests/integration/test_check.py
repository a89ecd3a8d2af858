"""pxeha --check: the shipped configs pass; broken ones fail with FILE:LINE."""
import subprocess

import pytest

from conftest import ROOT


def check(pxeha_bin, path):
    return subprocess.run([pxeha_bin, "-c", str(path), "--check"],
                          capture_output=True, text=True, timeout=10)


@pytest.mark.parametrize("name", ["pxeha.ini", "demo.ini", "wds.ini"])
def test_shipped_configs_pass(pxeha_bin, name):
    r = check(pxeha_bin, ROOT / "conf" / name)
    assert r.returncode == 0, r.stderr
    assert "configuration ok" in r.stdout


# (file text, the line the error must name, the rest of the message)
BROKEN = [
    ("[nodes]\n", 1, "[nodes]: unknown section"),
    ("[node]\nhostname = a\n", 2, "[node] hostname: unknown key"),
    ("[node]\nname = a\n\nname = b\n", 4,
     "[node] name: duplicate key (first set on line 2)"),
    ("[node]\nlog_level = chatty\n", 2,
     "[node] log_level: \"chatty\": not one of the allowed values"),
    ("[ctl]\nlisten = 127.0.0.1:0\n", 2,
     "[ctl] listen: \"127.0.0.1:0\": port must be 1 to 65535"),
    ("[ctl]\nlisten = 127.0.0.300:80\n", 2,
     "[ctl] listen: \"127.0.0.300:80\": not an IPv4 address"),
    ("[subnet a]\nnetwork = 198.18.10.0/24\nlease_time = 10 minutes\n", 3,
     "[subnet a] lease_time: \"10 minutes\": not a duration"),
    ("[subnet a]\nnetwork = 198.18.10.0/24\nlease_time = 30s\n", 3,
     "[subnet a] lease_time: \"30s\": duration out of range"),
    ("[subnet a]\nnetwork = 198.18.10.0/33\n", 2,
     "[subnet a] network: \"198.18.10.0/33\": prefix length must be 1 to 32"),
    ("[subnet a]\nnetwork = 198.18.10.0/24\npool = 198.18.10.50-198.18.10.20\n",
     3, "[subnet a] pool: \"198.18.10.50-198.18.10.20\": range ends before it starts"),
    ("[subnet a]\nnetwork = 198.18.10.0/24\npool = 198.18.10.200-198.18.11.10\n",
     3, "[subnet a] pool: 198.18.10.200-198.18.11.10 is not inside the subnet's network"),
    ("[subnet a]\nnetwork = 198.18.10.0/24\npool = 198.18.10.10-198.18.10.20\n"
     "[subnet b]\nnetwork = 198.18.11.0/24\n"
     "[subnet c]\nnetwork = 198.18.10.0/23\n", 7,
     "[subnet c] network: overlaps [subnet a] (line 2)"),
    ("[subnet a]\nnetwork = 198.18.10.0/24\n"
     "pool = 198.18.10.10-198.18.10.20,198.18.10.20-198.18.10.30\n", 3,
     "overlaps another range of this list"),
    ("[interface eth0]\n[subnet a]\nnetwork = 198.18.10.0/24\ninterface = eth0\n"
     "[subnet b]\nnetwork = 198.18.11.0/24\ninterface = eth0\n", 7,
     "[subnet b] interface: eth0 already serves [subnet a] (line 2)"),
    ("[tftp]\nmax_blksize = 4\n", 2,
     "[tftp] max_blksize: \"4\": size out of range"),
    ("[tftp]\nport = 0\n", 2, "[tftp] port: \"0\": out of range"),
    ("[tftp]\nenable = yes\n", 1, "[tftp] root: required key is missing"),
    ("[interface eth0]\ndhcp = perhaps\n", 2,
     "[interface eth0] dhcp: \"perhaps\": not a boolean (use yes or no)"),
    ("[boot bios]\narch = bios\n", 1, "[boot bios] file: required key is missing"),
    ("[peer d]\naddress = d.example:6767\nrole = standby\n", 2,
     "[peer d] address: \"d.example:6767\": not an IPv4 address"),
    ("[node]\nname: ok\nstate_dir = relative/dir\n", 3,
     "[node] state_dir: \"relative/dir\": not an absolute path"),
    ("[node]\n" + "name = " + "x" * 300 + "\n", 2,
     "line longer than 199 characters"),
]


@pytest.mark.parametrize("text,line,msg", BROKEN,
                         ids=[b[2][:40] for b in BROKEN])
def test_broken_config_rejected_with_file_line(pxeha_bin, tmp_path, text,
                                               line, msg):
    f = tmp_path / "broken.ini"
    f.write_text(text)
    r = check(pxeha_bin, f)
    assert r.returncode == 2, (r.stdout, r.stderr)
    prefix = "%s:%d: " % (f, line)
    lines = r.stderr.splitlines()
    assert any(l.startswith(prefix) and msg in l for l in lines), r.stderr


def test_every_error_is_reported(pxeha_bin, tmp_path):
    f = tmp_path / "many.ini"
    f.write_text("[node]\nlog_level = x\n[ctl]\nlisten = a:b\n[what]\n"
                 "[tftp]\nport = 70000\n")
    r = check(pxeha_bin, f)
    assert r.returncode == 2
    errs = [l for l in r.stderr.splitlines() if l.startswith(str(f) + ":")]
    assert [int(e.split(":")[1]) for e in errs] == [2, 4, 5, 7], r.stderr
    assert "4 errors" in r.stderr


def test_missing_file(pxeha_bin, tmp_path):
    r = check(pxeha_bin, tmp_path / "nope.ini")
    assert r.returncode == 2
    assert "nope.ini: cannot read: No such file or directory" in r.stderr
