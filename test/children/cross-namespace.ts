// The world the thread tests unregister across namespaces: a veth pair with one end in each of
// two namespaces, and an upper in the second whose lower is in the first. `lib` is passed in so
// that a caller may load the package when it chooses (test/children/thread-limit.ts).
import type * as Lib from '../../lib';

/** An unregistration within one namespace: starts whatever any unregistration starts. */
export async function warmUp(lib: typeof Lib): Promise<void> {
  const warm = new lib.Namespace('warm-up');
  await warm.createDevice('eth0').unregister();
  await warm.destroy();
}

/** Builds the world now; `tearDown` unregisters one veth end, destroys both namespaces and gives
 * every device's state (veth ends, lower, upper). */
export function crossNamespaceWorld(lib: typeof Lib, tag: string): { tearDown(): Promise<string[]> } {
  const host = new lib.Namespace(`host-${tag}`);
  const guest = new lib.Namespace(`guest-${tag}`);
  const [hostEnd, guestEnd] = lib.Device.createVethPair({ namespace: host, name: 'veth0' }, { namespace: guest, name: 'eth0' });
  const lower = host.createDevice('eth1');
  const upper = lower.createUpper('macvlan', { namespace: guest, name: 'mv0' });
  return {
    async tearDown() {
      await hostEnd.unregister();
      await host.destroy();
      await guest.destroy();
      return [hostEnd.state, guestEnd.state, lower.state, upper.state];
    },
  };
}
