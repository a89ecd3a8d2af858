"""[pxe] mode = dhcp with the real binary: DISCOVERs carrying the option
60/93/94/77 values that SeaBIOS's iPXE ROM, iPXE itself and OVMF send
(../shared/captures) get the file of the matching [boot] rule, option 60
back, option 43 for BIOS firmware only; the client then fetches the file
it was told from siaddr over TFTP (busybox), byte-identical.  Private link
in px* namespaces, 198.18.62.0/24."""
import hashlib
import json
import os

import pytest

from conftest import ROOT

PROBE = ROOT / "tests" / "integration" / "helpers" / "dhcp_probe.py"
SRV, CLI = "198.18.62.1", "198.18.62.50"

CONF = """\
[node]
name = pxetest
state_dir = {state}

[pxe]
mode = dhcp

[interface %(ifname)s]
dhcp = yes

[subnet lab]
network = 198.18.62.0/24
interface = %(ifname)s
pool = 198.18.62.100-198.18.62.119
boot_file = plain.bin

[boot script]
arch = bios, efi-x64
client = ipxe
file = http://198.18.62.1/boot.ipxe

[boot bios]
arch = bios
file = undionly.kpxe

[boot uefi]
arch = efi-x64
file = \\EFI\\Boot\\ipxe.efi

[tftp]
enable = yes
root = %(root)s
"""

# Option values as the captured clients send them (hex).
BIOS_FW = [[60, b"PXEClient:Arch:00000:UNDI:002001".hex()], [93, "0000"],
           [94, "010201"]]
BIOS_IPXE = BIOS_FW + [[77, b"iPXE".hex()], [175, "b105011af41000"]]
OVMF = [[60, b"PXEClient:Arch:00007:UNDI:003000".hex()], [93, "0007"],
        [94, "010300"]]


def test_pxe_offers_by_rule_then_tftp(netns, veth, pxeha, tmp_path):
    srv, cli = netns("psrv"), netns("pcli")
    s_if, c_if = veth(srv, cli, SRV + "/24", None)
    root = tmp_path / "boot"
    (root / "efi" / "boot").mkdir(parents=True)
    kpxe = os.urandom(70000)
    (root / "undionly.kpxe").write_bytes(kpxe)
    (root / "efi" / "boot" / "ipxe.efi").write_bytes(os.urandom(1000))
    pxeha(srv, CONF % {"ifname": s_if, "root": root}).start()

    steps = [dict(type="discover", mac="52:54:00:be:00:%02x" % i, xid=100 + i,
                  extra=extra)
             for i, extra in enumerate((BIOS_FW, BIOS_IPXE, OVMF, []))]
    r = cli.run(["/usr/bin/python3", PROBE, c_if, json.dumps(steps)],
                timeout=60)
    bios, ipxe, uefi, plain = json.loads(r.stdout)

    assert bios and bios["type"] == "OFFER", r.stdout
    assert bios["file"] == "undionly.kpxe" and bios["siaddr"] == SRV, bios
    assert bytes.fromhex(bios["options"]["60"]) == b"PXEClient", bios
    assert bios["options"]["67"] == b"undionly.kpxe".hex(), bios
    assert bios["options"]["43"] == "060108ff", bios
    assert ipxe["file"] == "http://198.18.62.1/boot.ipxe", ipxe
    assert "43" not in ipxe["options"], ipxe
    assert uefi["file"] == "\\EFI\\Boot\\ipxe.efi", uefi
    assert "43" not in uefi["options"], uefi
    assert plain["file"] == "plain.bin" and "60" not in plain["options"], \
        plain

    # The firmware then fetches what it was told from siaddr.  (The
    # Windows-style name of the UEFI rule maps to efi/boot/ipxe.efi.)
    cli.run(["ip", "addr", "add", CLI + "/24", "dev", c_if])
    for name, want in ((bios["file"], kpxe),
                       (uefi["file"], (root / "efi" / "boot" /
                                       "ipxe.efi").read_bytes())):
        out = tmp_path / "got.bin"
        cli.run(["busybox", "tftp", "-g", "-b", "1468", "-r", name, "-l",
                 str(out), bios["siaddr"]], timeout=60)
        assert hashlib.sha256(out.read_bytes()).digest() == \
            hashlib.sha256(want).digest(), name


# Captured client requests (../shared/captures, kept in the fuzz corpus) and
# the values UEFI ARM64 and HTTP-boot firmware send, replayed as they are.
CAP = ROOT / "tests" / "fuzz" / "corpus" / "pxe_classify"
ARM64 = [[60, b"PXEClient:Arch:00011:UNDI:003000".hex()], [93, "000b"],
         [94, "010300"]]
HTTP = [[60, b"HTTPClient:Arch:00016:UNDI:003000".hex()], [93, "0010"],
        [94, "010300"]]

POLICY_CONF = """\
[node]
name = pxepolicy
state_dir = {state}

[pxe]
mode = dhcp

[interface %(ifname)s]

[subnet lab]
network = 198.18.62.0/24
interface = %(ifname)s
pool = 198.18.62.100-198.18.62.119
boot_file = plain.bin
pxe_answer = %(policy)s

[host ovmf]
mac = 52:54:00:be:00:02

[boot bios]
arch = bios
file = undionly.kpxe
script = http://{server}/boot.ipxe

[boot uefi]
arch = efi-x64
file = ipxe.efi
script = http://{server}/boot.ipxe

[boot arm]
arch = efi-arm64
file = arm64/ipxe.efi

[boot http]
arch = http-x64
file = http://{server}/ipxe.efi
"""


def _raw(name):
    b = (CAP / ("capture_%s.bin" % name)).read_bytes()
    return (b[:10] + bytes([b[10] | 0x80]) + b[11:]).hex()  # broadcast reply


@pytest.mark.parametrize("policy", ["all", "known", "prompt"])
def test_captured_clients_by_policy(netns, veth, pxeha, policy):
    srv, cli = netns("ppsrv"), netns("ppcli")
    s_if, c_if = veth(srv, cli, SRV + "/24", None)
    pxeha(srv, POLICY_CONF % {"ifname": s_if, "policy": policy}).start()
    steps = [dict(raw=_raw("full_bios_ipxe_discover")),
             dict(raw=_raw("full_ovmf_discover")),
             dict(raw=_raw("full_ipxe_efi_discover")),
             dict(type="discover", mac="52:54:00:be:00:0a", xid=0xa1,
                  extra=ARM64),
             dict(type="discover", mac="52:54:00:be:00:0b", xid=0xa2,
                  extra=HTTP),
             dict(type="discover", mac="52:54:00:be:00:0c", xid=0xa3,
                  extra=BIOS_FW),
             dict(type="discover", mac="52:54:00:be:00:0d", xid=0xa4)]
    r = cli.run(["/usr/bin/python3", PROBE, c_if, json.dumps(steps)],
                timeout=60)
    got = json.loads(r.stdout)
    assert all(g and g["type"] == "OFFER" for g in got), r.stdout
    rom, ovmf, ipxe_efi, arm, http, fw, plain = got
    script = "http://%s/boot.ipxe" % SRV
    # Everyone gets an address; a plain client always the subnet's file.
    assert plain["file"] == "plain.bin" and "60" not in plain["options"]
    if policy == "known":
        # Only the reserved machine (OVMF's MAC) boots; the others get an
        # address and no boot file at all.
        assert ovmf["file"] == "ipxe.efi", ovmf
        assert ipxe_efi["file"] == script, ipxe_efi	# same MAC, as iPXE
        for g in (rom, arm, http, fw):
            assert g["file"] == "" and "60" not in g["options"], g
        return
    assert rom["file"] == script and "43" not in rom["options"], rom
    assert ovmf["file"] == "ipxe.efi" and "43" not in ovmf["options"], ovmf
    assert ipxe_efi["file"] == script, ipxe_efi
    assert arm["file"] == "arm64/ipxe.efi", arm
    assert http["file"] == "http://%s/ipxe.efi" % SRV, http
    assert bytes.fromhex(http["options"]["60"]) == b"HTTPClient", http
    if policy == "all":
        assert fw["file"] == "undionly.kpxe", fw
        assert fw["options"]["43"] == "060108ff", fw
    else:
        # BIOS firmware behind the prompt: a menu, local disk first, the
        # prompt text; no file until it picks network boot on 4011.
        assert fw["file"] == "", fw
        v = bytes.fromhex(fw["options"]["43"])
        assert b"Boot from local disk" in v and \
            b"Press F8 to boot from the network" in v, v
