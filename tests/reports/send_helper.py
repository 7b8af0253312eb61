#!/usr/bin/python3
"""send_helper.py - tools of the report sender's tests (tests/reports/send_*.sh).

  send_helper.py mkreport SPOOL [options]
      write a gzipped aggregate report and its .meta (doc/report-spool.md)
      into SPOOL/outgoing and print the base name.  Options:
        --receiver R (mx.receiver.example)   --policy D (example.com)
        --begin N (1795392000)  --end N (1795478399)  --uid U (1a2b3c)
        --id REPORT-ID (<uid>.<policy>@mx.receiver.example)
        --org ORG (mx.receiver.example)  --format F (dmarc-2.0)
        --rua URI (repeatable)  --pad BYTES (random text added to the XML,
        for a report of a given size)  --meta-extra LINE (appended verbatim)
  send_helper.py capture OUTDIR [STATUS]
      a ReportSendCommand: save standard input as OUTDIR/msg-N.eml (N
      counting from 1) and exit with STATUS (default 0)
  send_helper.py check MSG GZ KEY=VALUE...
      decode the message MSG with Python's email package and check it:
      From, To, Subject, Message-ID, Date, MIME-Version, multipart/mixed
      with a text/plain part and exactly one application/gzip attachment
      (base64, lines of at most 76 characters, Content-Disposition
      attachment, filename = GZ's base name) whose decoded bytes equal the
      file GZ and un-gzip to an XML report.  KEY=VALUE checks: from=, to=,
      subject= (exact, after unfolding), msgid-contains=.  Prints what was
      checked as TAP comments; exit 1 on the first failure.
  send_helper.py checkfailure MSG KEY=VALUE...
      decode the failure report message MSG (RFC 9991 / RFC 6591, as
      "send-failures" sends it) with Python's email package and check it:
      From, To, Date, Message-ID, multipart/report with
      report-type=feedback-report and exactly the parts text/plain,
      message/feedback-report (Feedback-Type: auth-failure, Auth-Failure:
      dmarc, Reported-Domain) and text/rfc822-headers.  KEY=VALUE checks:
      from=, to=, domain= (Reported-Domain), subject=.  Exit 1 on the first
      failure.
  send_helper.py maildir-wait MAILDIR N SECONDS
      wait until MAILDIR/new holds N messages; print their paths (exit 1
      when they do not come)

Runs with Debian's /usr/bin/python3; standard library only.
"""
import base64
import email
import email.policy
import email.utils
import gzip
import os
import sys
import time


def opt(args, name, default=None, many=False):
    vals = [args[i + 1] for i, a in enumerate(args[:-1]) if a == name]
    if many:
        return vals
    return vals[-1] if vals else default


def cmd_mkreport(args):
    spool = args[0]
    a = args[1:]
    receiver = opt(a, "--receiver", "mx.receiver.example")
    policy = opt(a, "--policy", "example.com")
    begin = opt(a, "--begin", "1795392000")
    end = opt(a, "--end", "1795478399")
    uid = opt(a, "--uid", "1a2b3c")
    rid = opt(a, "--id", "%s.%s@%s" % (uid, policy, receiver))
    org = opt(a, "--org", receiver)
    fmt = opt(a, "--format", "dmarc-2.0")
    pad = int(opt(a, "--pad", "0"))
    ruas = opt(a, "--rua", many=True)
    extra = opt(a, "--meta-extra", many=True)
    base = "%s!%s!%s!%s!%s" % (receiver, policy, begin, end, uid)
    out = os.path.join(spool, "outgoing")
    os.makedirs(out, exist_ok=True)
    filler = base64.b64encode(os.urandom(pad)).decode()[:pad] if pad else ""
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">\n'
           '  <report_metadata><org_name>%s</org_name><report_id>%s</report_id>'
           '<date_range><begin>%s</begin><end>%s</end></date_range></report_metadata>\n'
           '  <policy_published><domain>%s</domain><p>none</p></policy_published>\n'
           '  <!-- %s -->\n'
           '</feedback>\n') % (org, rid, begin, end, policy, filler)
    with open(os.path.join(out, base + ".xml.gz"), "wb") as f:
        f.write(gzip.compress(xml.encode()))
    lines = ["format " + fmt, "policy_domain " + policy, "org_name " + org,
             "report_id " + rid, "begin " + begin, "end " + end,
             "file " + base + ".xml.gz"] + ["rua " + r for r in ruas] + extra
    tmp = os.path.join(out, "." + base + ".meta.new")
    with open(tmp, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    os.rename(tmp, os.path.join(out, base + ".meta"))
    print(base)
    return 0


def cmd_capture(args):
    outdir = args[0]
    status = int(args[1]) if len(args) > 1 else 0
    os.makedirs(outdir, exist_ok=True)
    data = sys.stdin.buffer.read()
    n = 1
    while os.path.exists(os.path.join(outdir, "msg-%d.eml" % n)):
        n += 1
    with open(os.path.join(outdir, "msg-%d.eml" % n), "wb") as f:
        f.write(data)
    return status


class Failed(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failed(what)
    print("# ok: " + what)


def check_attachment(msg, raw, gzpath):
    want = open(gzpath, "rb").read()
    name = os.path.basename(gzpath)
    gz = [p for p in msg.walk() if p.get_content_type() == "application/gzip"]
    expect(len(gz) == 1, "exactly one application/gzip part (%d)" % len(gz))
    part = gz[0]
    expect(part.get_content_disposition() == "attachment", "Content-Disposition attachment")
    expect(part.get_filename() == name, "filename %r (got %r)" % (name, part.get_filename()))
    expect(part.get_param("name") == name, "Content-Type name=%r" % name)
    expect(part["Content-Transfer-Encoding"].lower() == "base64", "base64 encoded")
    body = part.get_payload(decode=False)
    lens = [len(x) for x in body.splitlines() if x]
    expect(lens and max(lens) <= 76 and all(n == 76 for n in lens[:-1]),
           "base64 lines of 76 characters (last %d)" % (lens[-1] if lens else -1))
    data = part.get_payload(decode=True)
    expect(data == want, "decoded attachment equals %s (%d bytes)" % (name, len(want)))
    xml = gzip.decompress(data)
    expect(xml.startswith(b"<?xml") and b"<feedback" in xml, "un-gzips to an XML report")
    texts = [p for p in msg.walk() if p.get_content_type() == "text/plain"]
    expect(len(texts) == 1, "one text/plain part")
    expect(max(len(line) for line in raw.split(b"\n")) <= 998, "no line over 998 bytes")


def cmd_check(args):
    path, gzpath = args[0], args[1]
    want = dict(a.split("=", 1) for a in args[2:])
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    try:
        defects = [d for p in msg.walk() for d in p.defects]
        expect(not defects, "no MIME defects (%s)" % defects)
        for h in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
            expect(len(msg.get_all(h) or []) == 1, "exactly one %s field" % h)
        subject = " ".join(str(msg["Subject"]).split())
        raw_subject = msg.get("Subject")
        if "subject" in want:
            expect(subject == want["subject"], "Subject %r (got %r)" % (want["subject"], subject))
        if "from" in want:
            expect(msg["From"].addresses[0].addr_spec == want["from"], "From %s" % want["from"])
        if "to" in want:
            expect(msg["To"].addresses[0].addr_spec == want["to"], "To %s" % want["to"])
        mid = str(msg["Message-ID"])
        expect(mid.startswith("<") and mid.endswith(">") and "@" in mid, "Message-ID %s" % mid)
        if "msgid-contains" in want:
            expect(want["msgid-contains"] in mid, "Message-ID contains %s" % want["msgid-contains"])
        expect(email.utils.parsedate_to_datetime(str(msg["Date"])) is not None,
               "Date parses (%s)" % msg["Date"])
        expect(str(msg["MIME-Version"]) == "1.0", "MIME-Version 1.0")
        expect(msg.get_content_type() == "multipart/mixed", "multipart/mixed")
        expect(raw_subject is not None, "Subject present")
        check_attachment(msg, raw, gzpath)
    except Failed as e:
        print("# FAILED: " + str(e))
        return 1
    return 0


def cmd_checkfailure(args):
    path = args[0]
    want = dict(a.split("=", 1) for a in args[1:])
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    try:
        expect(msg["Date"] is not None and email.utils.parsedate_to_datetime(msg["Date"]),
               "Date parses")
        expect(msg["Message-ID"] is not None and msg["Message-ID"].startswith("<"),
               "Message-ID")
        for key, field in (("from", "From"), ("to", "To"), ("subject", "Subject")):
            if key in want:
                expect(str(msg[field]) == want[key], "%s is %s (got %r)" % (field, want[key],
                                                                         str(msg[field])))
        expect(msg.get_content_type() == "multipart/report", "multipart/report")
        expect(msg.get_param("report-type") == "feedback-report",
               "report-type=feedback-report")
        parts = msg.get_payload()
        types = [p.get_content_type() for p in parts]
        expect(types == ["text/plain", "message/feedback-report", "text/rfc822-headers"],
               "the parts text/plain, message/feedback-report, text/rfc822-headers (got %r)"
               % types)
        fb = parts[1].get_payload()
        fb = fb[0] if isinstance(fb, list) else email.message_from_string(fb)
        expect(fb["Feedback-Type"] == "auth-failure", "Feedback-Type: auth-failure")
        expect(fb["Auth-Failure"] == "dmarc", "Auth-Failure: dmarc")
        if "domain" in want:
            expect(fb["Reported-Domain"] == want["domain"], "Reported-Domain")
        expect("From:" in parts[2].get_content(), "the original header section")
    except Failed as e:
        print("# FAIL: %s" % e)
        return 1
    return 0


def cmd_maildir_wait(args):
    maildir, n, limit = args[0], int(args[1]), float(args[2])
    end = time.monotonic() + limit
    new = os.path.join(maildir, "new")
    while True:
        files = sorted(os.listdir(new)) if os.path.isdir(new) else []
        if len(files) >= n:
            for f in files:
                print(os.path.join(new, f))
            return 0
        if time.monotonic() >= end:
            return 1
        time.sleep(0.2)


def main():
    cmds = {"mkreport": cmd_mkreport, "capture": cmd_capture, "check": cmd_check,
            "maildir-wait": cmd_maildir_wait, "checkfailure": cmd_checkfailure}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
