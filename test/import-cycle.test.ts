// lib/ has no import cycle: not at run time (the compiled requires of dist/lib) and not in the
// sources either, where `import type` counts too (a cycle of types is how a cycle of values,
// patched by injecting functions at load, starts). Every module's dependencies load first.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Relative specifiers a module names: import ... from, export ... from, import '...',
// require('...'), import('...'); comments are dropped first.
const SPECIFIER = /\b(?:(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?|require\s*\(\s*|import\s*\(\s*)['"](\.\.?\/[^'"]+)['"]/g;

/** The modules (file names without extension) each module of `dir` imports from `dir`. */
export function importGraph(dir: string, ext: '.ts' | '.js'): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts'))) {
    const source = fs
      .readFileSync(path.join(dir, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:])\/\/.*$/gm, '$1');
    const deps = new Set<string>();
    for (const match of source.matchAll(SPECIFIER)) {
      const target = path.relative(dir, path.resolve(dir, match[1])).replace(/\.(ts|js)$/, '');
      if (!target.startsWith('..')) deps.add(target === '' ? 'index' : target);
    }
    graph.set(file.slice(0, -ext.length), [...deps].sort());
  }
  return graph;
}

/** One import cycle of `graph` (its modules, the first repeated at the end), or undefined. */
export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (module: string): string[] | undefined => {
    if (state.get(module) === 'done') return undefined;
    if (state.get(module) === 'open') return [...stack.slice(stack.indexOf(module)), module];
    state.set(module, 'open');
    stack.push(module);
    for (const dep of graph.get(module) ?? []) {
      const cycle = visit(dep);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    state.set(module, 'done');
    return undefined;
  };
  for (const module of [...graph.keys()].sort()) {
    const cycle = visit(module);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

const root = path.join(__dirname, '..', '..');

describe('lib/ import graph', () => {
  it('finds a cycle of type-only imports (the check itself)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-cycle-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b';\nexport class A { b?: B }\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "// import { A } from './a';\nimport {\n  C,\n} from './c';\nexport class B { c?: C }\n");
      fs.writeFileSync(path.join(dir, 'c.ts'), "export type { A } from './a';\nexport class C {}\n");
      assert.deepEqual(findCycle(importGraph(dir, '.ts')), ['a', 'b', 'c', 'a']);
      fs.writeFileSync(path.join(dir, 'c.ts'), 'export class C {}\n');
      assert.equal(findCycle(importGraph(dir, '.ts')), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the sources (lib/*.ts, type imports included) have no cycle', () => {
    const graph = importGraph(path.join(root, 'lib'), '.ts');
    assert.ok(graph.has('index') && graph.get('index')!.length > 0, 'lib/index.ts and its imports were read');
    assert.equal(findCycle(graph)?.join(' -> '), undefined);
  });

  it('the compiled library (dist/lib/*.js requires) has no cycle', () => {
    const graph = importGraph(path.join(root, 'dist', 'lib'), '.js');
    assert.ok(graph.has('index') && graph.get('index')!.length > 0, 'dist/lib/index.js and its requires were read');
    assert.equal(findCycle(graph)?.join(' -> '), undefined);
  });
});
