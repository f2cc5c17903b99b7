// What the multi-user tests share: a token per person, a server that knows them, their clients,
// the error code a call ends with, and a room's live stream recorded item by item.
import type { AppRouter, RoomStreamOutput } from '@querylane/api';
import { TRPCClientError } from '@trpc/client';
import { parseTokens } from '../auth.ts';
import type { TestClient } from './harness.ts';
import { testClient, testServer } from './scope.ts';

export const TOKENS = {
  alice: 'alice-room-token-4c1f8e2a9b',
  bob: 'bob-room-token-7d3a0c5e1f',
  carol: 'carol-room-token-2b9e6f4a8c',
  root: 'root-room-token-9a5c3e7b1d',
} as const;
export type Person = keyof typeof TOKENS;

export const tokenAuth = {
  mode: 'token' as const,
  tokens: parseTokens(
    `${TOKENS.alice}:alice,${TOKENS.bob}:bob,${TOKENS.carol}:carol,${TOKENS.root}:root:admin`,
  ),
};

/** The real server with sign-in by token for alice, bob, carol and root (an admin). */
export function peopleServer(overrides: Parameters<typeof testServer>[0] = {}) {
  return testServer({
    ...overrides,
    security: { auth: tokenAuth, maxConnectionsPerIp: 1_000, ...overrides.security },
  });
}

/** One signed-in client (its own socket), closed after the test. */
export function clientOf(url: string, who: Person, opts: Parameters<typeof testClient>[1] = {}) {
  return testClient(url, { token: TOKENS[who], ...opts });
}

/** The tRPC error code a call or a subscribe ends with. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCClientError)) throw new Error(`expected a TRPCClientError: ${err}`);
  return (err as TRPCClientError<AppRouter>).data?.code;
}

export interface RoomFeed {
  /** Every item in the order it arrived, with its tracked id. */
  items: { id: string; item: RoomStreamOutput }[];
  /** The stored events among them. */
  events(): Exclude<RoomStreamOutput, { type: 'presence' }>[];
  /** The latest presence state seen. */
  presence(): { present: string[]; typing: string[] } | undefined;
  /** Resolves once the server ended the stream; rejects with its error. */
  ended: Promise<void>;
  stop(): void;
}

/** Follows `rooms.events` through the client's socket, resuming by itself on reconnects. */
export function followRoom(
  client: TestClient,
  conversationId: string,
  lastEventId: string | null = null,
): RoomFeed {
  const items: RoomFeed['items'] = [];
  let stop = () => {};
  const ended = new Promise<void>((resolve, reject) => {
    const sub = client.trpc.rooms.events.subscribe(
      { conversationId, lastEventId },
      {
        onData: ({ id, data }) => items.push({ id, item: data }),
        onError: reject,
        onComplete: () => resolve(),
      },
    );
    stop = () => sub.unsubscribe();
  });
  // A stop by the test is not a failure of the stream.
  ended.catch(() => {});
  return {
    items,
    events: () =>
      items.flatMap(({ item }) => (item.type === 'presence' ? [] : [item])) as ReturnType<
        RoomFeed['events']
      >,
    presence: () => {
      const last = items.findLast(({ item }) => item.type === 'presence')?.item;
      return last?.type === 'presence' ? { present: last.present, typing: last.typing } : undefined;
    },
    ended,
    stop: () => stop(),
  };
}
