// Wall-clock time that only moves forward within the process, so "newest first" never ties.

let last = 0;

export function stamp(): Date {
  last = Math.max(Date.now(), last + 1);
  return new Date(last);
}
