// Shared conversations: who is in a room and with what role, what a member sees on opening it,
// the live stream of it, and typing. The owner invites, changes roles, removes and unshares; a
// member leaves; each change is one event in the room's log.
import { endsAccessFor, type MemberRole, TYPING_TTL_MS } from '@querylane/contracts';
import { announce } from './announce.ts';
import {
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  NotMemberError,
  PreconditionError,
  RateLimitedError,
} from './errors.ts';
import type { MemberRecord } from './ports.ts';
import { type RoomStreamItem, roomStream } from './room-stream.ts';
import type { RoomServiceOptions, RoomView } from './room-types.ts';
import { TypingGate } from './typing-gate.ts';

export type { RoomServiceOptions, RoomView } from './room-types.ts';

const COMMENTS_ON_OPEN = 200;

export class RoomService {
  readonly #opts: RoomServiceOptions;
  readonly #typing: TypingGate;

  constructor(opts: RoomServiceOptions) {
    this.#opts = opts;
    this.#typing = new TypingGate(opts.now ?? Date.now);
  }

  get maxMembers(): number {
    return this.#opts.maxMembers;
  }

  get sharingDisabled(): string | null {
    return this.#opts.sharingDisabled;
  }

  async view(userId: string, conversationId: string): Promise<RoomView> {
    // The seq first: whatever changes after it (and so is missing below) is replayed.
    const seq = await this.#opts.log.lastSeq(conversationId);
    const { conversation, role } = await this.#opts.access.conversation(
      userId,
      conversationId,
      'read',
    );
    const [members, comments, presence] = await Promise.all([
      this.#opts.rooms.members(conversationId),
      this.#opts.comments.list(conversationId, { limit: COMMENTS_ON_OPEN }),
      // Who is here is live state, not history: a room opens without it if it cannot be read.
      this.#opts.presence.list(conversationId).catch((err: unknown) => {
        this.#opts.logError(`presence of ${conversationId} unreadable`, err);
        return { present: [], typing: [] };
      }),
    ]);
    return {
      conversation,
      role,
      members,
      comments: comments.items,
      hasOlderComments: comments.hasOlder,
      presence,
      seq,
    };
  }

  async members(
    userId: string,
    conversationId: string,
  ): Promise<{ ownerId: string; members: MemberRecord[] }> {
    const { conversation } = await this.#opts.access.conversation(userId, conversationId, 'read');
    return {
      ownerId: conversation.userId,
      members: await this.#opts.rooms.members(conversationId),
    };
  }

  async share(
    ownerId: string,
    conversationId: string,
    userId: string,
    role: MemberRole,
  ): Promise<MemberRecord> {
    const disabled = this.#opts.sharingDisabled;
    if (disabled !== null) {
      throw new PreconditionError('sharing_disabled', disabled, { conversationId });
    }
    await this.#opts.access.conversation(ownerId, conversationId, 'manage');
    if (userId === ownerId) throw new InvalidRequestError('You own this conversation already.');
    const max = this.#opts.maxMembers;
    const res = await this.#opts.rooms.addMember(
      { conversationId, userId, role, addedBy: ownerId },
      max,
    );
    if ('refused' in res) {
      if (res.refused === 'full') {
        throw new PreconditionError(
          'member_limit',
          `A room holds at most ${max} members besides its owner; remove someone first.`,
          { conversationId, max },
        );
      }
      if (res.refused === 'exists') {
        throw new ConflictError(`${userId} is in this room already; change their role instead.`);
      }
      throw new NotFoundError('Conversation', conversationId);
    }
    await this.#announce(conversationId, { type: 'member_added', member: res.added, by: ownerId });
    return res.added;
  }

  async setRole(
    ownerId: string,
    conversationId: string,
    userId: string,
    role: MemberRole,
  ): Promise<MemberRecord> {
    await this.#opts.access.conversation(ownerId, conversationId, 'manage');
    const member = await this.#opts.rooms.setRole(conversationId, userId, role);
    if (!member) throw new NotFoundError('Member', userId);
    await this.#announce(conversationId, { type: 'member_role_changed', member, by: ownerId });
    return member;
  }

  async remove(ownerId: string, conversationId: string, userId: string): Promise<void> {
    await this.#opts.access.conversation(ownerId, conversationId, 'manage');
    if (!(await this.#opts.rooms.removeMember(conversationId, userId))) {
      throw new NotFoundError('Member', userId);
    }
    await this.#announce(conversationId, {
      type: 'member_removed',
      userId,
      by: ownerId,
      why: 'removed',
    });
  }

  /** Every member out; the owner keeps the conversation. Resolves with who was in. */
  async unshare(ownerId: string, conversationId: string): Promise<string[]> {
    await this.#opts.access.conversation(ownerId, conversationId, 'manage');
    const removed = await this.#opts.rooms.removeAll(conversationId);
    if (removed.length > 0) {
      await this.#announce(conversationId, { type: 'unshared', removed, by: ownerId });
    }
    return removed;
  }

  async leave(userId: string, conversationId: string): Promise<void> {
    const { role } = await this.#opts.access.conversation(userId, conversationId, 'read');
    if (role === 'owner') {
      throw new InvalidRequestError('You own this conversation: unshare or delete it instead.');
    }
    if (!(await this.#opts.rooms.removeMember(conversationId, userId))) {
      throw new NotFoundError('Conversation', conversationId);
    }
    await this.#announce(conversationId, {
      type: 'member_removed',
      userId,
      by: userId,
      why: 'left',
    });
  }

  /**
   * Someone composes (`typing`) or stopped. Starts are taken at most once per
   * TYPING_MIN_GAP_MS per user and room; stops always, at once.
   */
  async typing(userId: string, conversationId: string, typing: boolean): Promise<void> {
    await this.#opts.access.conversation(userId, conversationId, 'read');
    if (!typing) {
      await this.#opts.presence.typing(conversationId, userId, null);
      return;
    }
    const taken = this.#typing.take(conversationId, userId);
    if (!taken.ok) {
      throw new RateLimitedError('Typing signals come at most every 2 s', taken.retryAfterMs, {
        refusal: 'typing_rate',
        detail: { conversationId },
      });
    }
    await this.#opts.presence.typing(conversationId, userId, TYPING_TTL_MS);
  }

  /** Sending (a comment, a run) ends composing; never fails what was sent. */
  async stoppedTyping(userId: string, conversationId: string): Promise<void> {
    await this.#opts.presence
      .typing(conversationId, userId, null)
      .catch((err: unknown) => this.#opts.logError('could not clear a typing indicator', err));
  }

  /**
   * The room as it happens, after `afterSeq` (null: from now on). Checked before the stream
   * starts, so a call from outside the room fails at once rather than as an empty stream.
   * Someone removed while their socket was down resumes too: they were in the room at
   * `afterSeq`, so they get what happened up to their removal, and then the stream ends.
   */
  async events(
    userId: string,
    conversationId: string,
    afterSeq: number | null,
    signal?: AbortSignal,
  ): Promise<{ afterSeq: number; items: AsyncIterable<RoomStreamItem> }> {
    try {
      await this.#opts.access.conversation(userId, conversationId, 'read');
    } catch (err) {
      const removedAt =
        err instanceof NotMemberError && afterSeq !== null
          ? await this.#removedAfter(userId, conversationId, afterSeq)
          : undefined;
      if (removedAt === undefined || afterSeq === null) throw err;
      return { afterSeq, items: this.#untilRemoved(conversationId, afterSeq, removedAt, signal) };
    }
    const from = afterSeq ?? (await this.#opts.log.lastSeq(conversationId));
    const items = roomStream(
      {
        log: this.#opts.log,
        presence: this.#opts.presence,
        presenceTtlMs: this.#opts.presenceTtlMs,
        logError: this.#opts.logError,
      },
      userId,
      conversationId,
      from,
      signal,
    );
    return { afterSeq: from, items };
  }

  /** Seq of the first event after `afterSeq` that took `userId` out of the room, if any. */
  async #removedAfter(
    userId: string,
    conversationId: string,
    afterSeq: number,
  ): Promise<number | undefined> {
    const last = await this.#opts.log.lastSeq(conversationId);
    if (last <= afterSeq) return undefined; // nothing after it: reading would wait for news
    const scan = new AbortController();
    try {
      for await (const event of this.#opts.log.read(conversationId, afterSeq, scan.signal)) {
        if (endsAccessFor(event, userId)) return event.seq;
        if (event.seq >= last) return undefined;
      }
    } finally {
      scan.abort();
    }
    return undefined;
  }

  async *#untilRemoved(
    conversationId: string,
    afterSeq: number,
    removedAt: number,
    signal?: AbortSignal,
  ): AsyncGenerator<RoomStreamItem> {
    if (afterSeq >= removedAt) return;
    for await (const event of this.#opts.log.read(conversationId, afterSeq, signal)) {
      yield event;
      if (event.seq >= removedAt) return;
    }
  }

  #announce(conversationId: string, input: Parameters<typeof announce>[2]): Promise<void> {
    return announce(this.#opts.log, conversationId, input, this.#opts.logError);
  }
}
