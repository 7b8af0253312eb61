#!/usr/bin/python3
"""report.py DIR - the benchmark's summary (Markdown) from DIR/results.txt
(milterbench's RESULT lines), DIR/machine.txt and DIR/verdicts-*.tsv, as
written by tests/bench/run.sh.  Runs of the same name with a ".N" suffix
are repeats: their median is reported.  Prints to standard output."""
import os
import statistics
import sys

GOALS = """authmilter at least 5x the chain's messages/s; at most 1/5 of its CPU per message;
at least 0.8x the do-nothing filter's messages/s; at 64 connections at least 0.9x its
throughput at 8, at 512 at least 0.85x (issue 12); without quick-ack p50 latency under 3 ms at concurrency 1; RSS after
1,000,000 messages within 10% of RSS after 100,000."""


def read_results(path):
    runs = {}
    for line in open(path):
        if not line.startswith("RESULT "):
            continue
        r = {}
        for kv in line.split()[1:]:
            k, _, v = kv.partition("=")
            try:
                r[k] = float(v)
            except ValueError:
                r[k] = v
        base, _, rep = r["label"].rpartition(".")
        if not base or not rep.isdigit():
            base, rep = r["label"], "1"
        r["rep"] = rep
        runs.setdefault(base, []).append(r)
    return runs


def med(rs, key):
    vals = [r[key] for r in rs if key in r]
    return statistics.median(vals) if vals else None


def filter_cpu(r):
    """CPU per message of the filter processes (not unbound)."""
    return sum(v for k, v in r.items() if k.startswith("cpu.") and k not in ("cpu.unbound",
                                                                               "cpu.client"))


def fmt(v, d=2):
    return "-" if v is None else ("%.*f" % (d, v))


NAMES = {"authmilter": "authmilter", "chain": "OpenDKIM -> OpenDMARC",
         "nullfilter": "do-nothing libmilter filter",
         "nullfilter_noreply": "do-nothing filter, no-reply steps (nullfilter -r)"}


def who(base):
    return NAMES.get(base.split("-")[0], base)


def row(base, rs):
    cpus = [filter_cpu(r) for r in rs]
    parts = [k[4:] for k in rs[0] if k.startswith("cpu.") and k not in ("cpu.unbound", "cpu.client")]
    detail = " + ".join("%s %.3f" % (p, med(rs, "cpu." + p)) for p in parts) if len(parts) > 1 else ""
    rss = sum(med(rs, "rss." + p) or 0 for p in parts) / 1024.0
    return ("| %s | %s | %d | %s | %s | %s | %s | %s%s | %s | %s | %.1f | %s | %s |" % (
        base, who(base), med(rs, "msgs"), fmt(med(rs, "mps"), 0), fmt(med(rs, "p50")),
        fmt(med(rs, "p99")), fmt(med(rs, "max"), 1), fmt(statistics.median(cpus), 3),
        " (%s)" % detail if detail else "", fmt(med(rs, "cpu.unbound"), 3),
        fmt(med(rs, "cpu.client"), 3), rss, fmt(med(rs, "load0")), fmt(med(rs, "others"))))


def table(runs, order):
    out = ["| run | filter | messages | msg/s | p50 ms | p99 ms | max ms | filter CPU ms/msg | "
           "unbound CPU ms/msg | client CPU ms/msg | filter RSS MB | load before | other CPUs busy |",
           "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for base in order:
        if base in runs:
            out.append(row(base, runs[base]))
    return out


def scale_ratio(runs, who_, c):
    """The median over the repeats of the scale runs of msg/s at concurrency c
    over msg/s at 8 in the same repeat (runs back to back)."""
    hi, lo = runs.get("%s-c%d-scale" % (who_, c)), runs.get("%s-c8-scale" % who_)
    if not hi or not lo:
        return None
    by_rep = {r.get("rep"): r["mps"] for r in lo}
    vals = [r["mps"] / by_rep[r.get("rep")] for r in hi if by_rep.get(r.get("rep"))]
    return statistics.median(vals) if vals else None


def scale_rows(runs):
    """Per concurrency: msg/s, CPU, and futex calls and context switches
    per message (perf stat over the filter process)."""
    out = ["| filter | concurrency | msg/s | x c=8 | p50 ms | filter CPU ms/msg | "
           "futex calls/msg | context switches/msg | page faults/msg | mmap+munmap+madvise/msg | "
           "load before |",
           "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for w in ("authmilter", "nullfilter"):
        for base in sorted((b for b in runs if b.startswith(w + "-c") and b.endswith("-scale")),
                           key=lambda b: int(b.split("-")[1][1:])):
            rs, c = runs[base], int(base.split("-")[1][1:])
            per = lambda k: statistics.median([r[k] / r["msgs"] for r in rs]) if k in rs[0] else None
            out.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                who(base), c, fmt(med(rs, "mps"), 0),
                fmt(scale_ratio(runs, w, c) if c != 8 else 1.0), fmt(med(rs, "p50")),
                fmt(statistics.median([filter_cpu(r) for r in rs]), 3),
                fmt(per("futex")), fmt(per("cs")), fmt(per("pf")), fmt(per("mm")),
                fmt(med(rs, "load0"))))
    return out


def ratio_rows(runs):
    g = lambda b, k: med(runs[b], k) if b in runs else None
    out = ["| goal (issue 6) | measured | target | met |", "|---|--:|--:|---|"]

    def add(name, v, target, ok):
        out.append("| %s | %s | %s | %s |" % (name, fmt(v), target,
                                               "-" if v is None else ("yes" if ok(v) else "no")))

    am, ch, nf = "authmilter-c8-qa", "chain-c8-qa", "nullfilter-c8-qa"
    v = g(am, "mps") / g(ch, "mps") if ch in runs and am in runs else None
    add("msg/s, authmilter / chain (c=8, quick-ack)", v, ">= 5", lambda x: x >= 5)
    v = (statistics.median([filter_cpu(r) for r in runs[ch]]) /
         statistics.median([filter_cpu(r) for r in runs[am]])) if ch in runs and am in runs else None
    add("CPU/msg, chain / authmilter (c=8, quick-ack)", v, ">= 5", lambda x: x >= 5)
    v = g(am, "mps") / g(nf, "mps") if nf in runs and am in runs else None
    add("msg/s, authmilter / do-nothing filter (c=8, quick-ack)", v, ">= 0.8", lambda x: x >= 0.8)
    for c, target in ((64, 0.9), (512, 0.85)):
        v = scale_ratio(runs, "authmilter", c)
        add("msg/s, authmilter c=%d / c=8 (quick-ack, scale runs)" % c, v, ">= %g" % target,
            lambda x, t=target: x >= t)
    v = g("authmilter-c1-noqa", "p50")
    add("p50 ms, authmilter c=1 without quick-ack", v, "< 3", lambda x: x < 3)
    rss = runs.get("authmilter-rss")
    v = None
    if rss:
        r = rss[0]
        pts = sorted((int(k[4:].split(".")[0]), val) for k, val in r.items()
                     if k.startswith("rss@") and k.endswith(".authmilter"))
        if len(pts) >= 2 and pts[0][1] > 0:
            v = pts[-1][1] / pts[0][1]
            out.append("| (RSS %s: %.1f MB after %d messages, %.1f MB after %d) | | | |" %
                       ("authmilter", pts[0][1] / 1024, pts[0][0], pts[-1][1] / 1024, pts[-1][0]))
    add("RSS, authmilter after 1,000,000 / after 100,000", v, "<= 1.10", lambda x: x <= 1.10)
    return out


def read_verdicts(path):
    v = {}
    if not os.path.exists(path):
        return v
    for line in open(path):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        if len(f) >= 4:
            v[f[0]] = (f[1], f[2], f[3])
    return v


def verdicts(d):
    am = read_verdicts(os.path.join(d, "verdicts-authmilter.tsv"))
    ch = read_verdicts(os.path.join(d, "verdicts-chain.tsv"))
    out = []
    for name, v in (("authmilter", am), ("OpenDKIM -> OpenDMARC", ch)):
        if v:
            same = sum(1 for k, e, a in v.values() if e == a)
            out.append("- %s: %d of %d messages got the action the corpus expects" %
                       (name, same, len(v)))
    if am and ch:
        diff = {}
        for mid, (kind, e, a) in am.items():
            if mid in ch and ch[mid][2] != a:
                key = (kind, e, a, ch[mid][2])
                diff[key] = diff.get(key, 0) + 1
        out.append("- authmilter and the chain differ on %d messages:" % sum(diff.values()))
        out.append("")
        out.append("| kind | expected | authmilter | chain | messages |")
        out.append("|---|---|---|---|--:|")
        for (kind, e, a, c), n in sorted(diff.items(), key=lambda x: -x[1]):
            out.append("| %s | %s | %s | %s | %d |" % (kind, e, a, c, n))
    return out


def main():
    d = sys.argv[1]
    runs = read_results(os.path.join(d, "results.txt"))
    print("# authmilter benchmark\n")
    for line in open(os.path.join(d, "machine.txt")):
        print("- " + line.rstrip())
    print("\n## Ratios\n")
    print("\n".join(ratio_rows(runs)))
    if any(b.endswith("-scale") for b in runs):
        print("\n## Concurrency\n")
        print("Scale runs (quick-ack), back to back at each concurrency in every repeat; "
              "\"x c=8\" is the median over the repeats of msg/s over that repeat's msg/s at 8; "
              "futex calls and context switches of all the filter's threads, counted by "
              "perf stat over the measured run.\n")
        print("\n".join(scale_rows(runs)))
    print("\n## Runs\n")
    print("Medians over the repeats of a run; CPU from /proc/PID/stat (utime + stime of the "
          "filter processes, the chain's two summed) over the messages of the run; latency from "
          "the first milter event of a message to its final reply; \"load before\" is the "
          "one-minute load average as the run started, \"other CPUs busy\" what processes "
          "other than the run's kept busy during it (from /proc/stat, of 2 CPUs).\n")
    order = ["authmilter-c8-qa", "chain-c8-qa", "nullfilter-c8-qa", "nullfilter_noreply-c8-qa",
             "authmilter-c8-noqa", "chain-c8-noqa", "nullfilter-c8-noqa",
             "authmilter-c1-noqa", "chain-c1-noqa", "nullfilter-c1-noqa", "authmilter-rss"]
    order += sorted(b for b in runs if b not in order)
    print("\n".join(table(runs, order)))
    print("\n## Verdicts\n")
    print("\n".join(verdicts(d)))
    print("\nGoals: " + " ".join(GOALS.split()))


if __name__ == "__main__":
    main()
