#!/usr/bin/env python3
"""bad_input.py WORKDIR - hostile messages for the wire tests, sent by
mtaclient.py (Debian's miltertest cannot send long header values): a 1 MB
header line, 10,000 header fields, 500 DKIM signatures, 8-bit bytes in
header fields, a From with 1,000 addresses.  WORKDIR/bad-NAME.eml is the
message, WORKDIR/bad-NAME.expect the substrings mtaclient.py's output must
contain, one per line.  Each must get a clear outcome (no crash, no hang);
run.sh then checks the daemon is still alive."""
import os, sys

work = sys.argv[1]
HEAD = ("To: bob@rcpt.example\nSubject: hostile\n"
        "Date: Tue, 01 Dec 2026 10:00:00 +0000\n")

def case(name, msg, lines):
    with open(os.path.join(work, "bad-" + name + ".eml"), "w", encoding="latin-1") as f:
        f.write(msg)
    with open(os.path.join(work, "bad-" + name + ".expect"), "w") as f:
        f.write("\n".join(lines) + "\n")

# A 1 MB header line (in a 1 MB milter packet, SMFIP_MDS_1M; Postfix
# itself cuts header fields at header_size_limit, 100 KB).
case("huge-line", "From: alice@pass.wire.example\nX-Huge: " + "a" * 1000000 + "\n"
     + HEAD + "\nbody\n", ["final a", "dmarc=pass"])
# 10,000 header fields.
case("many-fields", "From: alice@pass.wire.example\n" + "".join("X-F%d: v\n" % i for i in range(10000))
     + HEAD + "\nbody\n", ["final a", "dmarc=pass"])
# 500 DKIM signatures (garbage, none verifiable): at most DKIMMaxSignatures are evaluated.
sigs = "".join("DKIM-Signature: v=1; a=rsa-sha256; d=pass.wire.example; s=s%d; h=from;"
               " bh=AAAA; b=BBBB%d\n" % (i, i) for i in range(500))
case("many-signatures", sigs + "From: alice@pass.wire.example\n" + HEAD + "\nbody\n",
     ["final a", "dmarc=pass"])
# 8-bit bytes in header fields, the From's display name included.
case("eight-bit", "From: \xc3\xa9l\xe8ve <alice@pass.wire.example>\nX-Bin: \x80\xff\xfe\n" + HEAD
     + "\nbody\n", ["final a", "dmarc=pass"])
# A From with 1,000 addresses: over the parser's limit, no author domain set:
# rejected (RejectUnusableFrom), never passed.
case("thousand-from", "From: " + ", ".join("u%d@reject.wire.example" % i for i in range(1000)) + "\n"
     + HEAD + "\nbody\n", ["replycode 550 5.7.1 message not RFC 5322 compliant", "too many mailboxes"])
