#!/usr/bin/env python3
"""sign.py WORKDIR SRCDIR - the DKIM key of signed.wire.example (RSA-2048,
made now with openssl), its zone record in WORKDIR/keys.zone, and each
SRCDIR/messages/*.eml whose name starts with "signed-" signed by Debian's
python3-dkim (dkimpy) into WORKDIR.  Messages named "signed-*-tampered"
get their body changed after signing."""
import base64, os, subprocess, sys
import dkim

work, src = sys.argv[1], sys.argv[2]
key = os.path.join(work, "dkim.pem")
subprocess.run(["openssl", "genrsa", "-traditional", "-out", key, "2048"], check=True,
               capture_output=True)
der = subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-outform", "DER"], check=True,
                     capture_output=True).stdout
p = base64.b64encode(der).decode()
rec = "v=DKIM1; k=rsa; p=" + p
chunks = " ".join('"%s"' % rec[i:i + 255] for i in range(0, len(rec), 255))
with open(os.path.join(work, "keys.zone"), "w") as z:
    z.write("sel._domainkey.signed.wire.example. TXT %s\n" % chunks)
priv = open(key, "rb").read()
mdir = os.path.join(src, "messages")
for name in sorted(os.listdir(mdir)):
    if not name.startswith("signed-"):
        continue
    msg = open(os.path.join(mdir, name), "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    sig = dkim.sign(msg, b"sel", b"signed.wire.example", priv, canonicalize=(b"relaxed", b"relaxed"),
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    out = sig + msg
    if "-tampered" in name:
        out = out.replace(b"original body", b"changed body")
    open(os.path.join(work, name), "wb").write(out)
