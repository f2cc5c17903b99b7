// The room's comments, in the order they were written: markdown notes on the thread or on one of
// its runs. Anyone in the room writes them; their author edits or deletes them. Composing here
// tells the others that this person is typing.
import { COMMENT_MAX_CHARS } from '@querylane/contracts';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { formatRelative } from '../format.ts';
import { describeError } from '../trpc/errors.ts';
import { useTRPC } from '../trpc/react.tsx';
import { Markdown } from './Markdown.tsx';
import type { RoomComment } from './room-state.ts';
import type { Room } from './use-room.ts';

export interface RunRef {
  runId: string;
  query: string;
}

const excerpt = (query: string) => (query.length > 40 ? `${query.slice(0, 40)}…` : query);

export function CommentsPanel({ room, runs }: { room: Room; runs: RunRef[] }) {
  const trpc = useTRPC();
  const [body, setBody] = useState('');
  const [about, setAbout] = useState('');
  const add = useMutation(
    trpc.comments.add.mutationOptions({
      onSuccess: () => {
        setBody('');
        room.stoppedTyping();
      },
    }),
  );
  const comments = room.state?.comments ?? [];
  const queryOf = new Map(runs.map((r) => [r.runId, r.query]));
  const post = (e?: FormEvent) => {
    e?.preventDefault();
    if (!body.trim() || add.isPending) return;
    add.mutate({
      conversationId: room.conversationId,
      body,
      ...(about ? { runId: about } : {}),
    });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) post();
  };
  return (
    <section className="comments" aria-labelledby="comments-title" data-testid="comments">
      <h2 id="comments-title">Comments</h2>
      {comments.length === 0 && <p className="muted small">No comments yet.</p>}
      <ol className="comment-list">
        {comments.map((c) => (
          <CommentItem key={c.id} comment={c} mine={c.userId === room.me} queryOf={queryOf} />
        ))}
      </ol>
      <form className="comment-form" onSubmit={post}>
        <label htmlFor="comment-body" className="sr-only">
          Comment
        </label>
        <textarea
          id="comment-body"
          data-testid="comment-input"
          value={body}
          maxLength={COMMENT_MAX_CHARS}
          rows={2}
          placeholder="Comment (markdown) — Ctrl+Enter to post"
          onChange={(e) => {
            setBody(e.currentTarget.value);
            if (e.currentTarget.value) room.typed();
            else room.stoppedTyping();
          }}
          onBlur={() => room.stoppedTyping()}
          onKeyDown={onKeyDown}
        />
        <div className="comment-bar">
          <select
            aria-label="About"
            value={about}
            onChange={(e) => setAbout(e.currentTarget.value)}
            data-testid="comment-about"
          >
            <option value="">the whole thread</option>
            {runs.map((r) => (
              <option key={r.runId} value={r.runId}>
                run: {excerpt(r.query)}
              </option>
            ))}
          </select>
          <span className="muted small">
            {body.length}/{COMMENT_MAX_CHARS}
          </span>
          <button
            type="submit"
            className="btn btn-primary btn-small"
            disabled={!body.trim() || add.isPending}
            data-testid="comment-post"
          >
            Post
          </button>
        </div>
        {add.error && (
          <p className="inline-error" role="alert">
            {describeError(add.error)}
          </p>
        )}
      </form>
    </section>
  );
}

function CommentItem(props: { comment: RoomComment; mine: boolean; queryOf: Map<string, string> }) {
  const { comment: c } = props;
  const trpc = useTRPC();
  const [editing, setEditing] = useState<string | null>(null);
  const edit = useMutation(
    trpc.comments.edit.mutationOptions({ onSuccess: () => setEditing(null) }),
  );
  const remove = useMutation(trpc.comments.delete.mutationOptions());
  const about = c.runId ? props.queryOf.get(c.runId) : undefined;
  const failure = edit.error ?? remove.error;
  return (
    <li className="comment" data-testid="comment" data-author={c.userId}>
      <header className="comment-head">
        <strong>{c.userId}</strong>
        <span className="muted small" title={c.createdAt.toISOString()}>
          {formatRelative(c.createdAt)}
          {c.editedAt && ' · edited'}
        </span>
        {c.runId && (
          <span className="comment-about muted small">on run: {excerpt(about ?? c.runId)}</span>
        )}
        {props.mine && editing === null && (
          <span className="comment-actions">
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => setEditing(c.body)}
            >
              Edit
            </button>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => remove.mutate({ commentId: c.id })}
              disabled={remove.isPending}
            >
              Delete
            </button>
          </span>
        )}
      </header>
      {editing === null ? (
        <Markdown source={c.body} />
      ) : (
        <form
          className="comment-edit"
          onSubmit={(e) => {
            e.preventDefault();
            if (editing.trim()) edit.mutate({ commentId: c.id, body: editing });
          }}
        >
          <textarea
            aria-label="Edit comment"
            value={editing}
            maxLength={COMMENT_MAX_CHARS}
            onChange={(e) => setEditing(e.currentTarget.value)}
          />
          <button type="submit" className="btn btn-small btn-primary" disabled={edit.isPending}>
            Save
          </button>
          <button type="button" className="btn btn-small" onClick={() => setEditing(null)}>
            Cancel
          </button>
        </form>
      )}
      {failure && <p className="inline-error">{describeError(failure)}</p>}
    </li>
  );
}
