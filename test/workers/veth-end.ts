// Unregisters one end of a veth pair at the moment the main thread unregisters the other.
import { parentPort, workerData } from 'node:worker_threads';
import { Namespace } from '../../lib';

const { namespaceName, deviceName, barrier } = workerData as { namespaceName: string; deviceName: string; barrier: Int32Array };
const dev = Namespace.open(namespaceName).device(deviceName);
if (dev === undefined) throw new Error(`no device ${deviceName}`);
Atomics.add(barrier, 0, 1);
Atomics.notify(barrier, 0);
while (Atomics.load(barrier, 0) < 2) Atomics.wait(barrier, 0, 1, 1);
dev.unregister().then(() => parentPort?.postMessage(dev.state));
