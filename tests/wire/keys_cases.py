#!/usr/bin/python3
"""keys_cases.py table SRC TABLE-KEYS
   keys_cases.py cases SRC TABLE-KEYS WORKDIR PORT DAEMON-PID

The checks of tests/wire/keys.sh, in one process (a loaded machine pays for
every process a shell test starts).  Prints TAP lines without numbers
("ok - ...", "not ok - ..."); keys.sh numbers them.

table: SRC/keys.tsv against the keys of the daemon's table (TABLE-KEYS, one
a line, from "authmilter-confgen defaults"): a line for every key, no line
for a key the table lacks, cases that exist, every case named.

cases: also runs each SRC/keys/*.case against the daemon (PID DAEMON-PID,
on 127.0.0.1:PORT, configuration WORKDIR/authmilter.conf, log
WORKDIR/milter.log, HistoryFile WORKDIR/history, DNS through
tests/faults/dnsproxy.py reading its mode from WORKDIR/dnsmode), one
session each through mtaclient.py, a SIGHUP before each case whose
configuration differs from the last (or that changes the DNS, or follows
one that did: a fresh resolver), then compares the pairs of keys.tsv.  The
case format is in keys.sh."""
import contextlib
import glob
import io
import os
import re
import signal
import sys
import time

sys.dont_write_bytecode = True		# nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mtaclient  # noqa: E402

SESSION = ("ip", "helo", "auth", "mailfrom", "rcpt", "message", "actions", "dns")
failed = 0


def tap(good, what):
    global failed
    if not good:
        failed += 1
    print(("ok - " if good else "not ok - ") + what)
    sys.stdout.flush()


def read_tsv(src):
    """keys.tsv as (key, [cases] or None, reason) in file order."""
    rows = []
    for line in open(os.path.join(src, "keys.tsv")):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) >= 2 and f[1] == "-":
            rows.append((f[0], None, "\t".join(f[2:]).strip()))
        else:
            rows.append((f[0], f[1].split() if len(f) > 1 else [], ""))
    return rows


def check_table(src, table, rows, names):
    tap(len(table) > 0, "the configuration table has keys (%d)" % len(table))
    for key in table:
        mine = [r for r in rows if r[0] == key]
        if len(mine) != 1:
            tap(False, "%s: has one line in keys.tsv (has %d)" % (key, len(mine)))
            continue
        _, cases, why = mine[0]
        if cases is None:
            tap(why != "", "%s: - %s" % (key, why or "(no reason given)"))
        else:
            missing = [c for c in cases if c not in names]
            tap(cases and not missing, "%s: %s%s" % (key, " ".join(cases) or "(no case)",
                "" if not missing else " (no such case: %s)" % " ".join(missing)))
    for key, _, _ in rows:
        if key not in table:
            tap(False, "keys.tsv names %s, which is not a key of the table" % key)
    named = {c for _, cases, _ in rows for c in (cases or [])}
    for c in sorted(names):
        if c not in named:
            tap(False, "case %s is named by no line of keys.tsv" % c)


def parse_case(path, subst):
    """The case's "key value" lines: {key: [values]} in order."""
    c = {}
    for line in open(path):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        k, v = re.match(r"\s*(\S+)\s*(.*?)\s*$", line).groups()
        for a, b in subst.items():
            v = v.replace(a, b)
        c.setdefault(k, []).append(v)
    return c


def first(c, k, default):
    return c[k][0] if k in c else default


def conf_key(line):
    return line.split(None, 1)[0].lower() if line.strip() else ""


def config(base, c):
    """The base lines without the keys the case sets, then the case's."""
    mine = c.get("conf", [])
    keys = {conf_key(l) for l in mine}
    return "".join(l + "\n" for l in base if conf_key(l) not in keys) + \
        "".join(l + "\n" for l in mine)


def count(path, pat):
    with open(path, errors="replace") as f:
        return len(re.findall(pat, f.read(), re.M))


def reload(work, pid, text):
    """Load text by SIGHUP; '' when loaded, else the reason."""
    log = os.path.join(work, "milter.log")
    good = count(log, "configuration reloaded")
    done = good + count(log, "reload failed")
    with open(os.path.join(work, "authmilter.conf"), "w") as f:
        f.write(text)
    os.kill(pid, signal.SIGHUP)
    for _ in range(250):
        if count(log, "configuration reloaded") + count(log, "reload failed") > done:
            break
        time.sleep(0.02)
    if count(log, "configuration reloaded") > good:
        return ""
    bad = re.findall(r"reload failed.*", open(log, errors="replace").read())
    return bad[-1] if bad else "no answer to SIGHUP"


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def tail(path, offset):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def session(port, msg, c):
    """One mtaclient.py session: its output, folded lines joined."""
    helo = first(c, "helo", "client.example")
    argv = ["mtaclient.py", "127.0.0.1", str(port), msg,
            "--ip", first(c, "ip", "192.0.2.10"), "--helo", "" if helo == "-" else helo,
            "--mail-from", first(c, "mailfrom", "<bounce@pass.wire.example>"),
            "--rcpt", first(c, "rcpt", "<bob@rcpt.example>")]
    for k in ("auth", "actions"):
        if k in c:
            argv += ["--" + k, c[k][0]]
    out = io.StringIO()
    saved = sys.argv
    sys.argv = argv
    try:
        with contextlib.redirect_stdout(out):
            mtaclient.main()
    except (EOFError, OSError) as e:
        out.write("session broken: %s\n" % e)
    finally:
        sys.argv = saved
    lines = []
    for line in out.getvalue().splitlines():
        if line.startswith("\t") and lines:
            lines[-1] += " " + line[1:]
        else:
            lines.append(line)
    return lines


def outcome(lines):
    if any(l.startswith("replycode 5") for l in lines):
        return "reject"
    if any(l.startswith("replycode 4") for l in lines) or "final t" in lines:
        return "tempfail"
    if any(l.startswith("quarantine ") for l in lines) and "final a" in lines:
        return "quarantine"
    if "final a" in lines or "final c" in lines:
        return "accept"
    return "broken session"


def verify(name, c, lines, log, hist):
    got = outcome(lines)
    want = first(c, "want", "accept")
    tap(got == want, "%s: %s (got %s)" % (name, want, got))
    ar = [l for l in lines if re.match(r"insheader \d+ Authentication-Results ", l)]
    for r in c.get("want_reply", []):
        tap("replycode " + r in lines, "%s: reply %s" % (name, r))
    for h in c.get("want_header", []):
        tap(any(h in l for l in ar), "%s: Authentication-Results has '%s'" % (name, h))
    if "want_no_header" in c:
        tap(not ar, "%s: no Authentication-Results added" % name)
    for t in c.get("want_line", []):
        tap(any(t in l for l in lines), "%s: the MTA got '%s'" % (name, t))
    for t in c.get("want_no_line", []):
        tap(not any(t in l for l in lines), "%s: the MTA got no '%s'" % (name, t))
    for t in c.get("want_log", []):
        tap(t in log, "%s: logged '%s'" % (name, t))
    for t in c.get("want_no_log", []):
        tap(t not in log, "%s: did not log '%s'" % (name, t))
    for t in c.get("want_history", []):
        tap(t in hist, "%s: history record has '%s'" % (name, t))
    if "want_no_history" in c:
        tap(hist == "", "%s: no history record" % name)
    if got != want or any(x.startswith("session broken") for x in lines):
        for l in lines + log.splitlines():
            print("# " + l)


def run_cases(src, work, port, pid, cases, base):
    """Each case once, base configuration first; {name: what came back}."""
    order = sorted(cases, key=lambda n: ("conf" in cases[n] or "dns" in cases[n], n))
    sig = {}
    current = "".join(l + "\n" for l in base)
    fresh = False
    for name in order:
        c = cases[name]
        text = config(base, c)
        dns = first(c, "dns", "pass")
        if text != current or dns != "pass" or fresh:
            why = reload(work, pid, text)
            if why:
                tap(False, "%s: the daemon loads its configuration (%s)" % (name, why))
                continue
            current = text
        fresh = dns != "pass"
        msg = first(c, "message", "pass.eml")
        msg = os.path.join(work, msg) if os.path.exists(os.path.join(work, msg)) else \
            os.path.join(src, "messages", msg)
        log0, hist0 = size(os.path.join(work, "milter.log")), size(os.path.join(work, "history"))
        with open(os.path.join(work, "dnsmode"), "w") as f:
            f.write(dns + "\n")
        t0 = time.time()
        lines = session(port, msg, c)
        print("# %s: %.2f s" % (name, time.time() - t0))
        with open(os.path.join(work, "dnsmode"), "w") as f:
            f.write("pass\n")
        log = tail(os.path.join(work, "milter.log"), log0)
        hist = tail(os.path.join(work, "history"), hist0)
        verify(name, c, lines, log, hist)
        # numbers out of the log and the record: times differ
        sig[name] = "\n".join(lines) + "\n" + re.sub(r"\d+", "N", log + hist)
    return sig


def check_pairs(rows, cases, sig):
    """Each case that sets the key against the same session without it."""
    for key, names, _ in rows:
        if names is None or any(n not in cases for n in names):
            continue		# a "-" line, or KEYS_CASES left some of its cases out
        sets = lambda n: any(conf_key(l) == key.lower() for l in cases[n].get("conf", []))
        sess = lambda n: sorted((k, v) for k in SESSION for v in cases[n].get(k, []))
        changed = [n for n in names if sets(n)]
        if not changed:
            tap(False, "%s: one of its cases (%s) sets it" % (key, " ".join(names)))
        for n in changed:
            dflts = [d for d in names if not sets(d) and sess(d) == sess(n)]
            if not dflts:
                tap(False, "%s: %s has a case with the same session without %s" % (key, n, key))
            for d in dflts:
                tap(n in sig and d in sig and sig[n] != sig[d],
                    "%s: %s differs from %s (the same session)" % (key, n, d))


def main():
    mode, src, table_file = sys.argv[1], sys.argv[2], sys.argv[3]
    table = [l.strip() for l in open(table_file) if l.strip()]
    rows = read_tsv(src)
    paths = sorted(glob.glob(os.path.join(src, "keys", "*.case")))
    names = {os.path.basename(p)[:-5]: p for p in paths}
    check_table(src, table, rows, names)
    if mode == "cases":
        work, port, pid = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
        subst = {"@TMP@": work, "@SRC@": src, "@AUTHSERV@": os.environ.get("AUTHSERV", "")}
        only = os.environ.get("KEYS_CASES", "").split()
        cases = {n: parse_case(p, subst) for n, p in names.items() if not only or n in only}
        base = [l.rstrip("\n") for l in open(os.path.join(work, "base.conf")) if l.strip()]
        sig = run_cases(src, work, port, pid, cases, base)
        check_pairs(rows, cases, sig)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
