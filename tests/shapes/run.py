#!/usr/bin/python3
"""run.py - hostile From shapes, through authmilter-check and the daemon.

Every row of CASES is one message from an attacker's own server
(192.0.2.66, MAIL FROM bounce@evil.example, whose SPF passes) with the
header fields given, while bank.example publishes p=reject and
shop.example p=quarantine (tests/shapes/shapes.zone, served by a private
nsd).  Each row is checked four ways: authmilter-check and the real daemon
(tests/wire/mtaclient.py as the MTA), each with RejectUnusableFrom yes (the
default) and no, against the action and the reply or Authentication-Results
text the row wants.  The rows are the OpenDMARC CVE-2020-12272 shapes and
the From-field ambiguities of "Composition Kills" (USENIX Security 2020):
comments, quoted-pairs, encoded words, nested angle brackets, NUL and bare
CR, groups, empty display names, trailing dots, limits of the parser.

One more check per row uses an independent reader, Python's email package
(email.policy.default): when it displays an address at bank.example, no run
may accept the message.  TAP output."""
import email.policy
import os
import re
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("top_srcdir", ".")
BUILD = os.environ.get("top_builddir", ".")
HERE = os.path.join(SRC, "tests", "shapes")
WIRE = os.path.join(SRC, "tests", "wire")

# Wanted outcomes: (action, text the SMTP reply or the A-R must contain).
RU = ("reject", "5.7.1 message not RFC 5322 compliant")
RD = ("reject", "5.7.1 rejected by DMARC policy for bank.example")
QS = ("quarantine", "header.from=shop.example")
NONE = ("accept", "dmarc=none")
EVIL = ("accept", "dmarc=pass")


def many(n, addr):
    return ", ".join([addr] * n)


NINE = ", ".join("a@d%d.example" % i for i in range(1, 9)) + ", billing@bank.example"
SEVENTEEN = "".join("From: eve@evil.example\n" for _ in range(16)) + "From: billing@bank.example"

# (name, header fields, want with RejectUnusableFrom yes, want with no)
CASES = [
    ("control: bank address", "From: Billing <billing@bank.example>", RD, RD),
    ("control: attacker's own address", "From: Eve <eve@evil.example>", EVIL, EVIL),
    ("one '>' too many", "From: Billing <billing@bank.example>>", RU, RD),
    ("CVE-2020-12272 shape, unterminated comment", "From: billing@bank.example(.evil.example", RU, RD),
    ("CVE-2020-12272 shape, reversed", "From: eve@evil.example(.bank.example", RU, EVIL),
    ("comma in a quoted display name", 'From: "Billing, evil.example" <billing@bank.example>', RD, RD),
    ("unbalanced angle", "From: <billing@bank.example>>", RU, RD),
    ("no address at all", "From: billing", RU, NONE),
    ("no domain", "From: billing@", RU, NONE),
    ("address literal", "From: billing@[192.0.2.10]", RU, NONE),
    ("encoded word hides the address (B)", "From: =?utf-8?B?YmlsbGluZ0BiYW5rLmV4YW1wbGU=?=", RU, RD),
    ("encoded word hides the address (Q)", "From: =?us-ascii?Q?billing=40bank.example?=", RU, RD),
    ("encoded words split the address", "From: =?utf-8?Q?billing=40bank?= =?utf-8?Q?.example?=", RU, RD),
    ("display name without angle brackets (quoted)", 'From: "x" billing@bank.example', RU, RD),
    ("display name without angle brackets (atom)", "From: Billing billing@bank.example", RU, RD),
    ("64 addresses at the bank", "From: " + many(64, "billing@bank.example"), RD, RD),
    ("65 addresses at the bank (over the parser's limit)", "From: " + many(65, "billing@bank.example"), RU, RD),
    ("nine author domains (over the evaluated limit)", "From: " + NINE, RU, RU),
    ("two From fields", "From: billing@bank.example\nFrom: eve@evil.example", RD, RD),
    ("'From :' with a blank before the colon", "From : billing@bank.example\nFrom: eve@evil.example", RD, RD),
    ("seventeen From fields (over the kept limit)", SEVENTEEN, RU, RU),
    ("NUL byte after the address", "From: billing@bank.example\0<eve@evil.example>", RD, RD),
    ("bare CR inside the field", "From: billing@bank.example\r<eve@evil.example>", RU, RD),
    ("group with the bank's address", "From: Bank: billing@bank.example;", RD, RD),
    ("empty group", "From: undisclosed-recipients:;", RU, NONE),
    ("group, then the attacker", "From: Bank: billing@bank.example;, eve@evil.example", RD, RD),
    ("nested angle brackets", "From: <<billing@bank.example>>", RU, RD),
    ("angle address inside an angle address", "From: <billing@bank.example <eve@evil.example>>", RU, RD),
    ("empty quoted display name", 'From: "" <billing@bank.example>', RD, RD),
    ("trailing dot", "From: billing@bank.example.", RD, RD),
    ("two trailing dots", "From: billing@bank.example..", RU, RD),
    ("comment holds the bank's address", "From: (billing@bank.example) eve@evil.example", EVIL, EVIL),
    ("quoted-pair comma in the domain", "From: <billing@bank.example\\,@evil.example>", RU, RD),
    ("obsolete route before the bank's address", "From: <@evil.example:billing@bank.example>", RD, RD),
    ("obsolete route before the attacker's address", "From: <@bank.example:eve@evil.example>", EVIL, EVIL),
    ("quoted local part holds the bank's address", 'From: "billing@bank.example"@evil.example', EVIL, EVIL),
    ("empty From field", "From: ", RU, NONE),
    ("no From field", "Sender: billing@bank.example", RU, NONE),
    ("upper-case field name", "FROM: billing@bank.example", RD, RD),
    ("folded display name", "From: Billing\n <billing@bank.example>", RD, RD),
    ("shop address, one '>' too many", "From: <orders@shop.example>>", RU, QS),
]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, good, what, detail=""):
        self.n += 1
        print("%s %d - %s" % ("ok" if good else "not ok", self.n, what))
        if not good:
            self.failed += 1
            for line in detail.splitlines()[:12]:
                print("#   " + line)


def message(fields):
    text = fields.rstrip("\n") + "\nTo: bob@rcpt.example\nSubject: shapes\n"
    text += "Date: Tue, 01 Dec 2026 10:00:00 +0000\nMessage-ID: <shapes@evil.example>\n\nHello.\n"
    return text.encode("utf-8", "surrogateescape")


def reader_domains(fields):
    """The domains Python's email package displays for the From fields."""
    found = set()
    for line in re.split(r"\n(?![ \t])", fields):
        name, sep, value = line.partition(":")
        if not sep or name.strip().lower() != "from":
            continue
        try:
            hdr = email.policy.default.header_factory("From", value.split("\0")[0].strip())
            found.update(a.domain.lower().rstrip(".") for a in hdr.addresses if a.domain)
        except Exception:  # a reader that gives up shows nothing to check
            pass
    return found


def run_check(conf, path):
    out = subprocess.run([os.path.join(BUILD, "milter", "authmilter-check"), "--config", conf,
                          "--ip", "192.0.2.66", "--helo", "mx.evil.example",
                          "--mail-from", "bounce@evil.example", "--rcpt", "bob@rcpt.example",
                          "--json", path], capture_output=True, text=True, timeout=60)
    try:
        import json
        j = json.loads(out.stdout)
    except ValueError:
        return "error", out.stdout + out.stderr
    text = " ".join(x for x in (j["smtp_reply"], j["smtp_xcode"], j["smtp_text"]) if x)
    return j["action"], text + "\n" + re.sub(r"\s+", " ", j["authentication_results"])


def run_daemon(port, path):
    out = subprocess.run(["/usr/bin/python3", os.path.join(WIRE, "mtaclient.py"), "127.0.0.1",
                          str(port), path, "--ip", "192.0.2.66", "--helo", "mx.evil.example",
                          "--mail-from", "<bounce@evil.example>"],
                         capture_output=True, text=True, timeout=60)
    text = re.sub(r"\s+", " ", out.stdout)
    action = "accept"
    if re.search(r"^quarantine ", out.stdout, re.M) or "X-Authmilter-Quarantine" in out.stdout:
        action = "quarantine"
    m = re.search(r"^replycode (\S)", out.stdout, re.M)
    if m:
        action = "reject" if m.group(1) == "5" else "tempfail"
    if out.returncode != 0:
        action = "broken"
    return action, text


def start_nsd(tmp):
    out = subprocess.run(["sh", os.path.join(SRC, "tests", "dns", "nsd-start.sh"),
                          os.path.join(tmp, "nsd"), os.path.join(HERE, "shapes.zone"), "example"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        print("Bail out! cannot start nsd: %s" % out.stderr.strip())
        sys.exit(1)
    return int(out.stdout.strip())


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_daemon(tmp, nsport, mode):
    port = free_port()
    conf = os.path.join(tmp, "authmilter-%s.conf" % mode)
    with open(conf, "w") as f:
        f.write("Socket inet:%d@127.0.0.1\nAuthservID mx.shapes.example\n"
                "Nameservers 127.0.0.1@%d\nDNSTimeout 3\nSyslog no\n"
                "RejectUnusableFrom %s\n" % (port, nsport, mode))
    log = open(os.path.join(tmp, "milter-%s.log" % mode), "w")
    proc = subprocess.Popen([os.path.join(BUILD, "milter", "authmilter"), "-f", "-c", conf],
                            stderr=log)
    for _ in range(100):
        import socket
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, port, conf


def main():
    tap = Tap()
    tmp = tempfile.mkdtemp()
    procs = []
    try:
        nsport = start_nsd(tmp)
        daemons = {}
        for mode in ("yes", "no"):
            proc, port, conf = start_daemon(tmp, nsport, mode)
            procs.append(proc)
            daemons[mode] = (port, conf)
        for i, (name, fields, want_yes, want_no) in enumerate(CASES):
            path = os.path.join(tmp, "shape-%02d.eml" % i)
            with open(path, "wb") as f:
                f.write(message(fields))
            outcomes = []
            for mode, want in (("yes", want_yes), ("no", want_no)):
                port, conf = daemons[mode]
                for how, (action, text) in (("authmilter-check", run_check(conf, path)),
                                            ("daemon", run_daemon(port, path))):
                    outcomes.append(action)
                    good = action == want[0] and want[1] in text
                    tap.check(good, "%s: RejectUnusableFrom %s, %s: %s (%s)"
                              % (name, mode, how, want[0], want[1]),
                              "got %s: %s" % (action, text))
            shown = reader_domains(fields)
            tap.check("bank.example" not in shown or "accept" not in outcomes,
                      "%s: Python's email shows %s; never accepted when it shows the bank"
                      % (name, ", ".join(sorted(shown)) or "no address"),
                      "outcomes: %s" % outcomes)
        for proc in procs:
            tap.check(proc.poll() is None, "daemon %d still running after the shapes" % proc.pid)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        subprocess.run(["sh", os.path.join(SRC, "tests", "dns", "nsd-stop.sh"),
                        os.path.join(tmp, "nsd")])
        subprocess.run(["rm", "-rf", tmp])
    print("1..%d" % tap.n)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
