import { describe, expect, it } from 'vitest';
import { conversationPath, parseRoute } from './route.ts';

describe('parseRoute', () => {
  it('reads a conversation id from /c/<id>', () => {
    expect(parseRoute('/c/abc-123')).toEqual({ page: 'conversation', conversationId: 'abc-123' });
    expect(parseRoute('/c/abc-123/')).toEqual({ page: 'conversation', conversationId: 'abc-123' });
  });

  it('knows the admin page', () => {
    expect(parseRoute('/admin')).toEqual({ page: 'admin' });
    expect(parseRoute('/admin/')).toEqual({ page: 'admin' });
    expect(parseRoute('/admin/x')).toEqual({ page: 'home' });
  });

  it('sends everything else home', () => {
    expect(parseRoute('/')).toEqual({ page: 'home' });
    expect(parseRoute('/c/')).toEqual({ page: 'home' });
    expect(parseRoute('/c/a/b')).toEqual({ page: 'home' });
    expect(parseRoute('/c/%E0%A4%A')).toEqual({ page: 'home' });
  });

  it('round-trips through conversationPath', () => {
    expect(parseRoute(conversationPath('x_y-1'))).toEqual({
      page: 'conversation',
      conversationId: 'x_y-1',
    });
  });
});
