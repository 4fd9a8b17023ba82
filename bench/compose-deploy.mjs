// Deploy benchmark: a 10-service Compose project started by `windflow-stack deploy` (Engine API) and by Debian's
// docker-compose 1.29 (the reference peer) on the same engine in the same run, alternating, several runs each.
// Both are timed end to end as a user runs them (process start to exit). Results go to docs/performance-deploy.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeFile, SERVICE_COUNT, stackFile } from './compose/project.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const REPORT = path.join(ROOT, 'docs', 'performance-deploy.md');
const IMAGE = 'local/busybox:1';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const OURS = 'wfbench-ours';
const PEER = 'wfbench-peer';

const Docker = createRequire(import.meta.url)('dockerode');
const docker = new Docker({ socketPath: '/var/run/docker.sock' });

function run(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.error}`);
  }
  return ms;
}

function ensurePeer() {
  const found = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
  if (found.status === 0) return found.stdout.trim();
  console.log("docker-compose is missing: installing Debian's package (reference peer only)");
  spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'docker-compose'], { stdio: 'inherit' });
  const again = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
  return again.status === 0 ? again.stdout.trim() : undefined;
}

async function runningContainers(project) {
  const list = await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } });
  return list.length;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  try {
    await docker.ping();
    await docker.getImage(IMAGE).inspect();
  } catch (error) {
    console.log(`deploy benchmark skipped: no Docker engine with ${IMAGE} (${error.message})`);
    return;
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const peerVersion = ensurePeer();
  if (!peerVersion) {
    console.log('deploy benchmark skipped: docker-compose (the reference peer) could not be installed');
    return;
  }
  const folder = mkdtempSync(path.join(os.tmpdir(), 'windflow-deploy-bench-'));
  const stack = path.join(folder, 'bench.stack.yaml');
  const compose = path.join(folder, 'docker-compose.yml');
  writeFileSync(stack, stackFile(IMAGE));
  writeFileSync(compose, composeFile(IMAGE));
  const deployOurs = () => run(process.execPath, [CLI, 'deploy', stack, '--name', OURS]);
  const removeOurs = () => run(process.execPath, [CLI, 'remove', OURS, '--delete-data']);
  const deployPeer = () => run('docker-compose', ['-p', PEER, '-f', compose, 'up', '-d'], { cwd: folder });
  const removePeer = () => run('docker-compose', ['-p', PEER, '-f', compose, 'down', '-v'], { cwd: folder });

  const ours = [];
  const peer = [];
  let peerSeesOurs = 0;
  try {
    // One untimed warm-up each (disk caches, first network creation), then alternate so drift hits both alike.
    deployOurs();
    removeOurs();
    deployPeer();
    removePeer();
    for (let i = 0; i < RUNS; i++) {
      for (const [deploy, remove, times, project] of i % 2 === 0
        ? [
            [deployOurs, removeOurs, ours, OURS],
            [deployPeer, removePeer, peer, PEER],
          ]
        : [
            [deployPeer, removePeer, peer, PEER],
            [deployOurs, removeOurs, ours, OURS],
          ]) {
        times.push(deploy());
        const running = await runningContainers(project);
        if (running !== SERVICE_COUNT) throw new Error(`${project}: ${running} of ${SERVICE_COUNT} containers running`);
        if (project === OURS && i === 0) {
          // Compatibility check: docker-compose itself lists the project we deployed through the Engine API.
          const ps = execFileSync('docker-compose', ['-p', OURS, '-f', compose, 'ps', '-q'], {
            cwd: folder,
            encoding: 'utf8',
          });
          peerSeesOurs = ps.split('\n').filter(Boolean).length;
        }
        remove();
      }
    }
  } finally {
    spawnSync(process.execPath, [CLI, 'remove', OURS, '--delete-data']);
    spawnSync('docker-compose', ['-p', PEER, '-f', compose, 'down', '-v'], { cwd: folder });
    rmSync(folder, { recursive: true, force: true });
  }

  const engine = await docker.version();
  const ratio = median(ours) / median(peer);
  const fmt = (ms) => `${ms.toFixed(0)} ms`;
  const table = [
    `### ${new Date().toISOString()} — Docker ${engine.Version} (API ${engine.ApiVersion}), ${os.cpus().length} CPUs, ${RUNS} runs each`,
    '',
    '| Deployer | median | min | max |',
    '|---|---|---|---|',
    `| windflow-stack deploy (Engine API) | ${fmt(median(ours))} | ${fmt(Math.min(...ours))} | ${fmt(Math.max(...ours))} |`,
    `| docker-compose ${peerVersion} up -d | ${fmt(median(peer))} | ${fmt(Math.min(...peer))} | ${fmt(Math.max(...peer))} |`,
    '',
    `Ratio ours/peer (median): ${ratio.toFixed(2)}× — goal ≤ 1.00× (not slower): ${ratio <= 1 ? 'met' : 'not met'}. ` +
      `docker-compose ps listed ${peerSeesOurs}/${SERVICE_COUNT} of the containers we deployed.`,
    '',
  ].join('\n');
  console.log(table);
  if (!existsSync(REPORT)) {
    writeFileSync(
      REPORT,
      [
        '# Deploy performance',
        '',
        'Written by `bench/compose-deploy.mjs` (run by `npm run bench`): a 10-service Compose project (nine services',
        "depend on the first) deployed end to end by `windflow-stack deploy` and by Debian's `docker-compose` 1.29 on the",
        'same engine, alternating, after one untimed warm-up each. Times are wall-clock from process start to exit.',
        'Each run appends a section below.',
        '',
        '',
      ].join('\n'),
    );
  }
  appendFileSync(REPORT, `${table}\n`);
}

main().catch((error) => {
  console.error(`deploy benchmark failed: ${error.message}`);
  process.exitCode = 1;
});
