// examples/selectors-echo-server.ts and examples/select-chat-server.ts, run as a user
// runs them (tsx, in a child process, importing 'bsdsock/selectors' / 'bsdsock/select'
// mapped to lib/), each served to several concurrent clients: Node sockets and python3.
// The README's selectors server runs the same way, taken from README.md as printed.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { start } from '../helpers/children';
import { repoRoot, within } from '../helpers/peer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-select-examples-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The examples import the package by name; point those names at the sources.
const tsconfig = path.join(tmp, 'tsconfig.json');
fs.writeFileSync(
  tsconfig,
  JSON.stringify({
    compilerOptions: {
      baseUrl: repoRoot,
      paths: {
        bsdsock: ['lib/index.ts'],
        'bsdsock/select': ['lib/select.ts'],
        'bsdsock/selectors': ['lib/selectors.ts'],
      },
    },
  }),
);

interface Server {
  child: ChildProcess;
  port: Promise<number>;
  output(): string;
  /** SIGKILLs the server: tsx's CLI and the script it runs in a grandchild (one process group). */
  stop(): void;
}

function startServer(script: string): Server {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TSX_TSCONFIG_PATH: tsconfig };
  delete env.NODE_OPTIONS;
  const child = spawn(
    process.execPath,
    [require.resolve('tsx/cli'), path.resolve(repoRoot, 'examples', script)],
    {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let out = '';
  let err = '';
  const port = new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  return { child, port: within(port, 20_000, 'server port'), output: () => out + err, stop };
}

/** A Node TCP client that collects what it receives. */
async function nodeClient(port: number) {
  const c = net.connect(port, '127.0.0.1');
  let received = '';
  const waiters: (() => void)[] = [];
  c.setEncoding('utf8').on('data', (d: string) => {
    received += d;
    for (const w of waiters.splice(0)) w();
  });
  await within(
    new Promise<void>((resolve, reject) => {
      c.once('connect', () => resolve());
      c.once('error', reject);
    }),
    10_000,
    'connect',
  );
  return {
    send: (s: string) => c.write(s),
    /** Resolves once everything received so far contains `text`. */
    waitFor(text: string) {
      return within(
        new Promise<void>((resolve) => {
          const check = () => (received.includes(text) ? resolve() : waiters.push(check));
          check();
        }),
        10_000,
        `receiving ${JSON.stringify(text)} (got ${JSON.stringify(received)})`,
      );
    },
    close: () => c.end(),
    destroy: () => c.destroy(),
  };
}

/** A python3 client: sends each stdin line, prints each line it receives. */
function pythonClient(port: number) {
  return start(
    'python3',
    [
      '-u',
      '-c',
      `
import socket, sys, threading
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
def reader():
    f = s.makefile('r')
    for line in f:
        print(line.rstrip('\\n'), flush=True)
threading.Thread(target=reader, daemon=True).start()
print('connected', flush=True)
for line in sys.stdin:
    s.sendall(line.encode())
s.close()
`,
      String(port),
    ],
    30_000,
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
}

type NodeClient = Awaited<ReturnType<typeof nodeClient>>;

/**
 * Three rounds of interleaved lines from every client (`${label} ${i} round ${r}`) and from
 * the python3 client, each echoed back to its sender only.
 */
async function echoRounds(clients: NodeClient[], py: ReturnType<typeof pythonClient>, label: string) {
  for (let round = 0; round < 3; round++) {
    clients.forEach((c, i) => c.send(`${label} ${i} round ${round}\n`));
    py.proc.stdin!.write(`python round ${round}\n`);
    await Promise.all(clients.map((c, i) => c.waitFor(`${label} ${i} round ${round}\n`)));
    expect(await py.line(10_000)).toBe(`python round ${round}`);
  }
}

describe('examples/selectors-echo-server.ts (the selectors docs echo server)', () => {
  it('echoes to several concurrent clients, one of them python3', { timeout: 40_000 }, async () => {
    const server = startServer('selectors-echo-server.ts');
    try {
      const port = await server.port;
      const clients = await Promise.all([nodeClient(port), nodeClient(port), nodeClient(port)]);
      const py = pythonClient(port);
      expect(await py.line(15_000)).toBe('connected');
      // Interleaved messages from every client, several rounds.
      await echoRounds(clients, py, 'client');
      py.proc.stdin!.end();
      for (const c of clients) c.close();
      await within(py.exit, 10_000, 'python client exit');
      // The server closed each connection when its client left.
      await within(
        (async () => {
          for (let i = 0; i < 200 && (server.output().match(/^closing/gm) ?? []).length < 4; i++)
            await new Promise((r) => setTimeout(r, 25));
        })(),
        10_000,
        'closing lines',
      );
      const out = server.output();
      expect(out.match(/^accepted <socket\.socket fd=\d+/gm)).toHaveLength(4);
      expect(out.match(/^closing/gm)).toHaveLength(4);
      expect(out).toContain(`echoing "python round 2\\n" to <socket.socket fd=`);
    } finally {
      server.stop();
    }
  });
});

describe('examples/select-chat-server.ts (select.select chat)', () => {
  it('relays each message to every other client, one of them python3', { timeout: 40_000 }, async () => {
    const server = startServer('select-chat-server.ts');
    try {
      const port = await server.port;
      const a = await nodeClient(port);
      const b = await nodeClient(port);
      await a.waitFor('entered'); // b is in the server's list once a hears of it
      const py = pythonClient(port);
      expect(await py.line(15_000)).toBe('connected');
      await b.waitFor('entered');
      const c = await nodeClient(port);
      // c is registered once py hears of it.
      let line = await py.line(10_000);
      expect(line).toMatch(/^\[127\.0\.0\.1:\d+\] entered$/);

      a.send('hello from a\n');
      await Promise.all([b.waitFor('hello from a\n'), c.waitFor('hello from a\n')]);
      line = await py.line(10_000);
      expect(line).toBe('hello from a');

      py.proc.stdin!.write('hello from python\n');
      await Promise.all([a.waitFor('hello from python\n'), b.waitFor('hello from python\n')]);
      await c.waitFor('hello from python\n');

      // A client that leaves is dropped; the others still talk.
      b.destroy();
      c.send('still here\n');
      await a.waitFor('still here\n');
      expect(await py.line(10_000)).toBe('still here');
      py.proc.stdin!.end();
      a.close();
      c.close();
      await within(py.exit, 10_000, 'python client exit');
    } finally {
      server.stop();
    }
  });
});

/**
 * The code block of README.md's "A selectors server" section, as printed, with its port
 * (Python's 1234) replaced by `port` so that the test does not depend on 1234 being free.
 */
function readmeSelectorsServer(port: number): string {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('A selectors server'));
  const code = section && /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README.md has no ts block under "## A selectors server"');
  expect(code.match(/\b1234\b/g)).toHaveLength(1);
  return code.replace(/\b1234\b/, String(port));
}

/** A port nothing listens on now: bound by the kernel's choice, then released. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("README.md's selectors server", () => {
  it(
    'runs as printed and echoes to several concurrent clients, one of them python3',
    { timeout: 40_000 },
    async () => {
      const port = await freePort();
      fs.writeFileSync(path.join(tmp, 'readme-selectors.ts'), readmeSelectorsServer(port));
      const server = startServer(path.join(tmp, 'readme-selectors.ts'));
      server.port.catch(() => {}); // it prints no port; its exit is checked below instead
      try {
        // The snippet prints nothing: it is up once a connection is accepted (bounded retries).
        let first: Awaited<ReturnType<typeof nodeClient>> | undefined;
        for (let i = 0; i < 200 && !first; i++) {
          first = await nodeClient(port).catch(() => undefined);
          if (!first) await new Promise((r) => setTimeout(r, 50));
        }
        if (!first) throw new Error(`the README server never listened: ${server.output()}`);
        const clients = [first, ...(await Promise.all([nodeClient(port), nodeClient(port)]))];
        const py = pythonClient(port);
        expect(await py.line(15_000)).toBe('connected');
        await echoRounds(clients, py, 'readme');
        // A client that leaves is unregistered and closed; the others are still served.
        clients[0].close();
        py.proc.stdin!.end();
        await within(py.exit, 10_000, 'python client exit');
        clients[1].send('after the others left\n');
        await clients[1].waitFor('after the others left\n');
        for (const c of clients.slice(1)) c.close();
        expect(server.child.exitCode).toBe(null);
        expect(server.output()).toBe('');
      } finally {
        server.stop();
      }
    },
  );
});
