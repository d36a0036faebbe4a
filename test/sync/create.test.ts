// create_connection and create_server: ports of CPython's NetworkConnectionNoServer,
// NetworkConnectionAttributesTest, NetworkConnectionBehaviourTest, CreateServerTest and
// CreateServerFunctionalTest.
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { fdCount } from '../helpers/fds';
import { timed } from '../helpers/timing';
import { accept, listener, sock, track, useSockets } from '../helpers/tracker';
import { pythonPeer } from '../helpers/children';

useSockets();

/** A TCP port that nothing listens on right now. */
function unusedPort(host = '127.0.0.1'): number {
  const s = socket.socket(host.includes(':') ? socket.AF_INET6 : socket.AF_INET, socket.SOCK_STREAM);
  try {
    s.bind([host, 0]);
    return (s.getsockname() as [string, number])[1];
  } finally {
    s.close();
  }
}

/** Retries `fn(port)` on EADDRINUSE with fresh unused ports (bounded). */
function withUnusedPort<T>(fn: (port: number) => T): T {
  for (let i = 0; ; i++) {
    const port = unusedPort();
    try {
      return fn(port);
    } catch (e) {
      if (!(e instanceof socket.OSError) || e.errno !== 98 || i >= 5) throw e;
    }
  }
}

/** Echo round trip through a server socket, on one thread (the kernel queues both ways). */
function echoThrough(srv: socket.Socket, cli: socket.Socket): void {
  cli.sendall(Buffer.from('foo'));
  const [conn] = accept(srv);
  conn.sendall(conn.recv(1024));
  expect(cli.recv(1024).toString()).toBe('foo');
}

describe('NetworkConnectionNoServer', () => {
  it('connect to a port without a server is ECONNREFUSED (test_connect)', () => {
    const port = unusedPort();
    const cli = sock(socket.AF_INET, socket.SOCK_STREAM);
    const e = catchError(() => cli.connect(['127.0.0.1', port]));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(111);
  });

  it('create_connection raises the OSError with its errno (test_create_connection)', () => {
    const port = unusedPort();
    const before = fdCount();
    const e = catchError(() => socket.create_connection(['127.0.0.1', port]));
    expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
    expect(e.errno).toBe(111);
    expect(fdCount()).toBe(before);
  });

  it('all_errors gives an AggregateError of one OSError per address (test_create_connection_all_errors)', () => {
    const port = unusedPort();
    const e = catchError(() =>
      socket.create_connection(['localhost', port], undefined, undefined, { all_errors: true }),
    );
    expect(e).toBeInstanceOf(AggregateError);
    expect(e.message).toBe('create_connection failed');
    const addresses = socket.getaddrinfo('localhost', port, 0, socket.SOCK_STREAM);
    expect(e.errors).toHaveLength(addresses.length);
    for (const sub of e.errors) {
      expect(sub).toBeInstanceOf(socket.OSError);
      expect(sub.errno).toBe(111);
    }
  });

  it('a timeout from connect stays a TimeoutError (test_create_connection_timeout)', () => {
    const { addr } = listener('127.0.0.1', 0);
    const first = sock();
    first.settimeout(5);
    first.connect(addr);
    const r = timed(() => socket.create_connection(addr, 0.3));
    expect(r.error).toBeInstanceOf(socket.TimeoutError);
    expect((r.error as socket.OSError).errno).toBeNull();
    expect((r.error as Error).message).toBe('timed out');
    expect(r.elapsed).toBeGreaterThanOrEqual(0.2);
    expect(r.elapsed).toBeLessThan(5);
  });

  it('an unknown host is gaierror (create_connection, resolution failure)', () => {
    const e = catchError(() => socket.create_connection(['nonexistent.invalid', 80]));
    expect(e).toBeInstanceOf(socket.gaierror);
    expect(e.errno).toBe(-2);
  });
});

describe('NetworkConnectionAttributesTest', () => {
  it('the socket is AF_INET (testFamily)', () => {
    const { srv, port } = listener();
    const cli = track(socket.create_connection(['127.0.0.1', port], 5));
    accept(srv);
    expect(cli.family).toBe(socket.AF_INET);
    expect(cli.type).toBe(socket.SOCK_STREAM);
  });

  it('source_address is bound before connecting (testSourceAddress)', () => {
    const { srv, port } = listener();
    const cli = withUnusedPort((sp) => {
      const c = track(socket.create_connection(['127.0.0.1', port], 5, ['', sp]));
      expect((c.getsockname() as [string, number])[1]).toBe(sp);
      return c;
    });
    const [, addr] = accept(srv);
    expect(addr).toEqual(cli.getsockname());
    const c2 = track(socket.create_connection(['127.0.0.1', port], 5, ['127.0.0.1', 0]));
    expect((c2.getsockname() as [string, number])[0]).toBe('127.0.0.1');
    accept(srv);
  });

  it('no timeout argument uses the default timeout (testTimeoutDefault)', () => {
    const { srv, port } = listener();
    expect(socket.getdefaulttimeout()).toBeNull();
    socket.setdefaulttimeout(42);
    const cli = track(socket.create_connection(['127.0.0.1', port]));
    socket.setdefaulttimeout(null);
    accept(srv);
    expect(cli.gettimeout()).toBe(42);
  });

  it('timeout null means blocking, whatever the default (testTimeoutNone)', () => {
    const { srv, port } = listener();
    socket.setdefaulttimeout(30);
    const cli = track(socket.create_connection(['127.0.0.1', port], null));
    socket.setdefaulttimeout(null);
    accept(srv);
    expect(cli.gettimeout()).toBeNull();
  });

  it('a timeout value is applied (testTimeoutValueNamed, testTimeoutValueNonamed)', () => {
    const { srv, port } = listener();
    const cli = track(socket.create_connection(['127.0.0.1', port], 30));
    accept(srv);
    expect(cli.gettimeout()).toBe(30);
  });

  it('create_connection to a hostname resolves it (create_connection, localhost)', () => {
    const { srv, port } = listener();
    const cli = track(socket.create_connection(['localhost', port]));
    echoThrough(srv, cli);
    expect(cli.getpeername()).toEqual(['127.0.0.1', port]);
  });

  it('a malformed address is a TypeError (create_connection, address type)', () => {
    expect(() => socket.create_connection('127.0.0.1:80' as any)).toThrow(TypeError);
    expect(() => socket.create_connection(['127.0.0.1'] as any)).toThrow(TypeError);
  });
});

describe('NetworkConnectionBehaviourTest', () => {
  it('without a timeout, recv waits for a server that answers after a delay (testInsideTimeout; python3 server)', async () => {
    const py = pythonPeer(
      `import socket, time
srv = socket.create_server(('127.0.0.1', 0))
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
time.sleep(0.3)
conn.sendall(b'done!')
conn.recv(1)
conn.close()`,
    );
    try {
      const port = Number(await py.line());
      const cli = track(socket.create_connection(['127.0.0.1', port]));
      expect(cli.gettimeout()).toBeNull();
      const r = timed(() => cli.recv(5));
      expect(r.error).toBeUndefined();
      expect(r.value!.toString()).toBe('done!');
      expect(r.elapsed).toBeGreaterThan(0.1);
      cli.close();
      const { code } = await py.exit;
      expect(code).toBe(0);
    } finally {
      py.kill();
    }
  });

  it('with a short timeout, recv from a silent server times out (testOutsideTimeout)', () => {
    const { srv, port } = listener();
    const cli = track(socket.create_connection(['127.0.0.1', port], 0.2));
    accept(srv);
    const r = timed(() => cli.recv(5));
    expect(r.error).toBeInstanceOf(socket.TimeoutError);
    expect(r.elapsed).toBeGreaterThanOrEqual(0.15);
    expect(r.elapsed).toBeLessThan(5);
  });
});

describe('CreateServerTest', () => {
  it('binds the given address, IPv4 and IPv6 (test_address)', () => {
    withUnusedPort((port) => {
      const s = track(socket.create_server(['127.0.0.1', port]));
      expect(s.getsockname()).toEqual(['127.0.0.1', port]);
    });
    const s6 = track(socket.create_server(['::1', 0], { family: socket.AF_INET6 }));
    const name = s6.getsockname() as [string, number, number, number];
    expect(name[0]).toBe('::1');
    expect(name[1]).toBeGreaterThan(0);
  });

  it('is a listening SOCK_STREAM socket of the family asked for (test_family_and_type)', () => {
    const s = track(socket.create_server(['127.0.0.1', 0]));
    expect(s.family).toBe(socket.AF_INET);
    expect(s.type).toBe(socket.SOCK_STREAM);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)).toBe(1);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)).not.toBe(0);
    const s6 = track(socket.create_server(['::1', 0], { family: socket.AF_INET6 }));
    expect(s6.family).toBe(socket.AF_INET6);
    expect(s6.type).toBe(socket.SOCK_STREAM);
  });

  it('SO_REUSEPORT is off by default and on with reuse_port (test_reuse_port)', () => {
    const a = track(socket.create_server(['localhost', 0]));
    expect(a.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)).toBe(0);
    const b = track(socket.create_server(['localhost', 0], { reuse_port: true }));
    expect(b.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)).not.toBe(0);
  });

  it('an AF_INET6 server is IPv6-only by default (test_ipv6_only_default)', () => {
    const s = track(socket.create_server(['::1', 0], { family: socket.AF_INET6 }));
    expect(s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)).not.toBe(0);
  });

  it('dualstack_ipv6 gives an AF_INET6 socket with V6ONLY off (test_dualstack_ipv6_family)', () => {
    expect(socket.has_dualstack_ipv6()).toBe(true);
    const s = track(socket.create_server(['::1', 0], { family: socket.AF_INET6, dualstack_ipv6: true }));
    expect(s.family).toBe(socket.AF_INET6);
    // Checked on the wildcard: some kernels (gVisor) report V6ONLY once bound to ::1.
    const w = track(socket.create_server(['', 0], { family: socket.AF_INET6, dualstack_ipv6: true }));
    expect(w.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)).toBe(0);
  });

  it('dualstack_ipv6 with AF_INET is a RangeError (create_server, dualstack_ipv6 requires AF_INET6)', () => {
    const e = catchError(() => socket.create_server(['127.0.0.1', 0], { dualstack_ipv6: true }));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('dualstack_ipv6 requires AF_INET6 family');
  });

  it('a bind failure says which address, and the socket is closed (create_server, bind error message)', () => {
    const first = track(socket.create_server(['127.0.0.1', 0]));
    const port = (first.getsockname() as [string, number])[1];
    const before = fdCount();
    const e = catchError(() => socket.create_server(['127.0.0.1', port]));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(98);
    expect(e.message).toBe(
      `[Errno 98] Address already in use (while attempting to bind on address ['127.0.0.1', ${port}])`,
    );
    expect(fdCount()).toBe(before);
  });

  it('backlog is passed to listen (create_server, backlog)', () => {
    const s = track(socket.create_server(['127.0.0.1', 0], { backlog: 0 }));
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)).toBe(1);
    const t = track(socket.create_server(['127.0.0.1', 0], { backlog: null }));
    expect(t.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)).toBe(1);
  });
});

describe('CreateServerFunctionalTest', () => {
  it('an IPv4 server on "" echoes to an IPv4 client (test_tcp4)', () => {
    const srv = track(socket.create_server(['', 0]));
    const port = (srv.getsockname() as [string, number])[1];
    const cli = sock(socket.AF_INET);
    cli.settimeout(5);
    cli.connect(['127.0.0.1', port]);
    echoThrough(srv, cli);
  });

  it('an IPv6 server echoes to an IPv6 client (test_tcp6)', () => {
    const srv = track(socket.create_server(['', 0], { family: socket.AF_INET6 }));
    const port = srv.getsockname()[1];
    const cli = sock(socket.AF_INET6);
    cli.settimeout(5);
    cli.connect(['::1', port]);
    echoThrough(srv, cli);
  });

  it('a dual-stack server serves IPv4 and IPv6 clients (test_dual_stack_client_v4, test_dual_stack_client_v6)', () => {
    const srv = track(socket.create_server(['', 0], { family: socket.AF_INET6, dualstack_ipv6: true }));
    const port = srv.getsockname()[1];
    const c4 = sock(socket.AF_INET);
    c4.settimeout(5);
    c4.connect(['127.0.0.1', port]);
    echoThrough(srv, c4);
    const c6 = sock(socket.AF_INET6);
    c6.settimeout(5);
    c6.connect(['::1', port]);
    echoThrough(srv, c6);
  });
});
