"""Real firmware, end to end: QEMU machines network-boot through pxeha to a
Linux kernel + initramfs whose /init prints a marker on the serial
console (tools/lib/bootkit), BIOS (SeaBIOS + QEMU's iPXE NIC ROM) and
UEFI x64 (OVMF's own PXE, no iPXE ROM: the path a real UEFI machine
takes, ipxe.efi then its script), with pxeha as the subnet's DHCP server
and as a ProxyDHCP beside dnsmasq (plain DHCP, no PXE options) on the same
host.  The BIOS machines fetch script and kernel over pxeha's HTTP, the
UEFI ones everything over its TFTP.  Each boot is bounded (240 s; QEMU
uses KVM where it works, else TCG).

Host: namespace px*-bsrv with a bridge (198.18.72.1/24) holding the
machine's tap; nothing in the root namespace."""
import re
import subprocess

import pytest

from conftest import ROOT
from helpers.qemu_boot import RouterAdvertiser, boot

SRV = "198.18.72.1"

CONF = """\
[node]
name = e2e
state_dir = {state}

[pxe]
mode = %(mode)s

[interface %(br)s]
address = 198.18.72.1

[subnet lab]
network = 198.18.72.0/24
interface = %(br)s
%(pool)s

; iPXE (the BIOS NIC ROM, or ipxe.efi once loaded) gets the script; the
; BIOS one over HTTP, the UEFI one over TFTP (relative names in the script
; then load the kernel the same way).
[boot bios]
arch = bios
file = undionly.kpxe
script = http://{server}:8080/boot.ipxe

[boot uefi]
arch = efi-x64
file = ipxe.efi
script = boot.ipxe

[tftp]
enable = yes
root = %(kit)s

[http]
enable = yes
listen = 0.0.0.0:8080
"""


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    d = tmp_path_factory.mktemp("bootkit")
    r = subprocess.run([str(ROOT / "tools" / "lib" / "bootkit"), str(d)],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return d


def remark(kit, marker):
    """Point boot.ipxe at marker (bootkit bakes it into the script)."""
    p = kit / "boot.ipxe"
    p.write_text(re.sub(r"pxeha\.marker=\S+", "pxeha.marker=" + marker,
                        p.read_text()))


@pytest.fixture
def bootlab(netns):
    """A namespace with a bridge (our address) and a tap for QEMU."""
    ns = netns("bsrv")
    u = ns.name.split("-")[0]		# px<id>
    br, tap = u + "br", u + "t"
    assert len(br) <= 15 and len(tap) <= 15
    ns.run(["ip", "link", "add", br, "type", "bridge"])
    ns.run(["ip", "addr", "add", SRV + "/24", "dev", br])
    ns.run(["ip", "tuntap", "add", tap, "mode", "tap"])
    ns.run(["ip", "link", "set", tap, "master", br])
    ns.run(["ip", "link", "set", tap, "up"])
    ns.run(["ip", "link", "set", br, "up"])
    return ns, br, tap


def metric(p, name):
    code, body = p.http("/metrics")
    assert code == 200
    total = 0
    for line in body.splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.parametrize("firmware,mode", [("bios", "dhcp"), ("uefi", "dhcp"),
                                           ("bios", "proxy"),
                                           ("uefi", "proxy")])
def test_firmware_boots_through_pxeha(bootlab, pxeha, plain_dhcp, kit,
                                      tmp_path, firmware, mode):
    ns, br, tap = bootlab
    marker = "%s-%s" % (firmware, mode)
    remark(kit, marker)
    pool = "pool = 198.18.72.100-198.18.72.149" if mode == "dhcp" else ""
    if mode == "proxy":
        # The site's own DHCP server: addresses only, nothing about PXE.
        _, leases = plain_dhcp(ns, br, "198.18.72.150", "198.18.72.199")
    p = pxeha(ns, CONF % {"mode": mode, "br": br, "pool": pool, "kit": kit})
    p.start()
    # Empty IPv6 RAs end iPXE's wait for an IPv6 router (~12 s per
    # network configuration); nothing is configured by them.
    with RouterAdvertiser(ns.name, br):
        r = boot(ns.name, tap, firmware=firmware, marker=marker,
                 mac="52:54:00:e2:e0:%02x" % (1 + 2 * (mode == "proxy") +
                                               (firmware == "uefi")),
                 timeout=240, log_path=tmp_path / "console.log",
                 nic_rom=(firmware == "bios"))
    assert r["ok"], "%s\n--- console ---\n%s\n--- pxeha ---\n%s" % (
        r["reason"], r["console_text"], p.log())
    print("%s boot in %.1f s" % (marker, r["seconds"]))

    log = p.log()
    phase = "dhcp answer" if mode == "dhcp" else "proxy answer"
    if firmware == "bios":
        # The NIC ROM is iPXE: its script straight away, then the kernel
        # and initrd over our HTTP.
        assert "(bios, iPXE)" in log and phase in log, log
        assert metric(p, 'pxeha_http_requests_total{code="200"}') >= 3
        assert metric(p, "pxeha_http_bytes_sent_total") > 8e6
    else:
        # OVMF's PXE: ipxe.efi by TFTP, then iPXE's script and the kernel.
        assert "(efi-x64) on" in log and "(efi-x64, iPXE) on" in log, log
        if mode == "proxy":
            assert "4011 answer by [boot uefi]" in log, log
        tftp = p.http("/metrics")[1]
        for f in ("ipxe.efi", "boot.ipxe", "vmlinuz", "initrd.img"):
            assert re.search(r'pxeha_tftp_requests_total\{file="%s"\} '
                             r'[1-9]' % re.escape(f), tftp), (f, tftp)
    if mode == "proxy":
        assert "52:54:00:e2:e0" in leases.read_text()


GUID = "4c4c4544-0042-3510-8052-b3c04f4e3832"


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_known_machine_by_its_uuid(bootlab, pxeha, kit, tmp_path, firmware):
    """pxe_answer = known, the machine prestaged by its UUID only (as WDS
    does): the firmware's option 97 (SeaBIOS's iPXE, OVMF, then ipxe.efi)
    must match the [host] guid as dmidecode would print it."""
    ns, br, tap = bootlab
    marker = "%s-known" % firmware
    remark(kit, marker)
    conf = CONF % {"mode": "dhcp", "br": br, "kit": kit,
                   "pool": "pool = 198.18.72.100-198.18.72.149\n"
                           "pxe_answer = known"}
    conf += "\n[host staged]\nguid = %s\n" % GUID
    p = pxeha(ns, conf)
    p.start()
    with RouterAdvertiser(ns.name, br):
        r = boot(ns.name, tap, firmware=firmware, marker=marker,
                 mac="52:54:00:e2:e1:%02x" % (firmware == "uefi"),
                 timeout=240, log_path=tmp_path / "console.log",
                 nic_rom=(firmware == "bios"), extra=("-uuid", GUID))
    assert r["ok"], "%s\n--- console ---\n%s\n--- pxeha ---\n%s" % (
        r["reason"], r["console_text"], p.log())
    print("%s boot in %.1f s" % (marker, r["seconds"]))


HTTP_RULES = """
[boot ipxe]
arch = efi-x64
client = ipxe
file = http://{server}:8080/boot.ipxe

[boot http]
arch = http-x64
file = http://{server}:8080/ipxe.efi
"""


@pytest.mark.parametrize("mode", ["dhcp", "proxy"])
def test_uefi_http_boot(bootlab, pxeha, plain_dhcp, kit, tmp_path, mode):
    """UEFI HTTP boot (OVMF's HttpBootDxe; its PXE turned off through
    fw_cfg so HTTPv4 is what it tries): option 60 HTTPClient, the rule's
    URL, ipxe.efi over pxeha's HTTP, then iPXE's script and the kernel."""
    ns, br, tap = bootlab
    marker = "http-%s" % mode
    remark(kit, marker)
    if mode == "proxy":
        plain_dhcp(ns, br, "198.18.72.150", "198.18.72.199")
    conf = CONF % {"mode": mode, "br": br, "kit": kit,
                   "pool": "pool = 198.18.72.100-198.18.72.149"
                   if mode == "dhcp" else ""}
    # These rules first: the first match wins.
    conf = conf.replace("[boot bios]", HTTP_RULES.lstrip() + "\n[boot bios]")
    p = pxeha(ns, conf)
    p.start()
    with RouterAdvertiser(ns.name, br):
        r = boot(ns.name, tap, firmware="uefi", marker=marker,
                 mac="52:54:00:e2:e2:%02x" % (mode == "proxy"), timeout=240,
                 log_path=tmp_path / "console.log", nic_rom=False,
                 extra=("-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,"
                        "string=n", "-fw_cfg",
                        "name=opt/org.tianocore/IPv6PXESupport,string=n"))
    assert r["ok"], "%s\n--- console ---\n%s\n--- pxeha ---\n%s" % (
        r["reason"], r["console_text"], p.log())
    print("%s boot in %.1f s" % (marker, r["seconds"]))
    log = p.log()
    assert "(http-x64) on" in log and "by [boot http]" in log, log
    assert "GET ipxe.efi 200" in log, log
