// Turns stored rows into domain records and back, for every dialect: both schemas name and type
// their columns alike, so one codec serves them. Payloads (events, results, errors) are the
// contracts' superjson text; nothing outside this package sees a row.
import type { Result, RunError, RunEvent } from '@querylane/contracts';
import { Encoded, stringifyOnce, transformer, type Wire } from '@querylane/contracts/transformer';
import type { RunPatch, RunRecord } from '@querylane/runs';

export const encode = (value: unknown): string => transformer.stringify(value);
/** An event's payload: made once per event object, which its subscribers' frames share. */
export const encodeEvent = (event: RunEvent): string => stringifyOnce(event);
export const decodeEvent = (payload: string): RunEvent => transformer.parse<RunEvent>(payload);
export const decodeResult = (payload: string): Result => transformer.parse<Result>(payload);

/** A result as stored; its text is remembered, so its `completed` event goes out as this text. */
export function encodeResult(result: Result): string {
  const text = encode(result);
  Encoded.remember(result, text);
  return text;
}
const decodeError = (payload: string): RunError => transformer.parse<RunError>(payload);

type Annotations = NonNullable<NonNullable<Wire['meta']>['values']>;

/**
 * A stored `completed` event with its result left as stored: the payload's JSON is parsed (no
 * superjson walk) and split into the event's own fields, decoded, and the result's wire form.
 * Falls back to a full decode where the split is not plain (shared references, odd shapes).
 */
export function decodeCompletedForWire(payload: string): RunEvent {
  const stored = JSON.parse(payload) as Wire;
  const json = stored.json as Record<string, unknown> | null;
  const values = (stored.meta?.values ?? {}) as Record<string, unknown>;
  if (
    !json ||
    typeof json !== 'object' ||
    stored.meta?.referentialEqualities ||
    'result' in values
  ) {
    return decodeEvent(payload);
  }
  const { result, ...rest } = json;
  const own: Record<string, unknown> = {};
  const inResult: Record<string, unknown> = {};
  for (const [path, annotation] of Object.entries(values)) {
    if (path.startsWith('result.')) inResult[path.slice('result.'.length)] = annotation;
    else own[path] = annotation;
  }
  const meta = (v: Record<string, unknown>) =>
    Object.keys(v).length > 0 ? { meta: { values: v as Annotations, v: stored.meta?.v } } : {};
  const event = transformer.deserialize<RunEvent>({
    json: rest as Wire['json'],
    ...meta(own),
  });
  const wire = { json: result as Wire['json'], ...meta(inResult) } as Wire;
  return { ...event, result: new Encoded<Result>(wire).asValue() } as RunEvent;
}

/**
 * A runs row without its result column (listings never load it), in either dialect: a record
 * with its error as stored text and `hasResult` as the dialect gives it (SQLite: 0 or 1).
 */
export type RunRow = Omit<RunRecord, 'error' | 'hasResult'> & {
  error: string | null;
  hasResult: number | boolean;
};

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    userId: row.userId,
    conversationId: row.conversationId,
    datasetId: row.datasetId,
    kind: row.kind,
    query: row.query,
    status: row.status,
    stage: row.stage,
    progress: row.progress,
    lastSeq: row.lastSeq,
    error: row.error === null ? null : decodeError(row.error),
    hasResult: Boolean(row.hasResult),
    chart: row.chart,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

/** The runs-table columns a patch sets, with payloads encoded. */
export function toRunColumns(patch: RunPatch) {
  const { result, error, ...plain } = patch;
  return {
    ...plain,
    ...(result === undefined ? {} : { result: result === null ? null : encodeResult(result) }),
    ...(error === undefined ? {} : { error: error === null ? null : encode(error) }),
  };
}
