import { describe, expect, it } from 'vitest';
import { parseCommand } from './program.ts';

function parse(...argv: string[]) {
  let out = '';
  let err = '';
  const parsed = parseCommand(
    argv,
    {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
    },
    '9.9.9',
  );
  return { parsed, out, err };
}

describe('parseCommand', () => {
  it('reads run with its own and the global options, before or after the command', () => {
    expect(parse('run', 'SELECT 1', '--dataset', 'sales', '--json').parsed).toEqual({
      kind: 'command',
      command: {
        name: 'run',
        sql: 'SELECT 1',
        datasetId: 'sales',
        json: true,
        url: undefined,
        token: undefined,
        tokenFile: undefined,
      },
    });
    expect(
      parse('--url', 'http://h:1', 'run', '-', '-d', 'shop', '--token-file', '/t').parsed,
    ).toMatchObject({
      command: { name: 'run', sql: '-', datasetId: 'shop', url: 'http://h:1', tokenFile: '/t' },
    });
  });

  it('reads ask with its question, dataset and --sql', () => {
    expect(parse('ask', 'How many orders?', '-d', 'shop', '--sql').parsed).toEqual({
      kind: 'command',
      command: {
        name: 'ask',
        question: 'How many orders?',
        datasetId: 'shop',
        showSql: true,
        json: false,
        url: undefined,
        token: undefined,
        tokenFile: undefined,
      },
    });
    expect(parse('ask', 'Revenue by year').parsed).toMatchObject({ command: { showSql: false } });
    expect(parse('run', 'SELECT 1', '--sql').parsed).toMatchObject({ kind: 'exit', code: 2 });
    expect(parse('ask').parsed).toMatchObject({ kind: 'exit', code: 2 });
  });

  it('reads history, watch and datasets', () => {
    expect(parse('history', '-n', '5').parsed).toMatchObject({
      command: { name: 'history', limit: 5 },
    });
    expect(parse('history').parsed).toMatchObject({ command: { limit: 20 } });
    expect(parse('watch', 'abc', '--token', 't').parsed).toMatchObject({
      command: { name: 'watch', runId: 'abc', token: 't' },
    });
    expect(parse('datasets', '--json').parsed).toMatchObject({
      command: { name: 'datasets', json: true },
    });
  });

  it('prints the help of the program and of each command, and the version, with exit 0', () => {
    const top = parse('--help');
    expect(top.parsed).toEqual({ kind: 'exit', code: 0 });
    expect(top.out).toMatch(/^Usage: querylane \[options\] \[command\]/);
    for (const name of ['ask', 'run', 'watch', 'history', 'datasets'])
      expect(top.out).toContain(name);

    const run = parse('run', '--help');
    expect(run.parsed).toEqual({ kind: 'exit', code: 0 });
    expect(run.out).toMatch(/^Usage: querylane run \[options\] <sql>/);
    expect(run.out).toContain('- reads it from stdin');
    expect(run.out).toContain('--token-file <path>');
    expect(parse('help', 'history').out).toMatch(/^Usage: querylane history/);

    const version = parse('--version');
    expect(version).toEqual({ parsed: { kind: 'exit', code: 0 }, out: '9.9.9\n', err: '' });
  });

  it('refuses what it cannot do with a message and exit 2, suggesting the nearest command', () => {
    const bad: [string[], RegExp][] = [
      [['rn', 'SELECT 1'], /unknown command 'rn'\n\(Did you mean run\?\)/],
      [['histroy'], /Did you mean history\?/],
      [['run'], /missing required argument 'sql'/],
      [['run', 'a', 'b'], /too many arguments for 'run'/],
      [['run', '   '], /The SQL is empty/],
      [['history', '--limit', '0'], /1 to 100/],
      [['history', '--limit', '2.5'], /1 to 100/],
      [['datasets', '--dataset', 'x'], /unknown option '--dataset'/],
      [['run', 'SELECT 1', '--bogus'], /unknown option '--bogus'/],
    ];
    for (const [argv, message] of bad) {
      const { parsed, out, err } = parse(...argv);
      expect(parsed).toMatchObject({ kind: 'exit', code: 2 });
      expect(out).toBe('');
      expect(err).toMatch(/^querylane: /);
      expect(err).toMatch(message);
    }
    expect(parse('run').err).toContain('(querylane run --help shows its usage)');
    expect(parse().parsed).toMatchObject({ kind: 'exit', code: 2 });
    expect(parse().err).toMatch(/^Usage: querylane/);
  });
});
