import { log } from '../../shared/log.ts';

export interface Delivery {
  key: string;
  size: number;
}

export interface DeliveryQueueOptions {
  /** At most this many deliveries run at once: the SQS event source's maximum concurrency. */
  maxConcurrency: number;
  /** Receives before a delivery is dead-lettered: the queue's redrive policy. */
  maxReceiveCount: number;
  /** One receive: true when intake filed the object, false (or a throw) to try again. */
  attempt(delivery: Delivery, receive: number): Promise<boolean>;
  /** After the last receive: the dead-letter queue (and its consumer, which holds the mail). */
  deadLetter(delivery: Delivery): void | Promise<void>;
  /** The wait before a failed delivery is visible again; grows with each receive. */
  backoffMs?: (receive: number) => number;
}

/**
 * The SQS queue between the inbound bucket and intake, locally. Deliveries beyond
 * `maxConcurrency` wait their turn instead of all starting at once, as the event source's
 * maximum concurrency makes them wait on AWS. A failed delivery goes back on the queue
 * after a backoff (its visibility timeout) without holding a slot, and is dead-lettered
 * after `maxReceiveCount` receives. The queue lives in memory: what it holds when the
 * process dies is found again on the next start (an inbound object with no filing record).
 */
export function deliveryQueue(options: DeliveryQueueOptions) {
  const backoff = options.backoffMs ?? ((receive: number) => 200 * receive);
  const ready: Array<Delivery & { receives: number }> = [];
  const waiting = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let idle: Array<() => void> = [];
  let stopped = false;

  const isIdle = () => ready.length === 0 && waiting.size === 0 && running.size === 0;
  const wakeIdle = () => {
    if (!isIdle()) return;
    for (const resolve of idle) resolve();
    idle = [];
  };

  async function receive(delivery: Delivery & { receives: number }): Promise<void> {
    delivery.receives += 1;
    let filed = false;
    try {
      filed = await options.attempt(delivery, delivery.receives);
    } catch (error) {
      log.error('intake threw', { objectKey: delivery.key, error });
    }
    if (filed || stopped) return;
    if (delivery.receives >= options.maxReceiveCount) {
      await options.deadLetter(delivery);
      return;
    }
    const timer = setTimeout(() => {
      waiting.delete(timer);
      ready.push(delivery);
      pump();
    }, backoff(delivery.receives));
    waiting.add(timer);
  }

  function pump() {
    while (!stopped && running.size < options.maxConcurrency) {
      const next = ready.shift();
      if (!next) break;
      const work: Promise<void> = receive(next)
        // Whatever fails here (even writing the dead-letter file) must not end the process.
        .catch((error) => log.error('local delivery failed', { objectKey: next.key, error }))
        .finally(() => {
          running.delete(work);
          pump();
          wakeIdle();
        });
      running.add(work);
    }
    wakeIdle();
  }

  return {
    send(delivery: Delivery) {
      ready.push({ ...delivery, receives: 0 });
      pump();
    },
    /** Deliveries waiting for a slot or a retry, and running now. */
    depth: () => ({ waiting: ready.length + waiting.size, running: running.size }),
    /** Resolves once everything sent so far has been filed or dead-lettered. */
    settled(): Promise<void> {
      return isIdle() || stopped ? Promise.resolve() : new Promise((resolve) => idle.push(resolve));
    },
    /**
     * Lets running deliveries finish and drops the rest: their objects have no filing
     * record, so the next start delivers them again.
     */
    async stop(): Promise<void> {
      stopped = true;
      for (const timer of waiting) clearTimeout(timer);
      waiting.clear();
      ready.length = 0;
      await Promise.all([...running]);
      for (const resolve of idle) resolve();
      idle = [];
    },
  };
}
