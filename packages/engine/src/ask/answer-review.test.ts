import type { ColumnProfile } from '@querylane/contracts';
import { describe, expect, it } from 'vitest';
import { profileColumns } from '../interpret.ts';
import { templateAnswer } from './answer.ts';
import { reviewAnswer } from './review.ts';

const columns = [{ name: 'channel' }, { name: 'revenue' }];
const rows = [
  ['web', 8_609_106.56],
  ['mobile_app', 4_694_473.97],
  ['marketplace', 1_671_281.62],
  ['phone', 820_456.56],
];
const profile: ColumnProfile[] = profileColumns(columns, rows);
const review = (answer: string, knownNames: string[] = []) =>
  reviewAnswer({
    answer,
    columns,
    rows,
    rowCount: 4,
    context: ['Revenue by channel in 2024', 'sum of revenue by channel, 2024'],
    knownNames,
  });

describe('reviewAnswer', () => {
  it('accepts cells and what follows from them, within the rounding written', () => {
    expect(
      review(
        '**web** leads with 8,609,106.56, about 8.6 million, 54.5% of the 15,795,318.71 total; phone has 820,456.56.',
      ),
    ).toEqual([]);
    expect(
      review('Web made 7,788,650 more than phone, 10.5 times as much, across 4 channels in 2024.'),
    ).toEqual([]);
    expect(review('The average channel brought 3,948,829.68.')).toEqual([]);
  });

  it('names every number that is not in the result', () => {
    expect(review('**web** leads with 8,700,000.00 and phone has 820,456.56.')).toEqual([
      'the number 8,700,000.00 is not in the result',
    ]);
    expect(review('Web holds 61% of revenue.')).toEqual(['the number 61% is not in the result']);
  });

  it('names names that are not in the result', () => {
    expect(review('**retail** leads.')).toEqual(['"retail" is not in the result']);
    expect(review('Web beats instagram.', ['instagram', 'web', 'phone'])).toEqual([
      '"instagram" is named but is not in the result',
    ]);
  });

  it('checks highest and lowest claims against the rows', () => {
    expect(review('Web has the highest revenue and phone the lowest.')).toEqual([]);
    expect(review('Phone has the highest revenue.')).toEqual([
      '"phone" is not the highest in the result',
    ]);
    expect(review('Marketplace brings the least revenue.')).toEqual([
      '"marketplace" is not the lowest in the result',
    ]);
  });
});

describe('templateAnswer', () => {
  it('states the finding with its key numbers, and passes its own review', () => {
    const answer = templateAnswer({
      reading: 'sum of revenue by channel, 2024',
      columns,
      rows,
      rowCount: 4,
      truncated: false,
      profile,
    });
    expect(answer.split('\n')[0]).toBe(
      'Sum of revenue by channel, 2024: **web** has the highest revenue with 8,609,106.56 (54.5% of the total); **phone** has the lowest with 820,456.56 (5.2% of the total).',
    );
    expect(review(answer)).toEqual([]);
  });

  it('answers single values, rankings, time series and empty results', () => {
    const one = [['', 12_000]].slice(0, 0).concat([[12_000]]);
    expect(
      templateAnswer({
        reading: 'count of customers',
        columns: [{ name: 'customer_count' }],
        rows: one,
        rowCount: 1,
        truncated: false,
        profile: profileColumns([{ name: 'customer_count' }], one),
      }),
    ).toBe('Count of customers: **12,000**.');
    const top = templateAnswer({
      reading: 'top 2 channels by sum of revenue',
      columns,
      rows: rows.slice(0, 2),
      rowCount: 2,
      truncated: false,
      profile,
      rank: { dir: 'desc', limit: 2 },
    });
    expect(top).toBe(
      'Top 2 channels by sum of revenue:\n\n1. **web**: 8,609,106.56\n2. **mobile_app**: 4,694,473.97',
    );
    const months = [
      ['2022-01', 81_257.92],
      ['2022-02', 95_000],
      ['2022-03', 70_000.5],
    ];
    const series = templateAnswer({
      reading: 'sum of revenue by month',
      columns: [{ name: 'month' }, { name: 'revenue' }],
      rows: months,
      rowCount: 3,
      truncated: false,
      profile: profileColumns([{ name: 'month' }, { name: 'revenue' }], months),
    });
    expect(series.split('\n')[0]).toBe(
      'Sum of revenue by month: from **2022-01** (81,257.92) to **2022-03** (70,000.5). The highest revenue is in **2022-02** (95,000), the lowest in **2022-03** (70,000.5).',
    );
    expect(
      reviewAnswer({
        answer: series,
        columns: [{ name: 'month' }, { name: 'revenue' }],
        rows: months,
        rowCount: 3,
        context: [],
      }),
    ).toEqual([]);
    expect(
      templateAnswer({
        reading: 'count of orders, 2030',
        columns: [{ name: 'n' }],
        rows: [],
        rowCount: 0,
        truncated: false,
        profile: [],
      }),
    ).toBe('No rows match this question (count of orders, 2030).');
  });
});
