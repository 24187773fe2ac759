// Creates an array table in the root namespace and a hash table in a namespace of its own,
// posts { arrayId, hashId, namespaceId }, then closes both on the message 'close' (and posts
// 'closed'), or exits at once on 'exit' with both still open (the teardown releases them).
import { parentPort } from 'node:worker_threads';
import { Namespace, RedirectHashTable, RedirectTable } from '../../lib';

const port = parentPort!;
const ns = new Namespace(`tm${process.pid % 10000}-${Math.floor(Math.random() * 1e6)}`);
const array = new RedirectTable({ maxEntries: 3 });
const hash = new RedirectHashTable({ maxEntries: 5, namespace: ns });
port.postMessage({ arrayId: array.id, hashId: hash.id, namespaceId: ns.id });
port.on('message', (message: string) => {
  if (message === 'exit') {
    process.exit(0);
  }
  void Promise.all([array.close(), hash.close()])
    .then(() => ns.destroy())
    .then(() => {
      port.postMessage('closed');
      port.close();
    });
});
