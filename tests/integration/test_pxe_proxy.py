"""[pxe] mode = proxy beside a plain DHCP server (dnsmasq, no PXE options)
on the same host and link, with the real binary.  The client packets are
the real firmware's (SeaBIOS's iPXE ROM, OVMF, ipxe.efi) as captured in
../shared/captures (kept in tests/fuzz/corpus/pxe_classify), replayed as
they were sent; UEFI ARM64 and HTTP boot ones are built from the values
their firmware sends.  Checked: who answers what (a proxy offer with no
address for boot clients only, nothing for others), the 4011 boot-server
round (answered to the source port, boot item echoed, another server's
item ignored), and that unicast to port 67 (a renewal) still reaches the
other server.  Private link in px* namespaces, 198.18.3.0/24 (the
captures' own subnet)."""
import json

import pytest

from conftest import ROOT

PROBE = ROOT / "tests" / "integration" / "helpers" / "dhcp_probe.py"
CAP = ROOT / "tests" / "fuzz" / "corpus" / "pxe_classify"
SRV = "198.18.3.1"
CLI = "198.18.3.185"	# the address the captured 4011 requests carry

CONF = """\
[node]
name = proxytest
state_dir = {state}

[pxe]
mode = proxy

[interface %(ifname)s]

[subnet lab]
network = 198.18.3.0/24
interface = %(ifname)s
pxe_answer = %(policy)s

[boot bios]
arch = bios
file = undionly.kpxe
script = http://{server}:8080/boot.ipxe

[boot uefi]
arch = efi-x64
file = ipxe.efi
script = http://{server}:8080/boot.ipxe

[boot arm]
arch = efi-arm64
file = arm64/ipxe.efi

[boot http]
arch = http-x64
file = http://{server}:8080/ipxe.efi
"""


def cap(name, bcast=False):
    """A captured request as sent.  bcast sets the BOOTP broadcast flag, so
    dnsmasq's offer to the captured MAC (not the probe's) reaches the probe;
    pxeha's proxy offers (no address) are broadcast either way."""
    b = (CAP / ("capture_%s.bin" % name)).read_bytes()
    if bcast:
        b = b[:10] + bytes([b[10] | 0x80]) + b[11:]
    return b


def opts_hex(*pairs):
    return [[c, v.hex() if isinstance(v, bytes) else v] for c, v in pairs]


ARM64 = opts_hex((60, b"PXEClient:Arch:00011:UNDI:003000"), (93, "000b"),
                 (94, "010300"))
HTTP = opts_hex((60, b"HTTPClient:Arch:00016:UNDI:003000"), (93, "0010"),
                (94, "010300"))


def sub43(hexval):
    v, out, i = bytes.fromhex(hexval), {}, 0
    while i < len(v) and v[i] != 255:
        out[v[i]] = v[i + 2:i + 2 + v[i + 1]]
        i += 2 + v[i + 1]
    assert v[i] == 255 and i == len(v) - 1, hexval
    return out


@pytest.fixture
def proxy_lab(netns, veth, pxeha, plain_dhcp):
    """dnsmasq (plain DHCP) and pxeha (proxy) in one namespace on one
    link; returns (client ns, client ifname, start(policy))."""
    srv, cli = netns("prsrv"), netns("prcli")
    s_if, c_if = veth(srv, cli, SRV + "/24", None)
    plain_dhcp(srv, s_if, "198.18.3.100", "198.18.3.150")

    def start(policy="all"):
        p = pxeha(srv, CONF % {"ifname": s_if, "policy": policy})
        p.start()
        return p

    return cli, c_if, start


def probe(cli, c_if, steps, timeout=60):
    r = cli.run(["/usr/bin/python3", PROBE, c_if, json.dumps(steps)],
                timeout=timeout)
    return json.loads(r.stdout)


def by_server(replies):
    """Split the replies to one DISCOVER into (dnsmasq's, pxeha's): the
    proxy offer is the one without an address."""
    dm = [r for r in replies if r["yiaddr"] != "0.0.0.0"]
    px = [r for r in replies if r["yiaddr"] == "0.0.0.0"]
    assert len(dm) <= 1 and len(px) <= 1, replies
    return (dm[0] if dm else None), (px[0] if px else None)


def test_proxy_offers_beside_dnsmasq(proxy_lab, pxehactl_bin):
    cli, c_if, start = proxy_lab
    p = start()
    steps = [dict(raw=cap("proxy_bios_ipxe_discover", 1).hex(), all=True),
             dict(raw=cap("proxy_ovmf_discover", 1).hex(), all=True),
             dict(raw=cap("full_ipxe_efi_discover", 1).hex(), all=True),
             dict(type="discover", mac="52:54:00:be:00:0a", xid=0xa1,
                  extra=ARM64, all=True),
             dict(type="discover", mac="52:54:00:be:00:0b", xid=0xa2,
                  extra=HTTP, all=True),
             dict(type="discover", mac="52:54:00:be:00:0c", xid=0xa3,
                  all=True)]
    rom, ovmf, ipxe_efi, arm, http, plain = probe(cli, c_if, steps)

    # The BIOS iPXE ROM: dnsmasq's address offer, and our proxy offer
    # with a menu item picked at once and its script.
    dm, px = by_server(rom)
    assert dm is not None and dm["type"] == "OFFER", rom
    assert px is not None and px["type"] == "OFFER", rom
    assert px["src"] == SRV + ":67", px
    assert bytes.fromhex(px["options"]["60"]) == b"PXEClient", px
    assert px["options"]["54"] == "c6120301", px
    assert px["file"] == "http://198.18.3.1:8080/boot.ipxe", px
    s = sub43(px["options"]["43"])
    assert s[6] == b"\x03" and s[8] == bytes.fromhex("80010" "1c6120301"), s
    assert s[9][:2] == b"\x80\x01" and s[10][0] == 0, s
    assert "1" not in px["options"] and "51" not in px["options"], px
    # The GUID the firmware sent comes back.
    assert px["options"]["97"] == "00" + "00" * 16, px

    # OVMF: no 43, no file: it will ask 4011.
    dm, px = by_server(ovmf)
    assert dm is not None and px is not None, ovmf
    assert "43" not in px["options"] and px["file"] == "", px
    assert px["siaddr"] == SRV, px
    # ipxe.efi as iPXE: no file in the offer either (it asks 4011 too).
    _, px = by_server(ipxe_efi)
    assert px is not None and px["file"] == "" and "43" not in \
        px["options"], ipxe_efi
    _, px = by_server(arm)
    assert px is not None and "43" not in px["options"], arm
    # HTTP boot: the URL straight in the proxy offer, HTTPClient back.
    _, px = by_server(http)
    assert px is not None and px["file"] == \
        "http://198.18.3.1:8080/ipxe.efi", http
    assert bytes.fromhex(px["options"]["60"]) == b"HTTPClient", px
    # Not a boot client: dnsmasq answers, pxeha does not.
    dm, px = by_server(plain)
    assert dm is not None and px is None, plain

    # Counted and logged per architecture.
    m = p.http("/metrics")[1]
    for arch, n in (("bios", 1), ("efi-x64", 2), ("efi-arm64", 1),
                    ("http-x64", 1)):
        assert 'pxeha_pxe_answers_total{phase="proxy",arch="%s"} %d' % (
            arch, n) in m, m
    assert 'pxeha_dhcp_dropped_total{reason="no_boot_answer"} 1' in m, m
    assert "pxe: 52:54:00:be:00:01 (bios, iPXE) on" in p.log(), p.log()
    assert 'proxy answer by [boot bios]: "http://198.18.3.1:8080/boot.ipxe"'\
        in p.log(), p.log()
    # GET /pxe (pxehactl pxe): the recent boot answers, newest first.
    code, body = p.http("/pxe")
    assert code == 200, body
    seen = json.loads(body)["answers"]
    assert [a["arch"] for a in seen] == ["http-x64", "efi-arm64", "efi-x64",
                                         "efi-x64", "bios"], seen
    assert seen[-1] == dict(seen[-1], mac="52:54:00:be:00:01", phase="proxy",
                            ipxe=True, rule="bios",
                            file="http://198.18.3.1:8080/boot.ipxe"), seen
    r = p.ns.run([pxehactl_bin, "pxe"])
    assert "52:54:00:be:00:01" in r.stdout and "bios+ipxe" in r.stdout, \
        r.stdout


def test_boot_server_4011(proxy_lab):
    cli, c_if, start = proxy_lab
    p = start()
    cli.run(["ip", "addr", "add", CLI + "/24", "dev", c_if])
    # The BIOS ROM's captured 4011 request asked for dnsmasq's item
    # 0x8003; ours is 0x8001.  As captured it is not ours to answer.
    rom_req = cap("proxy_bios_ipxe_request_4011")
    item = rom_req.index(bytes.fromhex("470480030000"))
    ours = rom_req[:item + 2] + b"\x80\x01" + rom_req[item + 4:]
    steps = [dict(raw=ours.hex(), to=SRV, port=4011, sport=68),
             dict(raw=rom_req.hex(), to=SRV, port=4011, sport=68, wait=1),
             dict(raw=cap("proxy_ovmf_request_4011").hex(), to=SRV,
                  port=4011, sport=4011),
             dict(raw=cap("proxy_ipxe_efi_request_4011").hex(), to=SRV,
                  port=4011, sport=68)]
    rom, other, ovmf, ipxe_efi = probe(cli, c_if, steps)

    assert rom is not None and rom["type"] == "ACK", rom
    assert rom["src"] == SRV + ":4011", rom
    assert rom["file"] == "http://198.18.3.1:8080/boot.ipxe", rom
    assert rom["options"]["43"] == "470480010000ff", rom
    assert rom["ciaddr"] == CLI and rom["yiaddr"] == "0.0.0.0", rom
    assert other is None
    # OVMF sent from port 4011 and gets its answer there; firmware file.
    assert ovmf is not None and ovmf["file"] == "ipxe.efi", ovmf
    assert ovmf["siaddr"] == SRV and "43" not in ovmf["options"], ovmf
    # ipxe.efi is iPXE by then: the script.
    assert ipxe_efi is not None and \
        ipxe_efi["file"] == "http://198.18.3.1:8080/boot.ipxe", ipxe_efi
    assert 'pxeha_dhcp_dropped_total{reason="no_boot_answer"} 1' in \
        p.http("/metrics")[1]


def test_unicast_to_67_still_reaches_dnsmasq(proxy_lab):
    """A renewal is unicast to the DHCP server's port 67.  pxeha's proxy
    socket hears broadcasts only, so dnsmasq on the same host still gets
    (and answers) it."""
    cli, c_if, start = proxy_lab
    start()
    mac = "52:54:00:be:00:21"
    offer, = probe(cli, c_if, [dict(type="discover", mac=mac, xid=0x51)])
    assert offer is not None and offer["yiaddr"] != "0.0.0.0", offer
    addr = offer["yiaddr"]
    ack, = probe(cli, c_if, [dict(type="request", mac=mac, xid=0x52,
                                  requested=addr, server_id=SRV)])
    assert ack is not None and ack["type"] == "ACK", ack
    cli.run(["ip", "addr", "add", addr + "/24", "dev", c_if])
    renew, = probe(cli, c_if, [dict(type="request", mac=mac, xid=0x53,
                                    ciaddr=addr, to=SRV)])
    assert renew is not None and renew["type"] == "ACK", renew
    assert renew["yiaddr"] == addr and renew["src"] == SRV + ":67", renew


def test_prompt_policy_in_proxy_offer(proxy_lab):
    cli, c_if, start = proxy_lab
    start("prompt")
    fw = opts_hex((60, b"PXEClient:Arch:00000:UNDI:002001"), (93, "0000"),
                  (94, "010201"))
    got, = probe(cli, c_if, [dict(type="discover", mac="52:54:00:be:00:31",
                                  xid=0x61, extra=fw, all=True)])
    _, px = by_server(got)
    assert px is not None and px["file"] == "", got
    s = sub43(px["options"]["43"])
    # Local boot is the first item, picked when the prompt times out.
    assert s[9][:2] == b"\x00\x00", s
    assert s[10][0] == 10 and s[10][1:] == \
        b"Press F8 to boot from the network", s


def test_relayed_clients_with_proxy_listen_all(netns, veth, pxeha):
    """proxy_listen = all (no other DHCP server on the host): a DISCOVER
    relayed to pxeha's address gets its proxy offer back at the relay's
    port 67; with the default (broadcast) the same request is not heard."""
    srv, cli = netns("prsrv"), netns("prcli")
    s_if, c_if = veth(srv, cli, SRV + "/24", CLI + "/24")
    relayed = [dict(type="discover", mac="52:54:00:be:00:41", xid=0x71,
                    giaddr=CLI, to=SRV, port=67, sport=67,
                    extra=opts_hex((60, b"PXEClient:Arch:00007:UNDI:003000"),
                                   (93, "0007"), (94, "010300")))]
    conf = CONF % {"ifname": s_if, "policy": "all"}
    p = pxeha(srv, conf, name="bcast")
    p.start()
    assert probe(cli, c_if, relayed) == [None]
    p.stop()
    p = pxeha(srv, conf.replace("mode = proxy\n",
                                "mode = proxy\nproxy_listen = all\n"),
              name="all")
    p.start()
    got, = probe(cli, c_if, relayed)
    assert got is not None and got["type"] == "OFFER", got
    assert got["src"] == SRV + ":67" and got["yiaddr"] == "0.0.0.0", got
    assert bytes.fromhex(got["options"]["60"]) == b"PXEClient", got
    assert "broadcasts and relays" in p.log()
