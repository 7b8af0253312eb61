#!/usr/bin/env python3
"""nodelay.py PID PORT - connect to the milter at 127.0.0.1:PORT, find the
daemon's end of that connection among the descriptors of process PID, take
a copy of it with pidfd_getfd(2) and check TCP_NODELAY is set.  Exit 0 when
it is.  The daemon's end is looked for until the daemon has accepted the
connection (the socket is among its descriptors), at most WAIT seconds.
Needs Linux 5.6+ and the right to ptrace PID (root, or the owner)."""
import ctypes, os, socket, sys, time

WAIT = 10.0
pid, port = int(sys.argv[1]), int(sys.argv[2])
c = socket.create_connection(("127.0.0.1", port))
local_port = c.getsockname()[1]

def inode_of(port_hex_local, port_hex_remote):
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for line in f:
                parts = line.split()
                if parts[1].endswith(":" + port_hex_local) and parts[2].endswith(":" + port_hex_remote):
                    return parts[9]
    return None

def fd_of(inode):
    """The daemon's descriptor of socket inode, or None (not accepted yet)."""
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == "socket:[%s]" % inode:
                return int(fd)
        except OSError:
            pass
    return None

# The kernel has the daemon's end once the handshake is done (connect
# returned), with inode 0 until the daemon accepts it; then it is among the
# daemon's descriptors: wait for that.
deadline = time.monotonic() + WAIT
inode = target = None
while target is None and time.monotonic() < deadline:
    inode = inode_of("%04X" % port, "%04X" % local_port)
    target = fd_of(inode) if inode not in (None, "0") else None
    if target is None:
        time.sleep(0.02)
if inode is None:
    print("daemon side of the connection not found")
    sys.exit(1)
if target is None:
    print("socket inode %s not among the daemon's descriptors after %g s" % (inode, WAIT))
    sys.exit(1)
libc = ctypes.CDLL(None, use_errno=True)
pidfd = os.pidfd_open(pid)
SYS_pidfd_getfd = 438
fd = libc.syscall(SYS_pidfd_getfd, pidfd, target, 0)
if fd < 0:
    print("pidfd_getfd: %s" % os.strerror(ctypes.get_errno()))
    sys.exit(2)
s = socket.socket(fileno=fd)
v = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
print("daemon fd %d: TCP_NODELAY=%d" % (target, v))
s.detach()
os.close(fd)
c.close()
sys.exit(0 if v else 1)
