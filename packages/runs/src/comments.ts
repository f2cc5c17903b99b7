// Comments on a room's thread or on one of its runs: anyone in the room may write one (viewers
// too), only its author may edit or delete it, and everyone in the room sees each change live.
import type { Access } from './access.ts';
import { announce } from './announce.ts';
import { ForbiddenError, NotFoundError, NotMemberError } from './errors.ts';
import type { CommentRecord, CommentStore, RoomLog, RunStore } from './ports.ts';

export interface CommentServiceOptions {
  comments: CommentStore;
  runs: RunStore;
  access: Access;
  log: RoomLog;
  /** Called once a comment is posted: its author is no longer composing. */
  sent: (userId: string, conversationId: string) => Promise<void>;
  logError: (message: string, err?: unknown) => void;
}

export class CommentService {
  readonly #opts: CommentServiceOptions;

  constructor(opts: CommentServiceOptions) {
    this.#opts = opts;
  }

  async list(
    userId: string,
    conversationId: string,
    opts: { limit: number; beforeId?: string | undefined },
  ): Promise<{ items: CommentRecord[]; hasOlder: boolean }> {
    await this.#opts.access.conversation(userId, conversationId, 'read');
    return this.#opts.comments.list(conversationId, {
      limit: opts.limit,
      ...(opts.beforeId ? { beforeId: opts.beforeId } : {}),
    });
  }

  /** `body` is sanitised already (the contracts' CommentBody). */
  async add(
    userId: string,
    input: { conversationId: string; runId?: string | undefined; body: string },
  ): Promise<CommentRecord> {
    const { conversationId } = input;
    await this.#opts.access.conversation(userId, conversationId, 'read');
    const runId = input.runId ?? null;
    if (runId !== null) {
      const run = await this.#opts.runs.get(runId);
      if (run?.conversationId !== conversationId) throw new NotFoundError('Run', runId);
    }
    const comment = await this.#opts.comments.add({
      id: crypto.randomUUID(),
      conversationId,
      runId,
      userId,
      body: input.body,
    });
    await announce(
      this.#opts.log,
      conversationId,
      { type: 'comment_added', comment },
      this.#opts.logError,
    );
    await this.#opts.sent(userId, conversationId);
    return comment;
  }

  async edit(userId: string, commentId: string, body: string): Promise<CommentRecord> {
    await this.#authored(userId, commentId, 'edit');
    const comment = await this.#opts.comments.edit(commentId, userId, body);
    if (!comment) throw new NotFoundError('Comment', commentId);
    await announce(
      this.#opts.log,
      comment.conversationId,
      { type: 'comment_edited', comment },
      this.#opts.logError,
    );
    return comment;
  }

  async delete(userId: string, commentId: string): Promise<{ conversationId: string }> {
    const { conversationId } = await this.#authored(userId, commentId, 'delete');
    if (!(await this.#opts.comments.delete(commentId, userId))) {
      throw new NotFoundError('Comment', commentId);
    }
    await announce(
      this.#opts.log,
      conversationId,
      { type: 'comment_deleted', commentId, userId },
      this.#opts.logError,
    );
    return { conversationId };
  }

  /** The comment, when the caller is in its room and wrote it. */
  async #authored(userId: string, commentId: string, verb: string): Promise<CommentRecord> {
    const comment = await this.#opts.comments.get(commentId);
    if (!comment) throw new NotFoundError('Comment', commentId);
    const role = await this.#opts.access.roleIn(userId, comment.conversationId);
    if (role === null) throw new NotMemberError('Comment', commentId);
    if (comment.userId !== userId) {
      throw new ForbiddenError(`Only its author can ${verb} a comment.`, {
        commentId,
        role,
        needs: 'author',
      });
    }
    return comment;
  }
}
