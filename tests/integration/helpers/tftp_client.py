#!/usr/bin/python3
"""A scriptable TFTP read client for tests: RFC 1350 with the RFC 2347
options (blksize, tsize, timeout; RFC 7440 windowsize; the tftp-hpa
rollover option; the Windows boot manager's msftwindow), windowed ACKing,
64-bit block numbers across rollover, and a few misbehaviours on purpose.

Runs inside a client namespace:  tftp_client.py SPEC_JSON
SPEC_JSON is one object:
  server, port (69)         where the RRQ goes
  bind ("0.0.0.0"), sport   local address and port (0: any)
  file, mode ("octet")      the request; opcode 2 sends a WRQ instead
  options                   [[name, value], ...] sent in that order
  out                       also write the data to this path
  rollover                  block after 65535 the client expects: 0, 1 or
                            null (take the first the server sends)
  rto (0.5), retries (20)   client timer: re-send the last ACK (or the
                            RRQ before the first reply) after rto seconds
                            of silence, give up after retries in a row
  deadline (60)             seconds for the whole run
  dally (0)                 after the last ACK, answer a repeated last
                            block for this long
  ack_delay (0)             sleep before each ACK (a slow client)
  check_window              before each window's ACK (after ack_delay),
                            count blocks already past it (overrun)
  msft_next                 window byte appended to every ACK (int, or a
                            list used in turn) when msftwindow was granted
  dup_rrq (0)               send the RRQ this many extra times, back to back
  rrq_again_at              after this block, send the RRQ once more (a
                            late retransmission from the same port)
  hold_at, hold             after block hold_at, send nothing for hold s
  ignore                    {"N": k}: take the first k copies of block N
                            as lost (no ACK: the server's timer must fire)
  stop_after                after this block, stop without a word
  abort_after               after this block, send ERROR 0 and stop
  intruder_at               after this block, a second socket sends ACK of
                            it to the session's port; its reply is recorded
  actions_at                {"N": [[op, args...], ...]} run after block N:
                            ["rename", src, dst], ["copy_over", src, dst]
                            (rewrite dst in place, same inode),
                            ["sleep", s], ["touch", path]
  burst                     instead of one transfer: this many sockets
                            (spread over the addresses in binds) send the
                            RRQ at once; each first reply is recorded, then
                            every session is closed with ERROR 0
Prints one JSON object: reason (done, error, timeout, deadline, stopped,
aborted, rollover, wrq_accepted, garbage), error {code, msg}, oack {name:
value}, size, sha256, blocks (64-bit number of the last block), tid, and
counters (acks, dups, gaps, timeouts, max_ahead, strangers, rollover_seen,
intruder, elapsed).  Every wait is bounded.
"""
import hashlib
import json
import os
import select
import shutil
import socket
import struct
import sys
import time

RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6


def build_req(op, name, mode, options):
    b = struct.pack("!H", op) + name.encode("latin-1") + b"\0" + \
        mode.encode() + b"\0"
    for k, v in options:
        b += str(k).encode() + b"\0" + str(v).encode() + b"\0"
    return b


def ack(n, extra=None):
    return struct.pack("!HH", ACK, n) + (bytes([extra]) if extra else b"")


def error(code, msg):
    return struct.pack("!HH", ERROR, code) + msg.encode() + b"\0"


def parse_error(d):
    code = struct.unpack("!H", d[2:4])[0] if len(d) >= 4 else -1
    return {"code": code,
            "msg": d[4:].split(b"\0")[0].decode("latin-1")}


def parse_oack(d):
    parts = d[2:].split(b"\0")
    o = {}
    for i in range(0, len(parts) - 1, 2):
        o[parts[i].decode("latin-1").lower()] = \
            parts[i + 1].decode("latin-1")
    return o


def wire(n, rollover):
    """Block n (64-bit, from 1) as it is numbered on the wire."""
    if n <= 65535:
        return n
    if rollover == 1:
        return (n - 1) % 65535 + 1
    return n & 0xFFFF


class Sink:
    def __init__(self, path):
        self.h = hashlib.sha256()
        self.size = 0
        self.f = open(path, "wb") if path else None

    def add(self, b):
        self.h.update(b)
        self.size += len(b)
        if self.f:
            self.f.write(b)

    def close(self):
        if self.f:
            self.f.close()


def do_action(a):
    op = a[0]
    if op == "rename":
        os.rename(a[1], a[2])
    elif op == "copy_over":
        with open(a[1], "rb") as src, open(a[2], "r+b") as dst:
            shutil.copyfileobj(src, dst)
            dst.truncate()
            dst.flush()
            os.fsync(dst.fileno())
    elif op == "sleep":
        time.sleep(a[1])
    elif op == "touch":
        open(a[1], "a").close()
    else:
        raise ValueError("unknown action %r" % (op,))


def transfer(spec):
    t0 = time.monotonic()
    deadline = t0 + spec.get("deadline", 60)
    srv = (spec["server"], spec.get("port", 69))
    rto = spec.get("rto", 0.5)
    max_retries = spec.get("retries", 20)
    want_roll = spec.get("rollover")
    msft_next = spec.get("msft_next")
    msft_list = msft_next if isinstance(msft_next, list) else (
        [msft_next] if msft_next else [])
    actions = {int(k): v for k, v in spec.get("actions_at", {}).items()}
    ignore = {int(k): v for k, v in spec.get("ignore", {}).items()}
    op = spec.get("opcode", RRQ)
    res = {"reason": None, "error": None, "oack": None, "size": 0,
           "sha256": None, "blocks": 0, "tid": None, "acks": 0, "dups": 0,
           "gaps": 0, "timeouts": 0, "max_ahead": 0, "strangers": [],
           "rollover_seen": None, "intruder": None, "first": None,
           "windows": [], "overrun": 0}
    backlog = []

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((spec.get("bind", "0.0.0.0"), spec.get("sport", 0)))
    req = build_req(op, spec["file"], spec.get("mode", "octet"),
                    spec.get("options", []))
    for _ in range(1 + spec.get("dup_rrq", 0)):
        s.sendto(req, srv)
    sink = Sink(spec.get("out"))

    tid = None
    blksize, window, roll = 512, 1, want_roll
    msft = False
    msft_i = 0
    expected = 1            # 64-bit number of the next block wanted
    last_acked = 0          # 64-bit number of the last block ACKed
    since_ack = 0
    gap_acked_for = None
    last_pkt = None         # what to send again on a client timeout
    retries = 0
    mismatch = 0

    def send(pkt):
        try:
            s.sendto(pkt, tid)
        except PermissionError:     # a firewall drop on output: lost
            pass

    def recv():
        if backlog:
            return backlog.pop(0)
        return s.recvfrom(65536 + 4)

    def send_ack(n, boundary=False):
        nonlocal last_acked, since_ack, last_pkt, window, msft_i
        if spec.get("ack_delay"):
            time.sleep(spec["ack_delay"])
        if boundary and spec.get("check_window"):
            # Whatever came in meanwhile was sent before this ACK: a
            # block past n means the server overran the window.
            s.setblocking(False)
            try:
                while True:
                    d, peer = s.recvfrom(65536 + 4)
                    backlog.append((d, peer))
                    if peer == tid and d[:2] == b"\0\3":
                        b = struct.unpack("!H", d[2:4])[0]
                        if 0 < (b - wire(n, roll)) & 0xFFFF < 0x8000:
                            res["overrun"] += 1
            except BlockingIOError:
                pass
        extra = None
        if msft and msft_list:
            extra = msft_list[msft_i % len(msft_list)]
            msft_i += 1
            window = extra
            res["windows"].append(extra)
        last_pkt = ack(wire(n, roll) if n else 0, extra)
        send(last_pkt)
        res["acks"] += 1
        last_acked, since_ack = n, 0

    def finish(reason):
        res["reason"] = reason
        res["size"] = sink.size
        res["sha256"] = sink.h.hexdigest()
        res["blocks"] = expected - 1
        res["elapsed"] = round(time.monotonic() - t0, 3)
        sink.close()
        s.close()
        return res

    while True:
        now = time.monotonic()
        if now >= deadline:
            return finish("deadline")
        s.settimeout(min(rto, deadline - now))
        try:
            d, peer = recv()
        except socket.timeout:
            res["timeouts"] += 1
            retries += 1
            if retries > max_retries:
                return finish("timeout")
            if tid is None:
                if not spec.get("dup_rrq"):
                    s.sendto(req, srv)
            elif last_pkt is not None:
                send(last_pkt)
            continue
        if len(d) < 2:
            continue
        opc = struct.unpack("!H", d[:2])[0]
        if tid is None:
            if peer[0] != srv[0]:
                continue
            tid = peer
            res["tid"] = peer[1]
            res["first"] = {"op": opc}
        elif peer != tid:
            res["strangers"].append({"port": peer[1], "op": opc})
            s.sendto(error(5, "unknown transfer ID"), peer)
            continue
        retries = 0
        if opc == ERROR:
            res["error"] = parse_error(d)
            return finish("error")
        if op == WRQ:
            # A server that takes the upload: leave it at once.
            send(error(0, "test client: no upload"))
            return finish("wrq_accepted" if opc in (ACK, OACK) else "garbage")
        if opc == OACK:
            if expected != 1 or res["oack"] is not None:
                res["dups"] += 1
                if last_pkt is not None:
                    send(last_pkt)
                continue
            o = parse_oack(d)
            res["oack"] = o
            blksize = int(o.get("blksize", 512))
            window = int(o.get("windowsize", 1))
            if "rollover" in o:
                roll = int(o["rollover"])
            msft = o.get("msftwindow") == "27182"
            send_ack(0)
            continue
        if opc != DATA or len(d) < 4:
            return finish("garbage")
        b = struct.unpack("!H", d[2:4])[0]
        if expected == 65536 and roll is None and b in (0, 1):
            roll = b
        if b != wire(expected, roll):
            # Behind (a repeat) or ahead (a gap): tell them apart on the
            # 16-bit circle around the block we want.
            diff = (b - wire(expected, roll)) & 0xFFFF
            if expected == 65536 and roll is not None and \
                    b == wire(expected, 1 - roll):
                mismatch += 1
                if mismatch >= 3:
                    res["error"] = {"code": -1, "msg":
                                    "rollover: block after 65535 is %d, "
                                    "expected %d" % (b, wire(expected, roll))}
                    return finish("rollover")
            if 0 < diff < 0x8000:
                res["gaps"] += 1
                res["max_ahead"] = max(res["max_ahead"],
                                       expected + diff - last_acked)
                if gap_acked_for != expected:
                    gap_acked_for = expected
                    send_ack(expected - 1)
            else:
                res["dups"] += 1
                if expected - 1 == last_acked and since_ack == 0 and \
                        diff == 0xFFFF:
                    # The block we last ACKed again: our ACK was lost.
                    send(last_pkt)
            continue
        if ignore.get(expected):
            ignore[expected] -= 1
            res["ignored"] = res.get("ignored", 0) + 1
            continue
        res["max_ahead"] = max(res["max_ahead"], expected - last_acked)
        if expected == 65536:
            res["rollover_seen"] = b
        payload = d[4:]
        sink.add(payload)
        n = expected
        expected += 1
        since_ack += 1
        gap_acked_for = None
        last = len(payload) < blksize
        if n in actions:
            for a in actions[n]:
                do_action(a)
        if spec.get("stop_after") == n:
            return finish("stopped")
        if spec.get("abort_after") == n:
            send(error(0, "test client: abort"))
            return finish("aborted")
        if spec.get("rrq_again_at") == n:
            s.sendto(req, srv)
        if spec.get("hold_at") == n:
            time.sleep(spec.get("hold", 1))
        if spec.get("intruder_at") == n:
            res["intruder"] = intrude(spec, tid, wire(n, roll))
        if last:
            send_ack(n)
            dally(s, spec.get("dally", 0), d[2:4], last_pkt, tid, deadline)
            return finish("done")
        if since_ack >= window:
            send_ack(n, boundary=True)


def dally(s, secs, lastblk, pkt, tid, deadline):
    end = min(time.monotonic() + secs, deadline)
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            d, peer = s.recvfrom(65536 + 4)
        except socket.timeout:
            return
        if peer == tid and d[:2] == b"\0\3" and d[2:4] == lastblk:
            s.sendto(pkt, tid)


def intrude(spec, tid, blk):
    """Send ACK blk to the session's port from another port; return the
    reply (or None after 2 s)."""
    x = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    x.bind((spec.get("bind", "0.0.0.0"), 0))
    x.sendto(ack(blk), tid)
    x.settimeout(2)
    try:
        d, peer = x.recvfrom(65536)
    except socket.timeout:
        return None
    finally:
        x.close()
    out = {"op": struct.unpack("!H", d[:2])[0], "port": peer[1]}
    if out["op"] == ERROR:
        out.update(parse_error(d))
    return out


def burst(spec):
    """spec["burst"] sockets send the RRQ at once; record each first
    reply, then close every session with ERROR 0."""
    srv = (spec["server"], spec.get("port", 69))
    binds = spec.get("binds") or [spec.get("bind", "0.0.0.0")]
    req = build_req(RRQ, spec["file"], spec.get("mode", "octet"),
                    spec.get("options", []))
    socks = []
    for i in range(spec["burst"]):
        x = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        x.bind((binds[i % len(binds)], 0))
        socks.append(x)
    for x in socks:
        x.sendto(req, srv)
        if spec.get("gap"):
            time.sleep(spec["gap"])
    replies = [None] * len(socks)
    end = time.monotonic() + spec.get("wait", 3)
    pending = {x.fileno(): i for i, x in enumerate(socks)}
    while pending and time.monotonic() < end:
        r, _, _ = select.select([socks[i] for i in pending.values()], [], [],
                                max(0.01, end - time.monotonic()))
        for x in r:
            d, peer = x.recvfrom(65536 + 4)
            i = pending.pop(x.fileno())
            op = struct.unpack("!H", d[:2])[0]
            rep = {"op": op, "bind": x.getsockname()[0], "port": peer[1]}
            if op == ERROR:
                rep.update(parse_error(d))
            else:
                x.sendto(error(0, "test client: enough"), peer)
            replies[i] = rep
    for x in socks:
        x.close()
    return {"replies": replies}


def main():
    spec = json.loads(sys.argv[1])
    res = burst(spec) if spec.get("burst") else transfer(spec)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
