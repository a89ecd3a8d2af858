#!/usr/bin/python3
"""A scriptable DHCP client for tests: crafted requests, replies as JSON.

Runs inside a client namespace:  dhcp_probe.py IFACE STEPS_JSON
STEPS_JSON is a list of steps; each step is
  {"type": "discover"|"request"|"decline"|"release"|"inform",
   "mac": "52:54:00:..", "xid": 1234, "ciaddr": "a.b.c.d",
   "giaddr": "a.b.c.d" (as a relay would send it; default none),
   "requested": "a.b.c.d", "server_id": "a.b.c.d", "client_id": "hex",
   "hostname": "x", "to": "a.b.c.d" (default broadcast),
   "wait": seconds to wait for a reply (0: send only; default 2),
   "extra": [[code, "hex"], ...],
   "port": server port (default 67), "sport": our port (default 68),
   "all": true to collect every reply with the xid until wait ends,
   "raw": "hex" to send these bytes as they are (a captured request; its
          xid is the one waited for)}
It prints one JSON list: per step null (no reply) or
  {"type": "OFFER", "yiaddr": .., "siaddr": .., "options": {code: hex},
   "src": "a.b.c.d:port"}, or with "all" a list of those.
Every wait is bounded.
"""
import json
import socket
import struct
import sys
import time

from scapy.layers.dhcp import BOOTP, DHCP

TYPES = {"discover": 1, "offer": 2, "request": 3, "decline": 4, "ack": 5,
         "nak": 6, "release": 7, "inform": 8}
NAMES = {v: k.upper() for k, v in TYPES.items()}


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def build(step):
    opts = [(53, bytes([TYPES[step["type"]]]))]
    if "requested" in step:
        opts.append((50, socket.inet_aton(step["requested"])))
    if "server_id" in step:
        opts.append((54, socket.inet_aton(step["server_id"])))
    if "client_id" in step:
        opts.append((61, bytes.fromhex(step["client_id"])))
    if "hostname" in step:
        opts.append((12, step["hostname"].encode()))
    for code, hexval in step.get("extra", []):
        opts.append((code, bytes.fromhex(hexval)))
    opts.append((55, bytes([1, 3, 6, 12, 15, 42, 51, 54, 58, 59, 224])))
    raw = b"".join(bytes([c, len(v)]) + v for c, v in opts) + b"\xff"
    pkt = BOOTP(op=1, htype=1, hlen=6, xid=step.get("xid", 0x1234),
                flags=0x8000, ciaddr=step.get("ciaddr", "0.0.0.0"),
                giaddr=step.get("giaddr", "0.0.0.0"),
                chaddr=mac_bytes(step["mac"]) + b"\0" * 10)
    data = bytes(pkt)[:236] + b"\x63\x82\x53\x63" + raw
    return data + b"\0" * max(0, 300 - len(data))


def parse(data):
    bp = BOOTP(data)
    out = {"yiaddr": bp.yiaddr, "siaddr": bp.siaddr, "ciaddr": bp.ciaddr,
           "options": {}, "xid": bp.xid,
           "file": bp.file.rstrip(b"\0").decode(errors="replace")}
    opts = data[240:]
    i = 0
    while i < len(opts):
        code = opts[i]
        if code == 0:
            i += 1
            continue
        if code == 255 or i + 1 >= len(opts):
            break
        n = opts[i + 1]
        val = opts[i + 2:i + 2 + n]
        out["options"][str(code)] = out["options"].get(str(code), "") + val.hex()
        i += 2 + n
    t = out["options"].get("53")
    out["type"] = NAMES.get(int(t, 16), "?") if t else "BOOTP"
    return out


def sock(iface, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.bind(("0.0.0.0", port))
    return s


def main():
    iface, steps = sys.argv[1], json.loads(sys.argv[2])
    socks = {68: sock(iface, 68)}
    results = []
    for step in steps:
        sport = step.get("sport", 68)
        if sport not in socks:
            socks[sport] = sock(iface, sport)
        s = socks[sport]
        if "raw" in step:
            data = bytes.fromhex(step["raw"])
            step["xid"] = struct.unpack("!I", data[4:8])[0]
        else:
            data = build(step)
        s.sendto(data, (step.get("to", "255.255.255.255"),
                        step.get("port", 67)))
        wait = step.get("wait", 2)
        got = []
        deadline = time.monotonic() + wait
        while wait and time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data, src = s.recvfrom(4096)
            except socket.timeout:
                break
            rep = parse(data)
            rep["src"] = "%s:%d" % src
            if rep["xid"] == step.get("xid", 0x1234):
                got.append(rep)
                if not step.get("all"):
                    break
        results.append(got if step.get("all") else (got[0] if got else None))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
