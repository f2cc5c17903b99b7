// The transport benches: fan-out throughput and server CPU and idle memory per connection, each
// through Querylane's real server and through a bare `ws` server doing the least the same job
// needs (start → first event latency: latency.ts). Hosts run in child processes; clients here.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { type HostEvent, type HostMode, type HostRequest, subscribeFrame } from './protocol.ts';

const HOST = fileURLToPath(new URL('./host.ts', import.meta.url));
/**
 * The same heap settings for both hosts, so that the RSS per connection is what a connection
 * keeps: 16 MB semi-spaces from the start (the most V8 grows them to, and soon does in a busy
 * server), and no memory reducer (which hands heap pages back to the OS at moments of its own
 * choosing, so RSS could even fall while sockets open).
 */
const YOUNG_GENERATION = [
  '--min-semi-space-size=16',
  '--max-semi-space-size=16',
  '--no-memory-reducer',
];

export class Host {
  #next = 0;
  #waiting = new Map<number, (reply: Record<string, unknown>) => void>();

  private constructor(
    readonly mode: HostMode,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (msg: { id?: number; error?: string }) => {
      if (msg.error) throw new Error(`${mode} host: ${msg.error}`);
      if (msg.id === undefined) return;
      this.#waiting.get(msg.id)?.(msg as Record<string, unknown>);
      this.#waiting.delete(msg.id);
    });
  }

  /** With `profileDir`, the host writes a CPU profile there when it exits. */
  static start(mode: HostMode, profileDir?: string): Promise<Host> {
    // One folder per host: a profile per thread (tsx's loader hooks run on their own).
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${mode}`] : [];
    const child = fork(HOST, [mode], {
      // Both hosts get the same heap settings (see `memory` in host.ts).
      execArgv: ['--import', 'tsx', '--expose-gc', ...YOUNG_GENERATION, ...profile],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${mode} host exited early (${code})`)));
      child.once('message', (msg: HostEvent) => {
        if ('ready' in msg) resolve(new Host(mode, msg.url, child));
        else reject(new Error(msg.error));
      });
    });
  }

  get wsUrl(): string {
    return `${this.url.replace(/^http/, 'ws')}/trpc`;
  }

  request<T extends Record<string, unknown>>(req: HostRequest): Promise<T> {
    const id = ++this.#next;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve as (reply: Record<string, unknown>) => void);
      this.child.send({ id, ...req });
    });
  }

  async cpuMicros(): Promise<number> {
    const { user, system } = await this.request<{ user: number; system: number }>({ op: 'cpu' });
    return user + system;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.disconnect();
    });
  }
}

const STOPPED = Buffer.from('"type":"stopped"');

/** A bare client: counts frames and notices the end of the stream without parsing JSON. */
interface Subscriber {
  socket: WebSocket;
  /** Frames received so far. */
  frames: () => number;
  /** Resolves once the `stopped` frame arrived (the stream ended after its terminal event). */
  ended: Promise<void>;
}

export function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function subscriber(host: Host, runId: string): Promise<Subscriber> {
  const socket = await connect(host.wsUrl);
  let frames = 0;
  let resolveEnded: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    resolveEnded = resolve;
  });
  socket.on('message', (data: Buffer) => {
    frames += 1;
    if (data.includes(STOPPED)) resolveEnded();
  });
  // The raw host broadcasts to every socket; a Querylane client must subscribe like tRPC does.
  if (host.mode === 'querylane') socket.send(subscribeFrame(runId));
  return { socket, frames: () => frames, ended };
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.readyState === WebSocket.CLOSED) return resolve();
          s.once('close', () => resolve());
          s.close();
        }),
    ),
  );
}

export interface FanOutFigures {
  deliveredPerSec: number;
  cpuMicrosPerDelivery: number;
  ms: number;
}

/**
 * `subscribers` sockets on one run; the host emits `events` rows events, one per event-loop
 * turn, then a terminal one. Timed from the emit request to the last socket's end of stream.
 */
export async function fanOut(
  host: Host,
  subscribers: number,
  events: number,
): Promise<FanOutFigures> {
  const { runId } = await host.request<{ runId: string }>({ op: 'idleRun' });
  const subs = await Promise.all(
    Array.from({ length: subscribers }, () => subscriber(host, runId)),
  );
  // Querylane: each subscription has answered (`started`) and replayed the `started` event.
  const ready = host.mode === 'querylane' ? 2 : 0;
  await waitFor(() => subs.every((s) => s.frames() >= ready), 'subscriptions');

  const cpuBefore = await host.cpuMicros();
  const t0 = performance.now();
  const emitted = host.request({ op: 'emit', runId, count: events });
  await Promise.all(subs.map((s) => s.ended));
  const ms = performance.now() - t0;
  const cpu = (await host.cpuMicros()) - cpuBefore;
  await emitted;
  await closeAll(subs.map((s) => s.socket));

  const deliveries = subscribers * (events + 1);
  return { deliveredPerSec: (deliveries / ms) * 1000, cpuMicrosPerDelivery: cpu / deliveries, ms };
}

export interface MemoryFigures {
  rssPerConnection: number;
  heapPerConnection: number;
}

/** Host memory after GC with `connections` idle sockets open (Querylane: each subscribed). */
export async function idleMemory(host: Host, connections: number): Promise<MemoryFigures> {
  const { runId } = await host.request<{ runId: string }>({ op: 'idleRun' });
  const open = async (n: number) => {
    const subs: Subscriber[] = [];
    // In chunks, so the accept backlog never overflows.
    for (let i = 0; i < n; i += 50) {
      const chunk = Math.min(50, n - i);
      subs.push(
        ...(await Promise.all(Array.from({ length: chunk }, () => subscriber(host, runId)))),
      );
    }
    const ready = host.mode === 'querylane' ? 2 : 0;
    await waitFor(() => subs.every((s) => s.frames() >= ready), 'idle subscriptions');
    await waitFor(
      async () =>
        (await host.request<{ connections: number }>({ op: 'connections' })).connections === n,
      'the host to count the sockets',
    );
    return subs;
  };
  type Usage = { rss: number; heapUsed: number; external: number; arrayBuffers: number };
  const measure = () => host.request<Usage>({ op: 'memory' });

  // Warm-up: first-connection costs (lazy modules, caches) are not per-connection costs.
  await closeAll((await open(50)).map((s) => s.socket));
  await waitFor(
    async () =>
      (await host.request<{ connections: number }>({ op: 'connections' })).connections === 0,
    'warm-up sockets to close',
  );
  const before = await measure();
  const subs = await open(connections);
  const after = await measure();
  await closeAll(subs.map((s) => s.socket));
  return {
    rssPerConnection: (after.rss - before.rss) / connections,
    heapPerConnection:
      (after.heapUsed + after.external - (before.heapUsed + before.external)) / connections,
  };
}
