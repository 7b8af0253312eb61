#!/usr/bin/env python3
"""mtaclient.py HOST PORT MESSAGE [--ip IP] [--helo NAME] [--mail-from ADDR] [--rcpt ADDR]
                                 [--auth USER] [--actions MASK]

A small MTA side of the milter protocol (version 6), for what Debian's
miltertest cannot send (it crashes on header values over a few KB): one
session with MESSAGE, negotiating the 1 MB packet size (SMFIP_MDS_1M).
Prints one line per milter reply or modification ("insheader NAME VALUE",
"chgheader NAME INDEX", "quarantine REASON", "replycode TEXT", "final X")
and exits 0 when the session completed, 1 when the filter closed it or
broke the protocol (the MTA would apply milter_default_action).
--auth sends USER as the {auth_authen} macro (a client that used SMTP
AUTH); --actions offers the filter only the actions of MASK (SMFIF_* bits,
decimal or 0x hex; all of them by default)."""
import socket, struct, sys

SMFIP_MDS_1M = 0x20000000
SMFIF_ALL = 0x1ff


def packet(cmd, data=b""):
    return struct.pack("!I", len(data) + 1) + cmd + data


def read_packet(s):
    hdr = b""
    while len(hdr) < 4:
        chunk = s.recv(4 - len(hdr))
        if not chunk:
            raise EOFError("filter closed the connection")
        hdr += chunk
    n = struct.unpack("!I", hdr)[0]
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError("filter closed the connection")
        data += chunk
    return data[:1], data[1:]


def expect_continue(s, what):
    cmd, data = read_packet(s)
    if cmd not in (b"c", b"a"):
        print("%s: reply %r %r" % (what, cmd, data))
    return cmd


def split_message(text):
    text = text.replace(b"\r\n", b"\n")
    hdr, sep, body = text.partition(b"\n\n")
    fields = []
    for line in (hdr + b"\n").split(b"\n")[:-1]:
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1] += b"\n" + line
        elif b":" in line:
            name, value = line.split(b":", 1)
            fields.append([name, value.lstrip(b" ")])
    return fields, body.replace(b"\n", b"\r\n")


def eom(s):
    while True:
        cmd, data = read_packet(s)
        parts = data.split(b"\0")
        if cmd == b"i":
            idx = struct.unpack("!I", data[:4])[0]
            name, value = data[4:].split(b"\0")[:2]
            print("insheader %d %s %s" % (idx, name.decode(), value.decode("latin-1")))
        elif cmd == b"h":
            print("addheader %s %s" % (parts[0].decode(), parts[1].decode("latin-1")))
        elif cmd == b"m":
            idx = struct.unpack("!I", data[:4])[0]
            name = data[4:].split(b"\0")[0]
            print("chgheader %s %d" % (name.decode(), idx))
        elif cmd == b"q":
            print("quarantine %s" % parts[0].decode("latin-1"))
        elif cmd == b"y":
            # SMFIR_REPLYCODE is itself the final answer (reject/tempfail).
            print("replycode %s" % parts[0].decode("latin-1"))
            return
        elif cmd in (b"a", b"c", b"r", b"t", b"d"):
            print("final %s" % cmd.decode())
            return
        else:
            print("other %r" % cmd)


def main():
    args = sys.argv[1:]
    host, port, path = args[0], int(args[1]), args[2]
    opts = dict(zip(args[3::2], args[4::2]))
    ip = opts.get("--ip", "192.0.2.10").encode()
    s = socket.create_connection((host, port), timeout=60)
    actions = int(opts.get("--actions", str(SMFIF_ALL)), 0)
    s.sendall(packet(b"O", struct.pack("!III", 6, actions, SMFIP_MDS_1M)))
    read_packet(s)
    s.sendall(packet(b"C", b"client.example\0" + b"4" + struct.pack("!H", 25) + ip + b"\0"))
    expect_continue(s, "connect")
    s.sendall(packet(b"H", opts.get("--helo", "client.example").encode() + b"\0"))
    expect_continue(s, "helo")
    macros = b"i\0QIDPY\0"
    if "--auth" in opts:
        macros += b"{auth_authen}\0" + opts["--auth"].encode() + b"\0"
    s.sendall(packet(b"D", b"M" + macros))
    s.sendall(packet(b"M", opts.get("--mail-from", "<bounce@pass.wire.example>").encode() + b"\0"))
    if expect_continue(s, "mail") == b"a":
        print("final a")
        return 0
    s.sendall(packet(b"R", opts.get("--rcpt", "<bob@rcpt.example>").encode() + b"\0"))
    expect_continue(s, "rcpt")
    fields, body = split_message(open(path, "rb").read())
    for name, value in fields:
        s.sendall(packet(b"L", name + b"\0" + value + b"\0"))
        expect_continue(s, "header")
    s.sendall(packet(b"N"))
    expect_continue(s, "eoh")
    for i in range(0, len(body), 65535):
        s.sendall(packet(b"B", body[i:i + 65535]))
        expect_continue(s, "body")
    s.sendall(packet(b"E"))
    eom(s)
    s.sendall(packet(b"Q"))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (EOFError, ConnectionError, socket.timeout) as e:
        print("session broken: %s" % e)
        sys.exit(1)
