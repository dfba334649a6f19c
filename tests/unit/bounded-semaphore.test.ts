import { describe, expect, it } from 'vitest';
import { BoundedSemaphore } from '../../infra/bounded-semaphore.js';

describe('bounded semaphore', () => {
  it('runs at most `limit` at once, lets `maxWaiting` wait, and refuses the rest at once', async () => {
    const semaphore = new BoundedSemaphore(2, 1);
    const gates: (() => void)[] = [];
    let peak = 0;
    const task = (value: number) => () =>
      new Promise<number>((resolve) => {
        peak = Math.max(peak, semaphore.running);
        gates.push(() => resolve(value));
      });
    const runs = [1, 2, 3].map((v) => semaphore.run(task(v)));
    expect(await semaphore.run(task(4))).toEqual({ ran: false });
    expect([semaphore.running, semaphore.queued]).toEqual([2, 1]);
    gates.shift()?.();
    await expect(runs[0]).resolves.toEqual({ ran: true, value: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect([semaphore.running, semaphore.queued]).toEqual([2, 0]);
    while (gates.length) gates.shift()?.();
    await expect(Promise.all(runs.slice(1))).resolves.toEqual([
      { ran: true, value: 2 },
      { ran: true, value: 3 },
    ]);
    expect(peak).toBe(2);
    expect([semaphore.running, semaphore.queued]).toEqual([0, 0]);
  });

  it('frees the slot when a task fails', async () => {
    const semaphore = new BoundedSemaphore(1, 0);
    await expect(semaphore.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await semaphore.run(() => Promise.resolve('ok'))).toEqual({ ran: true, value: 'ok' });
  });
});
