// What a new conversation is called: the first line of what started it, without comments.

export function titleFromQuery(query: string): string {
  const oneLine = query
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const text = oneLine || query.replace(/\s+/g, ' ').trim() || 'Untitled query';
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
