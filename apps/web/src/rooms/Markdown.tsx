// A comment's markdown as React elements: text is always text, links only http(s) and mailto,
// opened in a new tab without the opener. The tree is derived from the text and never reordered,
// so a node's path in it is its key.
import type { ReactNode } from 'react';
import { type Block, type Inline, parseMarkdown } from './markdown.ts';

function renderInline(node: Inline, key: string): ReactNode {
  switch (node.type) {
    case 'text':
      return <span key={key}>{node.text}</span>;
    case 'code':
      return <code key={key}>{node.text}</code>;
    case 'strong':
      return <strong key={key}>{inline(node.children, key)}</strong>;
    case 'em':
      return <em key={key}>{inline(node.children, key)}</em>;
    case 'link':
      return (
        <a key={key} href={node.href} target="_blank" rel="noopener noreferrer nofollow">
          {inline(node.children, key)}
        </a>
      );
  }
}

function inline(nodes: Inline[], path: string): ReactNode[] {
  const out: ReactNode[] = [];
  for (const [i, node] of nodes.entries()) out.push(renderInline(node, `${path}.${i}`));
  return out;
}

function renderBlock(b: Block, key: string): ReactNode {
  if (b.type === 'code') {
    return (
      <pre key={key}>
        <code>{b.text}</code>
      </pre>
    );
  }
  const children: ReactNode[] = [];
  if (b.type === 'list') {
    for (const [i, item] of b.items.entries()) {
      children.push(<li key={`${key}.${i}`}>{inline(item, `${key}.${i}`)}</li>);
    }
    return b.ordered ? <ol key={key}>{children}</ol> : <ul key={key}>{children}</ul>;
  }
  for (const [i, line] of b.lines.entries()) {
    if (i > 0) children.push(<br key={`${key}.br${i}`} />);
    children.push(...inline(line, `${key}.${i}`));
  }
  return <p key={key}>{children}</p>;
}

export function Markdown({ source }: { source: string }) {
  const blocks: ReactNode[] = [];
  for (const [i, b] of parseMarkdown(source).entries()) blocks.push(renderBlock(b, `b${i}`));
  return <div className="markdown">{blocks}</div>;
}
