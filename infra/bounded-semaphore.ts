/**
 * At most `limit` tasks at once and at most `maxWaiting` waiting for a turn; a task beyond both is not run
 * at all, so a flood of work is refused at once instead of queueing without end (memory) or running
 * without end (CPU). Used for API key verification, which costs an scrypt run each.
 */
export class BoundedSemaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly limit: number,
    readonly maxWaiting: number,
  ) {}

  /** `{ ran: false }` at once when `limit` tasks run and `maxWaiting` wait; else the task's value. */
  async run<T>(task: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.active < this.limit) this.active++;
    else if (this.waiting.length < this.maxWaiting) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else return { ran: false };
    try {
      return { ran: true, value: await task() };
    } finally {
      // Hand the slot to the next waiting task, if any (it counts as active already).
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }
}
