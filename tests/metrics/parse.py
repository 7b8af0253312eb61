#!/usr/bin/python3
"""parse.py FILE - read a scrape of authmilter's /metrics with the text
parser of Prometheus's own Python client (Debian python3-prometheus-client),
an implementation independent of the daemon's, and print one line per
sample: NAME LABEL=VALUE,... VALUE (labels sorted; "-" for none).  Exits 1
with the parser's complaint when the exposition does not parse, and when a
family's samples break the rules a parser does not check: a counter's or
histogram's value negative, a histogram's buckets not cumulative or its
_count not its +Inf bucket, a metric name or type given twice."""
import sys

from prometheus_client.parser import text_string_to_metric_families


def check_histogram(fam):
    """The buckets of each series never decrease and end at _count."""
    buckets, counts = {}, {}
    for s in fam.samples:
        rest = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
        if s.name.endswith("_bucket"):
            buckets.setdefault(rest, []).append((float(s.labels["le"]), s.value))
        elif s.name.endswith("_count"):
            counts[rest] = s.value
    for key, bs in buckets.items():
        values = [v for _, v in sorted(bs)]
        if values != sorted(values):
            sys.exit("%s: buckets not cumulative" % fam.name)
        if sorted(bs)[-1][0] != float("inf") or values[-1] != counts.get(key):
            sys.exit("%s: the +Inf bucket is not _count" % fam.name)


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    seen = set()
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # the parser raises ValueError and others
        sys.exit("the exposition does not parse: %s" % e)
    if not families:
        sys.exit("no metric at all")
    for fam in families:
        if fam.name in seen:
            sys.exit("%s given twice" % fam.name)
        seen.add(fam.name)
        if fam.type == "histogram":
            check_histogram(fam)
        for s in fam.samples:
            if fam.type in ("counter", "histogram") and s.value < 0:
                sys.exit("%s: negative" % s.name)
            labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items())) or "-"
            print("%s %s %s" % (s.name, labels, repr(float(s.value))))


main()
