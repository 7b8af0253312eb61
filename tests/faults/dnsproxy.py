#!/usr/bin/python3
"""dnsproxy.py LISTEN-PORT UPSTREAM-PORT MODE-FILE STATS-FILE

A fault-injecting DNS forwarder on 127.0.0.1 for the fault tests
(tests/faults/): UDP only (no TCP listener, so a truncated answer cannot be
retried over TCP), every query relayed to the authoritative server on
127.0.0.1:UPSTREAM-PORT (the tests' private nsd) and its answer treated as
MODE-FILE says, read again for every query:

  pass      relay the answer unchanged
  drop      answer nothing (the server is gone)
  servfail  answer SERVFAIL at once, without asking upstream
  truncate  answer with the TC bit set and no records
  slow:MS   relay the answer MS milliseconds late

STATS-FILE gets "MODE COUNT" lines, the queries seen per mode, rewritten
after every query.  Writes its port-ready marker as the first line of
STATS-FILE ("ready").  Runs until killed (the tests stop it by PID)."""
import os
import socket
import struct
import sys
import threading
import time

lock = threading.Lock()
counts = {}


def mode_of(path):
    try:
        with open(path) as f:
            return f.read().strip() or "pass"
    except OSError:
        return "pass"


def question_end(q):
    """Offset after the question section of query q (one question)."""
    i = 12
    while i < len(q) and q[i] != 0:
        i += q[i] + 1
    return i + 5


def reply_without_records(q, rcode, tc):
    """A reply to q with only its question: QR, RA, RD copied, rcode, TC."""
    qid, flags = struct.unpack("!HH", q[:4])
    flags = 0x8000 | (flags & 0x7900) | 0x0080 | rcode
    if tc:
        flags |= 0x0200
    return struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 0) + q[12:question_end(q)]


def count(mode, stats):
    with lock:
        counts[mode] = counts.get(mode, 0) + 1
        text = "ready\n" + "".join("%s %d\n" % kv for kv in sorted(counts.items()))
        with open(stats + ".new", "w") as f:
            f.write(text)
        os.replace(stats + ".new", stats)


def relay(sock, q, client, upstream, delay_ms):
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.settimeout(5)
    try:
        up.sendto(q, ("127.0.0.1", upstream))
        a, _ = up.recvfrom(65535)
    except OSError:
        return
    finally:
        up.close()
    if delay_ms:
        time.sleep(delay_ms / 1000.0)
    sock.sendto(a, client)


def handle(sock, q, client, upstream, mode):
    if len(q) < 17:
        return
    if mode == "drop":
        return
    if mode == "servfail":
        sock.sendto(reply_without_records(q, 2, False), client)
    elif mode == "truncate":
        sock.sendto(reply_without_records(q, 0, True), client)
    elif mode.startswith("slow:"):
        relay(sock, q, client, upstream, int(mode[5:]))
    else:
        relay(sock, q, client, upstream, 0)


def main():
    port, upstream, modefile, stats = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    with open(stats, "w") as f:
        f.write("ready\n")
    while True:
        q, client = sock.recvfrom(65535)
        mode = mode_of(modefile)
        count(mode.split(":")[0], stats)
        threading.Thread(target=handle, args=(sock, q, client, upstream, mode),
                         daemon=True).start()


if __name__ == "__main__":
    main()
