#!/usr/bin/python3
"""misbehave.py HOST PORT SCENARIO COUNT [SECONDS]

The MTA side of the milter protocol behaving badly, for the fault tests
(tests/faults/mta.sh); the packets are those of tests/wire/mtaclient.py.
SCENARIO is one of

  stall      COUNT sessions that negotiate, connect, then send 3 bytes of a
             4-byte packet length and nothing more
  halfopen   COUNT connections that send nothing at all
  midclose   COUNT sessions closed in the middle of a message body
  oversize   COUNT sessions that announce a 2 MB packet (over the 1 MB the
             daemon accepts) in the header and send 64 KB of it
  flood      COUNT sessions at once (negotiated and connected, all open
             together), held SECONDS, then ended with QUIT

For stall, halfopen and oversize it waits (at most SECONDS, default 30)
for the daemon to close each connection.  Prints one line:
  SCENARIO count=N served=S closed=C maxwait=W
(served: sessions whose negotiation and connect were answered; closed:
connections the daemon closed; maxwait: the longest time in seconds it
took).  Exit status 0."""
import os
import socket
import struct
import sys
import time

# The packets and their framing are tests/wire/mtaclient.py's.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wire"))
from mtaclient import SMFIF_ALL, SMFIP_MDS_1M, packet  # noqa: E402
from mtaclient import read_packet as read_reply  # noqa: E402


def read_packet(s):
    """The command byte of the filter's next reply."""
    return read_reply(s)[0]


def opening(s, i):
    """Negotiate and connect; the client address differs per session."""
    s.sendall(packet(b"O", struct.pack("!III", 6, SMFIF_ALL, SMFIP_MDS_1M)))
    read_packet(s)
    ip = ("198.51.100.%d" % (i % 250 + 1)).encode()
    s.sendall(packet(b"C", b"bad.example\0" + b"4" + struct.pack("!H", 25) + ip + b"\0"))
    return read_packet(s) in (b"c", b"a")


def into_message(s):
    s.sendall(packet(b"H", b"bad.example\0"))
    read_packet(s)
    s.sendall(packet(b"M", b"<a@bad.example>\0"))
    read_packet(s)
    s.sendall(packet(b"R", b"<b@rcpt.example>\0"))
    read_packet(s)
    s.sendall(packet(b"L", b"From\0a@bad.example\0"))
    read_packet(s)


def connect(host, port):
    s = socket.create_connection((host, port), timeout=30)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 0, 0))
    return s


def wait_closed(socks, t0, limit):
    """Seconds each socket took to be closed by the peer (None: not within limit)."""
    waits = []
    for s in socks:
        left = limit - (time.monotonic() - t0)
        try:
            s.settimeout(max(left, 0.01))
            while s.recv(65536):
                pass
            waits.append(time.monotonic() - t0)
        except (socket.timeout, BlockingIOError):
            waits.append(None)
        except OSError:
            waits.append(time.monotonic() - t0)
    return waits


def setup(host, port, scenario, i):
    s = connect(host, port)
    if scenario == "halfopen":
        return s, True
    served = opening(s, i)
    if scenario == "stall":
        s.sendall(b"\0\0\0")
    elif scenario == "midclose":
        into_message(s)
        s.sendall(packet(b"N"))
        read_packet(s)
        s.sendall(packet(b"B", b"half a body\r\n" * 100))
        read_packet(s)
        s.close()
    elif scenario == "oversize":
        into_message(s)
        s.sendall(struct.pack("!I", 2 * 1024 * 1024) + b"L" + b"x" * 65535)
    return s, served


def main():
    host, port, scenario, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    limit = float(sys.argv[5]) if len(sys.argv) > 5 else 30.0
    socks, served = [], 0
    for i in range(count):
        try:
            s, ok = setup(host, port, scenario, i)
        except (OSError, EOFError):
            continue
        served += ok
        socks.append(s)
    t0 = time.monotonic()
    closed, maxwait = 0, 0.0
    if scenario == "flood":
        time.sleep(limit)
        for s in socks:
            try:
                s.sendall(packet(b"Q"))
            except OSError:
                pass
            s.close()
    elif scenario != "midclose":
        waits = wait_closed(socks, t0, limit)
        done = [w for w in waits if w is not None]
        closed, maxwait = len(done), max(done or [0.0])
        for s in socks:
            s.close()
    print("%s count=%d served=%d closed=%d maxwait=%.1f" % (scenario, count, served, closed, maxwait))
    return 0


if __name__ == "__main__":
    sys.exit(main())
