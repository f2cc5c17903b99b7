// The rooms bench (`npm run bench`, after the transport rows; alone: `npm run bench:rooms -w
// @querylane/bench`): what an open room costs the server per member, and how long one member's
// typing takes to reach another, each against a baseline measured in the same run on the same
// server. Prints a markdown table and writes .bench/rooms.json.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createQuerylaneClient } from '@querylane/client';
import WebSocket from 'ws';
import { type BenchRow, markdownTable, percentile } from './report.ts';
import { type RoomsHostRequest, tokenOf } from './rooms-protocol.ts';

const ROOMS = 25;
/** The default QUERYLANE_ROOM_MAX_MEMBERS: rooms as full as they get by default. */
const MEMBERS = 20;
const TYPING_SAMPLES = 15;

const benchDir = fileURLToPath(new URL('../../../.bench/', import.meta.url));
const log = (message: string) => process.stderr.write(`bench rooms: ${message}\n`);

class RoomsHost {
  #next = 0;
  readonly #waiting = new Map<number, (reply: Record<string, unknown>) => void>();
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (msg: { id?: number; error?: string }) => {
      if (msg.error) throw new Error(`rooms host: ${msg.error}`);
      if (msg.id === undefined) return;
      this.#waiting.get(msg.id)?.(msg as Record<string, unknown>);
      this.#waiting.delete(msg.id);
    });
  }

  static start(users: number): Promise<RoomsHost> {
    const child = fork(
      fileURLToPath(new URL('./rooms-host.ts', import.meta.url)),
      [String(users)],
      {
        execArgv: ['--import', 'tsx', '--expose-gc'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`rooms host exited early (${code})`)));
      child.once('message', (msg: { ready?: true; url?: string; error?: string }) => {
        if (msg.ready && msg.url) resolve(new RoomsHost(msg.url, child));
        else reject(new Error(msg.error));
      });
    });
  }

  request<T>(req: RoomsHostRequest): Promise<T> {
    const id = ++this.#next;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve as (reply: Record<string, unknown>) => void);
      this.child.send({ id, ...req });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.disconnect();
    });
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Socket {
  ws: WebSocket;
  frames: () => number;
  lastFrameAt: () => number;
}

/** A bare signed-in socket with one subscription, counting frames without parsing them. */
async function subscribed(host: RoomsHost, user: number, path: string, input: object) {
  const ws = new WebSocket(`${host.url.replace(/^http/, 'ws')}/trpc?connectionParams=1`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let frames = 0;
  let last = 0;
  ws.on('message', () => {
    frames += 1;
    last = performance.now();
  });
  ws.send(JSON.stringify({ method: 'connectionParams', data: { token: tokenOf(user) } }));
  ws.send(
    JSON.stringify({ id: 1, method: 'subscription', params: { path, input: { json: input } } }),
  );
  return { ws, frames: () => frames, lastFrameAt: () => last } satisfies Socket;
}

async function closeAll(sockets: Socket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      ({ ws }) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close();
        }),
    ),
  );
}

type Usage = { rss: number; heapUsed: number; external: number };

/** Host memory with `open()`'s sockets in place, per socket, against the host before them. */
async function perSocket(
  host: RoomsHost,
  open: () => Promise<Socket[]>,
  settled: (sockets: Socket[]) => Promise<void>,
) {
  await waitFor(
    async () =>
      (await host.request<{ connections: number }>({ op: 'connections' })).connections === 0,
    'earlier sockets to close',
  );
  const before = await host.request<Usage>({ op: 'memory' });
  const sockets = await open();
  await settled(sockets);
  // Quiet for a moment: nothing still queued on either side is counted as held.
  await waitFor(() => sockets.every((s) => performance.now() - s.lastFrameAt() > 300), 'quiet');
  const after = await host.request<Usage>({ op: 'memory' });
  await closeAll(sockets);
  const n = sockets.length;
  return {
    heap: (after.heapUsed + after.external - (before.heapUsed + before.external)) / n,
    rss: (after.rss - before.rss) / n,
  };
}

const users = ROOMS * MEMBERS;
const host = await RoomsHost.start(users);
const rows: BenchRow[] = [];
const details: Record<string, unknown> = { rooms: ROOMS, membersPerRoom: MEMBERS };
try {
  const rooms: { conversationId: string; runId: string }[] = [];
  for (let r = 0; r < ROOMS; r++) {
    rooms.push(await host.request({ op: 'setup', first: r * MEMBERS + 1, members: MEMBERS }));
  }
  // Room r's members are u(r·M+1)…u(r·M+M); the owner u0 owns every room.
  const memberships = Array.from({ length: users }, (_, i) => ({
    user: i + 1,
    room: rooms[Math.floor(i / MEMBERS)] as (typeof rooms)[number],
  }));
  const openRooms = () =>
    Promise.all(
      memberships.map(({ user, room }) =>
        subscribed(host, user, 'rooms.events', {
          conversationId: room.conversationId,
          lastEventId: null,
        }),
      ),
    );
  const allPresent = async (n: number) =>
    waitFor(async () => {
      const { sessions } = await host.request<{ sessions: number }>({ op: 'sessions' });
      if (process.env.BENCH_DEBUG) log(`sessions ${sessions}`);
      return sessions === n;
    }, `${n} sessions present`);

  log(`warm-up, then ${users} idle run subscribers, then ${users} room members (${ROOMS} rooms)`);
  await closeAll(await openRooms());
  const idle = await perSocket(
    host,
    () =>
      Promise.all(
        memberships.map(({ user, room }) =>
          subscribed(host, user, 'runs.events', { runId: room.runId, lastEventId: null }),
        ),
      ),
    (sockets) => waitFor(() => sockets.every((s) => s.frames() >= 2), 'run subscriptions'),
  );
  const member = await perSocket(host, openRooms, async (sockets) => {
    await allPresent(users);
    // Each has its started frame and at least the presence of the whole room.
    await waitFor(() => sockets.every((s) => s.frames() >= 2), 'room subscriptions');
  });
  details.memory = { idleRunSubscriber: idle, roomMember: member };

  log(`typing: ${TYPING_SAMPLES} samples of one member's start reaching another`);
  const client = (user: number) =>
    createQuerylaneClient({ url: host.url, WebSocket, token: tokenOf(user) });
  const [typist, reader] = [client(1), client(2)];
  const room = rooms[0]?.conversationId ?? '';
  let typing: string[] | undefined;
  const changed: (() => void)[] = [];
  reader.trpc.rooms.events.subscribe(
    { conversationId: room, lastEventId: null },
    {
      onData: ({ data }) => {
        if (data.type !== 'presence') return;
        typing = data.typing;
        for (const wake of changed.splice(0)) wake();
      },
    },
  );
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise<void>((resolve) => changed.push(resolve));
  };
  await waitFor(() => typing !== undefined, 'the reader');
  await allPresent(1);
  const samples: number[] = [];
  const roundTrips: number[] = [];
  for (let i = 0; i < TYPING_SAMPLES + 2; i++) {
    const t0 = performance.now();
    await typist.trpc.rooms.typing.mutate({ conversationId: room, typing: true });
    const taken = performance.now();
    await until(() => typing?.includes('u1') === true);
    const t1 = performance.now();
    await typist.trpc.rooms.typing.mutate({ conversationId: room, typing: false });
    await until(() => typing?.length === 0);
    const h0 = performance.now();
    await typist.trpc.health.query();
    const h1 = performance.now();
    if (i >= 2) {
      samples.push(t1 - t0); // the first two warm the paths up
      roundTrips.push(h1 - h0);
    }
    // The server takes one start per 1.5 s per member and room, timed from when it took this one.
    await new Promise((resolve) => setTimeout(resolve, 1_600 - (performance.now() - taken)));
  }
  await Promise.all([typist.close(), reader.close()]);
  details.typing = { samples, roundTrips };

  rows.push(
    {
      id: 'R1',
      measure: `room member, idle (rooms.events + presence), ${ROOMS} rooms × ${MEMBERS}: server JS heap + external`,
      unit: 'KB',
      querylane: member.heap / 1024,
      baseline: idle.heap / 1024,
      baselineLabel: 'idle runs.events subscriber, same server',
    },
    {
      id: 'R1b',
      measure: 'room member, idle: server RSS',
      unit: 'KB',
      querylane: member.rss / 1024,
      baseline: idle.rss / 1024,
      baselineLabel: 'idle runs.events subscriber, same server',
    },
    {
      id: 'R2',
      measure: `typing: rooms.typing call → other member's indicator, p50 of ${TYPING_SAMPLES}`,
      unit: 'ms',
      querylane: percentile(samples, 50),
      baseline: percentile(roundTrips, 50),
      baselineLabel: 'health query round trip, same client',
    },
  );
} finally {
  await host.stop();
}

console.log(`\nQuerylane rooms bench, ${new Date().toISOString()}\n`);
console.log(markdownTable(rows));
mkdirSync(benchDir, { recursive: true });
const report = { at: new Date().toISOString(), rows, details };
writeFileSync(join(benchDir, 'rooms.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nJSON: ${join(benchDir, 'rooms.json')}`);
