// Who may do what with a conversation and its runs: the owner everything, an editor ask and run,
// a viewer read and comment, anyone else nothing — to them it does not exist (NotFound, the same
// message as for an id nobody ever used). Every service asks here before it acts.
import { mayManage, mayRun, type RoomRole } from '@querylane/contracts';
import { ForbiddenError, NotFoundError, NotMemberError } from './errors.ts';
import type { ConversationRecord, RoomStore, RunRecord, RunStore } from './ports.ts';

/** What a call needs: `read` (and comment) is every role's, `run` an editor's, `manage` the owner's. */
export type Need = 'read' | 'run' | 'manage';

const allowed: Record<Need, (role: RoomRole) => boolean> = {
  read: () => true,
  run: mayRun,
  manage: mayManage,
};

const needsRole: Record<Need, string> = { read: 'viewer', run: 'editor', manage: 'owner' };

const refusal: Record<Need, string> = {
  read: 'You cannot read this conversation.',
  run: 'Viewers cannot run queries in this conversation; ask its owner to make you an editor.',
  manage: 'Only the owner of this conversation can do this.',
};

export class Access {
  constructor(
    private readonly rooms: RoomStore,
    private readonly runs: RunStore,
  ) {}

  /** The conversation and the caller's role, when that role allows `need`. */
  async conversation(
    userId: string,
    conversationId: string,
    need: Need,
  ): Promise<{ conversation: ConversationRecord; role: RoomRole }> {
    const found = await this.rooms.access(userId, conversationId);
    if (!found) throw new NotFoundError('Conversation', conversationId);
    const { conversation, role } = found;
    if (role === null) throw new NotMemberError('Conversation', conversationId);
    if (!allowed[need](role)) {
      throw new ForbiddenError(refusal[need], { conversationId, role, needs: needsRole[need] });
    }
    return { conversation, role };
  }

  /** The caller's role in a conversation's room; null when they are not in it or it is gone. */
  async roleIn(userId: string, conversationId: string): Promise<RoomRole | null> {
    return (await this.rooms.access(userId, conversationId))?.role ?? null;
  }

  /**
   * A run for its owner, or for anyone in its conversation's room: every role reads; to cancel
   * someone else's run one must own the room (`manage`).
   */
  async run(userId: string, runId: string, need: 'read' | 'manage'): Promise<RunRecord> {
    const run = await this.runs.get(runId);
    if (!run) throw new NotFoundError('Run', runId);
    if (run.userId === userId) return run;
    const found = await this.rooms.access(userId, run.conversationId);
    if (!found || found.role === null) throw new NotMemberError('Run', runId);
    if (!allowed[need](found.role)) {
      throw new ForbiddenError(
        'Only who started a run, or the owner of its conversation, can cancel it.',
        {
          runId,
          role: found.role,
          needs: needsRole[need],
        },
      );
    }
    return run;
  }
}
