// The question field's text rules: when to suggest SQL mode, and which word a suggestion replaces.
import { describe, expect, it } from 'vitest';
import { looksLikeSql, replaceWord, wordAt } from './question-text.ts';

const tables = ['orders', 'order_items', 'products', 'customers'];

describe('looksLikeSql', () => {
  it('takes SQL for SQL', () => {
    for (const sql of [
      'SELECT * FROM orders',
      'select count(*) from orders',
      'SELECT channel, count(*) AS n FROM orders GROUP BY channel',
      'SELECT name FROM products',
      "SELECT 1 WHERE 'a' = 'a'",
      'SELECT 42;',
      'WITH t AS (SELECT 1) SELECT * FROM t',
      'with recursive c(x) as (select 1 union all select x + 1 from c) select * from c',
    ]) {
      expect(looksLikeSql(sql, tables), sql).toBe(true);
    }
  });

  it('leaves questions alone, also those that start like SQL', () => {
    for (const question of [
      'Revenue by channel in 2024',
      'Select the top 5 products by revenue',
      'select customers from Lisbon',
      'Which product sold the most (by revenue)?',
      'with what channel did we sell most?',
      '',
    ]) {
      expect(looksLikeSql(question, tables), question).toBe(false);
    }
  });

  it('takes FROM anything for a table while the tables are not known', () => {
    expect(looksLikeSql('select customers from Lisbon')).toBe(true);
    expect(looksLikeSql('Select the top 5 products by revenue')).toBe(false);
  });
});

describe('wordAt and replaceWord', () => {
  it('finds the word being typed, also inside a word and in accented text', () => {
    expect(wordAt('revenue by chan', 15)).toEqual({ start: 11, end: 15, word: 'chan' });
    expect(wordAt('revenue by chan', 13)).toEqual({ start: 11, end: 15, word: 'chan' });
    expect(wordAt('revenue by ', 11)).toEqual({ start: 11, end: 11, word: '' });
    expect(wordAt('ventes à Málaga', 15)).toEqual({ start: 9, end: 15, word: 'Málaga' });
    expect(wordAt('top-selling', 5).word).toBe('top-selling');
  });

  it('replaces the word with the suggestion and one space, caret after it', () => {
    expect(replaceWord('revenue by chan', wordAt('revenue by chan', 15), 'channel')).toEqual({
      text: 'revenue by channel ',
      caret: 19,
    });
    // In the middle of the text, the space that is already there is kept, not doubled.
    const text = 'rev by channel';
    expect(replaceWord(text, wordAt(text, 3), 'revenue')).toEqual({
      text: 'revenue by channel',
      caret: 8,
    });
  });
});
