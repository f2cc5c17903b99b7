// An answer's markdown as safe HTML: `marked` renders it (GitHub-flavoured, raw HTML shown as
// text: an answer is markdown, and a model could be talked into writing tags), then DOMPurify
// sanitises what came out (links with `javascript:` and the like, any tag that slipped through).
// No images: a model-written image URL would fetch from anywhere, a way to leak the data.
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const marked = new Marked({
  async: false,
  gfm: true,
  breaks: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    image: ({ text }) => escapeHtml(text),
  },
});

let hooked = false;

export function markdownToHtml(markdown: string): string {
  if (!hooked) {
    hooked = true;
    // Links open elsewhere and tell the other site nothing.
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    });
  }
  const html = marked.parse(markdown) as string;
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ['img', 'style', 'form', 'input', 'button', 'textarea', 'select', 'iframe'],
    FORBID_ATTR: ['style', 'class', 'id'],
  });
}
