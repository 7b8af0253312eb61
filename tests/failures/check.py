#!/usr/bin/python3
"""check.py - failure reports (issue 18) as authmilter-check writes them,
which is the daemon's code (message.c): the fo= matrix against a private
zone file (the engines' results set with the what-if options), each report
read by Python's email package: a multipart/report of report-type
feedback-report with a text/plain part, a message/feedback-report part
whose fields are checked one by one, and the original header section
(text/rfc822-headers) or, with FailureReportsBody yes, the message
(message/rfc822); its .meta (policy domain, organizational domain, the ruf
URIs with their size); local-parts redacted by default and kept with
FailureReportsRedact no; p=none reported only with FailureReportsOnNone;
no report without ruf= or with psd=y; a report cut to
FailureReportsMaxBytes says so; an unwritable spool changes nothing of the
verdict.  TAP output."""
import email
import email.parser
import email.policy
import glob
import os
import shutil
import subprocess
import sys
import tempfile

BUILD = os.environ.get("top_builddir", ".")
CHECK = os.path.join(BUILD, "milter", "authmilter-check")
results = []

ZONE = """\
_dmarc.example.com. TXT "v=DMARC1; p=reject; ruf=mailto:ruf@example.com!50k,mailto:f@third.example"
_dmarc.fo1.example. TXT "v=DMARC1; p=quarantine; ruf=mailto:ruf@fo1.example; fo=1"
_dmarc.fod.example. TXT "v=DMARC1; p=reject; ruf=mailto:ruf@fod.example; fo=d"
_dmarc.fos.example. TXT "v=DMARC1; p=reject; ruf=mailto:ruf@fos.example; fo=s"
_dmarc.fo0d.example. TXT "v=DMARC1; p=reject; ruf=mailto:ruf@fo0d.example; fo=0:d"
_dmarc.none.example. TXT "v=DMARC1; p=none; ruf=mailto:ruf@none.example"
_dmarc.noruf.example. TXT "v=DMARC1; p=reject; rua=mailto:rua@noruf.example"
_dmarc.psd.example. TXT "v=DMARC1; p=reject; psd=y; ruf=mailto:ruf@psd.example"
"""

MESSAGE = ("From: \"Alice Boss\" <alice.boss@{d}>\r\n"
           "To: bob@example.net, \"Carol\" <carol@example.org>\r\n"
           "Subject: lunch with dave@example.net\r\n"
           "Message-ID: <id-123@{d}>\r\n"
           "Date: Sun, 06 Dec 2026 10:00:00 +0000\r\n"
           "\r\n"
           "Body line, secret@example.net\r\n")


def check(ok, name):
    results.append(bool(ok))
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), name))
    sys.stdout.flush()


class Run:
    """One authmilter-check run: its output, exit status and report files."""

    def __init__(self, tmp, domain, spf, dkim, sets=(), message=None):
        self.spool = tempfile.mkdtemp(dir=tmp)
        msg = os.path.join(self.spool, "m.eml")
        with open(msg, "w", newline="") as f:
            f.write(message or MESSAGE.format(d=domain))
        argv = [CHECK, "--zone", os.path.join(tmp, "zone"), "--ip", "198.51.100.7",
                "--mail-from", "alice.boss@%s" % domain, "--authserv-id", "mx.test.example",
                "--set", "FailureReports=yes", "--set", "FailureReportSpool=%s/spool" % self.spool,
                "--spf", spf, "--dump"]
        if dkim:
            argv += ["--dkim", dkim]
        for s in sets:
            argv += ["--set", s]
        p = subprocess.run(argv + [msg], capture_output=True, text=True, timeout=60)
        self.rc, self.out, self.err = p.returncode, p.stdout, p.stderr
        emls = glob.glob(os.path.join(self.spool, "spool", "outgoing", "*.eml"))
        self.eml = emls[0] if len(emls) == 1 else None
        self.count = len(emls)

    def report(self):
        with open(self.eml, "rb") as f:
            raw = f.read()
        return raw, email.message_from_bytes(raw, policy=email.policy.compat32)

    def meta(self):
        with open(self.eml[:-4] + ".meta") as f:
            return f.read().splitlines()


def feedback(msg):
    """The fields of the message/feedback-report part (RFC 5965), as a dict of lists."""
    part = [p for p in msg.walk() if p.get_content_type() == "message/feedback-report"][0]
    payload = part.get_payload()
    if isinstance(payload, list):	# the email package reads message/* as messages
        fields = payload[0].items()
    else:
        fields = email.parser.HeaderParser().parsestr(payload).items()
    out = {}
    for k, v in fields:
        out.setdefault(k.lower(), []).append(" ".join(v.split()))
    return out


def structure(msg):
    """The content types of the top level and the parts, in order."""
    return [msg.get_content_type()] + [p.get_content_type() for p in msg.get_payload()]


def matrix(tmp):
    """fo= and the results: a report or none, and why."""
    cases = [
        ("fo absent (0): DMARC fails", "example.com", "fail:example.com", None, True, "dkim, spf"),
        ("fo absent (0): DMARC passes through SPF", "example.com", "pass:example.com", None, False, None),
        ("fo=1: DMARC passes through SPF, no aligned DKIM", "fo1.example", "pass:fo1.example", None, True, "dkim"),
        ("fo=1: both aligned", "fo1.example", "pass:fo1.example", "pass:fo1.example:s1", False, None),
        ("fo=d: a signature failed though DMARC passes", "fod.example", "pass:fod.example", "fail:fod.example:s1", True, "dkim"),
        ("fo=d: DMARC fails but no signature failed", "fod.example", "fail:fod.example", None, False, None),
        ("fo=s: SPF failed though DMARC passes", "fos.example", "fail:fos.example", "pass:fos.example:s1", True, "spf"),
        ("fo=s: softfail is no failure", "fos.example", "softfail:fos.example", None, False, None),
        ("fo=0:d: DMARC passes, a signature failed", "fo0d.example", "pass:fo0d.example", "fail:other.example:s2", True, "dkim"),
        ("fo=0:d: DMARC fails", "fo0d.example", "fail:fo0d.example", None, True, "dkim, spf"),
        ("no ruf=: no report", "noruf.example", "fail:noruf.example", None, False, None),
        ("psd=y: no report", "psd.example", "fail:psd.example", None, False, None),
        ("p=none: no report (FailureReportsOnNone no)", "none.example", "fail:none.example", None, False, None),
    ]
    for name, dom, spf, dkim, want, align in cases:
        r = Run(tmp, dom, spf, dkim)
        if not want:
            check(r.count == 0 and "failure report" not in r.out, "%s (%d files)" % (name, r.count))
            continue
        if r.eml is None:
            check(False, "%s: one report (%d; %s)" % (name, r.count, r.err.strip()))
            continue
        fb = feedback(r.report()[1])
        check(fb.get("identity-alignment") == [align] and fb.get("reported-domain") == [dom],
              "%s: reported, Identity-Alignment %s (%s)" % (name, align, fb.get("identity-alignment")))
    r = Run(tmp, "none.example", "fail:none.example", None, ["FailureReportsOnNone=yes"])
    check(r.count == 1, "p=none with FailureReportsOnNone yes: reported")


def fields(tmp):
    """One report, field by field."""
    r = Run(tmp, "example.com", "fail:example.com", "fail:example.com:sel1")
    check(r.rc == 3 and r.eml is not None, "DMARC fail, p=reject: rejected (exit 3) and reported")
    if r.eml is None:
        return
    raw, msg = r.report()
    check(structure(msg) == ["multipart/report", "text/plain", "message/feedback-report",
                             "text/rfc822-headers"] and
          msg.get_param("report-type") == "feedback-report",
          "multipart/report; report-type=feedback-report: text/plain, message/feedback-report, "
          "text/rfc822-headers (%s)" % structure(msg))
    check(b"\n" not in raw.replace(b"\r\n", b""), "every line ends in CRLF")
    check(msg.get("From") is None and msg.get("To") is None and msg.get("Date") is None and
          msg.get("Subject") == "DMARC failure report for example.com from 198.51.100.7",
          "no From, To or Date (the sender adds them); the Subject names domain and source")
    fb = feedback(msg)
    want = {
        "feedback-type": ["auth-failure"], "version": ["1"], "auth-failure": ["dmarc"],
        "original-mail-from": ["redacted@example.com"], "source-ip": ["198.51.100.7"],
        "reported-domain": ["example.com"], "identity-alignment": ["dkim, spf"],
        "delivery-result": ["reject"], "dkim-domain": ["example.com"], "dkim-selector": ["sel1"],
    }
    for k, v in want.items():
        check(fb.get(k) == v, "feedback field %s: %s (%s)" % (k, v, fb.get(k)))
    check(fb.get("user-agent", [""])[0].startswith("authmilter/"), "User-Agent names authmilter")
    ar = fb.get("authentication-results", [""])[0]
    check(ar.startswith("mx.test.example;") and "dmarc=fail" in ar and "spf=fail" in ar,
          "Authentication-Results: ours, dmarc=fail (%s)" % ar)
    check(email.utils.parsedate_tz(fb.get("arrival-date", [""])[0]) is not None,
          "Arrival-Date is an RFC 5322 date (%s)" % fb.get("arrival-date"))
    hdr = msg.get_payload()[2].get_payload()
    check("From: \"Alice Boss\" <redacted@example.com>" in hdr and
          "To: redacted@example.net, \"Carol\" <redacted@example.org>" in hdr and
          "Subject: lunch with redacted@example.net" in hdr and
          "Message-ID: <id-123@example.com>" in hdr and "alice.boss" not in hdr and
          "Body line" not in hdr,
          "the header section, local-parts redacted (Message-ID kept), no body")
    meta = r.meta()
    check(meta[:3] == ["format afrf-1", "policy_domain example.com", "org_domain example.com"] and
          "ruf mailto:ruf@example.com!51200" in meta and "ruf mailto:f@third.example" in meta and
          "source_ip 198.51.100.7" in meta,
          ".meta: format, policy and organizational domain, both ruf URIs with the size (%s)" % meta)
    check("failure report: " in r.out and "failure report message:" in r.out and
          "failure_report=" in r.out, "--dump shows the report and the log line names it")


def options(tmp):
    """Redaction off, the body, the size cap, an unwritable spool."""
    r = Run(tmp, "example.com", "fail:example.com", None, ["FailureReportsRedact=no"])
    hdr = r.report()[1].get_payload()[2].get_payload() if r.eml else ""
    check("alice.boss@example.com" in hdr and "dave@example.net" in hdr,
          "FailureReportsRedact no: addresses kept whole")
    r = Run(tmp, "example.com", "fail:example.com", None, ["FailureReportsBody=yes"])
    msg = r.report()[1] if r.eml else None
    inner = msg.get_payload()[2] if msg else None
    check(inner is not None and inner.get_content_type() == "message/rfc822" and
          "Body line, secret@example.net" in inner.as_string(),
          "FailureReportsBody yes: message/rfc822 with the body (not redacted)")
    big = MESSAGE.format(d="example.com").replace(
        "\r\n\r\n", "\r\n" + "".join("X-Filler-%d: %s\r\n" % (i, "y" * 70) for i in range(400)) +
        "\r\n", 1)
    r = Run(tmp, "example.com", "fail:example.com", None, ["FailureReportsMaxBytes=16384"],
            message=big)
    size = os.path.getsize(r.eml) if r.eml else 0
    text = r.report()[1].get_payload()[0].get_payload() if r.eml else ""
    check(0 < size <= 16384 and "cut short" in text,
          "FailureReportsMaxBytes 16384: a %d-byte report that says it was cut" % size)
    base = Run(tmp, "example.com", "fail:example.com", None)
    r = Run(tmp, "example.com", "fail:example.com", None,
            ["FailureReportSpool=/proc/authmilter-no-such-dir"])
    check(r.rc == base.rc == 3 and "failure_report=error" in r.out and r.count == 0,
          "an unwritable spool: the same verdict (exit %d), the error in the log line" % r.rc)


def main():
    tmp = tempfile.mkdtemp()
    try:
        with open(os.path.join(tmp, "zone"), "w") as f:
            f.write(ZONE)
        matrix(tmp)
        fields(tmp)
        options(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results))
    return 0 if all(results) else 1


sys.exit(main())
