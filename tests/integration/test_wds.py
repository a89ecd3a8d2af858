"""WDS drop-in: the shipped conf/wds.ini over a synthetic tree laid out
(and cased) like a WDS server's RemoteInstall folder, with the real
binary.  A BIOS PXE ROM and UEFI x64 firmware get their Microsoft boot
program and the BCD path (option 252); then every file a Windows network
boot asks for, by the Windows path it uses, comes back byte-identical
over TFTP with the boot manager's options (blksize 1456, its variable
window extension).  Private link in px* namespaces, 198.18.20.0/24 (the
example's own subnet)."""
import hashlib
import json
import os

from conftest import ROOT

PROBE = ROOT / "tests" / "integration" / "helpers" / "dhcp_probe.py"
TFTP = ROOT / "tests" / "integration" / "helpers" / "tftp_client.py"
SRV, CLI = "198.18.20.1", "198.18.20.50"

# As WDS lays the folder out (case as on a Windows server).
TREE = {
    "Boot/x64/pxeboot.n12": 26000,
    "Boot/x64/pxeboot.com": 26000,
    "Boot/x64/bootmgr.exe": 400000,
    "Boot/x64/bootmgfw.efi": 1500000,
    "Boot/x64/wdsnbp.com": 30000,
    "Boot/x64/abortpxe.com": 100,
    "Boot/x64/default.bcd": 262144,
    "Boot/x64/en-US/bootmgr.exe.mui": 80000,
    "Boot/x64/en-US/bootmgfw.efi.mui": 80000,
    "Boot/Fonts/wgl4_boot.ttf": 48000,
    "Boot/Fonts/segmono_boot.ttf": 42000,
    "Boot/boot.sdi": 3170304,
    "Boot/x64/Images/boot.wim": 24 << 20,
}

# What the boot manager then asks for, as it spells it.
BIOS_PATHS = ["Boot\\x64\\pxeboot.n12", "\\Boot\\x64\\bootmgr.exe",
              "\\Boot\\x64\\default.bcd", "\\Boot\\Fonts\\wgl4_boot.ttf",
              "\\Boot\\x64\\en-US\\bootmgr.exe.mui", "\\boot\\BOOT.SDI",
              "\\Boot\\x64\\Images\\boot.wim"]
UEFI_PATHS = ["Boot\\x64\\bootmgfw.efi", "\\Boot\\x64\\default.bcd",
              "\\Boot\\Fonts\\segmono_boot.ttf",
              "\\Boot\\x64\\en-US\\bootmgfw.efi.mui"]

BIOS_FW = [[60, b"PXEClient:Arch:00000:UNDI:002001".hex()], [93, "0000"],
           [94, "010201"]]
UEFI_FW = [[60, b"PXEClient:Arch:00007:UNDI:003016".hex()], [93, "0007"],
           [94, "010310"]]


def wds_conf(ifname, root):
    text = (ROOT / "conf" / "wds.ini").read_text()
    text = text.replace("[interface eth0]", "[interface %s]" % ifname)
    text = text.replace("interface = eth0", "interface = %s" % ifname)
    text = text.replace("state_dir = /var/lib/pxeha", "state_dir = {state}")
    text = text.replace("root = /srv/RemoteInstall", "root = %s" % root)
    assert ifname in text and str(root) in text and "{state}" in text
    return text


def test_wds_tree_dhcp_and_every_tftp_path(netns, veth, pxeha, tmp_path):
    srv, cli = netns("wsrv"), netns("wcli")
    s_if, c_if = veth(srv, cli, SRV + "/24", None)
    root = tmp_path / "RemoteInstall"
    digest = {}
    for rel, size in TREE.items():
        f = root / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        data = os.urandom(size)
        f.write_bytes(data)
        digest[rel.lower()] = hashlib.sha256(data).hexdigest()
    pxeha(srv, wds_conf(s_if, root)).start()

    steps = [dict(type="discover", mac="52:54:00:5d:00:01", xid=0x501,
                  extra=BIOS_FW),
             dict(type="discover", mac="52:54:00:5d:00:02", xid=0x502,
                  extra=UEFI_FW)]
    r = cli.run(["/usr/bin/python3", PROBE, c_if, json.dumps(steps)],
                timeout=60)
    bios, uefi = json.loads(r.stdout)
    assert bios and bios["type"] == "OFFER", r.stdout
    assert bios["file"] == "Boot\\x64\\pxeboot.n12", bios
    assert bios["siaddr"] == SRV, bios
    assert bytes.fromhex(bios["options"]["252"]) == \
        b"\\Boot\\x64\\default.bcd", bios
    assert bios["options"]["43"] == "060108ff", bios
    assert uefi and uefi["file"] == "Boot\\x64\\bootmgfw.efi", uefi
    assert bytes.fromhex(uefi["options"]["252"]) == \
        b"\\Boot\\x64\\default.bcd", uefi
    assert "43" not in uefi["options"], uefi

    cli.run(["ip", "addr", "add", CLI + "/24", "dev", c_if])
    for name in BIOS_PATHS + UEFI_PATHS:
        rel = name.lstrip("\\").replace("\\", "/").lower()
        spec = dict(server=SRV, file=name, rto=1, deadline=120,
                    options=[["blksize", 1456], ["tsize", 0],
                             ["msftwindow", 31416]],
                    msft_next=[4, 8, 16, 32, 64])
        r = cli.run(["/usr/bin/python3", TFTP, json.dumps(spec)],
                    timeout=150)
        res = json.loads(r.stdout)
        assert res["reason"] == "done", (name, res)
        assert res["oack"]["tsize"] == str(TREE[next(
            k for k in TREE if k.lower() == rel)]), (name, res)
        assert res["oack"]["msftwindow"] == "27182", (name, res)
        assert res["sha256"] == digest[rel], name

    # A language the tree does not have: "not found", and no server path.
    spec = dict(server=SRV, file="\\Boot\\x64\\de-DE\\bootmgr.exe.mui",
                options=[["blksize", 1456]])
    r = cli.run(["/usr/bin/python3", TFTP, json.dumps(spec)], timeout=60)
    res = json.loads(r.stdout)
    assert res["reason"] == "error" and res["error"]["code"] == 1, res
    assert str(root) not in res["error"]["msg"], res
