"""[pxe] mode = dhcp with the real binary: DISCOVERs carrying the option
60/93/94/77 values that SeaBIOS's iPXE ROM, iPXE itself and OVMF send
(../shared/captures) get the file of the matching [boot] rule, option 60
back, option 43 for BIOS firmware only; the client then fetches the file
it was told from siaddr over TFTP (busybox), byte-identical.  Private link
in px* namespaces, 198.18.62.0/24."""
import hashlib
import json
import os

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
