// A consumer for the readable() / frames() tests, in a thread of its own: opens the device by
// namespace id and ifindex, and
//  readable:       posts 'waiting' once readable() is pending, 'resolved' when it resolves;
//  frames:         receives every frame with frames() until the device is released, then posts
//                  the ids;
//  wait-many:      leaves several readable() calls and a frames() loop pending (the parent
//                  terminates it);
//  wait-then-exit: calls process.exit() (which ends this thread only) with readable() pending.
import { parentPort, workerData } from 'node:worker_threads';
import { Namespace } from '../../lib';
import type { ConsumerData, ConsumerMessage } from './wake-shared';

const data = workerData as ConsumerData;
const dev = Namespace.open(data.namespaceId).device(data.ifindex);
if (dev === undefined) throw new Error(`no device ${data.ifindex}`);
const post = (message: ConsumerMessage): void => parentPort?.postMessage(message);

async function main(): Promise<void> {
  if (dev === undefined) return;
  switch (data.mode) {
    case 'readable': {
      const ready = dev.readable();
      post({ kind: 'waiting' });
      await ready;
      post({ kind: 'resolved', queued: dev.stats().queued });
      return;
    }
    case 'frames': {
      const ids = new Uint32Array(100);
      const got: number[] = [];
      let steps = 0;
      const iterator = dev.frames(ids);
      post({ kind: 'waiting' });
      for await (const n of iterator) {
        steps += 1;
        for (let i = 0; i < n; i += 1) got.push(ids[i]);
      }
      post({ kind: 'frames', ids: got, steps });
      return;
    }
    case 'wait-many': {
      for (let i = 0; i < 4; i += 1) void dev.readable();
      void (async () => {
        for await (const n of dev.frames(new Uint32Array(8))) void n;
      })();
      post({ kind: 'waiting' });
      return;
    }
    case 'wait-then-exit': {
      void dev.readable();
      void dev.readable();
      post({ kind: 'waiting' });
      setImmediate(() => process.exit(3));
      return;
    }
  }
}

void main();
