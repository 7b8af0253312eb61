#!/usr/bin/python3
"""helper.py - small tools of the end-to-end tests (tests/e2e/postfix.sh, sendmail.sh).

  helper.py port
      print a free TCP port on 127.0.0.1
  helper.py wait PORT|PATH SECONDS [PID]
      wait until 127.0.0.1:PORT (or the unix socket PATH, a name with a
      slash) accepts connections (exit 1 on timeout, or as soon as process
      PID, the one that should listen, is gone)
  helper.py find MAILDIR QUEUEID SECONDS
      wait for the message the MTA queued as QUEUEID to appear in MAILDIR/new
      (found by its Received header "... with ESMTP id QUEUEID") and print
      its path (exit 1 when it does not come)
  helper.py ar FILE AUTHSERV-ID CHECK...
      parse every Authentication-Results field of the message (or header
      section) in FILE with python3-authres, an independent RFC 8601 parser,
      and check each CHECK against the one field whose authserv-id is
      AUTHSERV-ID (there must be exactly one, unless a count: check says
      otherwise):
        method=result              e.g. spf=pass, dmarc=fail
        method.ptype.name=value    e.g. dmarc.header.from=pass.wire.example
        text:TEXT                  its unfolded text contains TEXT (authres
                                   drops comments, where authmilter says
                                   why: "override=policy_test_mode")
        count:ID=N                 N fields carry authserv-id ID
        absent:TEXT                no Authentication-Results field contains TEXT
      Prints what it parsed as TAP comments; exit 1 on the first failed check.
  helper.py sign KEY IN OUT
      sign the message IN with python3-dkim (d=signed.wire.example, s=sel,
      the key tests/wire/sign.py made) with simple/simple canonicalization,
      into OUT: a header whose bytes change on the way (the blank after the
      colon) breaks it, unlike relaxed
  helper.py verify KEYZONE FILE
      verify the DKIM signature of FILE with python3-dkim, the key taken
      from the TXT record in KEYZONE (tests/wire/sign.py's keys.zone)
  helper.py midkill PORT PID MAILFROM RCPT FILE [SOURCE]
      one SMTP session to the MTA at 127.0.0.1:PORT presenting client
      192.0.2.10 by XCLIENT (Postfix), or connecting from the address
      SOURCE (Sendmail, which has no XCLIENT): EHLO, MAIL, RCPT, then
      SIGKILL to PID (the milter, which the MTA is connected to for this
      session), then DATA with FILE (its lines ended by CRLF); prints the
      reply to the end of data ("CODE text").

Runs with Debian's /usr/bin/python3 (python3-authres, python3-dkim).  Stdlib otherwise.
"""
import email
import email.policy
import os
import re
import signal
import smtplib
import socket
import sys
import time

import authres
import dkim


def cmd_port(_args):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()
    return 0


def alive(pid):
    """Is pid running (not a zombie)?"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def connect(where):
    """A connection to 127.0.0.1:PORT, or to the unix socket at a path."""
    if "/" not in where:
        return socket.create_connection(("127.0.0.1", int(where)), timeout=1)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1)
    try:
        s.connect(where)
    except OSError:
        s.close()
        raise
    return s


def cmd_wait(args):
    where, limit = args[0], float(args[1])
    pid = int(args[2]) if len(args) > 2 else None
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pid is not None and not alive(pid):
            return 1
        try:
            connect(where).close()
            return 0
        except OSError:
            time.sleep(0.1)
    return 1


def received_id(path):
    """The queue ids in the Received fields of the message at path."""
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.compat32)
    ids = []
    for v in msg.get_all("Received") or []:
        m = re.search(r"\bid\s+([0-9A-Za-z]+)", v)
        if m:
            ids.append(m.group(1))
    return ids


def cmd_find(args):
    maildir, qid, limit = args[0], args[1], float(args[2])
    end = time.monotonic() + limit
    new = os.path.join(maildir, "new")
    while True:
        if os.path.isdir(new):
            for name in sorted(os.listdir(new)):
                path = os.path.join(new, name)
                if qid in received_id(path):
                    print(path)
                    return 0
        if time.monotonic() >= end:
            return 1
        time.sleep(0.1)


def ar_fields(path):
    """(raw unfolded value, parsed header or None, error) per A-R field."""
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.compat32)
    out = []
    for raw in msg.get_all("Authentication-Results") or []:
        value = re.sub(r"\r?\n", "", str(raw)).strip()
        try:
            h = authres.all_features().parse("Authentication-Results: " + value)
            out.append((value, h, None))
        except Exception as e:  # the parser's own exceptions vary
            out.append((value, None, "%s: %s" % (type(e).__name__, e)))
    return out


def describe(h):
    parts = []
    for r in h.results:
        props = " ".join("%s.%s=%s" % (p.type, p.name, p.value) for p in r.properties)
        parts.append("%s=%s%s" % (r.method, r.result, " " + props if props else ""))
    return "; ".join(parts) or "(no results)"


def check_one(ours, check):
    """Check one method=result or method.ptype.name=value; None or why not."""
    key, _, want = check.partition("=")
    want = want.lower()
    parts = key.lower().split(".", 2)
    method = parts[0]
    results = [r for r in ours.results if r.method.lower() == method]
    if not results:
        return "no %s result" % method
    if len(parts) == 1:
        got = [str(r.result).lower() for r in results]
        return None if want in got else "%s is %s" % (method, ",".join(got))
    if len(parts) != 3:
        return "bad check %s" % check
    got = [str(p.value).lower() for r in results for p in r.properties
           if p.type.lower() == parts[1] and p.name.lower() == parts[2]]
    return None if want in got else "%s is %s" % (key, ",".join(got) or "absent")


def cmd_ar(args):
    path, authserv, checks = args[0], args[1].lower(), args[2:]
    fields = ar_fields(path)
    for value, h, err in fields:
        if h is None:
            print("# A-R unparsed (%s): %s" % (err, value))
        else:
            print("# A-R %s: %s" % (h.authserv_id, describe(h)))
    bad = [e for _, h, e in fields if h is None]
    ours = [h for _, h, _ in fields if h is not None and h.authserv_id == authserv]
    ours_text = [v for v, h, _ in fields if h is not None and h.authserv_id == authserv]
    counted = any(c.startswith("count:") for c in checks)
    if bad:
        # Our header must always parse; a forged one we were meant to delete too.
        print("# an Authentication-Results field did not parse")
        return 1
    if not counted and len(ours) != 1:
        print("# %d fields with authserv-id %s, want 1" % (len(ours), authserv))
        return 1
    for c in checks:
        why = None
        if c.startswith("count:"):
            ident, _, n = c[len("count:"):].partition("=")
            got = sum(1 for _, h, _ in fields if h.authserv_id == ident.lower())
            why = None if got == int(n) else "%d fields of %s" % (got, ident)
        elif c.startswith("absent:"):
            text = c[len("absent:"):]
            why = None if all(text not in v for v, _, _ in fields) else "present: " + text
        elif c.startswith("text:"):
            text = c[len("text:"):]
            why = None if text in ours_text[0] else "not in our field: " + text
        else:
            why = check_one(ours[0], c)
        if why is not None:
            print("# check %s failed: %s" % (c, why))
            return 1
    return 0


def cmd_sign(args):
    key, src, out = args
    with open(key, "rb") as f:
        priv = f.read()
    with open(src, "rb") as f:
        msg = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    sig = dkim.sign(msg, b"sel", b"signed.wire.example", priv, canonicalize=(b"simple", b"simple"),
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    with open(out, "wb") as f:
        f.write(sig + msg)
    return 0


def cmd_verify(args):
    with open(args[0]) as f:
        txt = "".join(re.findall(r'"([^"]*)"', f.read()))
    with open(args[1], "rb") as f:
        msg = f.read()
    return 0 if dkim.verify(msg, dnsfunc=lambda _name, timeout=5: txt.encode()) else 1


def cmd_midkill(args):
    port, pid, mailfrom, rcpt, path = int(args[0]), int(args[1]), args[2], args[3], args[4]
    source = args[5] if len(args) > 5 else None
    with open(path, "rb") as f:
        # smtplib sends bytes as they are; Sendmail refuses a bare LF.
        data = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    s = smtplib.SMTP("127.0.0.1", port, timeout=60,
                     source_address=(source, 0) if source else None)
    s.ehlo("mail.pass.wire.example")
    if source is None:
        code, text = s.docmd("XCLIENT", "ADDR=192.0.2.10 NAME=[UNAVAILABLE]")
        if code != 220:
            print("XCLIENT %d %s" % (code, text.decode(errors="replace")))
            return 1
        s.ehlo("mail.pass.wire.example")
    s.mail(mailfrom)
    code, text = s.rcpt(rcpt)
    if code != 250:
        print("RCPT %d %s" % (code, text.decode(errors="replace")))
        return 1
    os.kill(pid, signal.SIGKILL)
    # The MTA notices the dead milter at the next event it sends it.
    try:
        code, text = s.data(data)
    except smtplib.SMTPDataError as e:
        code, text = e.smtp_code, e.smtp_error
    except smtplib.SMTPServerDisconnected as e:
        print("000 disconnected: %s" % e)
        return 0
    print("%d %s" % (code, text.decode(errors="replace")))
    try:
        s.quit()
    except smtplib.SMTPException:
        pass
    return 0


def main():
    cmds = {"port": cmd_port, "wait": cmd_wait, "find": cmd_find, "ar": cmd_ar,
            "sign": cmd_sign, "verify": cmd_verify, "midkill": cmd_midkill}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
