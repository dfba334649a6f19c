/**
 * How long a test waits for what happens asynchronously (a delivery, a redelivery, an event reaching
 * the stream, a consumer's state): sized for a busy 2-core machine that runs two test files beside the
 * servers. A wait that is met returns at once, so a generous bound costs nothing when all is well;
 * `vi.waitFor`'s own default (1 s) is not enough there.
 */
export const eventually = { timeout: 30_000, interval: 100 } as const;
