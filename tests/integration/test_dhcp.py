"""DHCP service with real clients (dhclient, udhcpc, dhcpcd) and crafted
requests, on a private link in px* namespaces (198.18.50.0/24)."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import ROOT, wait_until

PROBE = ROOT / "tests" / "integration" / "helpers" / "dhcp_probe.py"
SRV = "198.18.50.1"

CONF = """\
[node]
name = dtest
state_dir = {state}
log_level = debug

[dhcp]
decline_probation = 1h

[interface %(ifname)s]
dhcp = yes

[subnet lab]
network = 198.18.50.0/24
interface = %(ifname)s
pool = 198.18.50.100-198.18.50.119
router = 198.18.50.1
dns = 198.18.50.53
domain = lab.test
lease_time = 10m
option.224 = text:pxeha-vendor

[host fixed]
mac = 52:54:00:aa:00:01
address = 198.18.50.10
hostname = fixed
"""


class Lab:
    def __init__(self, srv, cli, srv_if, cli_if, daemon, ctl):
        self.srv, self.cli = srv, cli
        self.srv_if, self.cli_if = srv_if, cli_if
        self.daemon, self.ctl = daemon, ctl

    def probe(self, steps, timeout=30):
        r = self.cli.run(["/usr/bin/python3", PROBE, self.cli_if,
                          json.dumps(steps)], timeout=timeout)
        return json.loads(r.stdout)

    def leases(self):
        r = self.srv.run([self.ctl, "--json", "leases"])
        return {l["address"]: l for l in json.loads(r.stdout)}

    def lease(self, addr):
        r = self.srv.run([self.ctl, "--json", "lease", addr], check=False)
        return json.loads(r.stdout)[0] if r.returncode == 0 else None


@pytest.fixture
def lab(netns, veth, pxeha, pxehactl_bin):
    srv, cli = netns("dsrv"), netns("dcli")
    s_if, c_if = veth(srv, cli, SRV + "/24", None)
    d = pxeha(srv, CONF % {"ifname": s_if}).start()
    return Lab(srv, cli, s_if, c_if, d, pxehactl_bin)


def opt_ip(hexval):
    b = bytes.fromhex(hexval)
    return [".".join(str(x) for x in b[i:i + 4]) for i in range(0, len(b), 4)]


def dora(lab, mac, xid, **kw):
    off, ack = None, None
    rep = lab.probe([dict(type="discover", mac=mac, xid=xid, **kw)])[0]
    assert rep and rep["type"] == "OFFER", rep
    off = rep
    rep = lab.probe([dict(type="request", mac=mac, xid=xid + 1,
                          requested=off["yiaddr"], server_id=SRV, **kw)])[0]
    assert rep and rep["type"] == "ACK", rep
    ack = rep
    return off, ack


# ------------------------------------------------------------ crafted requests

def test_dora_options_as_configured(lab):
    off, ack = dora(lab, "52:54:00:00:00:01", 100)
    assert off["yiaddr"] == ack["yiaddr"]
    assert ack["yiaddr"].startswith("198.18.50.1")
    o = ack["options"]
    assert opt_ip(o["54"]) == [SRV]
    assert opt_ip(o["1"]) == ["255.255.255.0"]
    assert opt_ip(o["3"]) == ["198.18.50.1"]
    assert opt_ip(o["6"]) == ["198.18.50.53"]
    assert bytes.fromhex(o["15"]) == b"lab.test"
    assert int(o["51"], 16) == 600
    assert int(o["58"], 16) == 300 and int(o["59"], 16) == 525
    assert bytes.fromhex(o["224"]) == b"pxeha-vendor"
    l = lab.lease(ack["yiaddr"])
    assert l["state"] == "active" and l["mac"] == "52:54:00:00:00:01"


def test_reservation_by_mac_always_gets_its_address(lab):
    for i in range(3):
        off, ack = dora(lab, "52:54:00:aa:00:01", 200 + 10 * i)
        assert ack["yiaddr"] == "198.18.50.10"
        assert bytes.fromhex(ack["options"]["12"]) == b"fixed"
    # Nobody else is offered the reserved address, even when asking for it.
    rep = lab.probe([dict(type="discover", mac="52:54:00:00:00:02", xid=300,
                          requested="198.18.50.10")])[0]
    assert rep["yiaddr"] != "198.18.50.10"


def test_declined_address_rests_during_probation(lab):
    off, ack = dora(lab, "52:54:00:00:00:03", 400)
    bad = ack["yiaddr"]
    lab.probe([dict(type="decline", mac="52:54:00:00:00:03", xid=410,
                    requested=bad, server_id=SRV, wait=0)])
    wait_until(lambda: lab.lease(bad)["state"] == "declined", 5)
    assert lab.lease(bad)["state"] == "declined"
    # Neither the decliner nor anyone asking for it gets it back.
    for i, mac in enumerate(["52:54:00:00:00:03", "52:54:00:00:00:04"]):
        rep = lab.probe([dict(type="discover", mac=mac, xid=420 + i,
                              requested=bad)])[0]
        assert rep["type"] == "OFFER" and rep["yiaddr"] != bad


def test_init_reboot_wrong_subnet_gets_nak(lab):
    rep = lab.probe([dict(type="request", mac="52:54:00:00:00:05", xid=500,
                          requested="198.18.99.5")])[0]
    assert rep["type"] == "NAK"
    assert opt_ip(rep["options"]["54"]) == [SRV]
    assert rep["yiaddr"] == "0.0.0.0"


def test_init_reboot_unknown_address_gets_nak_known_gets_ack(lab):
    off, ack = dora(lab, "52:54:00:00:00:06", 600)
    rep = lab.probe([dict(type="request", mac="52:54:00:00:00:06", xid=610,
                          requested=ack["yiaddr"])])[0]
    assert rep["type"] == "ACK" and rep["yiaddr"] == ack["yiaddr"]
    # Another client claiming that address is refused.
    rep = lab.probe([dict(type="request", mac="52:54:00:00:00:07", xid=620,
                          requested=ack["yiaddr"])])[0]
    assert rep["type"] == "NAK"


def test_release_frees_the_lease(lab):
    off, ack = dora(lab, "52:54:00:00:00:08", 700)
    lab.probe([dict(type="release", mac="52:54:00:00:00:08", xid=710,
                    ciaddr=ack["yiaddr"], server_id=SRV, wait=0)])
    wait_until(lambda: lab.lease(ack["yiaddr"])["state"] == "released", 5)
    assert lab.lease(ack["yiaddr"])["state"] == "released"


def test_inform_gets_options_without_lease(lab):
    # RFC 2131 4.3.5: the client has its address; the ACK goes to ciaddr.
    lab.cli.run(["ip", "addr", "add", "198.18.50.200/24", "dev", lab.cli_if])
    rep = lab.probe([dict(type="inform", mac="52:54:00:00:00:09", xid=801,
                          ciaddr="198.18.50.200")])[0]
    assert rep["type"] == "ACK"
    assert rep["yiaddr"] == "0.0.0.0"
    assert "51" not in rep["options"]
    assert opt_ip(rep["options"]["3"]) == ["198.18.50.1"]
    assert lab.lease("198.18.50.200") is None


def test_pool_exhaustion_is_counted(lab):
    got = set()
    for i in range(21):
        rep = lab.probe([dict(type="discover", mac="52:54:00:01:00:%02x" % i,
                              xid=1000 + i, wait=1)])[0]
        if rep:
            got.add(rep["yiaddr"])
    assert len(got) == 20
    code, body = lab.daemon.http("/metrics")
    assert 'pxeha_dhcp_dropped_total{reason="no_free_address"} 1' in body
    assert 'pxeha_dhcp_kernel_drops_total{interface="%s",port="dhcp"} 0' % lab.srv_if \
        in body


def test_acked_lease_survives_kill_9(lab):
    off, ack = dora(lab, "52:54:00:00:00:0a", 900)
    lab.daemon.proc.kill()
    lab.daemon.proc.wait(5)
    lab.daemon.start()
    l = lab.lease(ack["yiaddr"])
    assert l and l["state"] == "active" and l["mac"] == "52:54:00:00:00:0a"
    rep = lab.probe([dict(type="discover", mac="52:54:00:00:00:0a",
                          xid=910)])[0]
    assert rep["yiaddr"] == ack["yiaddr"]


def test_status_shows_pool_usage(lab):
    dora(lab, "52:54:00:00:00:0b", 950)
    st = lab.daemon.status()
    sub = st["subsystems"]["dhcp"]["subnets"][0]
    assert sub["name"] == "lab" and sub["total"] == 20
    assert sub["leased"] == 1 and sub["reserved"] == 1
    assert sub["free"] == 19


# ------------------------------------------------------------- real clients

def write_script(path, body):
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def assert_configured(env):
    """dhclient and dhcpcd hand their scripts the same new_* variables:
    check the options [subnet lab] configures; return the address."""
    ip = env["new_ip_address"]
    assert ip.startswith("198.18.50.1")
    assert env["new_routers"] == "198.18.50.1"
    assert env["new_domain_name_servers"] == "198.18.50.53"
    assert env["new_domain_name"] == "lab.test"
    assert env["new_dhcp_lease_time"] == "600"
    assert env["new_pxeha_vendor"] == "pxeha-vendor"
    return ip


def env_lines(path):
    env = {}
    for line in path.read_text().splitlines():
        k, _, v = line.partition("=")
        env[k] = v.strip("'\"")
    return env


def test_dhclient_lease_renew_release(lab, tmp_path):
    out = tmp_path / "dhclient.env"
    script = write_script(tmp_path / "dhclient.sh", """
env | grep -E '^(reason|new_|interface)' | sort > %(out)s.tmp
mv %(out)s.tmp %(out)s.$reason
case $reason in BOUND|REBOOT|RENEW)
  ip addr replace $new_ip_address/24 dev $interface ;;
esac
exit 0
""" % {"out": out})
    conf = tmp_path / "dhclient.conf"
    conf.write_text("option pxeha-vendor code 224 = text;\n"
                    "request subnet-mask, broadcast-address, routers, "
                    "domain-name, domain-name-servers, pxeha-vendor;\n")
    lf, pf = tmp_path / "dhclient.leases", tmp_path / "dhclient.pid"
    base = ["dhclient", "-4", "-1", "-v", "-cf", conf, "-lf", lf, "-pf", pf,
            "-sf", script]
    try:
        _dhclient_cycle(lab, tmp_path, base, conf, lf, pf, script)
    finally:
        # dhclient daemonizes after its first lease: stop ours by PID.
        if pf.exists():
            try:
                os.kill(int(pf.read_text().strip()), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass


def _dhclient_cycle(lab, tmp_path, base, conf, lf, pf, script):
    lab.cli.run(base + [lab.cli_if], timeout=60)
    # -x: stop the daemon it left, without releasing.
    lab.cli.run(["dhclient", "-x", "-pf", pf], timeout=30, check=False)
    env = env_lines(tmp_path / "dhclient.env.BOUND")
    ip = assert_configured(env)
    # Run again with the lease file: the client asks for its address back.
    lab.cli.run(base + [lab.cli_if], timeout=60)
    lab.cli.run(["dhclient", "-x", "-pf", pf], timeout=30, check=False)
    env2 = env_lines(tmp_path / "dhclient.env.REBOOT")
    assert env2["new_ip_address"] == ip
    lab.cli.run(["dhclient", "-4", "-r", "-v", "-cf", conf, "-lf", lf, "-pf",
                 pf, "-sf", script, lab.cli_if], timeout=60)
    wait_until(lambda: lab.lease(ip)["state"] == "released", 5)
    assert lab.lease(ip)["state"] == "released"


def test_udhcpc_lease_renew_release(lab, tmp_path):
    out = tmp_path / "udhcpc.env"
    script = write_script(tmp_path / "udhcpc.sh", """
env | grep -E '^(ip|router|dns|domain|lease|subnet|opt224|serverid)=' | sort > %(out)s.tmp
mv %(out)s.tmp %(out)s.$1
case $1 in bound|renew) ip addr replace $ip/24 dev $interface ;; esac
exit 0
""" % {"out": out})
    p = lab.cli.popen(["udhcpc", "-f", "-i", lab.cli_if, "-s", script,
                       "-O", "224", "-t", "5", "-T", "1", "-A", "1"],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bound = tmp_path / "udhcpc.env.bound"
        wait_until(lambda: bound.exists(), 20)
        env = env_lines(bound)
        assert env["router"] == "198.18.50.1"
        assert env["dns"] == "198.18.50.53"
        assert env["domain"] == "lab.test"
        assert env["lease"] == "600"
        assert bytes.fromhex(env["opt224"]) == b"pxeha-vendor"
        ip = env["ip"]
        # SIGUSR1: renew now (a unicast REQUEST with ciaddr: RENEWING).
        p.send_signal(signal.SIGUSR1)
        renew = tmp_path / "udhcpc.env.renew"
        wait_until(lambda: renew.exists(), 20)
        assert env_lines(renew)["ip"] == ip
        # SIGUSR2: release.
        p.send_signal(signal.SIGUSR2)
        wait_until(lambda: lab.lease(ip)["state"] == "released", 10)
        assert lab.lease(ip)["state"] == "released"
    finally:
        p.terminate()
        p.wait(5)


def test_dhcpcd_lease_renew_release(lab, tmp_path):
    out = tmp_path / "dhcpcd.env"
    script = write_script(tmp_path / "dhcpcd.sh", """
env | grep -E '^(reason|new_)' | sort > %(out)s.tmp
mv %(out)s.tmp %(out)s.$reason
exit 0
""" % {"out": out})
    conf = tmp_path / "dhcpcd.conf"
    conf.write_text("define 224 string pxeha_vendor\noption pxeha_vendor\n"
                    "option domain_name_servers, domain_name, routers\n"
                    "noipv4ll\nnoarp\n")
    # In the foreground (-B) as a daemon would run; -n renews, -k releases.
    # (dhcpcd 9.4.1's test mode, -T, crashes after the OFFER in a namespace.)
    p = lab.cli.popen(["dhcpcd", "-4", "-B", "-f", conf, "-c", script,
                       "-t", "20", lab.cli_if],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bound = tmp_path / "dhcpcd.env.BOUND"
        wait_until(lambda: bound.exists(), 30)
        env = env_lines(bound)
        ip = assert_configured(env)
        seq = lab.lease(ip)["seq"]
        lab.cli.run(["dhcpcd", "-4", "-n", lab.cli_if], timeout=30)
        wait_until(lambda: lab.lease(ip)["seq"] != seq, 20)
        assert lab.lease(ip)["seq"] > seq and lab.lease(ip)["state"] == "active"
        lab.cli.run(["dhcpcd", "-4", "-k", lab.cli_if], timeout=30)
        wait_until(lambda: lab.lease(ip)["state"] == "released", 20)
        assert lab.lease(ip)["state"] == "released"
    finally:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)


def test_reload_keeps_leases_and_applies_new_options(lab):
    off, ack = dora(lab, "52:54:00:00:00:0c", 1100)
    conf = lab.daemon.conf.read_text().replace(
        "option.224 = text:pxeha-vendor", "option.224 = text:reloaded")
    lab.daemon.conf.write_text(conf)
    lab.daemon.signal(signal.SIGHUP)
    wait_until(lambda: lab.daemon.status()["config"]["generation"] == 2, 5)
    assert lab.daemon.status()["config"]["generation"] == 2
    l = lab.lease(ack["yiaddr"])
    assert l["state"] == "active" and l["mac"] == "52:54:00:00:00:0c"
    rep = lab.probe([dict(type="request", mac="52:54:00:00:00:0c", xid=1110,
                          requested=ack["yiaddr"])])[0]
    assert rep["type"] == "ACK" and rep["yiaddr"] == ack["yiaddr"]
    assert bytes.fromhex(rep["options"]["224"]) == b"reloaded"


def test_pxehactl_leases_text_and_filters(lab):
    off, ack = dora(lab, "52:54:00:00:00:0d", 1200)
    r = lab.srv.run([lab.ctl, "leases"])
    assert r.stdout.splitlines()[0].split()[:3] == ["ADDRESS", "MAC", "STATE"]
    assert any(l.startswith(ack["yiaddr"] + " ") and "52:54:00:00:00:0d" in l
               and " active " in l for l in r.stdout.splitlines())
    r = lab.srv.run([lab.ctl, "--json", "--subnet", "lab", "leases"])
    assert ack["yiaddr"] in {l["address"] for l in json.loads(r.stdout)}
    r = lab.srv.run([lab.ctl, "--subnet", "nope", "leases"], check=False)
    assert r.returncode == 1 and "no such subnet" in r.stderr
    r = lab.srv.run([lab.ctl, "lease", "198.18.50.250"], check=False)
    assert r.returncode == 1 and "no such lease" in r.stderr
