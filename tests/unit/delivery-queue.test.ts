import { describe, expect, it } from 'vitest';
import { type Delivery, deliveryQueue } from '../../infra/local/delivery-queue.ts';

const delivery = (n: number): Delivery => ({ key: `inbound/${n}`, size: 100 });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('the local delivery queue (SQS with a maximum concurrency)', () => {
  it('never runs more than maxConcurrency deliveries at once, and delivers every one', async () => {
    let running = 0;
    let most = 0;
    const filed: string[] = [];
    const queue = deliveryQueue({
      maxConcurrency: 3,
      maxReceiveCount: 5,
      async attempt({ key }) {
        running += 1;
        most = Math.max(most, running);
        await tick();
        running -= 1;
        filed.push(key);
        return true;
      },
      deadLetter: () => undefined,
    });
    for (let n = 0; n < 20; n += 1) queue.send(delivery(n));
    expect(queue.depth()).toEqual({ waiting: 17, running: 3 });
    await queue.settled();
    expect(most).toBe(3);
    expect(filed.sort()).toEqual(Array.from({ length: 20 }, (_, n) => `inbound/${n}`).sort());
  });

  it('retries a failed delivery after a backoff without holding a slot, then dead-letters it', async () => {
    const receives: Array<[string, number]> = [];
    const deadLetters: string[] = [];
    const queue = deliveryQueue({
      maxConcurrency: 1,
      maxReceiveCount: 3,
      backoffMs: () => 20,
      async attempt({ key }, receive) {
        receives.push([key, receive]);
        return key === 'inbound/2';
      },
      deadLetter: ({ key }) => {
        deadLetters.push(key);
      },
    });
    queue.send(delivery(0));
    queue.send(delivery(1));
    queue.send(delivery(2));
    await queue.settled();
    expect(deadLetters.sort()).toEqual(['inbound/0', 'inbound/1']);
    // The healthy delivery went while the failing ones waited out their backoff.
    expect(receives.slice(0, 3).map(([key]) => key)).toEqual([
      'inbound/0',
      'inbound/1',
      'inbound/2',
    ]);
    expect(receives.filter(([key]) => key === 'inbound/0').map(([, receive]) => receive)).toEqual([
      1, 2, 3,
    ]);
  });

  it('on stop lets running deliveries finish and drops the rest (found again on the next start)', async () => {
    const started: string[] = [];
    const queue = deliveryQueue({
      maxConcurrency: 2,
      maxReceiveCount: 5,
      async attempt({ key }) {
        started.push(key);
        await tick();
        return true;
      },
      deadLetter: () => undefined,
    });
    for (let n = 0; n < 6; n += 1) queue.send(delivery(n));
    await queue.stop();
    expect(started).toEqual(['inbound/0', 'inbound/1']);
    await queue.settled();
  });
});
