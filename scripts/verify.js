#!/usr/bin/env node
'use strict';
// Model-checks the concurrency protocols in verify/*.pml with spin (exhaustive search).
//
// For each model: the model itself must verify with no error and no truncated search, as must
// each configuration it declares with a `verify-variant: <name> -DX ...` line (the model under
// other -D settings, e.g. more threads with fewer other processes), and every MUTANT_* variant
// it declares (#ifdef / #ifndef MUTANT_...) must be rejected by spin.
// Runs happen in a temporary directory (removed unless --keep), two at a time.
//
// Usage: node scripts/verify.js [--model <name>] [--keep] [--jobs <n>]

const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const MODEL_DIR = path.join(ROOT, 'verify');
const MAX_DEPTH = 100000; // far above what the models reach; a truncated search fails the run
const HASH_BITS = 24;
const RUN_TIMEOUT_MS = 10 * 60 * 1000;
// Exhaustive safety search: assertions and invalid end states. COLLAPSE is a lossless
// compression of stored states (not bitstate hashing), so the search stays exhaustive.
const PAN_CFLAGS = ['-w', '-DSAFETY', '-DCOLLAPSE', '-DVECTORSZ=2048'];
// The models' full searches take most of the time: optimise them; a mutant's search stops at
// its first error, so a quicker compile wins there.
const OPT_MODEL = '-O2';
const OPT_MUTANT = '-O1';

function usage() {
  return 'usage: node scripts/verify.js [--model <name>] [--keep] [--jobs <n>]\n' +
    '  --model <name>  run one model only (the file name in verify/ without .pml)\n' +
    '  --keep          keep the temporary directory with pan sources and trails\n' +
    '  --jobs <n>      runs in parallel (default: min(2, CPUs))';
}

function parseArgs(argv) {
  const opts = { model: null, keep: false, jobs: Math.max(1, Math.min(2, os.cpus().length)) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--keep') opts.keep = true;
    else if (arg === '--model' && i + 1 < argv.length) opts.model = argv[++i].replace(/\.pml$/, '');
    else if (arg.startsWith('--model=')) opts.model = arg.slice(8).replace(/\.pml$/, '');
    else if (arg === '--jobs' && i + 1 < argv.length) opts.jobs = Number(argv[++i]);
    else if (arg.startsWith('--jobs=')) opts.jobs = Number(arg.slice(7));
    else if (arg === '--help' || arg === '-h') {
      console.log(usage());
      process.exit(0);
    } else {
      usageError(`unknown argument ${arg}`);
    }
  }
  if (!Number.isInteger(opts.jobs) || opts.jobs < 1) usageError('--jobs needs a positive integer');
  return opts;
}

// A command line verify cannot run: one line, exit code 2 (like the bench tools).
function usageError(message) {
  console.error(`verify: ${message} (see --help)`);
  process.exit(2);
}

function fail(message) {
  console.error(`verify: ${message}`);
  process.exit(1);
}

function checkTool(cmd, args, hint) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error && r.error.code === 'ENOENT') fail(`${cmd} not found on PATH; ${hint}`);
  if (r.error) fail(`cannot run ${cmd}: ${r.error.message}`);
  return `${r.stdout || ''}${r.stderr || ''}`.trim().split('\n')[0];
}

function listModels(only) {
  let files;
  try {
    files = fs.readdirSync(MODEL_DIR).filter((f) => f.endsWith('.pml')).sort();
  } catch (err) {
    fail(`cannot read ${MODEL_DIR}: ${err.message}`);
  }
  const models = files.map((f) => {
    const file = path.join(MODEL_DIR, f);
    const text = fs.readFileSync(file, 'utf8');
    const mutants = [...new Set([...text.matchAll(/^\s*#\s*if(?:n?def)\s+(MUTANT_[A-Z0-9_]+)/gm)].map((m) => m[1]))];
    const variants = [...text.matchAll(/^\s*\*?\s*verify-variant:\s*([\w-]+)((?:\s+-D\w+)+)/gm)].map((m) => ({
      name: m[1],
      defines: m[2].trim().split(/\s+/),
    }));
    return { name: f.slice(0, -4), file, mutants, variants };
  });
  if (only === null) return models;
  const found = models.filter((m) => m.name === only);
  if (found.length === 0) fail(`no model named ${only} (have: ${models.map((m) => m.name).join(', ')})`);
  return found;
}

function run(cmd, args, cwd, timeoutMs = RUN_TIMEOUT_MS) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, out, err: `${err}${e.message}`, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code === null ? -1 : code, signal, out, err, timedOut });
    });
  });
}

function parsePan(out) {
  const num = (re) => {
    const m = out.match(re);
    return m ? Number(m[1]) : null;
  };
  const unreached = [...out.matchAll(/^unreached in (?:proctype )?(.+)\n((?:\t.*\n)*)/gm)]
    .map((m) => ({ where: m[1].trim(), count: Number((m[2].match(/\((\d+) of \d+ states\)/) || [0, 0])[1]) }))
    .filter((u) => u.count > 0);
  return {
    errors: num(/errors:\s*(\d+)/),
    stored: num(/^\s*(\d+) states, stored/m),
    transitions: num(/^\s*(\d+) transitions \(= stored\+matched\)/m),
    depth: num(/depth reached (\d+)/),
    memory: num(/^\s*([\d.]+)\s+total actual memory usage/m),
    seconds: num(/pan: elapsed time ([\d.e+]+) seconds/),
    first: (out.match(/^pan:1: (.*)$/m) || [null, null])[1],
    truncated: /search depth too small|max search depth too small/i.test(out),
    outOfMemory: /pan: out of memory/i.test(out),
    unreached,
  };
}

// The violation as spin replays it from the trail: the failing assertion's source line, or for
// an invalid end state the processes blocked where it ended.
async function describeTrail(job, dir) {
  const r = await run('spin', ['-t', ...job.defines, `${job.model.name}.pml`], dir, 60 * 1000);
  const text = `${r.out}\n${r.err}`;
  const where = text.match(/^spin: (\S+\.pml:\d+), Error: assertion violated/m);
  if (where) return `at ${where[1]}`;
  const blocked = [...text.matchAll(/^\s*\d+:\s+proc\s+\d+ \(([^:)]+)(?::\d+)?\) (\S+\.pml:\d+) \(state \d+\)\s*$/gm)]
    .filter((m) => m[1] !== ':init:')
    .map((m) => `${m[1]} at ${m[2]}`);
  if (blocked.length) return `blocked: ${blocked.join(', ')}`;
  return '';
}

async function runJob(job, tmp, keep) {
  const started = process.hrtime.bigint();
  const dir = path.join(tmp, job.id);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(job.model.file, path.join(dir, `${job.model.name}.pml`));
  const result = { job, ok: false, message: '' };
  const spinRun = await run('spin', ['-a', ...job.defines, `${job.model.name}.pml`], dir);
  if (spinRun.code !== 0 || !fs.existsSync(path.join(dir, 'pan.c'))) {
    result.message = `spin -a failed: ${(spinRun.out + spinRun.err).trim().split('\n').slice(-5).join(' | ')}`;
    return result;
  }
  const opt = job.mutant === null ? OPT_MODEL : OPT_MUTANT;
  const gccRun = await run('gcc', [opt, ...PAN_CFLAGS, '-o', 'pan', 'pan.c'], dir);
  if (gccRun.code !== 0) {
    result.message = `gcc failed: ${(gccRun.out + gccRun.err).trim().split('\n').slice(-5).join(' | ')}`;
    return result;
  }
  const pan = await run('./pan', [`-m${MAX_DEPTH}`, `-w${HASH_BITS}`], dir);
  const p = parsePan(pan.out);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  result.stats = p;
  result.wall = wall;
  if (pan.timedOut) {
    result.message = `pan did not finish within ${RUN_TIMEOUT_MS / 1000} s`;
    return result;
  }
  if (p.errors === null || p.stored === null) {
    result.message = `could not parse pan's output (exit ${pan.code}${pan.signal ? `, ${pan.signal}` : ''}): ${(pan.out + pan.err).trim().split('\n').slice(-3).join(' | ')}`;
    return result;
  }
  if (job.mutant === null) {
    if (p.truncated) result.message = 'search truncated: max search depth too small';
    else if (p.outOfMemory) result.message = 'pan ran out of memory (search incomplete)';
    else if (p.errors !== 0) {
      const trail = await describeTrail(job, dir);
      result.message = `${p.errors} error(s): ${p.first || 'see pan output'}${trail ? ` ${trail}` : ''}` +
        (keep ? ` (trail in ${dir})` : ' (rerun with --keep for the trail)');
    } else if (p.unreached.length) {
      result.message = `unreached statements (vacuous model?): ${p.unreached.map((u) => `${u.where}: ${u.count}`).join(', ')}`;
    } else {
      result.ok = true;
      result.message = `ok, ${p.stored} states stored, ${p.transitions} transitions, depth ${p.depth}, ` +
        `${Math.round(p.memory)} MB (${wall.toFixed(1)} s)`;
    }
  } else if (p.errors > 0) {
    const trail = await describeTrail(job, dir);
    const first = (p.first || 'error').replace(/\s*\(at depth \d+\)\s*$/, '');
    result.ok = true;
    result.message = `rejected as expected (${first}${trail ? `, ${trail}` : ''}; ${p.stored} states, ${wall.toFixed(1)} s)`;
  } else {
    result.message = p.truncated
      ? 'NOT rejected, and the search was truncated (max search depth too small)'
      : `NOT rejected: spin found no error in ${p.stored} states (the properties miss this bug)`;
  }
  return result;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  checkTool('spin', ['-V'], 'install it, e.g. `apt-get install -y spin`');
  checkTool('gcc', ['--version'], 'install it, e.g. `apt-get install -y gcc`');
  const models = listModels(opts.model);
  if (models.length === 0) fail(`no models in ${MODEL_DIR}`);

  const jobs = [];
  for (const model of models) {
    jobs.push({ id: model.name, model, mutant: null, defines: [] });
    for (const variant of model.variants) {
      jobs.push({ id: `${model.name}-${variant.name}`, model, mutant: null, variant: variant.name, defines: variant.defines });
    }
    for (const mutant of model.mutants) {
      jobs.push({ id: `${model.name}-${mutant}`, model, mutant, defines: [`-D${mutant}`] });
    }
  }
  // Longest first (the real models explore everything), so the two workers finish together.
  const order = [...jobs].sort((a, b) => (a.mutant === null ? 0 : 1) - (b.mutant === null ? 0 : 1));

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'redirect-table-verify-'));
  const cleanup = () => {
    if (!opts.keep) fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  const t0 = process.hrtime.bigint();
  const results = new Map();
  let printed = 0;
  const flush = () => {
    while (printed < jobs.length && results.has(jobs[printed].id)) {
      const r = results.get(jobs[printed].id);
      const label = r.job.mutant !== null
        ? `${r.job.model.name} ${r.job.mutant}`
        : r.job.variant ? `${r.job.model.name} (${r.job.variant})` : r.job.model.name;
      const line = `verify: ${label}: ${r.message}`;
      if (r.ok) console.log(line);
      else console.error(`${line}  [FAIL]`);
      printed++;
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const job = order[next++];
      let r;
      try {
        r = await runJob(job, tmp, opts.keep);
      } catch (err) {
        r = { job, ok: false, message: `internal error: ${err.stack || err}` };
      }
      results.set(job.id, r);
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.jobs, order.length) }, worker));
  flush();
  cleanup();

  const all = [...results.values()];
  const modelsPassed = all.filter((r) => r.job.mutant === null && !r.job.variant && r.ok).length;
  const variantsPassed = all.filter((r) => r.job.variant && r.ok).length;
  const mutantsRejected = all.filter((r) => r.job.mutant !== null && r.ok).length;
  const failures = all.filter((r) => !r.ok);
  const seconds = (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1);
  if (opts.keep) console.log(`verify: kept ${tmp}`);
  if (failures.length) {
    console.error(`verify: FAILED: ${failures.length} of ${all.length} runs (${modelsPassed} models passed, ` +
      `${variantsPassed} variants passed, ${mutantsRejected} mutants rejected, ${seconds} s)`);
    process.exit(1);
  }
  console.log(`verify: ${modelsPassed} models passed, ${variantsPassed} variants passed, ${mutantsRejected} mutants rejected (${seconds} s)`);
}

main().catch((err) => fail(err.stack || String(err)));
