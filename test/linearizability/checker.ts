// Linearizability checker for per-key redirect-table operations.
//
// The search is Wing & Gong's (try every operation that is minimal in the real-time order as the
// next linearized one, backtrack on a dead end) with Lowe's memoization: a (set of linearized
// operations, model state) pair that was reached once and led nowhere is never explored again.
// Keys are independent objects, so a history is linearizable iff each key's sub-history is
// (P-compositionality, Herlihy & Wing), and each key is checked on its own.
//
// Time stamps: operation A precedes B in real time iff A.response < B.invoke; operations whose
// intervals touch or overlap are concurrent.
//
// Revisions: `set` returns a revision drawn from a process-wide counter when the call begins; the
// entry is published after that, so two overlapping sets of one key may publish in the other
// order. The contract (README) is therefore: revisions are unique, and a set that began after
// another set of the same key completed returns a larger revision. Both are checked directly
// (checkRevisions); the sequential search treats a set's revision as an opaque fresh value.

export type OpName = 'get' | 'set' | 'delete' | 'compareAndDelete';

export interface Operation {
  process: number;
  key: number;
  op: OpName;
  /** ifindex for set, revision for compareAndDelete. */
  arg?: number;
  /** get: ifindex or undefined; set: the revision returned; delete: boolean; compareAndDelete: true | 'ENOENT' | 'EBUSY'. */
  result: number | boolean | string | undefined;
  invoke: number;
  response: number;
}

export type CheckResult =
  | { ok: true; keys: number; operations: number }
  | { ok: false; key: number; explanation: string; operations: Operation[] };

/** One key's model state. ifindex 0 means empty. */
export interface ModelState {
  ifindex: number;
  revision: number;
}

export const EMPTY: ModelState = Object.freeze({ ifindex: 0, revision: 0 });

/** The sequential specification: the state after `op`, or undefined if its result is impossible in `state`. */
export function step(state: ModelState, op: Operation): ModelState | undefined {
  const full = state.ifindex !== 0;
  switch (op.op) {
    case 'get':
      return (full ? op.result === state.ifindex : op.result === undefined) ? state : undefined;
    case 'set': {
      const r = op.result;
      if (typeof r !== 'number') return undefined;
      return { ifindex: op.arg as number, revision: r };
    }
    case 'delete':
      if (op.result !== full) return undefined;
      return full ? EMPTY : state;
    case 'compareAndDelete':
      if (!full) return op.result === 'ENOENT' ? state : undefined;
      if (state.revision === op.arg) return op.result === true ? EMPTY : undefined;
      return op.result === 'EBUSY' ? state : undefined;
    default:
      return undefined;
  }
}

/** Whether an operation can never change the state (removing it from a history is sound for minimization). */
function isReadOnly(op: Operation): boolean {
  return op.op === 'get' || op.result === false || op.result === 'ENOENT' || op.result === 'EBUSY';
}

function validate(op: Operation, index: number): void {
  const where = `operation ${index} (${JSON.stringify(op)})`;
  if (!Number.isFinite(op.invoke) || !Number.isFinite(op.response) || op.response < op.invoke) {
    throw new RangeError(`${where}: needs finite invoke <= response`);
  }
  if (!Number.isInteger(op.key)) throw new RangeError(`${where}: key must be an integer`);
  if (op.op === 'set' && (typeof op.arg !== 'number' || op.arg <= 0)) throw new RangeError(`${where}: set needs an ifindex arg`);
  if (op.op === 'compareAndDelete' && typeof op.arg !== 'number') throw new RangeError(`${where}: compareAndDelete needs a revision arg`);
  if (!['get', 'set', 'delete', 'compareAndDelete'].includes(op.op)) throw new RangeError(`${where}: unknown op`);
}

interface EventNode {
  id: number; // operation index in the sub-history
  isCall: boolean;
  match: EventNode | null; // a call's return
  prev: EventNode | null;
  next: EventNode | null;
}

interface KeyVerdict {
  ok: boolean;
  /** On failure: the most operations ever linearized at once, the state then and the operation that could not follow. */
  deepest?: number;
  deepestState?: ModelState;
  stuck?: number;
}

function stateKey(s: ModelState): string {
  return `${s.ifindex}|${s.revision}`;
}

/** Wing & Gong + Lowe: is `ops` (one key, any order) linearizable from `initial`? */
function checkFrom(ops: readonly Operation[], initial: ModelState): KeyVerdict {
  const n = ops.length;
  if (n === 0) return { ok: true };
  const events: { time: number; isCall: boolean; id: number }[] = [];
  ops.forEach((op, id) => {
    events.push({ time: op.invoke, isCall: true, id }, { time: op.response, isCall: false, id });
  });
  // Calls before returns at equal times: touching intervals are concurrent.
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.id - b.id : a.isCall ? -1 : 1));
  const head: EventNode = { id: -1, isCall: false, match: null, prev: null, next: null };
  const calls: EventNode[] = new Array(n);
  const returns: EventNode[] = new Array(n);
  let tail = head;
  for (const e of events) {
    const node: EventNode = { id: e.id, isCall: e.isCall, match: null, prev: tail, next: null };
    tail.next = node;
    tail = node;
    (e.isCall ? calls : returns)[e.id] = node;
  }
  for (let id = 0; id < n; id += 1) calls[id].match = returns[id];

  const lift = (call: EventNode): void => {
    call.prev!.next = call.next;
    call.next!.prev = call.prev;
    const ret = call.match!;
    ret.prev!.next = ret.next;
    if (ret.next) ret.next.prev = ret.prev;
  };
  const unlift = (call: EventNode): void => {
    const ret = call.match!;
    ret.prev!.next = ret;
    if (ret.next) ret.next.prev = ret;
    call.prev!.next = call;
    call.next!.prev = call;
  };

  const words = new Uint32Array((n + 31) >>> 5);
  const halves = new Uint16Array(words.buffer);
  const memoKey = (s: ModelState): string => {
    let text = '';
    for (let i = 0; i < halves.length; i += 1) text += String.fromCharCode(halves[i]);
    return `${text}#${stateKey(s)}`;
  };
  const seen = new Set<string>();
  const stack: { call: EventNode; state: ModelState }[] = [];
  let state = initial;
  let entry = head.next;
  let deepest = 0;
  let deepestState = initial;
  let stuck = -1;
  while (head.next !== null) {
    const node = entry!;
    if (node.isCall) {
      const next = step(state, ops[node.id]);
      if (next !== undefined) {
        words[node.id >>> 5] |= 1 << (node.id & 31);
        const key = memoKey(next);
        if (!seen.has(key)) {
          seen.add(key);
          stack.push({ call: node, state });
          state = next;
          lift(node);
          entry = head.next;
          continue;
        }
        words[node.id >>> 5] &= ~(1 << (node.id & 31));
      }
      entry = node.next;
    } else {
      // The return of an operation that is not linearized yet: every order tried so far is dead.
      if (stack.length >= deepest && (stack.length > deepest || stuck < 0)) {
        deepest = stack.length;
        deepestState = state;
        stuck = node.id;
      }
      const top = stack.pop();
      if (top === undefined) return { ok: false, deepest, deepestState, stuck };
      state = top.state;
      words[top.call.id >>> 5] &= ~(1 << (top.call.id & 31));
      unlift(top.call);
      entry = top.call.next;
    }
  }
  return { ok: true };
}

/**
 * Every state a key could be in at a quiescent cut, as far as `ops` can tell: empty, or any
 * ifindex / revision that `ops` mention, or one they never mention.
 */
function possibleStates(ops: readonly Operation[]): ModelState[] {
  const ifindexes = new Set<number>([-1]);
  const revisions = new Set<number>();
  for (const op of ops) {
    if (op.op === 'get' && typeof op.result === 'number') ifindexes.add(op.result);
    if (op.op === 'compareAndDelete') revisions.add(op.arg as number);
  }
  revisions.add(Math.min(0, ...revisions) - 1); // a revision no compareAndDelete names
  const states: ModelState[] = [{ ...EMPTY }];
  for (const ifindex of ifindexes) {
    for (const revision of revisions) states.push({ ifindex, revision });
  }
  return states;
}

function linearizableFromAny(ops: readonly Operation[], states: readonly ModelState[]): boolean {
  return states.some((s) => checkFrom(ops, s).ok);
}

/** Indices c such that every op before c responded before every op from c on was invoked (ops sorted by invoke). */
function quiescentCuts(ops: readonly Operation[]): number[] {
  const cuts: number[] = [];
  let maxResponse = -Infinity;
  for (let c = 1; c < ops.length; c += 1) {
    maxResponse = Math.max(maxResponse, ops[c - 1].response);
    if (maxResponse < ops[c].invoke) cuts.push(c);
  }
  return cuts;
}

/**
 * Shrinks a non-linearizable sub-history, keeping only sound steps, so that what is left is
 * itself a proof of the violation:
 *  - cut everything after the earliest quiescent point at which the history already fails
 *    (later operations cannot be linearized before a completed prefix);
 *  - cut everything before the latest quiescent point after which the rest fails from *every*
 *    state the key could have been in there;
 *  - drop operations that cannot change the state (gets, false deletes, failed conditional
 *    deletes) while the rest still fails; dropping them can open new quiescent points, so repeat.
 * `fromStart` tells whether the result must start from the empty key (no front cut happened).
 */
function minimize(sorted: Operation[], budget: number): { ops: Operation[]; fromStart: boolean } {
  let ops = sorted;
  let fromStart = true;
  const failsFromAny = (candidate: Operation[]): boolean => {
    const states = possibleStates(candidate);
    if (states.length * candidate.length > budget) return false; // too costly to prove: keep what we have
    return !linearizableFromAny(candidate, states);
  };
  const fails = (candidate: Operation[]): boolean => (fromStart ? !checkFrom(candidate, EMPTY).ok : failsFromAny(candidate));

  const backCut = (): void => {
    // Failing is monotone in the cut, so binary search for the earliest failing prefix.
    const cuts = [...quiescentCuts(ops), ops.length];
    let lo = 0;
    let hi = cuts.length - 1; // cuts[hi] fails
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (fails(ops.slice(0, cuts[mid]))) hi = mid;
      else lo = mid + 1;
    }
    ops = ops.slice(0, cuts[hi]);
  };
  const frontCut = (): void => {
    // Latest first: short suffixes are cheap, and the cost grows with the suffix.
    for (const c of quiescentCuts(ops).reverse()) {
      const suffix = ops.slice(c);
      if (possibleStates(suffix).length * suffix.length > budget) return;
      if (failsFromAny(suffix)) {
        ops = suffix;
        fromStart = false;
        return;
      }
    }
  };
  const dropReadOnly = (): void => {
    const readOnly = ops.filter(isReadOnly);
    for (let size = readOnly.length; size >= 1 && readOnly.length > 0; size >>= 1) {
      if (size < 4 && ops.length > 300) return;
      let i = 0;
      while (i < readOnly.length) {
        const chunk = new Set(readOnly.slice(i, i + size));
        const candidate = ops.filter((o) => !chunk.has(o));
        if (fails(candidate)) {
          ops = candidate;
          readOnly.splice(i, size);
        } else {
          i += size;
        }
      }
    }
  };

  backCut();
  for (let round = 0; round < 8; round += 1) {
    const before = ops.length;
    frontCut();
    dropReadOnly();
    backCut();
    if (ops.length === before) break;
  }
  return { ops, fromStart };
}

export function describeOperation(op: Operation): string {
  const arg = op.arg === undefined ? '' : String(op.arg);
  const result = typeof op.result === 'string' ? op.result : String(op.result);
  return `p${op.process} ${op.op}(${op.key}${arg === '' ? '' : `, ${arg}`}) -> ${result} [${op.invoke}, ${op.response}]`;
}

function describeState(s: ModelState): string {
  return s.ifindex === 0 ? 'empty' : `{ ifindex: ${s.ifindex}, revision: ${s.revision} }`;
}

/** The revision contract on one key: unique, and larger than every set that completed before
 * the set began. */
function checkRevisions(key: number, ops: readonly Operation[]): CheckResult | undefined {
  const sets = ops.filter((op) => op.op === 'set' && typeof op.result === 'number');
  const fail = (explanation: string, pair: Operation[]): CheckResult => ({ ok: false, key, explanation: `key ${key}: ${explanation}`, operations: pair });
  const byRevision = new Map<number, Operation>();
  for (const op of sets) {
    const twin = byRevision.get(op.result as number);
    if (twin !== undefined) return fail(`revision ${op.result} returned twice:\n  ${describeOperation(twin)}\n  ${describeOperation(op)}`, [twin, op]);
    byRevision.set(op.result as number, op);
  }
  const byResponse = [...sets].sort((a, b) => a.response - b.response);
  const byInvoke = [...sets].sort((a, b) => a.invoke - b.invoke);
  let completed = 0;
  let largest: Operation | undefined;
  for (const op of byInvoke) {
    for (; completed < byResponse.length && byResponse[completed].response < op.invoke; completed += 1) {
      if (largest === undefined || (byResponse[completed].result as number) > (largest.result as number)) largest = byResponse[completed];
    }
    if (largest !== undefined && (op.result as number) <= (largest.result as number)) {
      return fail(
        `a set returned revision ${op.result}, not above ${largest.result} of a set that completed before it began:\n  ${describeOperation(largest)}\n  ${describeOperation(op)}`,
        [largest, op]
      );
    }
  }
  return undefined;
}

/** Checks one key's sub-history (any order; every op must have that key). */
export function checkKey(ops: readonly Operation[]): CheckResult {
  const key = ops.length > 0 ? ops[0].key : 0;
  ops.forEach(validate);
  const revisionFailure = checkRevisions(key, ops);
  if (revisionFailure !== undefined) return revisionFailure;
  const sorted = [...ops].sort((a, b) => a.invoke - b.invoke || a.response - b.response);
  const verdict = checkFrom(sorted, EMPTY);
  if (verdict.ok) return { ok: true, keys: ops.length > 0 ? 1 : 0, operations: ops.length };
  const stuck = sorted[verdict.stuck as number];
  const { ops: minimal, fromStart } = minimize(sorted, 2_000_000);
  const explanation = [
    `key ${key}: the ${sorted.length} operations on key ${key} are not linearizable.`,
    `The search linearized at most ${verdict.deepest} of them (the key then ${describeState(verdict.deepestState as ModelState)});`,
    `no order of the operations concurrent with it explains: ${describeOperation(stuck)}.`,
    `A smallest failing sub-history (${minimal.length} operations, ${fromStart ? 'starting from an empty key' : 'failing from any state the key could be in before it'}):`,
    ...minimal.map((op) => `  ${describeOperation(op)}`),
  ].join('\n');
  return { ok: false, key, explanation, operations: minimal };
}

/** Checks a whole history, key by key; the first failing key (lowest key number) is reported. */
export function checkHistory(history: readonly Operation[]): CheckResult {
  const byKey = new Map<number, Operation[]>();
  for (const op of history) {
    let list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, (list = []));
    list.push(op);
  }
  const keys = [...byKey.keys()].sort((a, b) => a - b);
  for (const key of keys) {
    const result = checkKey(byKey.get(key) as Operation[]);
    if (!result.ok) return result;
  }
  return { ok: true, keys: keys.length, operations: history.length };
}
