// A question's answer: markdown rendered by marked and sanitised by DOMPurify (markdown.ts),
// growing while it streams, with a copy button once it is final. Its own chunk: the renderer is
// loaded the first time an answer is shown, and the raw text stands in until then.
import { useMemo, useState } from 'react';
import { useAnnounce } from '../announcer.tsx';
import { markdownToHtml } from './markdown.ts';

export default function Answer(props: { markdown: string; streaming: boolean }) {
  const html = useMemo(() => markdownToHtml(props.markdown), [props.markdown]);
  const announce = useAnnounce();
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.markdown);
      setCopied(true);
      announce('Answer copied');
    } catch {
      setCopied(false);
    }
  };
  return (
    // Not a landmark: a thread of answers would list dozens of regions all called "Answer".
    <div className="answer" aria-busy={props.streaming}>
      <div
        className="answer-text"
        data-testid="answer"
        // Rendered by marked and sanitised by DOMPurify (markdown.ts).
        // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised HTML, see markdown.ts
        dangerouslySetInnerHTML={{ __html: html }}
      />
      {!props.streaming && (
        <div className="answer-actions">
          <button
            type="button"
            className="btn btn-small btn-ghost"
            data-testid="copy-answer"
            onClick={() => void copy()}
          >
            {copied ? 'Copied' : 'Copy answer'}
          </button>
          {copied === false && (
            <span className="inline-error">The browser did not allow copying.</span>
          )}
        </div>
      )}
    </div>
  );
}
