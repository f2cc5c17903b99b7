// The statements on every run's path (runs.start, the run row read by each subscriber and the
// executor, its state updates), prepared once over better-sqlite3. Drizzle builds and prepares
// a statement on each call, which costs more than the statement itself at this rate; the rest
// of the store keeps Drizzle. Column lists follow schema.ts.
import type { Result } from '@querylane/contracts';
import {
  type MessageRecord,
  type NewMessage,
  NotFoundError,
  type RunPatch,
  type RunRecord,
  type RunStore,
} from '@querylane/runs';
import type Database from 'better-sqlite3';
import { encode, encodeEvent, encodeResult, type RunRow, toRunRecord } from '../shared/codec.ts';
import { stamp } from '../shared/stamp.ts';
import { groupCommit } from './group-commit.ts';

type StartInput = Parameters<RunStore['start']>[0];

/** The seq of a run's newest stored event (the runs.last_seq column is not kept per event). */
export const LAST_SEQ = '(SELECT coalesce(max(seq), 0) FROM run_events WHERE run_id = runs.id)';

const RUN_COLUMNS = `id, user_id AS userId, conversation_id AS conversationId,
  dataset_id AS datasetId, kind, query, status, stage, progress, ${LAST_SEQ} AS lastSeq, error,
  result IS NOT NULL AS hasResult, chart, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt`;

type RawRunRow = Omit<RunRow, 'createdAt' | 'startedAt' | 'finishedAt' | 'chart'> & {
  /** JSON text (Drizzle's json mode parses it; a raw statement does not). */
  chart: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
};

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

function fromRaw(raw: RawRunRow): RunRecord {
  return toRunRecord({
    ...raw,
    chart: raw.chart === null ? null : (JSON.parse(raw.chart) as RunRow['chart']),
    createdAt: new Date(raw.createdAt),
    startedAt: toDate(raw.startedAt),
    finishedAt: toDate(raw.finishedAt),
  });
}

/** Columns a RunPatch may set, by key, and how each value is stored. */
const PATCH_COLUMNS: Record<keyof RunPatch, [string, (value: never) => unknown]> = {
  status: ['status', (v: string) => v],
  stage: ['stage', (v: string | null) => v],
  progress: ['progress', (v: number) => v],
  lastSeq: ['last_seq', (v: number) => v],
  error: ['error', (v: object | null) => (v === null ? null : encode(v))],
  // Its text is remembered: the run's `completed` event goes to sockets as this text.
  result: ['result', (v: Result | null) => (v === null ? null : encodeResult(v))],
  startedAt: ['started_at', (v: Date | null) => v?.getTime() ?? null],
  finishedAt: ['finished_at', (v: Date | null) => v?.getTime() ?? null],
};

export function prepareHotPath(sqlite: Database.Database) {
  const runById = sqlite.prepare<[string], RawRunRow>(
    `SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`,
  );
  // One statement per set of patched columns, made the first time that set is seen.
  const updates = new Map<string, Database.Statement>();

  const insertConversation = sqlite.prepare(
    'INSERT INTO conversations (id, user_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  );
  const conversationExists = sqlite
    .prepare<[string], number>('SELECT 1 FROM conversations WHERE id = ?')
    .pluck();
  const insertRun = sqlite.prepare(
    'INSERT INTO runs (id, user_id, conversation_id, dataset_id, kind, query, created_at, last_seq) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const nextPosition = sqlite
    .prepare<[string], number>(
      'SELECT coalesce(max(position), 0) + 1 FROM messages WHERE conversation_id = ?',
    )
    .pluck();
  const insertMessage = sqlite.prepare(
    'INSERT INTO messages (id, conversation_id, user_id, position, role, content, run_id, created_at) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const touchConversation = sqlite.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?');
  const insertEvent = sqlite.prepare<[string, number, string, string, number]>(
    'INSERT INTO run_events (run_id, seq, type, payload, at) VALUES (?, ?, ?, ?, ?)',
  );

  /** Appends a message in its conversation's order and moves the conversation to the top. */
  const addMessage = (message: NewMessage): MessageRecord => {
    const at = stamp();
    const position = nextPosition.get(message.conversationId) ?? 1;
    insertMessage.run(
      message.id,
      message.conversationId,
      message.userId,
      position,
      message.role,
      message.content,
      message.runId,
      at.getTime(),
    );
    touchConversation.run(at.getTime(), message.conversationId);
    return { ...message, createdAt: at };
  };

  /**
   * Everything runs.start writes, in one transaction (see RunStore.start); the starts of one
   * tick share their commit (a client that starts a hundred runs in one batch).
   */
  const start = groupCommit(sqlite, ({ conversation, run, message, events }: StartInput) => {
    const at = stamp().getTime();
    if (conversation) {
      insertConversation.run(conversation.id, conversation.userId, conversation.title, at, at);
    } else if (conversationExists.get(run.conversationId) === undefined) {
      throw new NotFoundError('Conversation', run.conversationId);
    }
    const { id, userId, conversationId, datasetId, kind, query } = run;
    insertRun.run(id, userId, conversationId, datasetId, kind, query, at, events.at(-1)?.seq ?? 0);
    addMessage(message);
    for (const e of events) insertEvent.run(e.runId, e.seq, e.type, encodeEvent(e), e.at.getTime());
    const raw = runById.get(run.id);
    if (!raw) throw new Error(`run ${run.id} vanished inside its own transaction`);
    return fromRaw(raw);
  });

  return {
    startRun: start,
    appendMessage: sqlite.transaction(addMessage),
    insertEvent,
    getRun(runId: string): RunRecord | undefined {
      const raw = runById.get(runId);
      return raw && fromRaw(raw);
    },
    /** Applies a patch's set keys (undefined ones are left alone, as Drizzle's `set` does). */
    patchRun(runId: string, patch: RunPatch): void {
      const keys = (Object.keys(patch) as (keyof RunPatch)[]).filter(
        (k) => patch[k] !== undefined && PATCH_COLUMNS[k],
      );
      if (keys.length === 0) return;
      const id = keys.join(',');
      let statement = updates.get(id);
      if (!statement) {
        const sets = keys.map((k) => `${PATCH_COLUMNS[k][0]} = ?`).join(', ');
        statement = sqlite.prepare(`UPDATE runs SET ${sets} WHERE id = ?`);
        updates.set(id, statement);
      }
      const values = keys.map((k) => PATCH_COLUMNS[k][1](patch[k] as never));
      statement.run(...values, runId);
    },
  };
}

export type HotPath = ReturnType<typeof prepareHotPath>;
