// Frame verdicts. The values are the addon's (0 or a negative errno, as the kernel's devmap:
// addon/core/verdict.hpp); their TypeScript types are declared in lib/types.ts
// (DECLARED_VERDICTS), and loading fails if the two disagree (an addon built from other sources).
import { NATIVE_VERDICTS } from './constants';
import { DECLARED_VERDICTS as declared } from './types';
import type { VerdictValue, VerdictValues } from './types';

export type { EnqueueVerdict, VerdictArray } from './types';

/** The addon's verdicts, checked against the declared ones: the same names, the same values. */
function checked(values: Readonly<Record<string, number>>): VerdictValues {
  const names = Object.keys(declared) as (keyof VerdictValues)[];
  const native = Object.keys(values);
  if (native.length !== names.length || names.some((name) => values[name] !== declared[name])) {
    throw new Error(
      `redirect-table: the addon's verdicts ${JSON.stringify(values)} are not the ones lib/ declares ` +
        `${JSON.stringify(declared)}: lib/types.ts (DECLARED_VERDICTS) and addon/core/verdict.hpp disagree, ` +
        'or the addon was built from other sources (rebuild it: npx node-gyp rebuild)'
    );
  }
  return Object.fromEntries(names.map((name) => [name, values[name]])) as unknown as VerdictValues;
}

/** A frame's verdict: 0 delivered into the device's ring (`redirectOne`: queued), or a negative
 * errno saying why not. */
export const Verdict: Readonly<VerdictValues> = Object.freeze(checked(NATIVE_VERDICTS));

/** One of the `Verdict` values. */
export type Verdict = VerdictValue;
