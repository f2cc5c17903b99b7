// Comments: short markdown notes on a room's thread or on one run. The text is sanitised once,
// before it is stored, so every reader (the SPA, the CLI, a script) gets the same safe text.
import { z } from 'zod';
import { COMMENT_MAX_CHARS } from './room-sets.ts';

// Characters that are invisible or reorder what the reader sees (the "Trojan source" bidi
// controls, zero-width spaces, a byte-order mark): a comment must say what it appears to say.
const INVISIBLE = new Set([
  0x200b, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060, 0x2066, 0x2067, 0x2068,
  0x2069, 0xfeff,
]);

function isStripped(codePoint: number): boolean {
  if (codePoint === 0x09 || codePoint === 0x0a) return false; // tab and newline stay
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return true;
  return INVISIBLE.has(codePoint);
}

// Raw HTML has no place in a comment: tags and HTML comments go (their text stays), also
// autolinks such as <javascript:…>, which look like tags.
const HTML = /<!--[\s\S]*?(?:-->|$)|<\/?[A-Za-z][^<>]*>/g;
// [label](url "title"): kept only for web and mail links; any other scheme leaves the label.
const LINK = /(!?)\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"\n]*")?\s*\)/g;
const SAFE_URL = /^(?:https?:\/\/|mailto:)/i;

/**
 * The comment as it is stored: NFC, `\n` line ends, no control or invisible characters, no
 * raw HTML, no links but http(s) and mailto, images as their link, at most one blank line in
 * a row, trimmed. Markdown itself (emphasis, code, lists) is kept for the reader to render.
 */
export function sanitizeComment(text: string): string {
  let s = Array.from(text.normalize('NFC').replace(/\r\n?/g, '\n'))
    .filter((ch) => !isStripped(ch.codePointAt(0) ?? 0))
    .join('');
  // Until nothing changes: removing one tag must not assemble another (<scr<b>ipt>).
  for (let before = ''; before !== s; ) {
    before = s;
    s = s.replace(HTML, '');
  }
  s = s.replace(LINK, (_whole, _bang: string, label: string, url: string) =>
    SAFE_URL.test(url) ? `[${label}](${url})` : label,
  );
  return s
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A comment's text as a client sends it: length-limited, then sanitised, then not empty. */
export const CommentBody = z
  .string()
  .max(
    COMMENT_MAX_CHARS,
    `Comments are at most ${COMMENT_MAX_CHARS.toLocaleString('en')} characters`,
  )
  .transform(sanitizeComment)
  .pipe(z.string().min(1, 'The comment is empty'));

export const Comment = z.object({
  id: z.string(),
  conversationId: z.string(),
  /** The run it is about, or null for the thread as a whole. */
  runId: z.string().nullable(),
  userId: z.string(),
  body: z.string(),
  createdAt: z.date(),
  editedAt: z.date().nullable(),
});
export type Comment = z.infer<typeof Comment>;
