#!/usr/bin/env python3
"""arc_seal.py WORKDIR - ARC chains for the wire and end-to-end tests, sealed
by Debian's python3-dkim (dkimpy), an implementation independent of ours.

A message of signed.wire.example (DMARC p=reject) is DKIM-signed with the
key sign.py made (WORKDIR/dkim.pem, selector "sel") and sent through a
mailing list: the list checks it (its Authentication-Results say dkim, spf
and dmarc pass for signed.wire.example), tags the Subject, adds a footer
(which breaks the author's DKIM signature) and seals the result with ARC
(instance 1, cv=none).  The list resends it from bounce@list.wire.example,
whose SPF passes for 192.0.2.30 but does not align: DMARC fails.

Writes into WORKDIR:
  arc-trusted.eml    sealed by lists.wire.example (in ARCTrustedSealers);
  arc-untrusted.eml  the same list run by evil.wire.example (not trusted);
  arc-broken.eml     arc-trusted.eml with its body changed after sealing
                     (the chain fails);
  arc-replay.eml     arc-trusted.eml with its body replaced and resealed
                     by evil.wire.example as instance 2 (cv=pass): the
                     chain passes, but the trusted instance's AMS no longer
                     verifies (oldest pass 2), so its word is void;
and the sealers' keys (RSA-2048, selector "arc") as zone lines in
WORKDIR/arc.zone (keys.zone keeps sign.py's key alone)."""
import base64
import os
import subprocess
import sys

import dkim

work = sys.argv[1]


def sh(*a):
    return subprocess.run(a, check=True, capture_output=True).stdout


DNS = {}


def sealer_key(dom):
    pem = os.path.join(work, "arc-%s.pem" % dom)
    sh("openssl", "genrsa", "-traditional", "-out", pem, "2048")
    der = sh("openssl", "rsa", "-in", pem, "-pubout", "-outform", "DER")
    rec = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    chunks = " ".join('"%s"' % rec[i:i + 255] for i in range(0, len(rec), 255))
    DNS[("arc._domainkey.%s." % dom).encode()] = rec.encode()
    with open(os.path.join(work, "arc.zone"), "a") as z:
        z.write("arc._domainkey.%s. TXT %s\n" % (dom, chunks))
    return open(pem, "rb").read()


ORIGINAL = (b"From: Author <author@signed.wire.example>\r\n"
            b"To: list@lists.wire.example\r\n"
            b"Subject: through the list\r\n"
            b"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
            b"Message-ID: <arc-wire@signed.wire.example>\r\n"
            b"\r\n"
            b"This is the original body.\r\n")


def authored():
    key = open(os.path.join(work, "dkim.pem"), "rb").read()
    sig = dkim.sign(ORIGINAL, b"sel", b"signed.wire.example", key,
                    canonicalize=(b"relaxed", b"relaxed"),
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    return sig + ORIGINAL


def reseal(msg, dom, key):
    """A later hop at dom: new body, its A-R claiming arc=pass, sealed as the next instance."""
    head, body = msg.split(b"\r\n\r\n", 1)
    body = b"Please confirm your password at https://evil.example/\r\n"
    ar = ("Authentication-Results: %s; arc=pass; dmarc=pass header.from=signed.wire.example\r\n"
          % dom).encode()
    msg = ar + head + b"\r\n\r\n" + body
    arc = dkim.arc_sign(msg, b"arc", dom.encode(), key, dom.encode())
    if len(arc) != 3:
        sys.exit("arc_seal.py: dkimpy did not seal at %s" % dom)
    return b"".join(arc) + msg


def through_list(msg, dom, key):
    """The list at dom: check, add its A-R and Received, change, seal."""
    head, body = msg.split(b"\r\n\r\n", 1)
    head = head.replace(b"Subject: through the list", b"Subject: [list] through the list")
    body += b"-- \r\nlist footer: unsubscribe at https://lists.example/\r\n"
    ar = ("Authentication-Results: %s; dkim=pass header.d=signed.wire.example header.s=sel;\r\n"
          "\tspf=pass smtp.mailfrom=author@signed.wire.example;\r\n"
          "\tdmarc=pass header.from=signed.wire.example\r\n" % dom).encode()
    recv = ("Received: from mail.signed.wire.example by %s; "
            "Tue, 01 Dec 2026 10:00:05 +0000\r\n" % dom).encode()
    msg = ar + recv + head + b"\r\n\r\n" + body
    arc = dkim.arc_sign(msg, b"arc", dom.encode(), key, dom.encode())
    if len(arc) != 3:
        sys.exit("arc_seal.py: dkimpy did not seal at %s" % dom)
    return b"".join(arc) + msg


def oracle(msg):
    """dkimpy's own verdict on a chain."""
    cv, _, why = dkim.arc_verify(msg, dnsfunc=lambda name, timeout=5: DNS.get(name))
    return cv.decode() if isinstance(cv, bytes) else str(cv), why


keys = {d: sealer_key(d) for d in ("lists.wire.example", "evil.wire.example")}
original = authored()
trusted = through_list(original, "lists.wire.example", keys["lists.wire.example"])
untrusted = through_list(original, "evil.wire.example", keys["evil.wire.example"])
broken = trusted.replace(b"This is the original body.", b"This is a changed body.")
replay = reseal(trusted, "evil.wire.example", keys["evil.wire.example"])
for name, data, want in (("arc-trusted.eml", trusted, "pass"),
                         ("arc-untrusted.eml", untrusted, "pass"),
                         ("arc-broken.eml", broken, "fail"),
                         ("arc-replay.eml", replay, "pass")):
    got, why = oracle(data)
    if got != want:
        sys.exit("arc_seal.py: dkimpy says %s for %s (want %s): %s" % (got, name, want, why))
    open(os.path.join(work, name), "wb").write(data)
