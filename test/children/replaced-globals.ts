// The end-of-task flush with queueMicrotask, Promise and Promise.prototype.then replaced the
// way fake-timer and instrumentation libraries do (argv[2]: 'after-load' or 'before-load'):
// queued frames must reach the ring before the next macrotask, and an unregister() begun while
// they were queued must resolve without the replaced queue ever running. Prints a JSON report.
import type * as Lib from '../../lib';

const RealPromise = Promise;
const nextMacrotask = (): Promise<void> => new RealPromise<void>((resolve) => setImmediate(resolve));
const parked: (() => void)[] = []; // microtasks a fake clock holds until it is ticked: never here
let thenCalls = 0;

function replaceGlobals(): void {
  globalThis.queueMicrotask = (callback) => void parked.push(callback);
  // A then() that records and never calls back: anything relying on it would stall.
  Promise.prototype.then = function then(this: Promise<unknown>) {
    thenCalls += 1;
    return this;
  } as typeof Promise.prototype.then;
  globalThis.Promise = class FakePromise {
    constructor() {
      throw new Error('the replaced global Promise was used');
    }
  } as unknown as PromiseConstructor;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'before-load') replaceGlobals();
  const { Namespace, RedirectTable } = require('../../lib') as typeof Lib;
  const tag = `${process.pid % 10000}`;
  const receiver = Namespace.root.createDevice(`rg${tag}a`);
  const leaving = Namespace.root.createDevice(`rg${tag}b`);
  const table = new RedirectTable({ maxEntries: 4 });
  table.set(1, receiver.ifindex);
  table.set(2, leaving.ifindex);
  if (mode === 'after-load') replaceGlobals();

  table.redirectOne(1, 10, 60);
  table.redirectOne(1, 11, 60);
  // Its grace period needs this thread's read-side section, which the automatic flush closes.
  const unregistered = leaving.unregister();
  await nextMacrotask();
  const txAtNextMacrotask = receiver.stats().txFrames;
  if (txAtNextMacrotask !== 2) {
    // Frames still queued: the section is open and the unregistration cannot complete.
    console.log(JSON.stringify({ txAtNextMacrotask }));
    process.exit(1);
  }
  await unregistered;
  const report = {
    txAtNextMacrotask,
    leavingState: leaving.state,
    parked: parked.length,
    thenCalls,
  };
  await table.close();
  await receiver.unregister();
  console.log(JSON.stringify(report));
}

void main();
