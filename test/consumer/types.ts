// Type tests of the published declarations, compiled (never run) by a strict TypeScript
// consumer without @types/node. Each `@ts-expect-error` line is misuse the types must refuse:
// the compile fails if one of them is accepted.
import {
  Device,
  ERRNO,
  Namespace,
  RedirectError,
  RedirectHashTable,
  RedirectTable,
  Verdict,
  memoryUsage,
  type DeviceStats,
  type EnqueueVerdict,
  type ExpireResult,
  type MemoryUsage,
  type RedirectErrorCode,
  type TableEntry,
  type TableInfo,
  type TableSnapshot,
  type TableStats,
  type TraceEvent,
  type VerdictArray,
} from 'redirect-table';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

expectType<Equal<Verdict, 0 | -2 | -5 | -90 | -100 | -105>>();
expectType<Equal<typeof Verdict.EMSGSIZE, -90>>();
expectType<Equal<EnqueueVerdict, 0 | -2 | -90 | -100>>();
expectType<Equal<ReturnType<RedirectTable['redirectOne']>, EnqueueVerdict>>();
expectType<Equal<ReturnType<RedirectTable['compareAndDelete']>, true>>();
expectType<Equal<ReturnType<RedirectTable['get']>, number | undefined>>();
expectType<Equal<ReturnType<RedirectTable['entry']>, TableEntry | undefined>>();
expectType<Equal<ReturnType<RedirectTable['snapshot']>, TableSnapshot>>();
expectType<Equal<ReturnType<RedirectTable['stats']>, TableStats>>();
expectType<Equal<ReturnType<RedirectTable['expire']>, ExpireResult>>();
expectType<Equal<ReturnType<RedirectTable['close']>, Promise<void>>>();
expectType<Equal<ReturnType<typeof RedirectTable.list>, TableInfo[]>>();
expectType<Equal<ReturnType<Device['stats']>, DeviceStats>>();
expectType<Equal<ReturnType<Device['unregister']>, Promise<void>>>();
expectType<Equal<ReturnType<Device['moveTo']>, Promise<void>>>();
expectType<Equal<ReturnType<typeof memoryUsage>, MemoryUsage>>();
expectType<Equal<RedirectError['code'], RedirectErrorCode>>();
expectType<Equal<(typeof ERRNO)['ENODEV'], number>>();
expectType<Equal<InstanceType<typeof RedirectHashTable> extends RedirectTable ? true : false, true>>();

// Never called: the statements only have to compile (or, marked, to fail to).
export function usage(table: RedirectTable, device: Device, namespace: Namespace): void {
  const queue = table.submitQueue({ capacity: 64 });
  const first: Verdict = queue.verdicts[0];
  const verdicts: VerdictArray = queue.verdicts;
  const delivered: number = queue.submit(1);
  const one = table.redirectOne(1, 2, 60);
  if (one === Verdict.ENETDOWN) device.up();
  // @ts-expect-error redirectOne never reports a transmit refusal (it comes after the call)
  if (one === Verdict.ENOBUFS) device.up();
  // @ts-expect-error a verdict is one of the Verdict values
  const wrong: Verdict = 7;
  // @ts-expect-error Verdict is frozen
  Verdict.OK = 1;

  const entry = table.entry(1);
  // @ts-expect-error result objects are read-only
  if (entry) entry.ifindex = 3;
  const stats = table.stats();
  // @ts-expect-error result objects are read-only
  stats.misses = 0;
  // @ts-expect-error result objects are read-only
  device.stats().drops = 0;
  // @ts-expect-error result objects are read-only
  memoryUsage().total = 0;
  // @ts-expect-error result objects are read-only
  table.expire({ idleMs: 1 }).deleted = 0;
  // @ts-expect-error result objects are read-only
  RedirectTable.list()[0].maxEntries = 1;
  table.setTrace((event: TraceEvent) => {
    // @ts-expect-error result objects are read-only
    event.sent = 0;
  });

  // @ts-expect-error maxEntries is required
  new RedirectTable({});
  new RedirectTable({ maxEntries: 8, namespace });
  // @ts-expect-error keys are a Uint32Array
  table.getBatch([1, 2], new Int32Array(2));
  // @ts-expect-error the table's data methods are read-only properties
  table.get = () => 1;
  // @ts-expect-error devices come from Namespace.createDevice
  new Device();
  // @ts-expect-error an upper device is an ipvlan or a macvlan
  device.createUpper('veth', { name: 'x' });
  // @ts-expect-error not an error code
  const code: RedirectErrorCode = 'EAGAIN';
  void [first, verdicts, delivered, wrong, code];
}
