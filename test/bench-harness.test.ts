import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runBench } from '../bench/harness/run-bench';
import { IMPLEMENTATIONS, isOurs } from '../bench/peers/types';
import { formatReport } from '../bench/report/tables';

const mainScript = path.join(__dirname, '..', 'bench', 'main.js');

describe('bench harness (short run; checks structure and correctness counters, not speed)', () => {
  it('runs every implementation at 1 and 2 readers and writes a consistent report, JSON and SVG', async function () {
    this.timeout(240_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-'));
    const { report, jsonFile, svgFile } = await runBench({
      duration: 0.4,
      repeats: 2,
      threads: [1, 2],
      impls: [...IMPLEMENTATIONS],
      keys: 256,
      batch: 64,
      rate: 20_000,
      deleteRate: 10_000,
      churnMs: 5,
      pool: 8,
      baseline: true,
      out: path.join(dir, 'run.json'),
    });
    // Every implementation at every thread count, plus ours with the updater alone and with no
    // writers; every phase once per round, the rounds one after the other.
    const perRound = (IMPLEMENTATIONS.length + 2) * 2;
    assert.equal(report.rounds, 2);
    assert.equal(report.phases.length, perRound * 2);
    assert.deepEqual(report.phases.map((p) => p.round), [...Array<number>(perRound).fill(1), ...Array<number>(perRound).fill(2)]);
    assert.equal(report.figures.length, perRound);
    for (const f of report.figures) {
      for (const s of [f.get, f.delivered, f.accepted, f.offered, f.hitRate]) {
        assert.equal(s.runs.length, 2);
        assert.ok(s.min <= s.median && s.median <= s.max, JSON.stringify(s));
      }
    }
    assert.equal(report.baselines.length, 2);
    for (const impl of IMPLEMENTATIONS) {
      for (const readers of [1, 2]) {
        const phase = report.phases.find((p) => p.impl === impl && p.readers === readers && p.mode === 'mix');
        assert.ok(phase, `${impl} with ${readers} readers`);
        assert.equal(phase.reader.length, readers);
        assert.ok(phase.getPerSecond > 0 && phase.framesPerSecond > 0 && phase.framesOfferedPerSecond >= phase.framesPerSecond, `${impl}: throughput measured`);
        assert.ok(phase.updater && phase.updater.ops > 0 && phase.updater.latency.set.count > 0, `${impl}: updater ran`);
        assert.ok(phase.deleter && phase.deleter.latency.delete.count > 0 && phase.deleter.latency.compareAndDelete.count > 0);
        // The pool's devices are released at the end of every phase, so at least pool-many.
        assert.ok(phase.churner.unregistrations >= 8, `${impl}: devices released (${phase.churner.unregistrations})`);
        const unregister = phase.churner.latency.unregister;
        assert.ok(unregister.samples > 0 && unregister.samples <= unregister.count);
        const known = [unregister.p50, unregister.p99, unregister.p999].filter(Number.isFinite);
        assert.ok(known.every((v, i) => (i === 0 || known[i - 1] <= v) && v <= unregister.max), JSON.stringify(unregister));
        if (unregister.samples < 1000) assert.ok(Number.isNaN(unregister.p999), 'a p999 from fewer than 1000 samples');
        assert.ok(phase.correctness.readsChecked > 0);
        assert.ok(phase.updater.lagMs >= 0 && phase.deleter.lagMs >= 0 && phase.churner.lagMs >= 0);
        if (isOurs(impl)) {
          assert.equal(phase.correctness.staleReads, 0, phase.correctness.examples.join('; '));
          assert.equal(phase.correctness.readsAfterUnregister, 0);
          assert.equal(phase.correctness.framesAfterUnregister, 0);
          assert.ok(phase.correctness.conserved, JSON.stringify(phase.correctness));
          assert.equal(phase.correctness.framesAccepted, phase.correctness.framesReceived + phase.correctness.framesDropped);
        }
      }
    }
    // The writers keep the set-up's occupancy (three keys in four) whatever their speed, so every
    // implementation's readers hit the same share of keys in every phase and both halves.
    for (const p of report.phases) {
      const gets = p.reader.reduce((n, r) => n + r.get.calls, 0);
      const getHits = p.reader.reduce((n, r) => n + r.get.hits, 0) / gets;
      const label = `${p.impl} ${p.mode} ${p.readers} readers, round ${p.round}: get ${getHits.toFixed(3)}, redirect ${p.redirectHitRate.toFixed(3)}`;
      assert.ok(Math.abs(p.redirectHitRate - 0.75) < 0.03 && Math.abs(getHits - 0.75) < 0.03, label);
    }
    // Every eighth churn round destroys a namespace: over our four mixed phases some must have.
    const namespaces = report.phases.filter((p) => isOurs(p.impl)).reduce((n, p) => n + p.churner.namespacesDestroyed, 0);
    assert.ok(namespaces > 0, 'namespaces churned');
    assert.deepEqual(report.failures, []);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    assert.equal(report.provenance.package.version, pkg.version);
    assert.match(report.provenance.commit, /^([0-9a-f]{40}(\+dirty)?|unknown)$/);
    assert.equal(report.provenance.node, process.version);
    assert.ok(report.provenance.cpu.count > 0 && report.provenance.cpu.model.length > 0);
    assert.equal(report.ratios.length, (IMPLEMENTATIONS.length - 2) * 2);
    assert.ok(report.baseline && report.baseline.array.noopNs.median > 0 && report.baseline.hash.plainLoopNsPerKey.runs.length === 2);
    assert.ok(report.targets.length >= 3 + 2 + 4, 'every target evaluated');
    const text = formatReport(report);
    for (const impl of IMPLEMENTATIONS) assert.match(text, new RegExp(impl));
    assert.match(text, /correctness of redirect-table: ok/);
    assert.deepEqual(JSON.parse(fs.readFileSync(jsonFile, 'utf8')).phases.length, report.phases.length);
    const svg = fs.readFileSync(svgFile, 'utf8');
    assert.match(svg, /^<svg[\s\S]*<\/svg>\s*$/);
    for (const impl of IMPLEMENTATIONS) assert.ok(svg.includes(impl), `chart names ${impl}`);
    assert.match(svg, /class="error-bar"/);
    assert.match(svg, /set latency p99/);
    assert.match(svg, /unregister\(\) to resolved, p50/);
    assert.match(svg, /redirect-table, 2 threads: [^<]* ms, \d+ samples over 2 rounds/);

    // --compare: a file against itself, and against a file of the format before rounds.
    const same = spawnSync(process.execPath, [mainScript, '--compare', jsonFile, jsonFile], { encoding: 'utf8' });
    assert.equal(same.status, 0, same.stderr);
    assert.match(same.stdout, /^array get ns +\S.* +1\.000x +0\.0% +spreads overlap$/m);
    assert.match(same.stdout, /^redirect-table, 2 readers: accepted frames\/s .* 1\.000x/m);
    const old = path.join(dir, 'old.json');
    fs.writeFileSync(old, JSON.stringify({ date: 'then', baseline: report.baselines[0], phases: report.phases.filter((p) => p.round === 1) }));
    const compared = spawnSync(process.execPath, [mainScript, '--compare', old, jsonFile], { encoding: 'utf8' });
    assert.equal(compared.status, 0, compared.stderr);
    assert.match(compared.stdout, /^(\d+) figures in both files/m);
    assert.equal(Number(/^(\d+) figures in both files/m.exec(compared.stdout)![1]), 6 + perRound * 4);
    assert.ok(fs.existsSync(path.join(dir, 'run-vs-old.svg')));
    const missing = spawnSync(process.execPath, [mainScript, '--compare', jsonFile], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^bench: --compare takes two results files/);
    fs.rmSync(dir, { recursive: true });
  });

  it('prints its options with --help and refuses bad ones with exit code 2', () => {
    const help = spawnSync(process.execPath, [mainScript, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const option of ['--duration', '--threads', '--impls', '--keys', '--batch', '--rate', '--delete-rate', '--churn-ms', '--out']) {
      assert.ok(help.stdout.includes(option), option);
    }
    for (const bad of [['--threads', '0'], ['--impls', 'nope'], ['--duration', 'x'], ['--frobnicate']]) {
      const run = spawnSync(process.execPath, [mainScript, ...bad], { encoding: 'utf8' });
      assert.equal(run.status, 2, `${bad.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /^bench: /);
    }
  });
});
