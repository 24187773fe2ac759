// Rewrites a shared typed array in a tight loop until told to stop, so that a call reading it
// on another thread sees it change underneath (the inputs-read-once test). Mode 'toggle'
// alternates every element between values[0] and values[1].
import { workerData } from 'node:worker_threads';

const { target, control, values } = workerData as { target: Uint32Array; control: Int32Array; values: [number, number][] };
const [first, second] = [values.map((v) => v[0]), values.map((v) => v[1])];
const n = target.length;
Atomics.store(control, 1, 1); // running
while (Atomics.load(control, 0) === 0) {
  for (let round = 0; round < 256; round += 1) {
    for (let i = 0; i < n; i += 1) target[i] = first[i];
    for (let i = 0; i < n; i += 1) target[i] = second[i];
  }
}
