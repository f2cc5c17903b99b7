// The audit trail: every refusal, cancel, delete and admin action goes to the audit_log table,
// and refusals are also counted in memory per kind for the admin's metrics.
import { type AuditKind, RefusalKind } from '@querylane/contracts';
import type { AuditRecord, AuditStore, NewAuditRecord } from '@querylane/runs';
import { type Clock, TokenBuckets } from './limits.ts';

export interface AuditInput {
  kind: AuditKind;
  reason?: RefusalKind | null;
  userId?: string | null;
  ip?: string | null;
  target?: string | null;
  detail?: Record<string, string | number | boolean | null> | null;
}

/** Who is behind a call, as far as the audit cares. */
export interface Actor {
  userId: string | null;
  connection: { ip: string } | null;
}

const PRUNE_EVERY = 500;
const MAX_SUPPRESSED_KEYS = 10_000;

export class AuditLog {
  readonly #store: AuditStore;
  readonly #maxRows: number;
  readonly #log: (message: string, err?: unknown) => void;
  readonly #refusals = Object.fromEntries(RefusalKind.options.map((k) => [k, 0])) as Record<
    RefusalKind,
    number
  >;
  readonly #listeners = new Set<(entry: AuditInput) => void>();
  readonly #once = new WeakMap<object, Set<string>>();
  readonly #rowBudget: TokenBuckets;
  readonly #suppressed = new Map<string, number>();
  #sincePrune = 0;
  readonly #pending = new Set<Promise<number | null>>();

  constructor(
    store: AuditStore,
    opts: {
      maxRows: number;
      /** Refusal rows written per minute for one (kind, address, user); the rest are counted. */
      refusalRowsPerMinute?: number;
      now?: Clock;
      log?: (message: string, err?: unknown) => void;
    },
  ) {
    this.#store = store;
    this.#maxRows = opts.maxRows;
    this.#rowBudget = new TokenBuckets(opts.refusalRowsPerMinute ?? 60, opts.now);
    this.#log = opts.log ?? ((message, err) => console.error(message, err ?? ''));
  }

  /** Never rejects: a failed audit write is logged, and the call it describes goes on. */
  record(input: AuditInput): Promise<number | null> {
    const write = this.#write(input);
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
    return write;
  }

  /** Resolves once every write started so far has settled (for shutdown and tests). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  async #write(input: AuditInput): Promise<number | null> {
    this.#count(input);
    const entry: NewAuditRecord = {
      kind: input.kind,
      reason: input.reason ?? null,
      userId: input.userId ?? null,
      ip: input.ip ?? null,
      target: input.target ?? null,
      detail: input.detail ?? null,
    };
    try {
      const row = await this.#store.append(entry);
      this.#sincePrune += 1;
      if (this.#sincePrune >= PRUNE_EVERY) {
        this.#sincePrune = 0;
        await this.#store.prune(this.#maxRows);
      }
      return row.id;
    } catch (err) {
      this.#log('could not write to the audit log', err);
      return null;
    }
  }

  refused(
    reason: RefusalKind,
    actor: Actor | { userId?: string | null; ip?: string | null },
    more: Pick<AuditInput, 'target' | 'detail'> = {},
  ): void {
    const ip = 'connection' in actor ? (actor.connection?.ip ?? null) : (actor.ip ?? null);
    const userId = actor.userId ?? null;
    // A client that is refused in a loop (say, reconnecting past a limit) must not turn the audit
    // log into a write load: past a budget per source the refusals are counted, not written,
    // and the next row written for that source says how many it stands for.
    const key = `${reason}|${ip}|${userId}`;
    if (!this.#rowBudget.take(key).ok) {
      if (!this.#suppressed.has(key) && this.#suppressed.size >= MAX_SUPPRESSED_KEYS) {
        const oldest = this.#suppressed.keys().next().value;
        if (oldest !== undefined) this.#suppressed.delete(oldest);
      }
      this.#suppressed.set(key, (this.#suppressed.get(key) ?? 0) + 1);
      this.#count({ kind: 'refused', reason });
      return;
    }
    const suppressed = this.#suppressed.get(key);
    this.#suppressed.delete(key);
    const detail = suppressed ? { ...more.detail, suppressed } : (more.detail ?? null);
    void this.record({ kind: 'refused', reason, userId, ip, target: more.target ?? null, detail });
  }

  /**
   * Like `refused`, but once per `scope` (a connection) and reason: a socket without credentials
   * that retries every call is one entry, not one per call.
   */
  refusedOnce(
    scope: object | null,
    reason: RefusalKind,
    actor: Actor,
    more: Pick<AuditInput, 'target' | 'detail'> = {},
  ): void {
    if (scope) {
      let seen = this.#once.get(scope);
      if (!seen) {
        seen = new Set();
        this.#once.set(scope, seen);
      }
      if (seen.has(reason)) {
        this.#count({ kind: 'refused', reason });
        return;
      }
      seen.add(reason);
    }
    this.refused(reason, actor, more);
  }

  #count(input: AuditInput): void {
    if (input.kind === 'refused' && input.reason) this.#refusals[input.reason] += 1;
    for (const listener of [...this.#listeners]) listener(input);
  }

  /** Newest first; `beforeId` continues a page. */
  list(opts: Parameters<AuditStore['list']>[0]): Promise<AuditRecord[]> {
    return this.#store.list(opts);
  }

  /** Refusals since this process started, per kind. */
  get refusals(): Readonly<Record<RefusalKind, number>> {
    return { ...this.#refusals };
  }

  /** Returns the unsubscribe function; listeners see every entry, also those not written twice. */
  onRecord(listener: (entry: AuditInput) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
