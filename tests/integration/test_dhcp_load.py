"""DHCP under load: perfdhcp as a relay, durability of ACKs under SIGKILL,
and the ACK-after-fdatasync ordering seen through strace.

Every host is a px* namespace; addresses are in 198.18.0.0/15 (the bulk
pools in 198.19.0.0/16); every wait is bounded.
"""
import json
import os
import random
import re
import signal
import struct
import subprocess
import time

PY = "/usr/bin/python3"


def udp_counters(ns):
    """The namespace's UDP MIB (/proc/net/snmp is per network namespace)."""
    lines = [l.split() for l in ns.run(["cat", "/proc/net/snmp"]).stdout
             .splitlines() if l.startswith("Udp:")]
    return dict(zip(lines[0][1:], (int(x) for x in lines[1][1:])))


def leases(ns, ctl, timeout=60):
    r = ns.run([ctl, "-T", "30", "--json", "leases"], timeout=timeout)
    return json.loads(r.stdout)


def active_check(ls):
    """No address twice among active leases, one active lease per MAC.
    Returns {mac: address} of the active leases."""
    act = [l for l in ls if l["state"] == "active"]
    addrs = [l["address"] for l in act]
    assert len(addrs) == len(set(addrs)), "duplicate active addresses"
    by_mac = {}
    for l in act:
        assert l["mac"] not in by_mac, ("MAC with two active leases",
                                        l, by_mac.get(l["mac"]))
        by_mac[l["mac"]] = l["address"]
    return by_mac


# ------------------------------------------------------------------ perfdhcp

PERF_SRV = "198.18.80.1"
PERF_RELAY = "198.19.0.1"       # perfdhcp's address: giaddr

PERF_CONF = """\
[node]
name = perf
state_dir = {state}
log_level = info

[interface %(ifname)s]
dhcp = yes

[subnet bulk]
network = 198.19.0.0/16
pool = 198.19.1.0-198.19.120.255
router = 198.19.0.1
lease_time = 1h
"""


def perf_section(out, name):
    """Numbers of one '***Statistics for: NAME***' block of perfdhcp."""
    m = re.search(r"\*\*\*Statistics for: %s\*\*\*\n(.*?)(\n\n|\Z)" % name,
                  out, re.S)
    got = {}
    for line in (m.group(1).splitlines() if m else []):
        k, _, v = line.partition(":")
        try:
            got[k.strip()] = float(v.split()[0])
        except (ValueError, IndexError):
            pass
    return got


def test_perfdhcp_relay_10000_clients(netns, veth, pxeha, pxehactl_bin):
    """perfdhcp in a client namespace talks to pxeha by unicast, so it acts
    as a relay (giaddr = its own address, source port 67): 10,000
    simulated clients (-R), 20,000 DORA exchanges (each client about
    twice), address-uniqueness checking on (-u).  The rate is printed, not
    asserted: the host is shared."""
    srv, cli = netns("psrv"), netns("pcli")
    s_if, c_if = veth(srv, cli, PERF_SRV + "/24", "198.18.80.2/24")
    cli.run(["ip", "addr", "add", PERF_RELAY + "/32", "dev", c_if])
    srv.run(["ip", "route", "add", "198.19.0.0/16", "via", "198.18.80.2"])
    d = pxeha(srv, PERF_CONF % {"ifname": s_if}).start()
    rate = os.environ.get("PXEHA_PERF_RATE", "4000")
    t0 = time.monotonic()
    # -p caps the run at 40 s whatever the rate; -W waits 2 s for stragglers.
    r = cli.run(["perfdhcp", "-4", "-l", PERF_RELAY, "-R", "10000",
                 "-r", rate, "-n", "20000", "-p", "40", "-d", "2",
                 "-W", "2000000", "-u", PERF_SRV], check=False, timeout=90)
    took = time.monotonic() - t0
    rl = [l for l in r.stdout.splitlines() if l.startswith("Rate:")]
    do, ra = perf_section(r.stdout, "DISCOVER-OFFER"), \
        perf_section(r.stdout, "REQUEST-ACK")
    print("\nperfdhcp exit %d after %.1f s: %s" % (
        r.returncode, took, rl[0] if rl else "(no rate line)"))
    print("  DISCOVER-OFFER: %s\n  REQUEST-ACK: %s" % (do, ra))
    # 0: all answered; 3: some exchanges dropped (lost under load).
    assert r.returncode in (0, 3), r.stdout + r.stderr
    assert d.proc.poll() is None, "pxeha died under load"
    ls = leases(srv, pxehactl_bin)
    by_mac = active_check(ls)
    act = [l for l in ls if l["state"] == "active"]
    print("  pxeha: %d lease records, %d active, %d MACs" % (
        len(ls), len(act), len(by_mac)))
    assert len(act) > 0
    assert len(act) == len(by_mac) == len({l["mac"] for l in act})
    assert all(l["subnet"] == "bulk" for l in act)
    # Every address perfdhcp saw ACKed is still an active lease (1 h), so
    # the distinct ACKed addresses cannot outnumber the active leases.
    acks = ra.get("received packets", 0)
    assert acks > 0, r.stdout
    assert acks - ra.get("non unique addresses", 0) <= len(act)
    for name, ns in (("server", srv), ("perfdhcp", cli)):
        u = udp_counters(ns)
        print("  %s UDP: in %d, rcvbuf errors %d" % (
            name, u["InDatagrams"], u["RcvbufErrors"]))
    code, body = d.http("/metrics")
    m = dict(l.split()[:2] for l in body.splitlines()
             if l.startswith("pxeha_") and "_bucket{" not in l)
    print("  pxeha: acks sent %s, flushes %s (%.3f s), no_free_address %s" % (
        m['pxeha_dhcp_sent_total{type="DHCPACK"}'],
        m["pxeha_lease_journal_flush_seconds_count"],
        float(m["pxeha_lease_journal_flush_seconds_sum"]),
        m['pxeha_dhcp_dropped_total{reason="no_free_address"}']))
    assert m['pxeha_dhcp_dropped_total{reason="no_free_address"}'] == "0"


# ------------------------------------------------------- durability: kill -9

DUR_SRV = "198.19.0.1"

DUR_CONF = """\
[node]
name = dur
state_dir = {state}
log_level = info

[interface %(ifname)s]
dhcp = yes

[subnet flat]
network = 198.19.0.0/16
interface = %(ifname)s
pool = 198.19.1.0-198.19.250.255
lease_time = 1h
"""

# Runs in the client namespace:
#   dora_load.py IFACE ACKS STOP MAX_SECONDS XID_BASE NMACS WINDOW RATE
# Distinct MACs 02:70:<idx>, each doing DISCOVER then REQUEST, up to WINDOW
# exchanges in flight and at most RATE new ones a second on average, each
# abandoned after 1 s without an answer (never retried: the next MAC takes
# over).  Every ACK is appended to ACKS as
# "mac address" with one write(2) per line, as soon as it is read.  Ends at
# MAX_SECONDS, when STOP exists, or when all NMACS are done; prints counts.
DORA_LOAD = r'''
import json, os, socket, struct, sys, time
iface, acks, stop = sys.argv[1:4]
limit, base, nmacs, window, rate = float(sys.argv[4]), int(sys.argv[5]), \
    int(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
s.bind(("0.0.0.0", 68))
s.setblocking(False)
fd = os.open(acks, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

def mac(i):
    return b"\x02\x70" + struct.pack("!I", i)

def pkt(typ, i, req=None, sid=None):
    h = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 0, (base + i) & 0xffffffff,
                    0, 0x8000, b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4)
    o = bytes([53, 1, typ])
    if req:
        o += bytes([50, 4]) + req
    if sid:
        o += bytes([54, 4]) + sid
    d = h + mac(i) + b"\0" * 202 + b"\x63\x82\x53\x63" + o + b"\xff"
    return d + b"\0" * (300 - len(d))

def opts(d):
    out, i = {}, 240
    while i + 1 < len(d) and d[i] != 255:
        if d[i] == 0:
            i += 1
            continue
        out[d[i]] = d[i + 2:i + 2 + d[i + 1]]
        i += 2 + d[i + 1]
    return out

n = {"discover": 0, "offer": 0, "request": 0, "ack": 0, "nak": 0,
     "abandoned": 0}
pending = {}            # xid -> [idx, phase, time]
nxt = 0
start = time.monotonic()
deadline = start + limit
last_stop = 0
dst = ("255.255.255.255", 67)
while True:
    now = time.monotonic()
    if now > deadline:
        break
    if now - last_stop > 0.1:
        last_stop = now
        if os.path.exists(stop):
            break
    if nxt >= nmacs and not pending:
        break
    while len(pending) < window and nxt < nmacs and \
            nxt < (now - start) * rate + window:
        try:
            s.sendto(pkt(1, nxt), dst)
        except OSError:
            break
        pending[(base + nxt) & 0xffffffff] = [nxt, 0, now]
        n["discover"] += 1
        nxt += 1
    got = 0
    while got < 256:
        try:
            d = s.recv(4096)
        except BlockingIOError:
            break
        got += 1
        if len(d) < 244 or d[0] != 2:
            continue
        xid = struct.unpack("!I", d[4:8])[0]
        p = pending.get(xid)
        if p is None:
            continue
        o = opts(d)
        t = o.get(53, b"\0")[0]
        if t == 2 and p[1] == 0:
            n["offer"] += 1
            try:
                s.sendto(pkt(3, p[0], d[16:20], o.get(54)), dst)
            except OSError:
                continue
            n["request"] += 1
            p[1], p[2] = 1, time.monotonic()
        elif t == 5 and p[1] == 1:
            n["ack"] += 1
            m = ":".join("%02x" % b for b in mac(p[0]))
            a = socket.inet_ntoa(d[16:20])
            os.write(fd, ("%s %s\n" % (m, a)).encode())
            del pending[xid]
        elif t == 6:
            n["nak"] += 1
            del pending[xid]
    if not got:
        import select
        select.select([s], [], [], 0.005)
    now = time.monotonic()
    for xid in [x for x, p in pending.items() if now - p[2] > 1.0]:
        del pending[xid]
        n["abandoned"] += 1
n["macs"] = nxt
print(json.dumps(n))
'''


def read_acks(path):
    """(mac, address) pairs the client saw ACKed: complete lines only."""
    out = []
    if path.exists():
        for line in path.read_text().splitlines(keepends=True):
            if line.endswith("\n") and len(line.split()) == 2:
                out.append(tuple(line.split()))
    return out


class LoadClient:
    def __init__(self, ns, iface, tmp_path, name, seconds, nmacs, window,
                 xid_base, rate=100000):
        self.script = tmp_path / "dora_load.py"
        self.script.write_text(DORA_LOAD)
        self.acks = tmp_path / ("%s.acks" % name)
        self.stopf = tmp_path / ("%s.stop" % name)
        self.proc = ns.popen([PY, self.script, iface, self.acks, self.stopf,
                              seconds, xid_base, nmacs, window, rate],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)

    def stop(self, timeout=10):
        """Stop (bounded); returns the client's counters or None."""
        self.stopf.touch()
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate(timeout=5)
            return None
        try:
            return json.loads(out)
        except ValueError:
            raise AssertionError("load client failed: %s" % err)


def test_acked_leases_survive_kill_9_under_load(netns, veth, pxeha,
                                                 pxehactl_bin, tmp_path):
    """A client pipelining DORAs for distinct MACs as fast as it can; pxeha
    is SIGKILLed at a random moment while ACKs are flowing, restarted on
    the same state_dir, three times.  After each restart every (MAC,
    address) the client ever saw ACKed must be an active lease of that MAC:
    pxeha sends an ACK only once its record is on disk, so no kill may
    lose one.  (SIGKILL leaves the page cache alone, so this proves the
    record was written before the ACK left, not that it was synced: the
    strace test below covers the fdatasync.)  PXEHA_KILL_SEED replays the
    kill moments."""
    seed = int(os.environ.get("PXEHA_KILL_SEED", str(int(time.time()))))
    rng = random.Random(seed)
    print("\nseed %d" % seed)
    srv, cli = netns("ksrv"), netns("kcli")
    s_if, c_if = veth(srv, cli, DUR_SRV + "/16", None)
    d = pxeha(srv, DUR_CONF % {"ifname": s_if}).start()
    client = LoadClient(cli, c_if, tmp_path, "kill", seconds=120,
                        nmacs=60000, window=48, xid_base=0x4B000000,
                        rate=3000)
    counts = None
    try:
        seen = 0
        for rnd in range(3):
            # Wait for ACKs from this incarnation (bounded), then a random
            # moment in the stream.
            deadline = time.monotonic() + 15
            while len(read_acks(client.acks)) <= seen and \
                    time.monotonic() < deadline:
                assert client.proc.poll() is None, client.proc.stderr.read()
                time.sleep(0.05)
            assert len(read_acks(client.acks)) > seen, "no ACKs flowing"
            time.sleep(rng.uniform(0.05, 1.5))
            # Kill only while ACKs are flowing: some arrived in the last
            # 0.2 s (bounded: ten tries).
            for _ in range(10):
                n1 = len(read_acks(client.acks))
                time.sleep(0.2)
                before = len(read_acks(client.acks))
                if before > n1:
                    break
            assert before > n1, "ACKs stopped flowing before the kill"
            d.proc.send_signal(signal.SIGKILL)
            d.proc.wait(5)
            # ACKs already on the wire reach the client within ms.
            time.sleep(0.5)
            acked = read_acks(client.acks)
            t0 = time.monotonic()
            d.start()
            ls = leases(srv, pxehactl_bin)
            by_mac = active_check(ls)
            lost = [(m, a) for m, a in acked if by_mac.get(m) != a]
            print("round %d: %d ACKs seen (%d in the 0.2 s before the kill, "
                  "%d after it), %d leases after restart (%.2f s to restart "
                  "and list), lost %d" % (
                      rnd + 1, len(acked), before - n1, len(acked) - before,
                      len(ls), time.monotonic() - t0, len(lost)))
            assert not lost, "ACKed but not active after kill -9: %s" % (
                [(m, a, [l for l in ls if l["address"] == a or
                         l["mac"] == m]) for m, a in lost[:5]],)
            seen = len(acked)
        counts = client.stop()
        print("client: %s" % counts)
        acked = read_acks(client.acks)
        by_mac = active_check(leases(srv, pxehactl_bin))
        assert all(by_mac.get(m) == a for m, a in acked)
        assert counts and counts["ack"] == len(acked)
        assert len({m for m, a in acked}) == len(acked)
    finally:
        if client.proc.poll() is None:
            client.stop()
    log = d.log()
    assert "refusing to start" not in log
    torn = [l for l in log.splitlines() if "torn or corrupt" in l]
    print("journal tails dropped at restart: %d%s" % (
        len(torn), "".join("\n  " + l for l in torn)))


# ------------------------------------------ ordering: ACK after fdatasync

TRACED = ("recvmsg,recvfrom,recvmmsg,sendmsg,sendto,sendmmsg,write,writev,"
          "pwrite64,pwritev,pwritev2,fdatasync,fsync")
_LINE = re.compile(r"^(\d+) +(\d+\.\d+) (.*)$")
_CALL = re.compile(r"^(\w+)\((\d+)<([^>]*)>")
_RET = re.compile(r"= (-?\d+)(?: \w+ \([^)]*\))? <(\d+\.\d+)>$")
_HEX = r'"((?:\\x[0-9a-f]{2})*)"'


def unhex(s):
    """strace -xx text: \\xNN escapes (anything else is taken as is)."""
    return re.sub(rb"\\x([0-9a-f]{2})",
                  lambda m: bytes([int(m.group(1), 16)]),
                  s.encode("latin-1", "replace"))


def parse_strace(path):
    """strace -f -ttt -T -xx -yy output -> list of calls:
    {pid, name, fd, path, entry, exit, ret, data} (data: the bytes written,
    sent or received).  Interrupted calls are joined with their resumption;
    entry/exit are strace's own times of the syscall's entry and exit
    stops."""
    calls, pending = [], {}
    for line in path.read_text(errors="replace").splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        pid, ts, rest = int(m.group(1)), float(m.group(2)), m.group(3)
        if rest.endswith("<unfinished ...>"):
            pending[pid] = (ts, rest[:-len("<unfinished ...>")])
            continue
        if rest.startswith("<... "):
            if pid not in pending:
                continue
            ts, head = pending.pop(pid)
            rest = head + rest.split("resumed>", 1)[1]
        c, r = _CALL.match(rest), _RET.search(rest)
        if not c or not r:
            continue
        name = c.group(1)
        if name.startswith(("sendmsg", "recvmsg")):
            d = re.search(r"iov_base=" + _HEX, rest)
        else:
            d = re.search(r"^\w+\(\d+<[^>]*>, " + _HEX, rest)
        calls.append(dict(pid=pid, name=name, fd=int(c.group(2)),
                          path=unhex(c.group(3)).decode(errors="replace"),
                          entry=ts, exit=ts + float(r.group(2)),
                          ret=int(r.group(1)),
                          data=unhex(d.group(1)) if d else b""))
    return calls


def journal_frames(data):
    """Lease records in a journal write: (state, addr, seq, hw bytes)."""
    out, i = [], 0
    if data[:4] == b"PXLJ":
        i = 8
    while i + 16 <= len(data):
        n = struct.unpack("!I", data[i:i + 4])[0]
        rec = data[i + 16:i + 16 + n]
        if n < 38 or len(rec) < n:
            break
        state, addr, seq = rec[1], rec[2:6], struct.unpack("!Q", rec[6:14])[0]
        hwlen = rec[35]
        out.append((state, ".".join(str(b) for b in addr), seq,
                    bytes(rec[36:36 + hwlen])))
        i += 16 + n
    return out


def dhcp_fields(data):
    """(type, xid, yiaddr, chaddr) of a BOOTP message, or None."""
    if len(data) < 244 or data[236:240] != b"\x63\x82\x53\x63":
        return None
    t, i = None, 240
    while i + 1 < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        if data[i] == 53:
            t = data[i + 2]
        i += 2 + data[i + 1]
    return (t, struct.unpack("!I", data[4:8])[0],
            ".".join(str(b) for b in data[16:20]), bytes(data[28:34]))


def test_ack_leaves_only_after_its_record_is_fdatasynced(
        netns, veth, pxeha, pxeha_bin, tmp_path):
    """pxeha under strace -f (every thread), a few hundred pipelined DORAs.

    What strace shows that proves the ordering, for every DHCPACK sent:
      1. the REQUEST it answers (same xid and chaddr) was received, at time
         R (exit of that recvmsg);
      2. a write to leases.journal that *entered after R* carries a lease
         record for exactly the ACK's (yiaddr, chaddr) in state ACTIVE:
         the record made for this request, not an older one;
      3. an fdatasync of leases.journal, by the thread that did that write,
         entered after the write returned and returned before the sendmsg
         carrying the ACK entered.
    Times are strace's own stop times.  They respect causality across
    threads: a traced thread stays stopped until strace has stamped the
    stop, so anything another thread does because of it (the writer thread
    woken by the event loop, the loop woken by the writer) is stamped
    later.  A daemon that sent ACKs before the fdatasync returned (or
    before the record was written at all) fails 2 or 3 for that ACK.
    OFFERs, which change nothing durable, are not constrained.
    """
    srv, cli = netns("ssrv"), netns("scli")
    s_if, c_if = veth(srv, cli, DUR_SRV + "/16", None)
    p = pxeha(srv, DUR_CONF % {"ifname": s_if})
    trace = tmp_path / "pxeha.strace"
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")  # LSan vs ptrace
    log = open(p.logfile, "ab")
    st = srv.popen(["strace", "-f", "-qq", "-ttt", "-T", "-xx", "-yy",
                    "-s", "262144", "-e", "trace=" + TRACED, "-o", trace,
                    pxeha_bin, "-c", p.conf],
                   stdout=log, stderr=subprocess.STDOUT, env=env)
    daemon_pid = None
    client = None
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert st.poll() is None, p.log()
            if daemon_pid is None:
                kids = pathlib_children(st.pid)
                daemon_pid = kids[0] if kids else None
            if daemon_pid and p.http("/status", timeout=1)[0] == 200:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("pxeha under strace not ready:\n" + p.log())
        client = LoadClient(cli, c_if, tmp_path, "strace", seconds=60,
                            nmacs=300, window=16, xid_base=0x5A000000)
        client.proc.wait(70)
        counts = client.stop()
        print("\nclient: %s" % counts)
        acked = read_acks(client.acks)
        assert len(acked) >= 250, counts
    finally:
        if client is not None and client.proc.poll() is None:
            client.stop()
        if daemon_pid is not None:
            try:
                os.kill(daemon_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            st.wait(20)
        except subprocess.TimeoutExpired:
            if daemon_pid is not None:
                try:
                    os.kill(daemon_pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            st.kill()
            st.wait(5)
        log.close()

    calls = parse_strace(trace)
    jpath = os.path.realpath(p.dir / "pxeha-state" / "leases.journal")
    recv_req, acks, writes, syncs = {}, [], [], []
    for c in calls:
        if c["path"] == jpath and c["name"].startswith(("write", "pwrite")):
            writes.append(c)
        elif c["path"] == jpath and c["name"] in ("fdatasync", "fsync") \
                and c["ret"] == 0:
            syncs.append(c)
        elif c["name"].startswith(("recv", "send")) and c["ret"] > 0:
            f = dhcp_fields(c["data"])
            if f is None:
                continue
            if c["name"].startswith("recv") and f[0] == 3:
                recv_req.setdefault((f[1], f[3]), []).append(c)
            elif c["name"].startswith("send") and f[0] == 5:
                acks.append((c, f))
    print("trace: %d calls, %d REQUESTs received, %d ACKs sent, %d journal "
          "writes, %d journal syncs" % (len(calls), len(recv_req), len(acks),
                                        len(writes), len(syncs)))
    # Every ACK the client got is in the trace (the client may have given
    # up on a slow one that pxeha still sent: more in the trace is fine).
    traced = {(f[2], ":".join("%02x" % b for b in f[3])) for _, f in acks}
    assert all((a, m) in traced for m, a in acked)
    assert len(acks) >= len(acked)
    records = [(w, journal_frames(w["data"])) for w in writes]
    bad = []
    for snd, (t, xid, yi, ch) in acks:
        rx = [c for c in recv_req.get((xid, ch), [])
              if c["exit"] <= snd["entry"]]
        if not rx:
            bad.append(("no REQUEST before ACK", xid))
            continue
        r_t = rx[-1]["exit"]
        ws = [w for w, recs in records
              if w["entry"] >= r_t and w["exit"] <= snd["entry"] and
              any(s == 2 and a == yi and hw == ch for s, a, _, hw in recs)]
        if not ws:
            bad.append(("no ACTIVE record written between REQUEST and ACK",
                        xid, yi))
            continue
        w = ws[0]
        ok = [s for s in syncs if s["pid"] == w["pid"] and
              s["entry"] >= w["exit"] and s["exit"] <= snd["entry"]]
        if not ok:
            bad.append(("ACK sent before its record was fdatasynced", xid,
                        yi, w["exit"], snd["entry"]))
    assert not bad, bad[:10]
    acks_per_sync = len(acks) / max(1, len(syncs))
    print("ordering holds for all %d ACKs; %.1f ACKs per journal sync" % (
        len(acks), acks_per_sync))


def pathlib_children(pid):
    """Child PIDs of pid (from /proc), for the daemon started by strace."""
    kids = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids
