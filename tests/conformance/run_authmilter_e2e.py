#!/usr/bin/env python3
"""run_authmilter_e2e.py - the milter-e2e-authentication-milter cases
(../shared/testdata, or $AUTHMILTER_TESTDATA) through authmilter-check,
which runs the daemon's own evaluation: each case's envelope and message,
its zone file as the only DNS data, authserv-id test.module.  Our
Authentication-Results header is parsed by Debian's python3-authres and its
spf, dkim and dmarc results compared with the other milter's (iprev and
that milter's extras are not produced here; see tests/conformance/
deviations.tsv for the differences kept).  A message with several author
domains gets one dmarc result here (the strictest; RFC 9989 does not
define one per domain), compared with the strictest of theirs.
TAP output; prints "# milter-e2e-authentication-milter: P/T passed"."""
import json, os, re, subprocess, sys, tempfile

SUITE = "milter-e2e-authentication-milter"
top_src = os.environ.get("top_srcdir", ".")
top_build = os.environ.get("top_builddir", ".")
data = os.path.join(os.environ.get("AUTHMILTER_TESTDATA",
                                   os.path.join(top_src, "..", "shared", "testdata")), SUITE)
SEVERITY = ["pass", "none", "permerror", "temperror", "fail"]


def skip_or_fail(why):
    if os.environ.get("CI") == "true":
        print("Bail out! %s" % why)
        sys.exit(1)
    print("1..0 # SKIP %s" % why)
    sys.exit(0)


def tokens(rdata):
    """The words and quoted strings of rdata (parentheses dropped)."""
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in
            re.finditer(r'"((?:[^"\\]|\\.)*)"|([^\s"()]+)', rdata)]


def convert_zone(src, dst):
    """The suite's zone file as absolute one-line records for the resolver's zone mode."""
    out = []
    for line in open(src, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        m = re.match(r"(\S+)\s+(?:(\d+)\s+)?(?:IN\s+)?([A-Z0-9]+)\b\s*(.*)$", line)
        if m is None:
            continue
        name, _, rtype, rdata = m.groups()
        if not name.endswith("."):
            name += "."
        toks = tokens(rdata)
        if rtype == "TXT":
            if not toks:
                continue
            rdata = " ".join('"%s"' % t.replace('"', '\\"') for t in toks)
        else:
            rdata = " ".join(toks)
        out.append("%s 60 IN %s %s\n" % (name, rtype, rdata))
    with open(dst, "w") as f:
        f.writelines(out)


def deviations():
    path = os.path.join(top_src, "tests", "conformance", "deviations.tsv")
    dev = {}
    for line in open(path, encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) >= 3 and parts[0] == SUITE:
            dev[parts[1]] = parts[2]
    return dev


def our_results(ar_value):
    import authres
    hdr = authres.AuthenticationResultsHeader.parse("Authentication-Results: " + ar_value)
    res = {}
    for r in hdr.results:
        # They report SPF for the MAIL FROM identity only; ours adds HELO.
        if r.method == "spf" and any(p.type == "smtp" and p.name == "helo" for p in r.properties):
            continue
        res.setdefault(r.method, []).append(r.result)
    return res


def compare(theirs, ours):
    """Differences between their and our spf, dkim, dmarc results, or []."""
    want = {}
    for pair in theirs.split():
        method, result = pair.split("=", 1)
        want.setdefault(method, []).append(result)
    diffs = []
    for method in ("spf", "dkim"):
        if sorted(want.get(method, [])) != sorted(ours.get(method, [])):
            diffs.append("%s: theirs %s, ours %s" % (method, want.get(method), ours.get(method)))
    if "dmarc" in want:
        strictest = max(want["dmarc"], key=SEVERITY.index)
        if ours.get("dmarc") != [strictest]:
            diffs.append("dmarc: theirs %s (strictest %s), ours %s" % (want["dmarc"], strictest, ours.get("dmarc")))
    return diffs


def run_case(row, zone):
    desc, source, _, ip, helo, mail_from, rcpt, expected = row
    cmd = [os.path.join(top_build, "milter", "authmilter-check"), "--zone", zone,
           "--authserv-id", "test.module", "--ip", ip, "--helo", helo,
           "--mail-from", mail_from, "--rcpt", rcpt, "--json",
           os.path.join(data, "source", source)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode == 1:
        return ["authmilter-check failed: %s" % p.stderr.strip()]
    out = json.loads(p.stdout)
    return compare(expected, our_results(out["authentication_results"]))


def main():
    if not os.path.isdir(data):
        skip_or_fail("%s not found (the shared test data is absent)" % data)
    try:
        import authres  # noqa: F401
    except ImportError:
        skip_or_fail("python3-authres not installed (run tests/deps.sh)")
    dev = deviations()
    rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(data, "manifest.tsv"), encoding="utf-8")
            if l.strip() and not l.startswith("#")]
    tmp = tempfile.mkdtemp()
    zone = os.path.join(tmp, "zone")
    convert_zone(os.path.join(data, "zonefile"), zone)
    passed = failed = 0
    for i, row in enumerate(rows, 1):
        cid = "case:%d" % i
        diffs = run_case(row, zone)
        ok = not diffs
        passed += ok
        if cid in dev and ok:
            print("not ok %d - %s %s: listed deviation but passes (stale)" % (i, cid, row[0]))
            failed += 1
        elif cid in dev:
            print("not ok %d - %s %s # TODO %s" % (i, cid, row[0], dev[cid]))
        elif ok:
            print("ok %d - %s %s" % (i, cid, row[0]))
        else:
            print("not ok %d - %s %s: %s" % (i, cid, row[0], "; ".join(diffs)))
            failed += 1
        for d in diffs:
            print("# %s: %s" % (cid, d))
    print("# %s: %d/%d passed" % (SUITE, passed, len(rows)))
    print("1..%d" % len(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
