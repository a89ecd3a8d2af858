"""The pxeha process: start, status, metrics, reload, stop."""
import hashlib
import json
import signal
import subprocess
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import wait_until

BASE = """\
[node]
name = itest
state_dir = {state}
log_level = debug

[ctl]
listen = 127.0.0.1:8067
"""

SUBNET = """
[subnet lab]
network = 198.18.30.0/24
pool = 198.18.30.100-198.18.30.199
"""


@pytest.fixture
def daemon(netns, pxeha):
    ns = netns("srv")
    return pxeha(ns, BASE).start()


def test_status_reports_identity_and_config_hash(daemon):
    st = daemon.status()
    assert st["node"] == "itest"
    assert st["version"]
    assert st["config"]["generation"] == 1
    assert st["config"]["sha256"] == hashlib.sha256(
        daemon.conf.read_bytes()).hexdigest()
    assert st["subsystems"]["ctl"]["state"] == "running"
    assert st["uptime_seconds"] >= 0


def test_metrics_parse_as_prometheus_text(daemon):
    code, body = daemon.http("/metrics")
    assert code == 200
    fams = {f.name: f for f in text_string_to_metric_families(body)}
    info = fams["pxeha_build_info"].samples[0]
    assert info.value == 1 and info.labels["version"]
    assert fams["pxeha_config_generation"].samples[0].value == 1
    for name in ("process_cpu_seconds", "process_resident_memory_bytes",
                 "process_open_fds", "process_start_time_seconds"):
        assert name in fams, name
    assert fams["process_resident_memory_bytes"].samples[0].value > 0


def test_sighup_with_broken_file_keeps_old_generation(daemon):
    good = daemon.conf.read_text()
    daemon.conf.write_text(good + "[subnet bad]\nnetwork = 198.18.30.1/24\n")
    daemon.signal(signal.SIGHUP)
    line = len(good.splitlines()) + 2
    want = "%s:%d: [subnet bad] network: \"198.18.30.1/24\": host bits are set" % (
        daemon.conf, line)
    assert wait_until(lambda: "reload failed" in daemon.log()), daemon.log()
    assert want in daemon.log()
    assert daemon.log().count(want) == 1         # each error logged once
    st = daemon.status()                         # still serving
    assert st["config"]["generation"] == 1
    assert st["config"]["reloads_failed"] == 1
    assert st["config"]["sha256"] == hashlib.sha256(
        good.encode()).hexdigest()


def test_sighup_with_good_file_moves_to_generation_2(daemon):
    daemon.conf.write_text(daemon.conf.read_text() + SUBNET)
    daemon.signal(signal.SIGHUP)
    st = wait_until(lambda: (lambda s: s if s["config"]["generation"] == 2
                           else None)(daemon.status()))
    assert st, daemon.log()
    assert st["config"]["sha256"] == hashlib.sha256(
        daemon.conf.read_bytes()).hexdigest()
    code, body = daemon.http("/metrics")
    fams = {f.name: f for f in text_string_to_metric_families(body)}
    assert fams["pxeha_config_generation"].samples[0].value == 2


def test_reload_verb_needs_the_token(daemon, tmp_path):
    code, body = daemon.http("/reload", method="POST")
    assert code == 401
    code, body = daemon.http("/reload", method="POST", token="wrong" * 8)
    assert code == 401
    token = (tmp_path / "pxeha-state" / "ctl.token").read_text().strip()
    assert len(token) == 64
    assert (tmp_path / "pxeha-state" / "ctl.token").stat().st_mode & 0o077 == 0
    code, body = daemon.http("/reload", method="POST", token=token)
    assert code == 200, body
    assert json.loads(body) == {"result": "ok", "generation": 2}
    code, _ = daemon.http("/reload")
    assert code == 405


def test_pxehactl_defaults_and_reload(daemon, pxehactl_bin):
    r = daemon.ns.run([pxehactl_bin, "status"])
    assert "on itest" in r.stdout and "generation 1" in r.stdout
    r = daemon.ns.run([pxehactl_bin, "--json", "status"])
    assert json.loads(r.stdout)["node"] == "itest"
    r = daemon.ns.run([pxehactl_bin, "metrics"])
    assert "pxeha_build_info{" in r.stdout
    r = daemon.ns.run([pxehactl_bin, "--json", "metrics"])
    series = {s["series"]: s["value"] for s in json.loads(r.stdout)}
    assert series["pxeha_config_generation"] == 1
    r = daemon.ns.run([pxehactl_bin, "-c", daemon.conf, "reload"])
    assert "generation 2 is live" in r.stdout
    daemon.conf.write_text(daemon.conf.read_text() + "[bogus]\n")
    r = daemon.ns.run([pxehactl_bin, "-c", daemon.conf, "-s",
                       "127.0.0.1:8067", "reload"], check=False)
    assert r.returncode == 2 and "unknown section" in r.stderr
    # The server refuses too, when asked directly with the token.
    r = daemon.ns.run([pxehactl_bin, "-t", daemon.dir / "pxeha-state" /
                       "ctl.token", "reload"], check=False)
    assert r.returncode == 1
    assert "generation 2 stays live" in r.stderr
    assert "[bogus]: unknown section" in r.stderr


def test_pxehactl_without_daemon_says_so(netns, pxehactl_bin):
    ns = netns("empty")
    r = ns.run([pxehactl_bin, "status"], check=False)
    assert r.returncode == 3
    assert "no answer from pxeha at 127.0.0.1:8067" in r.stderr


def test_sigterm_exits_zero_within_2s(daemon):
    t0 = time.monotonic()
    daemon.signal(signal.SIGTERM)
    assert daemon.proc.wait(2) == 0
    assert time.monotonic() - t0 < 2
    assert "stopped" in daemon.log()


def test_sigint_exits_zero(daemon):
    daemon.signal(signal.SIGINT)
    assert daemon.proc.wait(2) == 0


def test_control_port_bound_only_to_loopback(daemon):
    r = daemon.ns.run(["ss", "-Hltn"])
    socks = [l.split()[3] for l in r.stdout.splitlines()]
    assert socks == ["127.0.0.1:8067"], socks


def test_bad_config_at_start_exits_2_with_errors(netns, pxeha):
    ns = netns("srv")
    p = pxeha(ns, BASE + "[node]\n")
    p.start(wait=False)
    assert p.proc.wait(5) == 2
    assert "[node]: duplicate section (first on line 1)" in p.log()


def test_version_and_usage(pxeha_bin):
    r = subprocess.run([pxeha_bin, "--version"], capture_output=True,
                       text=True, timeout=5)
    assert r.returncode == 0 and r.stdout.startswith("pxeha ")
    r = subprocess.run([pxeha_bin, "--bogus"], capture_output=True,
                       text=True, timeout=5)
    assert r.returncode == 2 and "usage:" in r.stderr


def test_flood_of_refused_reloads_is_rate_limited(daemon):
    for _ in range(30):
        code, _ = daemon.http("/reload", method="POST", token="x" * 64)
        assert code == 401
    lines = [l for l in daemon.log().splitlines() if "reload refused" in l]
    assert 1 <= len(lines) <= 5, lines          # LOG_RL_BURST
    code, body = daemon.http("/metrics")
    fams = {f.name: f for f in text_string_to_metric_families(body)}
    assert fams["pxeha_log_suppressed"].samples[0].value >= 25
    assert fams["pxeha_ctl_denied"].samples[0].value == 30
