// Conversations and their messages: the history a person comes back to, their own and those
// shared with them. Deleting one ends its runs first, through the run service, so no run writes
// into a conversation that is gone; renames and deletes are announced in its room.
import type { RoomRole } from '@querylane/contracts';
import type { Access } from './access.ts';
import { announce } from './announce.ts';
import { NotFoundError } from './errors.ts';
import type {
  ConversationCursor,
  ConversationRecord,
  ConversationStore,
  MessageRecord,
  Page,
  RoomLog,
  RoomStore,
} from './ports.ts';
import type { RunService } from './service.ts';

export interface ConversationServiceOptions {
  store: ConversationStore;
  rooms: RoomStore;
  access: Access;
  runs: RunService;
  roomLog: RoomLog;
  logError: (message: string, err?: unknown) => void;
}

/** A conversation in someone's list, as they see it: their role, and how many are in its room. */
export type ListedConversation = ConversationRecord & { role: RoomRole; members: number };

export class ConversationService {
  readonly #opts: ConversationServiceOptions;

  constructor(opts: ConversationServiceOptions) {
    this.#opts = opts;
  }

  /**
   * Their own and those shared with them: pinned first (their own pins), then most recently
   * updated; `search` matches titles and messages.
   */
  async page(opts: {
    userId: string;
    limit: number;
    cursor?: ConversationCursor | undefined;
    search?: string | undefined;
  }): Promise<Page<ListedConversation, ConversationCursor>> {
    const { cursor, search, ...rest } = opts;
    const page = await this.#opts.store.page({
      ...rest,
      ...(cursor ? { cursor } : {}),
      ...(search ? { search } : {}),
    });
    const counts = await this.#opts.rooms.memberCounts(page.items.map((c) => c.id));
    return {
      items: page.items.map((c) => ({ ...c, members: counts.get(c.id) ?? 0 })),
      next: page.next,
    };
  }

  /** Pins for this person only: an owner's pin on the conversation, a member's on their seat. */
  async setPinned(
    userId: string,
    conversationId: string,
    pinned: boolean,
  ): Promise<ListedConversation> {
    const conversation = await this.#opts.store.setPinned(userId, conversationId, pinned);
    if (!conversation) throw new NotFoundError('Conversation', conversationId);
    const counts = await this.#opts.rooms.memberCounts([conversationId]);
    return { ...conversation, members: counts.get(conversationId) ?? 0 };
  }

  async get(
    userId: string,
    conversationId: string,
  ): Promise<ConversationRecord & { role: RoomRole; messages: MessageRecord[] }> {
    const { conversation, role } = await this.#opts.access.conversation(
      userId,
      conversationId,
      'read',
    );
    return { ...conversation, role, messages: await this.#opts.store.messages(conversationId) };
  }

  create(userId: string, title: string): Promise<ConversationRecord> {
    return this.#opts.store.create({ id: crypto.randomUUID(), userId, title });
  }

  async rename(userId: string, conversationId: string, title: string): Promise<ConversationRecord> {
    const { conversation } = await this.#opts.access.conversation(userId, conversationId, 'manage');
    const renamed = await this.#opts.store.rename(conversation.userId, conversationId, title);
    if (!renamed) throw new NotFoundError('Conversation', conversationId); // deleted meanwhile
    await announce(
      this.#opts.roomLog,
      conversationId,
      { type: 'renamed', title: renamed.title, by: userId },
      this.#opts.logError,
    );
    return renamed;
  }

  /**
   * Its queued and running runs end as cancelled first; then its room hears that it is gone
   * (the last event of the room), and it goes, with all it holds.
   */
  async delete(userId: string, conversationId: string): Promise<void> {
    const { conversation } = await this.#opts.access.conversation(userId, conversationId, 'manage');
    const done = await this.#opts.runs.closeConversation(conversationId);
    try {
      await announce(
        this.#opts.roomLog,
        conversationId,
        { type: 'deleted', by: userId },
        this.#opts.logError,
      );
      await this.#opts.store.delete(conversation.userId, conversationId);
    } finally {
      done();
    }
  }
}
