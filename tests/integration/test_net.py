"""Integration tests for the platform network layer (src/net).

They drive tests/udpecho (tests/integration/helpers/udpecho.c), which links
net_linux.c and iface.c: `udpecho --list` prints net_iface_list(), and
`udpecho PORT [IFNAME]` answers each datagram with where it arrived
(IP_PKTINFO on receive), sending the answer from that address and out of
that interface (IP_PKTINFO on send).  Clients are small Python programs run
inside other namespaces.  Every wait is bounded.
"""
import json
import select
import subprocess
import sys
import time

import pytest

PORT = 6767
CLIENT_PORT = 40068

# Sends a datagram (again every `resend` s) until a reply arrives or
# `timeout` s pass; prints {"reply": text|None, "src": [addr, port]|None}.
CLIENT = r"""
import json, socket, sys, time
a = json.loads(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if a.get("bcast"):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
if a.get("dev"):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a["dev"].encode())
s.bind((a.get("bind", ""), a.get("sport", 0)))
payload = b"x" * a["size"]
out = {"reply": None, "src": None}
deadline = time.monotonic() + a["timeout"]
while out["reply"] is None and time.monotonic() < deadline:
    s.sendto(payload, (a["dst"], a["port"]))
    end = min(deadline, time.monotonic() + a.get("resend", 0.5))
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            data, src = s.recvfrom(4096)
        except socket.timeout:
            break
        out = {"reply": data.decode(), "src": list(src)}
        break
    if a.get("once"):
        break
print(json.dumps(out))
"""

# Listens on a port for `timeout` s and prints every datagram it got.
LISTENER = r"""
import json, socket, sys, time
a = json.loads(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", a["port"]))
print("ready", flush=True)
got = []
deadline = time.monotonic() + a["timeout"]
while time.monotonic() < deadline:
    s.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        data, src = s.recvfrom(4096)
    except socket.timeout:
        break
    got.append({"reply": data.decode(), "src": list(src)})
print(json.dumps(got))
"""


@pytest.fixture
def udpecho(build_dir):
    p = build_dir / "tests" / "udpecho"
    if not p.exists():
        pytest.fail("no udpecho helper in %s" % p.parent)
    return p


def wait_ready(proc, timeout=5):
    """Wait (bounded) for the "ready" line a helper prints once bound."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([proc.stdout], [], [],
                                max(0.0, deadline - time.monotonic()))
        if r:
            line = proc.stdout.readline()
            if line.strip() == "ready":
                return
            if line == "":
                break
    proc.kill()
    out, err = proc.communicate(timeout=5)
    raise AssertionError("helper not ready (rc %s): %s %s" %
                         (proc.returncode, out, err))


@pytest.fixture
def spawn():
    """Factory: spawn(ns, args) -> started Popen whose "ready" was seen.

    Only the processes started here are stopped, by their Popen object."""
    procs = []

    def start(ns, args):
        proc = ns.popen([str(a) for a in args], stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        wait_ready(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for f in (proc.stdout, proc.stderr):
            if f is not None:
                f.close()


def finish(proc, timeout=10):
    """Wait (bounded) for a helper to exit; returns (rc, stdout, stderr)."""
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def start_echo(spawn, ns, udpecho, ifname=None, count=None, seconds=15,
               bcast_reply=False):
    args = [udpecho, PORT]
    if ifname:
        args.append(ifname)
    if count:
        args += ["--count", count]
    args += ["--seconds", seconds]
    if bcast_reply:
        args.append("--bcast-reply")
    return spawn(ns, args)


def client(ns, dst, timeout=5, **kw):
    a = dict(dst=dst, port=PORT, size=5, timeout=timeout)
    a.update(kw)
    r = ns.run([sys.executable, "-c", CLIENT, json.dumps(a)],
               timeout=timeout + 10)
    return json.loads(r.stdout)


def parse_reply(text):
    assert text is not None, "no reply"
    return dict(kv.split("=", 1) for kv in text.split())


def ifindex(ns, ifname):
    r = ns.run(["ip", "-j", "link", "show", "dev", ifname])
    return json.loads(r.stdout)[0]["ifindex"]


def list_ifaces(ns, udpecho):
    r = ns.run([udpecho, "--list"])
    rows = []
    for line in r.stdout.splitlines():
        rows.append(dict(kv.split("=", 1) for kv in line.split()))
    return rows


def test_list_shows_mac_mtu_and_addresses(netns, veth, udpecho):
    srv, cli = netns("srv"), netns("cli")
    a_if, _ = veth(srv, cli, ["198.18.20.1/24", "198.18.21.1/25"],
                   "198.18.20.2/24", mtu=1400, mac_a="02:00:5e:12:34:56")
    rows = list_ifaces(srv, udpecho)
    by_name = {r["name"]: r for r in rows}
    assert len(by_name) == len(rows), rows

    mine = by_name[a_if]
    assert mine == {
        "name": a_if, "index": str(ifindex(srv, a_if)), "mtu": "1400",
        "mac": "02:00:5e:12:34:56", "up": "1",
        "addrs": "198.18.20.1/24,198.18.21.1/25"}
    assert by_name["lo"]["mac"] == "-"
    assert by_name["lo"]["addrs"] == "127.0.0.1/8"
    assert [int(r["index"]) for r in rows] == sorted(
        int(r["index"]) for r in rows)

    # Every interface of the namespace, as ip(8) sees it, and nothing else
    # (fresh namespaces may hold fallback tunnels such as sit0).
    links = json.loads(srv.run(["ip", "-j", "addr", "show"]).stdout)
    assert sorted(by_name) == sorted(l["ifname"] for l in links)
    for l in links:
        r = by_name[l["ifname"]]
        assert int(r["index"]) == l["ifindex"]
        assert int(r["mtu"]) == l["mtu"]
        assert r["up"] == ("1" if "UP" in l["flags"] else "0")
        v4 = ["%s/%d" % (x["local"], x["prefixlen"])
              for x in l.get("addr_info", []) if x["family"] == "inet"]
        assert r["addrs"] == ",".join(v4)


def test_list_merges_alias_labels_and_bounds_addresses(netns, veth, udpecho):
    srv, cli = netns("srv"), netns("cli")
    a_if, _ = veth(srv, cli, "198.18.30.1/24", "198.18.30.2/24")
    # glibc reports a labelled address under its label ("pxNa:7"): it must
    # still belong to the interface, not become an interface of its own.
    srv.run(["ip", "addr", "add", "198.18.31.1/24", "dev", a_if,
             "label", a_if + ":7"])
    rows = {r["name"]: r for r in list_ifaces(srv, udpecho)}
    assert a_if + ":7" not in rows
    assert rows[a_if]["addrs"].split(",") == ["198.18.30.1/24",
                                               "198.18.31.1/24"]

    # NET_IFADDR_MAX (8) addresses per interface; extras are ignored.
    for i in range(2, 12):
        srv.run(["ip", "addr", "add", "198.18.32.%d/24" % i, "dev", a_if])
    addrs = list_ifaces(srv, udpecho)
    addrs = {r["name"]: r for r in addrs}[a_if]["addrs"].split(",")
    assert len(addrs) == 8
    assert len(set(addrs)) == 8
    assert addrs[:2] == ["198.18.30.1/24", "198.18.31.1/24"]


def test_unicast_reply_from_secondary_address(netns, veth, spawn, udpecho):
    srv, cli = netns("srv"), netns("cli")
    a_if, _ = veth(srv, cli, ["198.18.20.1/24", "198.18.20.3/24"],
                   "198.18.20.2/24")
    start_echo(spawn, srv, udpecho)

    # Without IP_PKTINFO on send the kernel would answer from the primary
    # 198.18.20.1 and a client would drop the reply.
    r = client(cli, "198.18.20.3", size=7, sport=CLIENT_PORT)
    rep = parse_reply(r["reply"])
    assert rep == {"ifindex": str(ifindex(srv, a_if)), "ifname": a_if,
                   "dst": "198.18.20.3",
                   "from": "198.18.20.2:%d" % CLIENT_PORT, "len": "7"}
    assert r["src"] == ["198.18.20.3", PORT]


def test_broadcast_reply_from_interface_address(netns, veth, spawn,
                                                udpecho):
    srv, cli = netns("srv"), netns("cli")
    a_if, b_if = veth(srv, cli, ["198.18.20.1/24", "198.18.20.3/24"],
                      "198.18.20.2/24")
    start_echo(spawn, srv, udpecho)

    r = client(cli, "255.255.255.255", bcast=True, dev=b_if)
    rep = parse_reply(r["reply"])
    assert rep["dst"] == "255.255.255.255"
    assert rep["ifname"] == a_if
    assert rep["ifindex"] == str(ifindex(srv, a_if))
    assert rep["from"].startswith("198.18.20.2:")
    assert r["src"] == ["198.18.20.1", PORT]


def two_links(netns, veth, same_subnet=False):
    """A server namespace with a link to each of two client namespaces.

    Returns srv, (c1, srv_if1, cli_if1, server_addr1), (c2, ...).  With
    same_subnet both links carry 198.18.24.0/24 and the server has
    198.18.24.1 on both, so its source address cannot pick the link."""
    srv, c1, c2 = netns("srv"), netns("c1"), netns("c2")
    if same_subnet:
        a1, b1 = veth(srv, c1, "198.18.24.1/24", "198.18.24.2/24")
        a2, b2 = veth(srv, c2, "198.18.24.1/24", "198.18.24.3/24")
        return (srv, (c1, a1, b1, "198.18.24.1"),
                (c2, a2, b2, "198.18.24.1"))
    a1, b1 = veth(srv, c1, "198.18.20.1/24", "198.18.20.2/24")
    a2, b2 = veth(srv, c2, "198.18.22.1/24", "198.18.22.2/24")
    return srv, (c1, a1, b1, "198.18.20.1"), (c2, a2, b2, "198.18.22.1")


def test_two_interfaces_told_apart(netns, veth, spawn, udpecho):
    srv, *links = two_links(netns, veth)
    start_echo(spawn, srv, udpecho)

    for c, a_if, b_if, addr in links:
        want = {"ifindex": str(ifindex(srv, a_if)), "ifname": a_if}
        r = client(c, addr)
        rep = parse_reply(r["reply"])
        assert {k: rep[k] for k in want} == want
        assert rep["dst"] == addr
        assert r["src"] == [addr, PORT]

        # Broadcasts carry the same destination on both links: only the
        # arrival interface tells them apart.
        r = client(c, "255.255.255.255", bcast=True, dev=b_if)
        rep = parse_reply(r["reply"])
        assert {k: rep[k] for k in want} == want
        assert rep["dst"] == "255.255.255.255"
        assert r["src"] == [addr, PORT]


def test_bound_to_device_ignores_other_links(netns, veth, spawn, udpecho):
    srv, (c1, a1, b1, _), (c2, a2, b2, _) = two_links(netns, veth)
    start_echo(spawn, srv, udpecho, ifname=a1)

    rep = parse_reply(client(c1, "255.255.255.255", bcast=True,
                             dev=b1)["reply"])
    assert rep["ifname"] == a1
    r = client(c2, "255.255.255.255", bcast=True, dev=b2, timeout=1.5)
    assert r["reply"] is None


@pytest.mark.parametrize("same_subnet", [False, True],
                         ids=["distinct-subnets", "same-subnet"])
def test_broadcast_reply_leaves_by_arrival_interface(netns, veth, spawn,
                                                    udpecho, same_subnet):
    # A reply to 255.255.255.255 must leave by the interface the request
    # came in on.  With the same source address on both links only
    # ipi_ifindex can choose: the kernel would otherwise take the first
    # interface holding that address.
    srv, *links = two_links(netns, veth, same_subnet)
    start_echo(spawn, srv, udpecho, bcast_reply=True)

    for i, (c, a_if, b_if, addr) in enumerate(links):
        other = links[1 - i][0]
        lis = spawn(other, [sys.executable, "-c", LISTENER,
                            json.dumps(dict(port=CLIENT_PORT, timeout=2))])
        r = client(c, "255.255.255.255", bcast=True, dev=b_if,
                   sport=CLIENT_PORT)
        rep = parse_reply(r["reply"])
        assert rep["ifname"] == a_if
        assert r["src"] == [addr, PORT]
        rc, out, err = finish(lis)
        assert rc == 0, err
        assert json.loads(out) == [], "broadcast reply leaked to %s" % other


def test_truncated_datagram_is_emsgsize(netns, veth, spawn, udpecho):
    srv, cli = netns("srv"), netns("cli")
    veth(srv, cli, "198.18.20.1/24", "198.18.20.2/24")
    echo = start_echo(spawn, srv, udpecho, count=2)

    # udpecho reads into 2048 bytes: a bigger datagram is consumed and
    # reported, not answered, and the next one is answered normally.
    r = client(cli, "198.18.20.1", size=3000, timeout=1, once=True)
    assert r["reply"] is None
    rep = parse_reply(client(cli, "198.18.20.1", size=100, once=True,
                             resend=5)["reply"])
    assert rep["len"] == "100"
    rc, _, err = finish(echo)
    assert rc == 0
    assert "net_udp_recv: Message too long" in err
