#!/usr/bin/python3
"""notify.py - the systemd readiness protocol (Type=notify, sd_notify(3)).

The test plays the service manager: it binds a datagram socket, starts
the daemon in the foreground with NOTIFY_SOCKET naming it (as systemd
does for Type=notify), and reads what the daemon tells:
  - READY=1 with a STATUS line (socket, configuration, reload counts,
    message counts: tests/metrics/metrics.sh checks they count),
    and only once the milter socket accepts connections;
  - on SIGHUP, RELOADING=1 then READY=1, the STATUS saying it reloaded;
    with a configuration that does not load, RELOADING=1 then READY=1
    saying it was NOT reloaded and counting the refusal;
  - on SIGTERM, STOPPING=1, then the process exits 0.
The same daemon started without NOTIFY_SOCKET runs and stops as before,
also when SIGTERM comes the moment its socket listens (it used to be
killed by the signal's default action then).
TAP output; every wait is bounded."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("top_builddir", ".")
MILTER = os.path.join(BUILD, "milter", "authmilter")
results = []


def check(ok, name):
    results.append(bool(ok))
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), name))
    sys.stdout.flush()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write_conf(path, port, broken=False):
    with open(path, "w") as f:
        f.write("Socket inet:%d@127.0.0.1\nSyslog no\nNameservers 127.0.0.1@1\n" % port)
        if broken:
            f.write("NoSuchKeyAtAll yes\n")


def receive(sock, timeout):
    """The next datagram as text, or None after timeout seconds."""
    sock.settimeout(timeout)
    try:
        return sock.recv(4096).decode()
    except socket.timeout:
        return None


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


def wait_exit(proc, timeout):
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def early_sigterm(conf, port, env, err, rounds=10):
    """SIGTERM as soon as the socket accepts a connection (a service manager
    stopping a daemon it just started): the exit statuses seen."""
    seen = []
    for _ in range(rounds):
        proc = subprocess.Popen([MILTER, "-f", "-c", conf], env=env, stderr=err)
        deadline = time.time() + 30
        while time.time() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.05).close()
                break
            except OSError:
                time.sleep(0.005)
        proc.send_signal(signal.SIGTERM)
        seen.append(wait_exit(proc, 30))
    return seen


def main():
    tmp = tempfile.mkdtemp()
    port = free_port()
    conf = os.path.join(tmp, "authmilter.conf")
    write_conf(conf, port)
    path = os.path.join(tmp, "notify")
    mgr = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    mgr.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    err = open(os.path.join(tmp, "log"), "w")
    proc = subprocess.Popen([MILTER, "-f", "-c", conf], env=env, stderr=err)
    try:
        msg = receive(mgr, 30)
        up = listening(port)
        check(msg is not None and msg.startswith("READY=1\n"), "READY=1 after the start")
        check(up, "... once the milter socket accepts connections")
        check(msg is not None and "STATUS=listening on inet:%d@127.0.0.1; configuration %s "
              "loaded at " % (port, conf) in msg and "; reloads: 0, 0 refused; messages: 0 (0 accepted, "
              "0 quarantined, 0 rejected, 0 tempfailed, 0 not evaluated); DNS errors: 0" in msg,
              "... with a STATUS line: socket, configuration, reloads (%r)" % msg)
        proc.send_signal(signal.SIGHUP)
        first, second = receive(mgr, 20), receive(mgr, 20)
        check(first == "RELOADING=1", "SIGHUP: RELOADING=1 (%r)" % first)
        check(second is not None and second.startswith("READY=1\n") and
              "reloaded at" in second and "reloads: 1, 0 refused; messages: " in second,
              "... then READY=1, reloaded (%r)" % second)
        write_conf(conf, port, broken=True)
        proc.send_signal(signal.SIGHUP)
        first, second = receive(mgr, 20), receive(mgr, 20)
        check(first == "RELOADING=1", "SIGHUP with a bad configuration: RELOADING=1")
        check(second is not None and "NOT reloaded" in second and
              "reloads: 1, 1 refused; messages: " in second,
              "... then READY=1, NOT reloaded, the refusal counted (%r)" % second)
        check(listening(port), "... and it still serves")
        proc.send_signal(signal.SIGTERM)
        msg = receive(mgr, 20)
        check(msg == "STOPPING=1", "SIGTERM: STOPPING=1 (%r)" % msg)
        check(wait_exit(proc, 30) == 0, "... then it exits 0")
        check(receive(mgr, 0.5) is None, "... and tells nothing more")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    write_conf(conf, port)
    env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
    proc = subprocess.Popen([MILTER, "-f", "-c", conf], env=env, stderr=err)
    deadline = time.time() + 30
    while time.time() < deadline and not listening(port) and proc.poll() is None:
        time.sleep(0.1)
    check(listening(port), "without NOTIFY_SOCKET: it starts and serves")
    proc.send_signal(signal.SIGTERM)
    status, told = wait_exit(proc, 30), receive(mgr, 0.2)
    check(status == 0 and told is None,
          "... stops on SIGTERM with status 0, telling nothing (%r, %r)" % (status, told))
    seen = early_sigterm(conf, port, env, err)
    check(seen == [0] * len(seen),
          "SIGTERM the moment the socket listens: a clean stop, status 0, each of %d times (%r)"
          % (len(seen), seen))
    mgr.close()
    err.close()
    shutil.rmtree(tmp)
    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
