"""DHCP through a relay agent: pxeha serving relay-only subnets.

    [rc1] --- 198.18.71.0/24 ---+
                                [rrly] --- 198.18.70.0/24 --- [rsrv]
    [rc2] --- 198.18.72.0/24 ---+  dhcrelay -a  (.2)      (.1)  pxeha

(namespaces px<id>-<role>).  The relay has .1 on both client links and .2
on the server link; pxeha declares only its own interface and two subnets
without an `interface` key, chosen by giaddr (or RFC 3527 link selection /
RFC 3011 option 118).
The server namespace reaches the client subnets through the relay.

Option 82 is checked on the wire: a small AF_PACKET sniffer runs in the
relay namespace for a bounded time and records every DHCP datagram on the
relay's upstream interface, in both directions.
"""
import json
import socket
import subprocess
import sys
import time

import pytest

from conftest import ROOT

HELPERS = ROOT / "tests" / "integration" / "helpers"
PROBE = HELPERS / "dhcp_probe.py"
sys.path.insert(0, str(HELPERS))
import dhcp_probe  # noqa: E402  (crafted packets, reply parser)

PY = "/usr/bin/python3"
SRV = "198.18.70.1"
RLY_UP = "198.18.70.2"
GW1, GW2 = "198.18.71.1", "198.18.72.1"

CONF = """\
[node]
name = rtest
state_dir = {state}
log_level = debug

[interface %(ifname)s]
dhcp = yes

[subnet east]
network = 198.18.71.0/24
pool = 198.18.71.100-198.18.71.149
router = 198.18.71.1
dns = 198.18.71.53
lease_time = 10m

[subnet west]
network = 198.18.72.0/24
pool = 198.18.72.100-198.18.72.149
router = 198.18.72.1
dns = 198.18.72.53
lease_time = 10m
"""

# Runs in the relay namespace:  sniff.py IFACE OUT READY STOP MAX_SECONDS
# One JSON line per UDP datagram to or from port 67/68 seen on IFACE.
SNIFFER = r'''
import json, os, socket, struct, sys, time
iface, out, ready, stop, limit = sys.argv[1:6]
ETH_P_ALL, ETH_P_IP = 3, 0x0800
# ETH_P_ALL: only "all protocols" taps see outgoing frames too.
s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
s.bind((iface, ETH_P_ALL))
s.settimeout(0.1)
f = open(out, "w")
open(ready, "w").close()
deadline = time.monotonic() + float(limit)
while time.monotonic() < deadline and not os.path.exists(stop):
    try:
        pkt, addr = s.recvfrom(65535)
    except socket.timeout:
        continue
    if addr[1] != ETH_P_IP or len(pkt) < 28 or pkt[0] >> 4 != 4 \
            or pkt[9] != 17:
        continue
    ihl = (pkt[0] & 15) * 4
    sport, dport = struct.unpack("!HH", pkt[ihl:ihl + 4])
    if not {sport, dport} & {67, 68}:
        continue
    f.write(json.dumps({
        "t": time.time(), "out": addr[2] == socket.PACKET_OUTGOING,
        "src": socket.inet_ntoa(pkt[12:16]),
        "dst": socket.inet_ntoa(pkt[16:20]),
        "sport": sport, "dport": dport, "data": pkt[ihl + 8:].hex()}) + "\n")
    f.flush()
f.close()
'''

# Runs in the relay namespace:  relay_send.py STEPS_JSON
# STEPS: [{"hex": packet, "to": addr, "wait": seconds, "collect": bool}];
# sends each from port 67 (as a relay does; the source address is the
# route's) and prints, per step, the replies with that xid that reached any
# local address:67 within "wait" (the first one only, unless "collect").
RELAY_SEND = r'''
import json, socket, struct, sys, time
steps = json.loads(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 67))
out = []
for st in steps:
    pkt = bytes.fromhex(st["hex"])
    xid = struct.unpack("!I", pkt[4:8])[0]
    s.sendto(pkt, (st["to"], 67))
    got = []
    deadline = time.monotonic() + st.get("wait", 2)
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data, frm = s.recvfrom(4096)
        except socket.timeout:
            break
        if len(data) >= 8 and struct.unpack("!I", data[4:8])[0] == xid:
            got.append({"from": frm[0], "hex": data.hex()})
            if not st.get("collect"):
                break
    out.append(got)
print(json.dumps(out))
'''


def opt82(bootp):
    """Raw option 82 value (hex) of a BOOTP payload, or None."""
    return dhcp_probe.parse(bootp)["options"].get("82")


def suboptions(hexval):
    b, out, i = bytes.fromhex(hexval), {}, 0
    while i + 1 < len(b):
        out[b[i]] = b[i + 2:i + 2 + b[i + 1]]
        i += 2 + b[i + 1]
    return out


def giaddr(bootp):
    return socket.inet_ntoa(bootp[24:28])


def xid_of(bootp):
    return int.from_bytes(bootp[4:8], "big")


def opt_ip(hexval):
    b = bytes.fromhex(hexval)
    return [socket.inet_ntoa(b[i:i + 4]) for i in range(0, len(b), 4)]


class Sniffer:
    """AF_PACKET capture in a namespace; bounded by max_s and a stop file."""

    def __init__(self, ns, iface, tmp_path, name, max_s=60):
        self.ns, self.dir = ns, tmp_path
        self.script = tmp_path / "sniff.py"
        self.script.write_text(SNIFFER)
        self.out = tmp_path / ("%s.jsonl" % name)
        self.ready = tmp_path / ("%s.ready" % name)
        self.stopf = tmp_path / ("%s.stop" % name)
        self.proc = ns.popen([PY, self.script, iface, self.out, self.ready,
                              self.stopf, max_s], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while not self.ready.exists() and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("sniffer died: %s" %
                                     self.proc.stderr.read().decode())
            time.sleep(0.05)
        if not self.ready.exists():
            self.stop()
            raise AssertionError("sniffer not ready in 10 s")

    def stop(self):
        """Stop (bounded) and return what was seen."""
        if self.proc.poll() is None:
            self.stopf.touch()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        seen = []
        if self.out.exists():
            for line in self.out.read_text().splitlines():
                try:
                    d = json.loads(line)
                except ValueError:
                    continue        # a line cut by the kill
                d["data"] = bytes.fromhex(d["data"])
                seen.append(d)
        return seen


class RelayLab:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.relay = None

    def start_relay(self, *extra):
        self.relay_log = open(self.tmp / "dhcrelay.log", "ab")
        self.relay = self.rly.popen(
            ["dhcrelay", "-4", "-d", "-a", "--no-pid", *extra,
             "-iu", self.up_if, "-id", self.d1_if, "-id", self.d2_if, SRV],
            stdout=self.relay_log, stderr=subprocess.STDOUT)
        # Ready once it has a UDP socket on port 67 (bounded).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.relay.poll() is not None:
                raise AssertionError("dhcrelay exited: %s" % self.relay_text())
            r = self.rly.run(["ss", "-Hlun", "sport", "=", ":67"], check=False)
            if r.stdout.strip() and "Sending on" in self.relay_text():
                return
            time.sleep(0.1)
        raise AssertionError("dhcrelay not ready: %s" % self.relay_text())

    def relay_text(self):
        return (self.tmp / "dhcrelay.log").read_text(errors="replace")

    def stop_relay(self):
        if self.relay is not None and self.relay.poll() is None:
            self.relay.terminate()
            try:
                self.relay.wait(5)
            except subprocess.TimeoutExpired:
                self.relay.kill()
                self.relay.wait(5)
        if self.relay is not None:
            self.relay_log.close()

    def probe(self, cli, cli_if, steps, timeout=30):
        r = cli.run([PY, PROBE, cli_if, json.dumps(steps)], timeout=timeout)
        return json.loads(r.stdout)

    def relay_send(self, steps, timeout=30):
        script = self.tmp / "relay_send.py"
        script.write_text(RELAY_SEND)
        r = self.rly.run([PY, script, json.dumps(steps)],
                         timeout=timeout)
        return json.loads(r.stdout)

    def leases(self):
        r = self.srv.run([self.ctl, "--json", "leases"])
        return {l["address"]: l for l in json.loads(r.stdout)}

    def metrics(self):
        code, body = self.daemon.http("/metrics")
        assert code == 200, body
        return body


def metric(body, name):
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


@pytest.fixture
def rlab(netns, veth, pxeha, pxehactl_bin, tmp_path):
    srv, rly = netns("rsrv"), netns("rrly")
    c1, c2 = netns("rc1"), netns("rc2")
    s_if, up_if = veth(srv, rly, SRV + "/24", RLY_UP + "/24")
    d1_if, c1_if = veth(rly, c1, GW1 + "/24", None)
    d2_if, c2_if = veth(rly, c2, GW2 + "/24", None)
    for net in ("198.18.71.0/24", "198.18.72.0/24"):
        srv.run(["ip", "route", "add", net, "via", RLY_UP])
    d = pxeha(srv, CONF % {"ifname": s_if}).start()
    lab = RelayLab(srv=srv, rly=rly, c1=c1, c2=c2, s_if=s_if, up_if=up_if,
                   d1_if=d1_if, d2_if=d2_if, c1_if=c1_if, c2_if=c2_if,
                   daemon=d, ctl=pxehactl_bin, tmp=tmp_path)
    try:
        yield lab
    finally:
        lab.stop_relay()


def relayed_dora(lab, cli, cli_if, mac, xid):
    off = lab.probe(cli, cli_if, [dict(type="discover", mac=mac, xid=xid,
                                       wait=5)])[0]
    assert off and off["type"] == "OFFER", off
    ack = lab.probe(cli, cli_if, [dict(type="request", mac=mac, xid=xid + 1,
                                       requested=off["yiaddr"],
                                       server_id=SRV, wait=5)])[0]
    assert ack and ack["type"] == "ACK", ack
    return off, ack


def test_relayed_clients_get_their_subnet_and_option82_echoed(rlab, tmp_path):
    lab = rlab
    lab.start_relay()
    sn = Sniffer(lab.rly, lab.up_if, tmp_path, "up")
    try:
        o1, a1 = relayed_dora(lab, lab.c1, lab.c1_if, "52:54:00:71:00:01",
                              7100)
        o2, a2 = relayed_dora(lab, lab.c2, lab.c2_if, "52:54:00:72:00:01",
                              7200)
    finally:
        seen = sn.stop()
    # Each client got an address of its own link's subnet, and the options
    # of that subnet; the server identifier is pxeha's own address.
    for off, ack, net, gw in ((o1, a1, "198.18.71.", GW1),
                              (o2, a2, "198.18.72.", GW2)):
        assert off["yiaddr"] == ack["yiaddr"]
        assert ack["yiaddr"].startswith(net), ack
        assert opt_ip(ack["options"]["3"]) == [gw]
        assert opt_ip(ack["options"]["54"]) == [SRV]
        assert int(ack["options"]["51"], 16) == 600
        # The relay strips option 82 before the client sees the reply.
        assert "82" not in ack["options"]
    leases = lab.leases()
    for ack, mac, subnet in ((a1, "52:54:00:71:00:01", "east"),
                             (a2, "52:54:00:72:00:01", "west")):
        l = leases[ack["yiaddr"]]
        assert l["state"] == "active" and l["mac"] == mac, l
        assert l["subnet"] == subnet, l
    assert len([l for l in leases.values() if l["state"] == "active"]) == 2

    # On the wire between relay and server: every request the relay sent
    # carried option 82 (circuit id = the downstream interface); every reply
    # came from pxeha to giaddr:67 with option 82 byte for byte the same.
    reqs = [p for p in seen if p["out"] and p["dst"] == SRV and
            p["dport"] == 67]
    reps = [p for p in seen if not p["out"] and p["src"] == SRV]
    assert len(reqs) == 4, [(p["src"], p["dst"]) for p in seen]
    assert len(reps) == 4, [(p["src"], p["dst"]) for p in seen]
    by_xid = {xid_of(p["data"]): p for p in reqs}
    for xid, gw, down in ((7100, GW1, lab.d1_if), (7101, GW1, lab.d1_if),
                          (7200, GW2, lab.d2_if), (7201, GW2, lab.d2_if)):
        rq = by_xid[xid]
        assert giaddr(rq["data"]) == gw
        sent = opt82(rq["data"])
        assert sent is not None, "relay sent no option 82"
        assert suboptions(sent)[1] == down.encode()
        rp = [p for p in reps if xid_of(p["data"]) == xid]
        assert len(rp) == 1, xid
        rp = rp[0]
        assert rp["dst"] == gw and rp["dport"] == 67 and rp["sport"] == 67
        assert giaddr(rp["data"]) == gw
        assert opt82(rp["data"]) == sent, (xid, opt82(rp["data"]), sent)
        # RFC 3046 2.1: 82 is the last option before END.
        body = rp["data"][240:]
        want = bytes([82, len(bytes.fromhex(sent))]) + bytes.fromhex(sent)
        assert want + b"\xff" in body, body.hex()


def pathlike(p, suffix):
    return p.with_name(p.name + suffix)


def test_udhcpc_clients_through_relay(rlab, tmp_path):
    lab = rlab
    lab.start_relay()
    procs = []
    try:
        for i, (cli, cli_if) in enumerate(((lab.c1, lab.c1_if),
                                           (lab.c2, lab.c2_if))):
            out = tmp_path / ("udhcpc%d.env" % i)
            script = tmp_path / ("udhcpc%d.sh" % i)
            script.write_text(
                "#!/bin/sh\n"
                "env | grep -E '^(ip|router|dns|serverid|subnet)=' | sort "
                "> %s.tmp\nmv %s.tmp %s.$1\nexit 0\n" % (out, out, out))
            script.chmod(0o755)
            # -q: quit once bound; -n: quit if no lease; -t/-T: bounded.
            procs.append((cli.popen(["udhcpc", "-f", "-q", "-n", "-i", cli_if,
                                     "-s", script, "-t", "5", "-T", "2",
                                     "-A", "1"],
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL), out))
        envs = []
        for p, out in procs:
            p.wait(30)
            assert p.returncode == 0, "udhcpc got no lease"
            env = {}
            for line in pathlike(out, ".bound").read_text().splitlines():
                k, _, v = line.partition("=")
                env[k] = v
            envs.append(env)
    finally:
        for p, _ in procs:
            if p.poll() is None:
                p.kill()
                p.wait(5)
    assert envs[0]["ip"].startswith("198.18.71.1")
    assert envs[0]["router"] == GW1 and envs[0]["dns"] == "198.18.71.53"
    assert envs[1]["ip"].startswith("198.18.72.1")
    assert envs[1]["router"] == GW2 and envs[1]["dns"] == "198.18.72.53"
    assert envs[0]["serverid"] == envs[1]["serverid"] == SRV
    leases = lab.leases()
    assert leases[envs[0]["ip"]]["subnet"] == "east"
    assert leases[envs[1]["ip"]]["subnet"] == "west"
    assert leases[envs[0]["ip"]]["state"] == "active"
    assert leases[envs[1]["ip"]]["state"] == "active"


def crafted(mac, xid, gi, typ="discover", extra=(), **kw):
    """A relayed request as a relay would forward it: giaddr, hops 1."""
    step = dict(type=typ, mac=mac, xid=xid, extra=[list(e) for e in extra],
                **kw)
    b = bytearray(dhcp_probe.build(step))
    b[3] = 1                            # hops
    b[24:28] = socket.inet_aton(gi)     # giaddr
    return bytes(b).hex()


def test_relayed_request_from_unknown_giaddr_is_dropped(rlab):
    """No dhcrelay here: the relay namespace sends crafted relayed requests
    (hops 1, giaddr set, source RLY_UP:67) straight to pxeha and listens on
    its own port 67 for the answers.  Both giaddrs used are addresses of the
    relay namespace, so any reply pxeha sends reaches our socket:

      GW1 (198.18.71.1, subnet east)  -> control: answered
      RLY_UP (198.18.70.2, no subnet) -> no reply, dropped as no_subnet
      RLY_UP + 82.5 link selection    -> answered from west (RFC 3527)
      RLY_UP + option 118             -> answered from east (RFC 3011)
    """
    lab = rlab
    circuit = bytes([1, 4]) + b"eth9"
    linksel = circuit + bytes([5, 4]) + socket.inet_aton(GW2)
    drop = 'pxeha_dhcp_dropped_total{reason="no_subnet"}'
    before = lab.metrics()
    res = lab.relay_send([
        dict(hex=crafted("52:54:00:73:00:00", 7300, GW1,
                         extra=[(82, circuit.hex())]), to=SRV, wait=3),
        dict(hex=crafted("52:54:00:73:00:01", 7301, RLY_UP,
                         extra=[(82, circuit.hex())]), to=SRV, wait=2,
             collect=True),
        dict(hex=crafted("52:54:00:73:00:02", 7302, RLY_UP,
                         extra=[(82, linksel.hex())]), to=SRV, wait=3),
        dict(hex=crafted("52:54:00:73:00:03", 7303, RLY_UP,
                         extra=[(118, socket.inet_aton(GW1).hex())]),
             to=SRV, wait=3),
    ])
    after = lab.metrics()
    assert res[1] == [], "reply to a giaddr in no subnet: %r" % res[1]
    assert metric(after, drop) == metric(before, drop) + 1, \
        [l for l in after.splitlines() if "dropped" in l]
    rcv = 'pxeha_dhcp_received_total{type="DHCPDISCOVER"}'
    assert metric(after, rcv) == metric(before, rcv) + 4
    sent = [l for l in after.splitlines()
            if l.startswith("pxeha_dhcp_sent_total")]
    assert sum(float(l.split()[1]) for l in sent) == 3, sent
    for got, net, xid, gi, o82 in (
            (res[0], "198.18.71.", 7300, GW1, circuit),
            (res[2], "198.18.72.", 7302, RLY_UP, linksel),
            (res[3], "198.18.71.", 7303, RLY_UP, None)):
        assert len(got) == 1, (xid, got)
        assert got[0]["from"] == SRV
        data = bytes.fromhex(got[0]["hex"])
        rep = dhcp_probe.parse(data)
        assert rep["type"] == "OFFER" and rep["xid"] == xid, rep
        assert rep["yiaddr"].startswith(net), rep
        assert giaddr(data) == gi
        assert opt82(data) == (o82.hex() if o82 else None)
    assert "no_subnet" in lab.daemon.log()


def test_nak_through_relay_is_broadcast_to_giaddr_with_option82(rlab,
                                                               tmp_path):
    """INIT-REBOOT from the east link asking for a west address: pxeha
    NAKs it (wrong network) to giaddr with the broadcast bit set (RFC 2131
    4.3.2) and option 82 echoed; the relay delivers it to the client."""
    lab = rlab
    lab.start_relay()
    sn = Sniffer(lab.rly, lab.up_if, tmp_path, "nak")
    try:
        rep = lab.probe(lab.c1, lab.c1_if, [dict(
            type="request", mac="52:54:00:71:00:09", xid=7190,
            requested="198.18.72.120", wait=5)])[0]
    finally:
        seen = sn.stop()
    assert rep and rep["type"] == "NAK", rep
    assert rep["yiaddr"] == "0.0.0.0"
    assert opt_ip(rep["options"]["54"]) == [SRV]
    rq = [p for p in seen if p["out"] and p["dst"] == SRV and
          xid_of(p["data"]) == 7190]
    rp = [p for p in seen if not p["out"] and p["src"] == SRV and
          xid_of(p["data"]) == 7190]
    assert len(rq) == 1 and len(rp) == 1, seen
    rp = rp[0]["data"]
    assert rp[10] & 0x80, "NAK via a relay must have the broadcast bit"
    assert giaddr(rp) == GW1
    assert opt82(rp) is not None and opt82(rp) == opt82(rq[0]["data"])
    assert lab.leases() == {}


def test_one_client_holds_one_active_lease(rlab):
    """A relayed client that asks (REQUEST with our server id) for one free
    address after another must still hold one active lease per subnet:
    each ACK ends the lease it held, so a single MAC cannot drain the pool
    (found by this test; fixed in server.c ack())."""
    lab = rlab
    mac = "52:54:00:75:00:01"
    res = lab.relay_send([
        dict(hex=crafted(mac, 7500 + i, GW1, typ="request",
                         requested="198.18.71.%d" % (120 + i),
                         server_id=SRV), to=SRV, wait=2)
        for i in range(3)])
    types = [dhcp_probe.parse(bytes.fromhex(g[0]["hex"]))["type"]
             if g else None for g in res]
    mine = [l for l in lab.leases().values()
            if l["mac"] == mac and l["state"] == "active"]
    assert len(mine) <= 1, (types, [l["address"] for l in mine])
