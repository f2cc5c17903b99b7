// One node's dedicated PostgreSQL session for LISTEN (notifications cannot go through a pool)
// and for the announcer lock, a session lock that passes to another node when this session
// ends — cleanly or because the node died. Reconnects by itself when the session breaks.
import pg from 'pg';

export interface ListenerOptions {
  url: string;
  channels: readonly string[];
  /** Advisory lock key: the session that holds it leads. */
  announcerLock: number;
  applicationName: string;
  log: (message: string, err?: unknown) => void;
  onNotify(channel: string, payload: string): void;
  /** After the session came back: notifications may have been missed meanwhile. */
  onReconnect(): void;
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;
/** A node that does not lead asks for the lock at most this often. */
const LEAD_RETRY_MS = 1_000;

export class Listener {
  readonly #opts: ListenerOptions;
  #client: pg.Client | undefined;
  #stopped = false;
  #leader = false;
  #lastTry = 0;
  #retryMs = RETRY_MIN_MS;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: ListenerOptions) {
    this.#opts = opts;
  }

  /** Connects and listens; rejects if the first connection fails. */
  async start(): Promise<void> {
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    this.#leader = false;
    await client?.end().catch(() => {});
  }

  /** Whether this node leads: asks for the lock when it does not (at most once a second). */
  async leads(): Promise<boolean> {
    const client = this.#client;
    if (!client) return false;
    if (this.#leader) return true;
    if (Date.now() - this.#lastTry < LEAD_RETRY_MS) return false;
    this.#lastTry = Date.now();
    try {
      const res = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
        this.#opts.announcerLock,
      ]);
      this.#leader = this.#client === client && res.rows[0]?.ok === true;
    } catch {
      this.#leader = false;
    }
    return this.#leader;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#opts.url,
      application_name: this.#opts.applicationName,
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    });
    client.on('notification', (msg) => this.#opts.onNotify(msg.channel, msg.payload ?? ''));
    const lost = (err?: Error) => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#leader = false;
      if (this.#stopped) return;
      this.#opts.log('the queue notification session to PostgreSQL broke; reconnecting', err);
      void client.end().catch(() => {});
      this.#schedule();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    for (const channel of this.#opts.channels) {
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    }
    if (this.#stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#retryMs = RETRY_MIN_MS;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(async () => {
      try {
        await this.#connect();
        this.#opts.log('the queue notification session to PostgreSQL is back');
        this.#opts.onReconnect();
      } catch (err) {
        this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
        if (!this.#stopped) this.#schedule();
        void err;
      }
    }, this.#retryMs);
    this.#timer.unref();
  }
}
