import { describe, expect, it } from 'vitest';
import { readEnv } from './env.ts';

describe('readEnv', () => {
  it('defaults to the local server and treats empty variables as unset', () => {
    expect(readEnv({})).toEqual({ QUERYLANE_URL: 'http://127.0.0.1:3000' });
    expect(readEnv({ QUERYLANE_URL: '', QUERYLANE_TOKEN: '' })).toEqual({
      QUERYLANE_URL: 'http://127.0.0.1:3000',
    });
    expect(readEnv({ QUERYLANE_URL: 'https://q.example', QUERYLANE_TOKEN: 't' })).toMatchObject({
      QUERYLANE_URL: 'https://q.example',
      QUERYLANE_TOKEN: 't',
    });
  });
});
