// Attacks by volume and by address: batches of hundreds of calls over WebSocket and HTTP, one
// subscription id used again and again, and a DNS-rebinding page (a foreign Host and Origin).
// Each runs until its signal aborts and returns what it saw.
import WebSocket from 'ws';
import { pause, rawHttp, type Target } from './kit.ts';

export interface RawSocket {
  ws: WebSocket;
  /** Every frame received, parsed. */
  replies: { id?: unknown; result?: { type?: string }; error?: unknown }[];
  /** Resolves with how the socket closed. */
  closed: Promise<{ code: number; reason: string }>;
}

/** A raw socket: resolves once open, or with the HTTP status of a refused upgrade. */
export function openSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<RawSocket | { status: number }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/trpc`, { headers });
  const replies: RawSocket['replies'] = [];
  ws.on('message', (m) => {
    const text = String(m);
    // The server's keep-alive asks "PING"; a raw socket that never answers is dropped in time.
    if (text !== 'PING') replies.push(JSON.parse(text) as RawSocket['replies'][number]);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, replies, closed }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function socket(url: string): Promise<RawSocket> {
  const opened = await openSocket(url);
  if ('status' in opened) throw new Error(`upgrade refused with ${opened.status}`);
  return opened;
}

const create = (id: number) => ({
  id,
  method: 'mutation',
  params: { path: 'conversations.create', input: { json: {} } },
});

export interface BatchFloodOutcome {
  /** How each socket that sent 560 calls in one frame was closed. */
  oversizeCloses: { code: number; reason: string }[];
  /** Status of each HTTP batch of 560 calls. */
  oversizeHttp: number[];
  /** Calls in frames within the limit that were refused, by code (creates are counted in the store). */
  refused: Record<string, number>;
  /** How sockets that kept sending frames of 100 calls ended. */
  rateCloses: { code: number; reason: string }[];
}

/** The frame that once made 560 conversations, over both transports, and frames just within. */
export async function batchFlood(
  target: Target,
  signal: AbortSignal,
  begun: () => void,
): Promise<BatchFloodOutcome> {
  const outcome: BatchFloodOutcome = {
    oversizeCloses: [],
    oversizeHttp: [],
    refused: {},
    rateCloses: [],
  };
  const paths = Array.from({ length: 560 }, () => 'conversations.create').join(',');
  const body = JSON.stringify(
    Object.fromEntries(Array.from({ length: 560 }, (_, i) => [i, { json: {} }])),
  );
  let id = 0;
  while (!signal.aborted) {
    const big = await socket(target.url);
    big.ws.send(JSON.stringify(Array.from({ length: 560 }, () => create(++id))));
    begun();
    outcome.oversizeCloses.push(await big.closed);
    const res = await rawHttp(target.url, {
      method: 'POST',
      path: `/trpc/${paths}?batch=1`,
      headers: { 'content-type': 'application/json' },
      body,
    });
    outcome.oversizeHttp.push(res.status);

    // Within the per-message limit: the per-socket call rate and the per-user write rate decide.
    const steady = await socket(target.url);
    const answered = () => steady.replies.filter((r) => r.result || r.error).length;
    let sent = 0;
    let open = true;
    void steady.closed.then(() => {
      open = false;
    });
    for (let frame = 0; frame < 3 && open; frame++) {
      steady.ws.send(JSON.stringify(Array.from({ length: 100 }, () => create(++id))));
      sent += 100;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    while (open && answered() < sent && !signal.aborted) await pause(20, signal);
    steady.ws.close();
    const end = await steady.closed;
    if (end.code !== 1000 && end.code !== 1005) outcome.rateCloses.push(end);
    for (const reply of steady.replies) {
      const code = (reply.error as { json?: { data?: { code?: string } } } | undefined)?.json?.data
        ?.code;
      if (code) outcome.refused[code] = (outcome.refused[code] ?? 0) + 1;
    }
    await pause(100, signal);
  }
  return outcome;
}

export interface ReuseRound {
  errors: number;
  /** Subscriptions the server counted while the socket was open, then after it closed. */
  during: number;
  after: number;
}

/** 120 subscriptions under one id on one socket: 119 are refused; none may keep a slot. */
export async function subscriptionIdReuse(
  target: Target,
  signal: AbortSignal,
  begun: () => void,
): Promise<ReuseRound[]> {
  const { trpc } = target.client;
  const rounds: ReuseRound[] = [];
  while (!signal.aborted) {
    const s = await socket(target.url);
    const frame = JSON.stringify({
      id: 7,
      method: 'subscription',
      params: { path: 'notices', input: { json: {} } },
    });
    for (let i = 0; i < 120; i++) s.ws.send(frame);
    begun();
    const errors = () => s.replies.filter((r) => r.error).length;
    while (errors() < 119 && !signal.aborted) await pause(20, signal);
    const during = (await trpc.admin.metrics.query()).subscriptions;
    s.ws.close();
    await s.closed;
    let after = (await trpc.admin.metrics.query()).subscriptions;
    while (after !== 0 && !signal.aborted) {
      await pause(20, signal);
      after = (await trpc.admin.metrics.query()).subscriptions;
    }
    // A round the attack window cut off before the close was counted is no round (a slot that
    // leaks keeps every round from finishing, and the test finds none complete).
    if (after !== 0 && signal.aborted) break;
    rounds.push({ errors: errors(), during, after });
  }
  return rounds;
}

export interface RebindingOutcome {
  /** Status per kind of request a rebinding page would make, in order. */
  statuses: Record<'list' | 'start' | 'page' | 'upgrade', number[]>;
}

/** A page on attacker.example rebound to this server: its Host and Origin are its own name. */
export async function rebinding(
  target: Target,
  signal: AbortSignal,
  begun: () => void,
): Promise<RebindingOutcome> {
  const { port } = new URL(target.url);
  const host = `attacker.example:${port}`;
  const headers = { host, origin: `http://${host}` };
  const statuses: RebindingOutcome['statuses'] = { list: [], start: [], page: [], upgrade: [] };
  while (!signal.aborted) {
    const list = rawHttp(target.url, { path: '/trpc/runs.list', headers });
    begun();
    statuses.list.push((await list).status);
    const start = await rawHttp(target.url, {
      method: 'POST',
      path: '/trpc/runs.start',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ json: { query: 'SELECT 1' } }),
    });
    statuses.start.push(start.status);
    statuses.page.push((await rawHttp(target.url, { path: '/', headers })).status);
    const upgrade = await openSocket(target.url, headers);
    if ('status' in upgrade) statuses.upgrade.push(upgrade.status);
    else {
      statuses.upgrade.push(101);
      upgrade.ws.terminate();
    }
  }
  return { statuses };
}
