// Process lifetime with async sockets (API.md, "The async twin"): a pending operation
// keeps the process alive and an idle socket does not.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { tcpListener } from '../helpers/aio';
import { runTsFile } from '../helpers/children';
import { sleep, within } from '../helpers/timing';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

describe('process lifetime', () => {
  it('a child process whose async sockets are idle exits by itself', async () => {
    const child = runTsFile(fixture('idle.ts'));
    track(() => child.kill());
    expect(await child.line(20_000)).toBe('ready');
    const r = await within(child.exit, 5000, 'the idle child to exit by itself');
    expect(r.stderr).not.toMatch(/Error/);
    expect(r).toMatchObject({ code: 0, signal: null });
  }, 30_000);

  it('a child process with a pending recv stays alive until data comes, then exits', async () => {
    const [l, [, port]] = await tcpListener();
    const child = runTsFile(fixture('pending-recv.ts'), [port]);
    track(() => child.kill());
    const [conn] = await within(l.accept(), 20_000, 'the child to connect');
    track(conn);
    expect(await child.line(10_000)).toBe('waiting');
    await sleep(1500);
    expect(child.exited).toBe(false);
    await conn.send(Buffer.from('wake up'));
    expect(await child.line(5000)).toBe('got:wake up');
    const r = await within(child.exit, 5000, 'the child to exit after its recv');
    expect(r).toMatchObject({ code: 0, signal: null });
  }, 40_000);
});
