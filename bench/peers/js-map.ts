// Peer 2: every thread keeps its own Map and tells every other thread about its writes by
// postMessage (batched per poll, read synchronously with receiveMessageOnPort). Unregistration
// waits until every reader acknowledged the purge. What it cannot do: order writes from
// different threads, or make a reader see a write before its next poll.
import { MessageChannel, MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { MAX_DEVICES, sleepMs } from '../harness/shared-state';
import { peerTransmit } from './js-sab';
import { createSabRings, drainRings, RingProducer, ringDrops, SabRings } from './sab-rings';
import type { ClientContext, HostSummary, ImplHost, TableClient } from './types';

const OP = { set: 1, delete: 2, purge: 3, ack: 4 } as const;

interface MapDescriptor {
  ports: Array<MessagePort | null>;
  nextDevice: Int32Array;
  /** the devices' rings, drained by the host */
  rings: SabRings;
}

export function mapHost(participants: number): ImplHost {
  const ports: Array<Array<MessagePort | null>> = Array.from({ length: participants }, () =>
    new Array<MessagePort | null>(participants).fill(null)
  );
  for (let a = 0; a < participants; a += 1) {
    for (let b = a + 1; b < participants; b += 1) {
      const { port1, port2 } = new MessageChannel();
      ports[a][b] = port1;
      ports[b][a] = port2;
    }
  }
  const nextDevice = new Int32Array(new SharedArrayBuffer(4));
  const rings = createSabRings();
  let received = 0;
  return {
    descriptorFor: (n) => ({
      descriptor: { ports: ports[n], nextDevice, rings } satisfies MapDescriptor,
      transferList: ports[n].filter((p): p is MessagePort => p !== null),
    }),
    tick: () => void (received += drainRings(rings)),
    async finish(): Promise<HostSummary> {
      received += drainRings(rings);
      return { framesReceived: received, framesDropped: ringDrops(rings), framesAfterUnregister: 0 };
    },
  };
}

export function mapClient(descriptor: unknown, context: ClientContext): TableClient {
  const { ports, nextDevice, rings } = descriptor as MapDescriptor;
  const producer = new RingProducer(rings);
  const { shared, readers } = context;
  const churner = readers + 2;
  const others = ports.filter((p): p is MessagePort => p !== null);
  const entries = new Map<number, number>();
  const dead = new Uint8Array(MAX_DEVICES);
  let outbox: number[] = [];
  let acks = 0;
  let toUnregistered = 0;

  const purge = (device: number): void => {
    dead[device] = 1;
    for (const [key, value] of entries) if (value === device) entries.delete(key);
  };
  const apply = (message: number[]): void => {
    for (let i = 0; i < message.length; i += 3) {
      const [op, a, b] = [message[i], message[i + 1], message[i + 2]];
      if (op === OP.set) {
        if (dead[b] === 0) entries.set(a, b);
      } else if (op === OP.delete) {
        entries.delete(a);
      } else if (op === OP.purge) {
        purge(a);
        if (context.role === 'reader') ports[churner]!.postMessage([OP.ack, a, b]);
      } else if (op === OP.ack) {
        acks += 1;
      }
    }
  };
  const poll = (): void => {
    if (outbox.length !== 0) {
      for (const port of others) port.postMessage(outbox);
      outbox = [];
    }
    for (const port of others) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) apply(m.message as number[]);
    }
  };
  const send = (op: number, a: number, b: number): void => {
    outbox.push(op, a, b);
    if (outbox.length >= 3 * 64) poll();
  };

  return {
    get: (key) => entries.get(key) ?? 0,
    redirect(keys, ids, lengths) {
      let accepted = 0;
      for (let i = 0; i < keys.length; i += 1) {
        const device = entries.get(keys[i]);
        if (device === undefined) continue;
        if (peerTransmit(shared, producer, device, ids[i], lengths[i])) toUnregistered += 1;
        accepted += 1;
      }
      producer.flush();
      return accepted;
    },
    set(key, device) {
      if (dead[device] !== 0) return false;
      entries.set(key, device);
      send(OP.set, key, device);
      return true;
    },
    delete(key) {
      const had = entries.delete(key);
      send(OP.delete, key, 0);
      return had;
    },
    compareAndDelete(key) {
      if (!entries.has(key)) return false;
      entries.delete(key);
      send(OP.delete, key, 0);
      return true;
    },
    createDevice: () => Atomics.add(nextDevice, 0, 1) + 1,
    async unregister(device) {
      purge(device);
      acks = 0;
      send(OP.purge, device, 0);
      poll();
      // Readers keep polling until the churner is done, so every purge is acknowledged.
      while (acks < readers) {
        sleepMs(0.1);
        poll();
      }
    },
    framesToUnregistered: () => toUnregistered,
    poll,
    async close() {
      poll();
      for (const port of others) port.close();
    },
  };
}

