// The shop dataset's calendar: three years of days, and a seasonal weight per day that order
// and post dates are drawn against.
import type { Rng } from './random.ts';

const FIRST_DAY = Date.UTC(2022, 0, 1);
export const DAYS = 1096; // 2022-01-01 … 2024-12-31
const DAY_MS = 86_400_000;

const DATES = Array.from({ length: DAYS }, (_, d) =>
  new Date(FIRST_DAY + d * DAY_MS).toISOString().slice(0, 10),
);
export const date = (day: number): string => DATES[day] as string;

// Relative order volume per day: a Nov/Dec peak, a summer lull, busier weekends and a
// Black Friday week, so monthly aggregates show a visible seasonal shape.
const MONTH_WEIGHT = [0.8, 0.72, 0.85, 0.85, 0.9, 0.82, 0.78, 0.8, 0.9, 1, 1.45, 1.7];
const DAY_WEIGHT = DATES.map((iso) => {
  const d = new Date(`${iso}T00:00:00Z`);
  const month = d.getUTCMonth();
  const weekday = d.getUTCDay();
  let w = MONTH_WEIGHT[month] as number;
  if (weekday === 0 || weekday === 6) w *= 1.25;
  if (month === 10 && d.getUTCDate() >= 22) w *= 1.8;
  return w;
});
const MAX_DAY_WEIGHT = Math.max(...DAY_WEIGHT);

/** A seasonal day in [from, DAYS) by rejection sampling against DAY_WEIGHT. */
export function seasonalDay(rng: Rng, from: number): number {
  for (;;) {
    const day = from + Math.floor(rng() * (DAYS - from));
    if (rng() * MAX_DAY_WEIGHT < (DAY_WEIGHT[day] as number)) return day;
  }
}
