// The programs in examples/ run as a user would run them (`npx tsx examples/<file>.ts`),
// each in its own child process, and print what their comments promise.
//
// The examples import 'bsdsock', which the package resolves to itself through
// package.json "exports", i.e. to dist/. When dist/ is missing or older than lib/
// (lib edited, `npm run build:ts` not run yet), the children are pointed at the lib/
// sources instead, through a tsconfig "paths" entry handed to tsx (TSX_TSCONFIG_PATH), so
// this file never tests stale output and never rebuilds dist/ under other test files.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { childEnv as baseEnv, start as startChild, tsxCli, type Child } from './helpers/children';
import { repoRoot } from './helpers/paths';

const TIMEOUT = 30_000;

function distIsFresh(): boolean {
  const libDir = path.join(repoRoot, 'lib');
  const newestLib = fs
    .readdirSync(libDir)
    .filter((f) => f.endsWith('.ts'))
    .reduce((m, f) => Math.max(m, fs.statSync(path.join(libDir, f)).mtimeMs), 0);
  return ['index.js', 'aio.js'].every((f) => {
    const p = path.join(repoRoot, 'dist', f);
    return fs.existsSync(p) && fs.statSync(p).mtimeMs >= newestLib;
  });
}

let tmpDir: string | undefined;

function childEnv(): NodeJS.ProcessEnv {
  const env = baseEnv();
  if (!distIsFresh()) {
    tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-examples-'));
    const tsconfig = path.join(tmpDir, 'tsconfig.json');
    fs.writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: {
          baseUrl: repoRoot,
          paths: { bsdsock: ['lib/index.ts'], 'bsdsock/aio': ['lib/aio.ts'] },
        },
      }),
    );
    env.TSX_TSCONFIG_PATH = tsconfig;
  }
  return env;
}

afterAll(() => {
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

/** Runs `npx tsx examples/<script> ...args` in a child process, killed after TIMEOUT. */
function start(script: string, args: string[] = []): Child {
  return startChild(process.execPath, [tsxCli, path.join('examples', script), ...args], TIMEOUT - 2_000, {
    env: childEnv(),
  });
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '');
}

/** A TCP port that was free a moment ago (for the "port given on the command line" case). */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function serverPort(server: Child): Promise<number> {
  // The first stdout line ('' when the server ended without one).
  const first = await server.line(TIMEOUT).catch(() => '');
  if (!/^\d+$/.test(first)) {
    const r = await server.exit;
    throw new Error(
      `server printed no port: code ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`,
    );
  }
  return Number(first);
}

describe('examples/echo-server.ts + examples/echo-client.ts (TCP)', () => {
  it('echoes Hello, world on a port the kernel picks', { timeout: TIMEOUT }, async () => {
    const server = start('echo-server.ts');
    const port = await serverPort(server);
    expect(port).toBeGreaterThan(0);

    const client = await start('echo-client.ts', ['127.0.0.1', String(port)]).exit;
    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    expect(client.stdout).toBe('Received "Hello, world"\n');

    const s = await server.exit;
    expect(s.stderr).toBe('');
    expect(s.code).toBe(0);
    const out = lines(s.stdout);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(String(port));
    expect(out[1]).toMatch(/^Connected by \[ '127\.0\.0\.1', \d+ \]$/);
  });

  it('listens on the port given on its command line', { timeout: TIMEOUT }, async () => {
    const wanted = await freePort();
    const server = start('echo-server.ts', [String(wanted)]);
    expect(await serverPort(server)).toBe(wanted);
    const client = await start('echo-client.ts', ['127.0.0.1', String(wanted)]).exit;
    expect(client.stdout).toBe('Received "Hello, world"\n');
    expect((await server.exit).code).toBe(0);
  });

  it(
    'client: a refused connection is a ConnectionRefusedError and a non-zero exit',
    { timeout: TIMEOUT },
    async () => {
      const port = await freePort();
      const client = await start('echo-client.ts', ['127.0.0.1', String(port)]).exit;
      expect(client.code).not.toBe(0);
      expect(client.stderr).toContain('ConnectionRefusedError');
      expect(client.stderr).toContain('[Errno 111] Connection refused');
    },
  );
});

describe('examples/udp-server.ts + examples/udp-client.ts (UDP)', () => {
  it('answers one datagram and exits', { timeout: TIMEOUT }, async () => {
    const server = start('udp-server.ts');
    const port = await serverPort(server);

    const client = await start('udp-client.ts', ['127.0.0.1', String(port)]).exit;
    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    expect(client.stdout).toBe(`Received "Hello, world" from ["127.0.0.1",${port}]\n`);

    const s = await server.exit;
    expect(s.stderr).toBe('');
    expect(s.code).toBe(0);
    const out = lines(s.stdout);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(String(port));
    expect(out[1]).toMatch(/^Datagram from \[ '127\.0\.0\.1', \d+ \]$/);
  });
});

describe('examples/demo.ts (npm run demo)', () => {
  it('runs its five steps and exits 0 by itself', { timeout: TIMEOUT }, async () => {
    // It must end by itself: the child is killed (and this fails) if it outlives TIMEOUT.
    const r = await start('demo.ts').exit;
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);

    const out = r.stdout;
    expect(out).toContain('[1/5] Blocking TCP echo');
    expect(out).toContain('client: recv(1024) -> 12 bytes: "Hello, world"');
    expect(out).toMatch(/server printed: Connected by \[ '127\.0\.0\.1', \d+ \]/);
    expect(out).toContain('[2/5] Blocking UDP exchange');
    expect(out).toMatch(/client: recvfrom\(1024\) -> "Hello, world" from \["127\.0\.0\.1",\d+\]/);
    expect(out).toContain('[3/5] Async name resolution');
    // localhost resolves to a loopback address (IPv4 or IPv6), port 80, as a stream socket.
    expect(out).toMatch(/AF_INET6? SOCK_STREAM proto=6 canonname="" sockaddr=\["(127\.0\.0\.1|::1)",80[,\]]/);
    expect(out).toContain('[4/5] Async TCP echo');
    expect(out).toMatch(/server: accepted a connection from \["127\.0\.0\.1",\d+\]/);
    expect(out).toContain('client: await recv(1024) -> "Hello, world"');
    expect(out).toContain('both sockets closed');
    expect(out).toContain('[5/5] ICMP ping of 127.0.0.1');
    // As root (CI) the raw socket works; elsewhere the step explains what is missing.
    if (process.getuid?.() === 0) expect(out).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
    else expect(out).toMatch(/3 received|not available here/);
    expect(lines(out).filter((l) => l.endsWith('exited with code 0'))).toHaveLength(2);
    expect(lines(out).at(-1)).toBe('demo: done');
  });
});
