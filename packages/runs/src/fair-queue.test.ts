// The run queue's order: round-robin over users, FIFO within one user.
import { expect, it } from 'vitest';
import { FairQueue } from './fair-queue.ts';

const item = (userId: string, id: string) => ({ userId, id });
const ids = (items: { id: string }[]) => items.map((i) => i.id);

it('serves users in turn and each user in arrival order', () => {
  const q = new FairQueue<ReturnType<typeof item>>();
  for (const [u, id] of [
    ['alice', 'a1'],
    ['alice', 'a2'],
    ['alice', 'a3'],
    ['bob', 'b1'],
    ['carol', 'c1'],
    ['bob', 'b2'],
  ] as const) {
    q.push(item(u, id));
  }
  expect(q.length).toBe(6);
  expect(ids(q.order())).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  const served: string[] = [];
  for (let next = q.shift(); next; next = q.shift()) served.push(next.id);
  expect(served).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  expect(q.length).toBe(0);
  expect(q.shift()).toBeUndefined();
});

it('puts a user who arrives later behind one turn of everyone already waiting', () => {
  const q = new FairQueue<ReturnType<typeof item>>();
  q.push(item('alice', 'a1'));
  q.push(item('alice', 'a2'));
  expect(q.shift()?.id).toBe('a1');
  q.push(item('bob', 'b1'));
  q.push(item('alice', 'a3'));
  expect(ids(q.order())).toEqual(['a2', 'b1', 'a3']);
});

it('removes matching items and keeps the rest in order', () => {
  const q = new FairQueue<ReturnType<typeof item>>();
  for (const [u, id] of [
    ['alice', 'a1'],
    ['bob', 'b1'],
    ['alice', 'a2'],
    ['bob', 'b2'],
  ] as const) {
    q.push(item(u, id));
  }
  expect(ids(q.remove((i) => i.userId === 'bob'))).toEqual(['b1', 'b2']);
  expect(q.length).toBe(2);
  expect(ids(q.order())).toEqual(['a1', 'a2']);
  expect(ids(q.remove(() => false))).toEqual([]);
  expect(ids(q.remove(() => true))).toEqual(['a1', 'a2']);
  expect(q.length).toBe(0);
});
