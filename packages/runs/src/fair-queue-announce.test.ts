// How often a waiting run hears of its place: every move near the front, halvings further back.
import { expect, it } from 'vitest';
import { worthAnnouncing } from './scheduler.ts';

it('tells every move within the first 20 places, and only halvings beyond', () => {
  const told: number[] = [];
  let last: number | undefined;
  for (let place = 100; place >= 1; place--) {
    if (!worthAnnouncing(last, place)) continue;
    told.push(place);
    last = place;
  }
  expect(told).toEqual([100, 50, 25, ...Array.from({ length: 20 }, (_, i) => 20 - i)]);
  expect(worthAnnouncing(30, 30)).toBe(false);
  // Pushed far back (a burst of new users' first runs ahead of it): told again.
  expect(worthAnnouncing(30, 60)).toBe(true);
  expect(worthAnnouncing(30, 45)).toBe(false);
  expect(worthAnnouncing(5, 6)).toBe(true);
});
