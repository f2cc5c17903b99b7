import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from './args.ts';

describe('parseCommand', () => {
  it('reads run with its options', () => {
    expect(parseCommand(['run', 'SELECT 1', '--dataset', 'sales', '--json'])).toEqual({
      name: 'run',
      sql: 'SELECT 1',
      datasetId: 'sales',
      json: true,
      url: undefined,
      token: undefined,
    });
    expect(parseCommand(['-d', 'shop', 'run', 'SELECT 2', '--url', 'http://h:1'])).toMatchObject({
      name: 'run',
      datasetId: 'shop',
      url: 'http://h:1',
    });
  });

  it('reads ask with its question, dataset and --sql', () => {
    expect(parseCommand(['ask', 'How many orders?', '-d', 'shop', '--sql'])).toEqual({
      name: 'ask',
      question: 'How many orders?',
      datasetId: 'shop',
      showSql: true,
      json: false,
      url: undefined,
      token: undefined,
    });
    expect(parseCommand(['ask', 'Revenue by year'])).toMatchObject({ showSql: false });
    expect(() => parseCommand(['run', 'SELECT 1', '--sql'])).toThrow(
      '--sql does not apply to run.',
    );
    expect(() => parseCommand(['ask'])).toThrow(
      'ask takes exactly one argument: the question, quoted.',
    );
  });

  it('reads history, watch and datasets', () => {
    expect(parseCommand(['history', '-n', '5'])).toMatchObject({ name: 'history', limit: 5 });
    expect(parseCommand(['history'])).toMatchObject({ limit: 20 });
    expect(parseCommand(['watch', 'abc', '--token', 't'])).toMatchObject({
      name: 'watch',
      runId: 'abc',
      token: 't',
    });
    expect(parseCommand(['datasets', '--json'])).toMatchObject({ name: 'datasets', json: true });
    expect(parseCommand(['--help'])).toEqual({ name: 'help' });
  });

  it('refuses what it cannot do with a message', () => {
    const bad: [string[], RegExp][] = [
      [[], /Which command/],
      [['launch'], /Unknown command "launch"/],
      [['run'], /exactly one argument/],
      [['run', 'a', 'b'], /exactly one argument/],
      [['history', '--limit', '0'], /1 to 100/],
      [['datasets', '--dataset', 'x'], /--dataset does not apply to datasets/],
      [['run', 'SELECT 1', '--bogus'], /bogus/],
    ];
    for (const [argv, message] of bad) {
      expect(() => parseCommand(argv)).toThrow(UsageError);
      expect(() => parseCommand(argv)).toThrow(message);
    }
  });
});
