// The composer's store: text and mode outside React, focus handed to whichever editor is there,
// and a failed run's text (and mode) given back unless something else was typed since.
import { describe, expect, it } from 'vitest';
import { ComposerStore } from './composer-store.ts';

const editor = () => {
  const calls: string[] = [];
  return { calls, handle: { focus: () => calls.push('focus') } };
};

describe('ComposerStore', () => {
  it('asks by default and tells subscribers of text and mode changes, once each', () => {
    const store = new ComposerStore();
    let heard = 0;
    store.subscribe(() => heard++);
    expect(store.mode).toBe('question');
    store.set('revenue');
    store.set('revenue');
    store.setMode('sql');
    store.setMode('sql');
    expect(heard).toBe(2);
  });

  it('focuses the editor of the new mode when a fill switches modes, once it has mounted', () => {
    const store = new ComposerStore();
    const question = editor();
    store.attach(question.handle);
    store.fill('SELECT 1', 'sql');
    // The question field is going away; the SQL editor (maybe still loading) gets the focus.
    expect(question.calls).toEqual([]);
    const sql = editor();
    store.detach(question.handle);
    store.attach(sql.handle);
    expect(sql.calls).toEqual(['focus']);
    expect(store.text).toBe('SELECT 1');
    store.fill('SELECT 2');
    expect(sql.calls).toEqual(['focus', 'focus']);
  });

  it('gives a failed run its text and mode back, unless something was typed since', () => {
    const store = new ComposerStore();
    store.set('revenue by weather');
    store.sent('r1', 'revenue by weather', 'question');
    store.setMode('sql');
    store.failed('r1');
    expect([store.text, store.mode]).toEqual(['revenue by weather', 'question']);

    store.sent('r2', 'revenue by weather', 'question');
    store.set('SELECT 1');
    store.failed('r2');
    expect(store.text).toBe('SELECT 1');
    // Only the run that cleared the editor gives anything back.
    store.failed('r0');
    expect(store.text).toBe('SELECT 1');
  });
});
