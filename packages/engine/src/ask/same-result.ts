// Execution match of two results, the rule of nl-eval's compare.mjs: every column of the expected
// result must equal some column of the actual one, value for value (numbers to 2 decimals), under
// one row alignment; extra columns are fine; row order counts only when `ordered`.

type Rows = { rows: unknown[][] };

const norm = (v: unknown): string =>
  typeof v === 'number'
    ? Number.isInteger(v)
      ? String(v)
      : v.toFixed(2)
    : v === null
      ? 'NULL'
      : String(v);

const column = (rows: unknown[][], j: number): string[] => rows.map((r) => norm(r[j]));

function sortedBy(rows: unknown[][], j: number): unknown[][] {
  return rows
    .map((r, i) => [norm(r[j]), i] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, i]) => rows[i] as unknown[]);
}

export function sameResult(expected: Rows, actual: Rows | undefined, ordered: boolean): boolean {
  if (!actual || actual.rows.length !== expected.rows.length) return false;
  const n = expected.rows.length;
  let want = expected.rows;
  let got = actual.rows;
  if (!ordered && n > 1) {
    // Align rows by sorting both on the first expected column, unique in it, that the other holds.
    outer: for (let j = 0; j < (expected.rows[0]?.length ?? 0); j++) {
      const key = column(expected.rows, j).slice().sort().join('\u0000');
      for (let k = 0; k < (actual.rows[0]?.length ?? 0); k++) {
        if (
          column(actual.rows, k).slice().sort().join('\u0000') === key &&
          new Set(column(expected.rows, j)).size === n
        ) {
          want = sortedBy(expected.rows, j);
          got = sortedBy(actual.rows, k);
          break outer;
        }
      }
    }
  }
  for (let j = 0; j < (want[0]?.length ?? 0); j++) {
    const target = column(want, j).join('\u0000');
    let found = false;
    for (let k = 0; k < (got[0]?.length ?? 0) && !found; k++)
      found = column(got, k).join('\u0000') === target;
    if (!found) return false;
  }
  return true;
}
