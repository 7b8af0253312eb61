#!/usr/bin/python3
# milter_seeds.py - write the hand-made seeds of fuzz_milter (callback
# sequences, the record format of tests/fuzz/fuzz_milter.c) into a
# directory, by default tests/fuzz/corpus/milter.  The DKIM-signed seed is
# signed with python3-dkim and the key below, whose public half is the
# fz._domainkey.example.com record of fuzz_milter.c's zone (a test key).
# The ARC-signed seed is the ARC test suite's cv_pass_i1_1 message.
# Usage: /usr/bin/python3 tests/fuzz/milter_seeds.py [DIR]
import os
import socket
import struct
import sys

import dkim

KEY = b"""-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDX06pEWds3sipPG5I+31j3MtmPLnM61l330pyo7tDdUlOmtZj9
0WcQWsU3RSo3XnAC26c6mwsMu5yn3OkOziXcfJB0jrQLeksb7x9NNCGYbeBEhq+d
enPE4IX+0q1CV4wi7yn+x+nzDEvDork1yXDPSdcHpv1GhDsUksA+OLIgcwIDAQAB
AoGBAIuL2f1Ts//w/JYll4t7UcSTZkPDntGeJSfFT3GS6A0R2/BgXklOibrzVayE
1eTy9K2EZD3qXVygOYv3s+DUvXkAE/0KsK5f3cC0ONUBL+DliOpYfkOf4HvAuNSc
RLwdwtw5uiVzASXQcFb/Ho4OTt0j91TvMM1bs5JWsbJ3s2ihAkEA81OgrURIam1P
0/w7vX6I3VmQFay3XUp1ZFTRmv8pIaM1hyCJaCaMGw1nyoHut1wlxtHXHUGAYSU/
s7dLZCvZ2QJBAOMRXvA6Se2DlUMPxsqF54BS/ae7I1AXDjTEQ/yyBelGO0C6pZcD
wz74yfijEvCbBvGWfi3xAgEzAu34HC5yMSsCQQCtcLylBHkBs20lUzNZ/OmdrYtw
h64kB0DqBTNq4dn1qhoreVu4K1HOrp1+0WLQvBQJReWpatkRZbWkalCI1GDxAkAu
xvxU5t0l9e6A4zYjsJQxZmdk73Nl42oEys3qt83p8ZLxUcIdKyREy8Hn28hiEr3K
dSNHWZf9IUIgPfWoR9QDAkEAi2PalgjHxEBHNfaIyIwrAO32ZHzKDsCllIqh1Ebz
dDmSPuIOeqWi4TK52KMF+5MyjsZNkfL1m4lou+Vrf+LARw==
-----END RSA PRIVATE KEY-----
"""


def rec(op, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return op.encode() + struct.pack("<H", len(payload)) + payload


def connect(ip, host="client.example", leadspc=False):
    if ip is None:
        flags, addr = 2, b""
    elif ":" in ip:
        flags, addr = 1, socket.inet_pton(socket.AF_INET6, ip)
    else:
        flags, addr = 0, socket.inet_pton(socket.AF_INET, ip)
    return rec("C", bytes([flags | (4 if leadspc else 0)]) + addr + host.encode())


def macro(name, value):
    return rec("M", name.encode() + b"\0" + value.encode())


def header(name, value, rep=0):
    if isinstance(value, str):
        value = value.encode()
    return rec("H", bytes([rep]) + name.encode() + b"\0" + value)


def fields(text):
    """Header fields of a message text (folds kept, LF line ends)."""
    out = []
    for line in text.split(b"\n"):
        if line[:1] in (b" ", b"\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + b"\n" + line)
        elif b":" in line:
            name, value = line.split(b":", 1)
            out.append((name.decode(), value[1:] if value[:1] == b" " else value))
    return out


def message(msg, mail_from, rcpts=("<bob@example.net>",), qid="4Q1AbC2dEf"):
    """Envelope, header fields and body of msg (bytes, LF line ends)."""
    head, _, body = msg.partition(b"\n\n")
    out = macro("i", qid) + rec("F", mail_from)
    for r in rcpts:
        out += rec("R", r)
    for name, value in fields(head):
        out += header(name, value)
    out += rec("O", b"")
    body = body.replace(b"\n", b"\r\n")
    for i in range(0, len(body), 4096):
        out += rec("B", body[i:i + 4096])
    return out + rec("Z", b"")


def simple(frm, subject="hello", extra=b""):
    return (b"From: " + frm + b"\nTo: Bob <bob@example.net>\nSubject: " + subject.encode() +
            b"\nDate: Tue, 1 Dec 2026 10:00:00 +0000\nMessage-ID: <1@example.org>\n" + extra +
            b"\nHello Bob,\nthis is a test.\n")


def seeds(srcdir):
    s = {}
    s["dmarc_pass"] = (connect("192.0.2.5", "mail.example.org") + macro("{daemon_name}", "mta") +
                       rec("E", "mail.example.org") +
                       message(simple(b"Alice <alice@example.org>"), "<alice@example.org>") +
                       rec("Q", ""))
    s["reject"] = (connect("198.51.100.7", "evil.example") + rec("E", "evil.example") +
                   message(simple(b"Alice <alice@example.org>"), "<alice@evil.example>"))
    s["unparseable_from"] = (connect("198.51.100.7") + rec("E", "evil.example") +
                             message(simple(b"Billing <billing@example.org>>"),
                                     "<x@evil.example>"))
    signed = simple(b"Carol <carol@example.com>", "signed")
    signed = dkim.sign(signed.replace(b"\n", b"\r\n"), b"fz", b"example.com", KEY,
                       include_headers=[b"from", b"to", b"subject", b"date"]).replace(
                           b"\r\n", b"\n") + signed
    s["dkim_pass"] = (connect("203.0.113.9", "relay.example", leadspc=True) +
                      rec("E", "relay.example") + message(signed, "<carol@elsewhere.example>"))
    with open(os.path.join(srcdir, "tests/fuzz/corpus/arc_verify/cv_pass_i1_1"), "rb") as f:
        arc = f.read()
    s["arc_signed"] = (connect("72.52.75.15", "segv.d1.example") + rec("E", "lists.example.org") +
                       message(arc, "<arc-bounces@example.org>", ("<arc@dmarc.org>",)))
    many = b"".join(b"X-Filler-%d: value %d\n" % (i, i) for i in range(200))
    many += (b"Authentication-Results: mx.example.net; dmarc=pass header.from=example.org\n"
             b"Authentication-Results: other.example; spf=pass\n"
             b"From: second <b@example.com>\n"
             b"Subject: folded\n\tacross\n  lines\n")
    s["many_headers"] = (connect("2001:db8::25", "v6.example") + rec("E", "v6.example") +
                         message(simple(b"a@example.org", extra=many), "<a@example.org>",
                                 ["<r%d@d%d.example>" % (i, i) for i in range(40)]))
    s["hostile_values"] = (connect("198.51.100.8", "h\r\nost") + rec("E", "slow.example") +
                           macro("i", "Q\r\nID%s%n" + "x" * 200) +
                           macro("{daemon_name}", "%s%s%s\r\n") + macro("{auth_authen}", "") +
                           rec("F", "<@slow.example>") + rec("R", "<postmaster>") +
                           header("From", b"x <a@slow.example>\0<b@example.org>") +
                           header("Subject", b"bare\rCR\rhere") +
                           header("To", b"a@example.net,\r\n b@example.net") +
                           header("Received", b"from x ", 255) +
                           header("From", b"=?utf-8?q?billing=40example=2Eorg?= <a@evil.example>") +
                           rec("O", b"") + rec("B", b"\0\r\n.\r\nbody\rbare\n") + rec("Z", b""))
    s["sessions"] = (connect("10.1.2.3", "internal") + message(simple(b"i@example.org"), "<>") +
                     connect("198.51.100.9") + macro("{auth_authen}", "user@example.org") +
                     message(simple(b"u@example.org"), "<u@example.org>") +
                     macro("{auth_authen}", "") + rec("F", "<v@example.org>") +
                     header("From", "v@example.org") + rec("A", "") +
                     message(simple(b"\"x\" w@example.org"), "<w@example.org>") +
                     rec("Z", "") + rec("Q", "") + rec("H", "\0From\0late@example.org") +
                     connect(None, "unknown") + message(simple(b"group: a@example.org;"), "") )
    return s


def main():
    srcdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(srcdir, "tests/fuzz/corpus/milter")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds(srcdir).items():
        with open(os.path.join(out, "seed_" + name), "wb") as f:
            f.write(data)


main()
