// Response headers that keep browsers from doing more with our answers than meant: API answers
// are never cached, framed, sniffed or run as a document; the SPA runs only its own scripts and
// cannot be framed (the admin page must not be clickjacked).
import type { ServerResponse } from 'node:http';

const api: Record<string, string> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

const app: Record<string, string> = {
  // Inline styles: React sets style attributes, and charts bring their own <style> elements.
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export function setApiHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(api)) res.setHeader(name, value);
}

export function setAppHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(app)) res.setHeader(name, value);
}
