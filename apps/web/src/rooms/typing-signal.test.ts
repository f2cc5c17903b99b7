import { describe, expect, it } from 'vitest';
import { IDLE_MS, TypingSignal } from './typing-signal.ts';

function fakeClock() {
  let now = 0;
  let timer: { at: number; fn: () => void } | undefined;
  return {
    clock: {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => {
        timer = { at: now + ms, fn };
        return timer;
      },
      clearTimeout: (handle: unknown) => {
        if (handle === timer) timer = undefined;
      },
    },
    advance(ms: number) {
      now += ms;
      if (timer && timer.at <= now) {
        const { fn } = timer;
        timer = undefined;
        fn();
      }
    },
  };
}

describe('typing signal', () => {
  it('starts on the first keystroke, renews at most every 2 s, stops after a pause', () => {
    const sent: boolean[] = [];
    const t = fakeClock();
    const signal = new TypingSignal((typing) => sent.push(typing), t.clock);
    signal.keystroke();
    for (let i = 0; i < 19; i++) {
      t.advance(100);
      signal.keystroke();
    }
    expect(sent).toEqual([true]); // 1.9 s of typing: one start
    t.advance(100);
    signal.keystroke();
    expect(sent).toEqual([true, true]); // 2 s after the first
    t.advance(IDLE_MS - 1);
    expect(sent).toEqual([true, true]);
    t.advance(1);
    expect(sent).toEqual([true, true, false]);
  });

  it('stops at once on send, and says nothing when nothing was started', () => {
    const sent: boolean[] = [];
    const t = fakeClock();
    const signal = new TypingSignal((typing) => sent.push(typing), t.clock);
    signal.stop();
    expect(sent).toEqual([]);
    signal.keystroke();
    signal.stop();
    signal.stop();
    t.advance(IDLE_MS * 2);
    expect(sent).toEqual([true, false]);
    // Typing again right after a stop starts again at once.
    signal.keystroke();
    expect(sent).toEqual([true, false, true]);
  });
});
