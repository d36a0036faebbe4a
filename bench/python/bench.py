#!/usr/bin/env python3
"""Python's socket module on the scenarios of the bsdsock benchmark suite.

Usage: python3 bench/python/bench.py <scenario> <main|peer> [--key value ...]

main binds, spawns its peer (this file, role peer), measures, reaps the peer and prints
one JSON line on stdout. Blocking sockets throughout, except http-hello (selectors, the
event-loop style of a single-threaded server). Python has no recvmmsg/sendmmsg, so
udp-batched is not implemented (exit 3).
"""
import json
import os
import re
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time

HOST = "127.0.0.1"
DEFAULTS = dict(count=100000, bytes=2 ** 31, chunk=65536, size=64, warmup=0, batch=32, conns=16,
                rcvbuf=4 << 20, seconds=30.0, duration=3.0, settle=1.0, port=0)


def parse_args(argv):
    o = dict(DEFAULTS)
    o["scenario"], o["role"] = argv[0], argv[1] if len(argv) > 1 else "main"
    rest = argv[2:]
    for i in range(0, len(rest) - 1, 2):
        k = rest[i][2:]
        v = rest[i + 1]
        if k in DEFAULTS:
            o[k] = type(DEFAULTS[k])(float(v)) if isinstance(DEFAULTS[k], (int, float)) else v
    return o


O = parse_args(sys.argv[1:])
now = time.monotonic


def pinned(cmd):
    cpu = os.environ.get("BENCH_PEER_CPU")
    return ["taskset", "-c", cpu] + cmd if cpu else cmd


def spawn_peer(**extra):
    args = [sys.executable, os.path.abspath(__file__), O["scenario"], "peer"]
    for k, v in {**O, **extra}.items():
        if k not in ("scenario", "role"):
            args += ["--" + k, str(v)]
    return subprocess.Popen(pinned(args), stdin=subprocess.DEVNULL, stdout=sys.stderr)


def reap(p, grace=10.0):
    try:
        return p.wait(grace)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return -1


def emit(value, unit, ops, seconds, **extra):
    line = dict(impl="python", scenario=O["scenario"], value=value, unit=unit, ops=ops, seconds=seconds, **extra)
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def vmrss_kb():
    with open("/proc/self/status") as f:
        m = re.search(r"VmRSS:\s+(\d+) kB", f.read())
    return int(m.group(1)) if m else -1


def listener(backlog):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((HOST, 0))
    s.listen(backlog)
    return s, s.getsockname()[1]


def connect(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((HOST, port))
    return s


# ---- tcp-pingpong ------------------------------------------------------------------------

def pingpong_main():
    ls, port = listener(16)
    peer = spawn_peer(port=port)
    c, _ = ls.accept()
    ls.close()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    size = O["size"]
    msg = bytes(size)
    buf = bytearray(size)
    view = memoryview(buf)

    def roundtrip():
        c.sendall(msg)
        got = 0
        while got < size:
            n = c.recv_into(view[got:]) if got else c.recv_into(buf)
            if n == 0:
                raise RuntimeError("peer closed")
            got += n

    for _ in range(O["warmup"]):
        roundtrip()
    t0 = now()
    n = 0
    count, seconds = O["count"], O["seconds"]
    while n < count:
        roundtrip()
        n += 1
        if n & 1023 == 0 and now() - t0 > seconds:
            break
    t1 = now()
    c.close()
    if reap(peer) != 0:
        raise RuntimeError("peer failed")
    emit(n / (t1 - t0), "round trips/s", n, t1 - t0)


def pingpong_peer():
    c = connect(O["port"])
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    size = O["size"]
    buf = bytearray(size)
    view = memoryview(buf)
    while True:
        n = c.recv_into(buf)
        if n == 0:
            break
        c.sendall(buf if n == size else view[:n])
    c.close()


# ---- tcp-bulk ------------------------------------------------------------------------------

def bulk_main():
    ls, port = listener(16)
    peer = spawn_peer(port=port)
    c, _ = ls.accept()
    ls.close()
    chunk = bytes(O["chunk"])
    total, seconds = O["bytes"], O["seconds"]
    sent = writes = 0
    t0 = now()
    while sent < total:
        c.sendall(chunk)
        sent += len(chunk)
        writes += 1
        if writes & 1023 == 0 and now() - t0 > seconds:
            break
    c.shutdown(socket.SHUT_WR)
    if c.recv(1) != b"k":
        raise RuntimeError("no ack from the reader")
    t1 = now()
    c.close()
    if reap(peer) != 0:
        raise RuntimeError("peer failed")
    emit(sent / (t1 - t0) / 1e9, "GB/s", writes, t1 - t0)


def bulk_peer():
    c = connect(O["port"])
    buf = bytearray(O["chunk"])
    while c.recv_into(buf):
        pass
    c.sendall(b"k")
    c.close()


# ---- udp-pps -------------------------------------------------------------------------------

def udp_main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, O["rcvbuf"])
    s.bind((HOST, 0))
    peer = spawn_peer(port=s.getsockname()[1])
    s.settimeout(5)
    _, addr = s.recvfrom(256)
    s.connect(addr)
    s.send(b"g")
    size = O["size"]
    buf = bytearray(256)
    received = 0
    sent = -1
    t_first = t_last = 0.0
    deadline = now() + O["seconds"] + 5
    while sent < 0:
        try:
            n = s.recv_into(buf)
        except socket.timeout:
            break
        if n == size:
            t = now()
            if received == 0:
                t_first = t
            received += 1
            t_last = t
            if received & 1023 == 0 and t > deadline:
                break
        elif n == 9 and buf[0] == 0xEE:
            sent = struct.unpack_from("<Q", buf, 1)[0]
        elif n == 1:
            s.send(b"g")
    if sent >= 0:
        s.send(b"a")
    s.close()
    reap(peer)
    if received < 2:
        raise RuntimeError("too few datagrams received")
    secs = t_last - t_first
    emit((received - 1) / secs, "datagrams/s", received, secs, sent=sent, received=received,
         loss=1 - received / sent if sent > 0 else -1)


def udp_peer():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((HOST, O["port"]))
    s.settimeout(0.1)
    for tries in range(101):
        s.send(b"h")
        try:
            if s.recv(256) == b"g":
                break
        except socket.timeout:
            pass
    else:
        raise RuntimeError("no go from the receiver")
    s.settimeout(None)
    msg = bytes(O["size"])
    count, seconds = O["count"], O["seconds"]
    sent = 0
    send = s.send
    t0 = now()
    while sent < count:
        send(msg)
        sent += 1
        if sent & 1023 == 0 and now() - t0 > seconds:
            break
    marker = b"\xee" + struct.pack("<Q", sent)
    s.settimeout(0.02)
    for _ in range(500):
        s.send(marker)
        try:
            if s.recv(256) == b"a":
                break
        except socket.timeout:
            pass
    s.close()


# ---- tcp-accept ----------------------------------------------------------------------------

def accept_main():
    ls, port = listener(128)
    peer = spawn_peer(port=port)
    warm, count, seconds = O["warmup"], O["count"], O["seconds"]
    accept = ls.accept
    for _ in range(warm):
        accept()[0].close()
    t0 = now()
    n = 0
    while n < count:
        accept()[0].close()
        n += 1
        if n & 255 == 0 and now() - t0 > seconds:
            break
    t1 = now()
    ls.close()
    reap(peer, 0.2 if n < count else 10)
    emit(n / (t1 - t0), "connections/s", n, t1 - t0)


def accept_peer():
    addr = (HOST, O["port"])
    for _ in range(O["warmup"] + O["count"]):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect(addr)
        if s.recv(1) != b"":
            raise RuntimeError("expected EOF")
        s.close()


# ---- idle-conns ----------------------------------------------------------------------------

def idle_main():
    ls, port = listener(4096)
    client_path = os.environ.get("BENCH_IDLE_CLIENT") or os.path.join(os.path.dirname(__file__), "..", "out", "bench")
    client = subprocess.Popen(pinned([client_path, "idle-conns", "client", "--port", str(port), "--count",
                                      str(O["count"]), "--batch", str(O["batch"])]),
                              stdin=subprocess.DEVNULL, stdout=sys.stderr)
    count, batch = O["count"], O["batch"]
    conns = []
    rss0 = vmrss_kb()
    t0 = now()
    ls.settimeout(O["seconds"])
    try:
        while len(conns) < count:
            c, _ = ls.accept()
            conns.append(c)
            n = len(conns)
            if n % batch == 0 or n == count:
                c.send(b"x")
    except socket.timeout:
        pass
    t1 = now()
    rss1 = vmrss_kb()
    client.send_signal(signal.SIGTERM)
    reap(client, 5)
    for c in conns:
        c.close()
    ls.close()
    n = len(conns)
    emit((rss1 - rss0) * 1024 / n, "B/conn", n, t1 - t0, rss_before_kb=rss0, rss_after_kb=rss1, conns=n)


# ---- http-hello ----------------------------------------------------------------------------

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!"


def parse_wrk(report):
    m = re.search(r"Requests/sec:\s+([\d.]+)", report)
    if not m:
        raise RuntimeError("no Requests/sec in wrk's report:\n" + report)
    reqs = re.search(r"(\d+) requests in ", report)
    se = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    return (float(m.group(1)), int(reqs.group(1)) if reqs else 0,
            dict(socket_errors=sum(int(x) for x in se.groups()) if se else 0,
                 non2xx=int(non2xx.group(1)) if non2xx else 0))


def selector_server(ls, out, hard, on_data):
    """One thread, non-blocking sockets and selectors (epoll): Python's event-loop server,
    shared by http-hello and echo-many. Accepts on ls, hands what each connection sends to
    on_data(conn, data, state) (state: a one-element list per connection), and returns what
    the pipe `out` (the load generator's stdout) wrote, once it closes or `hard` passes."""
    ls.setblocking(False)
    os.set_blocking(out.fileno(), False)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ, "listener")
    sel.register(out, selectors.EVENT_READ, "out")
    report = []
    done = False
    while not done and now() < hard:
        for key, _ in sel.select(1.0):
            tag = key.data
            if tag == "listener":
                while True:
                    try:
                        c, _ = ls.accept()
                    except BlockingIOError:
                        break
                    c.setblocking(False)
                    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    sel.register(c, selectors.EVENT_READ, [b""])
            elif tag == "out":
                d = os.read(out.fileno(), 65536)
                if d:
                    report.append(d)
                else:
                    done = True
            else:
                c = key.fileobj
                try:
                    d = c.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    d = b""
                if not d:
                    sel.unregister(c)
                    c.close()
                    continue
                try:
                    on_data(c, d, tag)
                except OSError:
                    pass
    sel.close()
    return b"".join(report).decode()


def http_on_data(c, d, state):
    if state[0]:
        d = state[0] + d
    n = d.count(b"\r\n\r\n")
    end = d.rfind(b"\r\n\r\n")
    state[0] = d[end + 4:] if end >= 0 else d
    if n:
        c.sendall(RESPONSE * n)


def http_main():
    ls, port = listener(1024)
    wrk = subprocess.Popen(pinned([os.environ.get("BENCH_WRK", "wrk"), "-t1", "-c%d" % O["conns"],
                                   "-d%gs" % O["duration"], "--timeout", "5s", "http://%s:%d/" % (HOST, port)]),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    t0 = now()
    report = selector_server(ls, wrk.stdout, t0 + O["duration"] + 30, http_on_data)
    t1 = now()
    reap(wrk, 5)
    rps, ops, extra = parse_wrk(report)
    emit(rps, "requests/s", ops, t1 - t0, **extra)


# ---- echo-many -----------------------------------------------------------------------------

def echo_main():
    """selector_server, echoing whatever arrives."""
    ls, port = listener(4096)
    client_path = os.environ.get("BENCH_IDLE_CLIENT") or os.path.join(os.path.dirname(__file__), "..", "out", "bench")
    client = subprocess.Popen(pinned([client_path, "echo-many", "client", "--port", str(port), "--conns",
                                      str(O["conns"]), "--size", str(O["size"]), "--duration", "%g" % O["duration"],
                                      "--settle", "%g" % O["settle"], "--seconds", "%g" % O["seconds"]]),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    report = selector_server(ls, client.stdout, now() + O["seconds"] + 10, lambda c, d, _: c.sendall(d))
    if reap(client, 5) != 0 or not report:
        raise RuntimeError("the echo-many client failed")
    figures = json.loads("{" + report.strip().split("\n")[0] + "}")
    sys.stdout.write(json.dumps(dict(impl="python", scenario=O["scenario"], **figures)) + "\n")
    sys.stdout.flush()


TABLE = {
    "tcp-pingpong": (pingpong_main, pingpong_peer),
    "tcp-bulk": (bulk_main, bulk_peer),
    "udp-pps": (udp_main, udp_peer),
    "tcp-accept": (accept_main, accept_peer),
    "idle-conns": (idle_main, None),
    "http-hello": (http_main, None),
    "echo-many-256": (echo_main, None),
    "echo-many-1024": (echo_main, None),
}

if __name__ == "__main__":
    entry = TABLE.get(O["scenario"])
    if entry is None:
        sys.stderr.write("python: scenario %s is not implemented (no recvmmsg/sendmmsg in Python)\n" % O["scenario"])
        sys.exit(3)
    (entry[1] if O["role"] == "peer" else entry[0])()
