// Conversations and their messages: the history a person comes back to. Deleting one ends its
// runs first, through the run service, so no run writes into a conversation that is gone.
import { NotFoundError } from './errors.ts';
import type {
  ConversationCursor,
  ConversationRecord,
  ConversationStore,
  MessageRecord,
  Page,
} from './ports.ts';
import type { RunService } from './service.ts';

export class ConversationService {
  constructor(
    private readonly store: ConversationStore,
    private readonly runs: RunService,
  ) {}

  /** Pinned first, then most recently updated; `search` matches titles and messages. */
  page(opts: {
    userId: string;
    limit: number;
    cursor?: ConversationCursor | undefined;
    search?: string | undefined;
  }): Promise<Page<ConversationRecord, ConversationCursor>> {
    const { cursor, search, ...rest } = opts;
    return this.store.page({
      ...rest,
      ...(cursor ? { cursor } : {}),
      ...(search ? { search } : {}),
    });
  }

  async setPinned(
    userId: string,
    conversationId: string,
    pinned: boolean,
  ): Promise<ConversationRecord> {
    const conversation = await this.store.setPinned(userId, conversationId, pinned);
    if (!conversation) throw new NotFoundError('Conversation', conversationId);
    return conversation;
  }

  async get(
    userId: string,
    conversationId: string,
  ): Promise<ConversationRecord & { messages: MessageRecord[] }> {
    const conversation = await this.#owned(userId, conversationId);
    return { ...conversation, messages: await this.store.messages(conversationId) };
  }

  create(userId: string, title: string): Promise<ConversationRecord> {
    return this.store.create({ id: crypto.randomUUID(), userId, title });
  }

  async rename(userId: string, conversationId: string, title: string): Promise<ConversationRecord> {
    const renamed = await this.store.rename(userId, conversationId, title);
    if (!renamed) throw new NotFoundError('Conversation', conversationId);
    return renamed;
  }

  /** Its queued and running runs end as cancelled first; then it goes, with all it holds. */
  async delete(userId: string, conversationId: string): Promise<void> {
    await this.#owned(userId, conversationId);
    const done = await this.runs.closeConversation(conversationId);
    try {
      await this.store.delete(userId, conversationId);
    } finally {
      done();
    }
  }

  async #owned(userId: string, conversationId: string): Promise<ConversationRecord> {
    const conversation = await this.store.getOwned(userId, conversationId);
    if (!conversation) throw new NotFoundError('Conversation', conversationId);
    return conversation;
  }
}
