// What `npm run demo` runs: a short tour of bsdsock, printed step by step.
//
//   1. a blocking TCP exchange: examples/echo-server.ts runs in a child process and the
//      client side runs here, in this process, with the blocking API;
//   2. the same with UDP (examples/udp-server.ts);
//   3. async name resolution with bsdsock/aio;
//   4. an async TCP exchange: server and client both in this process, on the event loop;
//   5. an ICMP ping of 127.0.0.1 (examples/ping.ts): raw socket with CAP_NET_RAW, else the
//      unprivileged ping socket, else an explanation of the privilege it needs.
//
// Loopback only, port 0 everywhere. The whole tour takes a second or two and exits by
// itself; a watchdog ends it (exit 1) if anything hangs.
//
// The blocking calls in steps 1 and 2 stop this thread while they wait, as fs.*Sync
// calls do. That is fine here: the peer is another process, so nothing this process
// would otherwise run is kept waiting.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as socket from 'bsdsock';
import * as aio from 'bsdsock/aio';

const TSX_CLI = require.resolve('tsx/cli');
const EXAMPLES = __dirname;
const STEP_TIMEOUT_MS = 15_000;

const children = new Set<ChildProcess>();
const watchdog = setTimeout(() => {
  console.error('demo: timed out, giving up');
  for (const c of children) c.kill();
  process.exit(1);
}, 40_000);
watchdog.unref();

interface Server {
  port: number;
  /** Lines the server printed after its first one (the port). */
  lines: string[];
  /** Resolves with the exit code once the server has exited. */
  exited: Promise<number | null>;
}

/** Starts examples/<script> on port 0 and reads the port from its first line. */
function startServer(script: string): Promise<Server> {
  const child = spawn(process.execPath, [TSX_CLI, path.join(EXAMPLES, script), '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      children.delete(child);
      resolve(code);
    });
  });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} printed no port within ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS,
    );
    let port: number | undefined;
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (port !== undefined) {
        lines.push(line);
        return;
      }
      port = Number(line);
      clearTimeout(timer);
      if (Number.isInteger(port) && port > 0) resolve({ port, lines, exited });
      else reject(new Error(`${script}: expected a port on the first line, got ${JSON.stringify(line)}`));
    });
    child.on('error', reject);
    exited.then((code) => {
      clearTimeout(timer);
      if (port === undefined) reject(new Error(`${script} exited (code ${code}) before printing its port`));
    });
  });
}

async function finish(name: string, server: Server): Promise<void> {
  const code = await server.exited;
  for (const line of server.lines) console.log(`  ${name} printed: ${line}`);
  console.log(`  ${name} exited with code ${code}`);
  if (code !== 0) throw new Error(`${name} failed (exit code ${code})`);
}

async function tcpStep(): Promise<void> {
  console.log('[1/5] Blocking TCP echo');
  console.log('  starting examples/echo-server.ts in a child process ...');
  const server = await startServer('echo-server.ts');
  console.log(`  server listens on 127.0.0.1:${server.port}`);
  {
    using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    console.log(`  client: ${s}`);
    s.settimeout(5);
    s.connect(['127.0.0.1', server.port]);
    console.log(
      `  client: connect(['127.0.0.1', ${server.port}]) done; sendall(Buffer.from('Hello, world'))`,
    );
    s.sendall(Buffer.from('Hello, world'));
    const data = s.recv(1024);
    console.log(`  client: recv(1024) -> ${data.length} bytes: ${JSON.stringify(data.toString())}`);
  } // `using`: the socket is closed here, so the server sees EOF and exits
  await finish('server', server);
}

async function udpStep(): Promise<void> {
  console.log('[2/5] Blocking UDP exchange');
  console.log('  starting examples/udp-server.ts in a child process ...');
  const server = await startServer('udp-server.ts');
  console.log(`  server bound to 127.0.0.1:${server.port}`);
  {
    using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    s.settimeout(5);
    const sent = s.sendto(Buffer.from('Hello, world'), ['127.0.0.1', server.port]);
    console.log(`  client: sendto(..., ['127.0.0.1', ${server.port}]) -> ${sent} bytes`);
    const [data, addr] = s.recvfrom(1024);
    console.log(
      `  client: recvfrom(1024) -> ${JSON.stringify(data.toString())} from ${JSON.stringify(addr)}`,
    );
  }
  await finish('server', server);
}

async function resolveStep(): Promise<void> {
  console.log('[3/5] Async name resolution');
  console.log(
    "  await aio.getaddrinfo('localhost', 80)  (getaddrinfo(3) on the libuv thread pool; the event loop keeps running)",
  );
  const infos = await aio.getaddrinfo('localhost', 80);
  for (const [family, type, proto, canonname, sockaddr] of infos) {
    const fam = socket.AddressFamily[family] ?? family;
    const kind = socket.SocketKind[type] ?? type;
    console.log(
      `  ${fam} ${kind} proto=${proto} canonname=${JSON.stringify(canonname)} sockaddr=${JSON.stringify(sockaddr)}`,
    );
  }
  console.log(`  ${infos.length} results (one per address and socket type)`);
}

async function asyncStep(): Promise<void> {
  console.log('[4/5] Async TCP echo (bsdsock/aio: both ends in this process, nothing blocks)');
  const srv = await aio.create_server(['127.0.0.1', 0]);
  const [, port] = srv.getsockname();
  console.log(`  server: ${srv}`);
  const serving = (async () => {
    const [conn, addr] = await srv.accept();
    console.log(`  server: accepted a connection from ${JSON.stringify(addr)}`);
    // Echo until the client closes (bounded: at most 100 reads).
    for (let i = 0; i < 100; i++) {
      const data = await conn.recv(1024);
      if (data.length === 0) break;
      await conn.sendall(data);
    }
    conn.close();
  })();
  const s = aio.socket(aio.AF_INET, aio.SOCK_STREAM);
  s.settimeout(5); // bounds each waiting call
  try {
    await s.connect(['127.0.0.1', port]);
    await s.sendall(Buffer.from('Hello, world'));
    const data = await s.recv(1024);
    console.log(`  client: await recv(1024) -> ${JSON.stringify(data.toString())}`);
  } finally {
    s.close();
  }
  await serving;
  srv.close();
  console.log('  both sockets closed');
}

/** Runs examples/ping.ts with `args`; resolves to its exit code and output. */
function runPing(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSX_CLI, path.join(EXAMPLES, 'ping.ts'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, out });
    });
  });
}

async function pingStep(): Promise<void> {
  console.log('[5/5] ICMP ping of 127.0.0.1 (examples/ping.ts, bsdsock/aio)');
  for (const [label, extra] of [
    ['raw socket (SOCK_RAW, needs CAP_NET_RAW)', []],
    ['unprivileged ping socket (SOCK_DGRAM + IPPROTO_ICMP)', ['--dgram']],
  ] as const) {
    const { code, out } = await runPing([...extra, '-c', '3', '-i', '0.2', '-W', '1', '127.0.0.1']);
    if (code === 0) {
      console.log(`  ${label}:`);
      for (const line of out.trim().split('\n')) console.log(`    ${line}`);
      return;
    }
    console.log(`  ${label}: not available here (${out.trim().split('\n').pop()})`);
  }
  console.log('  no ICMP socket could be opened: run as root, or see docs/raw.md for the privileges');
}

async function main(): Promise<void> {
  console.log(`bsdsock demo (node ${process.version}, pid ${process.pid})`);
  console.log('');
  await tcpStep();
  console.log('');
  await udpStep();
  console.log('');
  await resolveStep();
  console.log('');
  await asyncStep();
  console.log('');
  await pingStep();
  console.log('');
  console.log('demo: done');
}

main().then(
  () => clearTimeout(watchdog),
  (err: unknown) => {
    console.error('demo failed:', err);
    for (const c of children) c.kill();
    process.exitCode = 1;
  },
);
