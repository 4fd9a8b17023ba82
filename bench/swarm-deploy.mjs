// Swarm deploy benchmark: a 10-service stack deployed by `windflow-stack deploy` (Engine API) and by the docker CLI's
// `docker stack deploy` (the reference peer, with the same stack as a plain Compose file) on the same engine in the
// same run, alternating, several runs each. Both are timed from process start until every replica runs, taken from
// the engine's own task timestamps (the moment the last task became running), so neither side's polling counts. Also
// reported: when the command was done — ours returns only after it saw every service converged and stay so for 2 s;
// `docker stack deploy` returns once the services exist, so its side is polled (every 50 ms) until all tasks run.
// Also reported: when the last service was created, which splits each side into the deployer's own part and the
// engine's part after it (scheduling, preparing and starting the tasks). Results go to docs/performance-deploy.md.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeFile, SERVICE_COUNT, stackFile } from './swarm/stack.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const REPORT = path.join(ROOT, 'docs', 'performance-deploy.md');
const IMAGE = 'local/busybox:1';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const OURS = 'wfswarm-ours';
const PEER = 'wfswarm-peer';

const Docker = createRequire(import.meta.url)('dockerode');
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.error}`);
  }
}

/** Running tasks of the stack's services, by the namespace label `docker stack deploy` and we both set. */
async function runningReplicas(namespace) {
  const services = await docker.listServices({
    filters: { label: [`com.docker.stack.namespace=${namespace}`] },
    status: true,
  });
  return services.reduce((sum, service) => sum + (service.ServiceStatus?.RunningTasks ?? 0), 0);
}

/**
 * Milliseconds from `startedAt` (wall clock) until the stack's last service was created (the deployer's own part)
 * and until its last task became running (the engine's part follows), by the engine's clock.
 */
async function milestones(namespace, startedAt) {
  const services = await docker.listServices({ filters: { label: [`com.docker.stack.namespace=${namespace}`] } });
  const tasks = await docker.listTasks({
    filters: { service: services.map((service) => service.ID), 'desired-state': ['running'] },
  });
  return {
    created: Math.max(...services.map((service) => Date.parse(service.CreatedAt))) - startedAt,
    running: Math.max(...tasks.map((task) => Date.parse(task.Status.Timestamp))) - startedAt,
  };
}

/** Waits until nothing of the stack is left (services, task containers, networks), so runs do not overlap. */
async function gone(namespace) {
  const label = { label: [`com.docker.stack.namespace=${namespace}`] };
  for (let i = 0; i < 600; i++) {
    const left =
      (await docker.listServices({ filters: label })).length +
      (await docker.listContainers({ all: true, filters: label })).length +
      (await docker.listNetworks({ filters: label })).length;
    if (left === 0) return;
    await sleep(100);
  }
  throw new Error(`${namespace} was not removed within 60 s`);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  try {
    const info = await docker.info();
    await docker.getImage(IMAGE).inspect();
    if (!info.Swarm?.ControlAvailable) throw new Error('the engine is not a swarm manager (docker swarm init)');
  } catch (error) {
    console.log(`swarm deploy benchmark skipped: ${error.message}`);
    return;
  }
  const cli = spawnSync('docker', ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8' });
  if (cli.status !== 0) {
    console.log('swarm deploy benchmark skipped: the docker CLI (the reference peer) is missing');
    return;
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'windflow-swarm-bench-'));
  const stack = path.join(folder, 'bench.stack.yaml');
  const compose = path.join(folder, 'docker-compose.yml');
  writeFileSync(stack, stackFile(IMAGE));
  writeFileSync(compose, composeFile(IMAGE));

  const deployOurs = async () => {
    const startedAt = Date.now();
    run(process.execPath, [CLI, 'deploy', stack, '--name', OURS]);
    const done = Date.now() - startedAt;
    const running = await runningReplicas(OURS);
    if (running !== SERVICE_COUNT) throw new Error(`${OURS}: deploy returned with ${running}/${SERVICE_COUNT} running`);
    return { ...(await milestones(OURS, startedAt)), done };
  };
  const deployPeer = async () => {
    const startedAt = Date.now();
    // --resolve-image never: no registry is reachable here, and asking one would only slow the peer down.
    run('docker', ['stack', 'deploy', '--detach=true', '--resolve-image', 'never', '-c', compose, PEER]);
    while ((await runningReplicas(PEER)) < SERVICE_COUNT) await sleep(50);
    const done = Date.now() - startedAt;
    return { ...(await milestones(PEER, startedAt)), done };
  };
  const removeOurs = async () => {
    run(process.execPath, [CLI, 'remove', OURS, '--delete-data']);
    await gone(OURS);
  };
  const removePeer = async () => {
    run('docker', ['stack', 'rm', PEER]);
    await gone(PEER);
  };

  const ours = [];
  const peer = [];
  try {
    // One untimed warm-up each, then alternate so drift hits both alike.
    await deployOurs();
    await removeOurs();
    await deployPeer();
    await removePeer();
    for (let i = 0; i < RUNS; i++) {
      const order = [
        [deployOurs, removeOurs, ours],
        [deployPeer, removePeer, peer],
      ];
      if (i % 2 === 1) order.reverse();
      for (const [deploy, remove, times] of order) {
        times.push(await deploy());
        await remove();
      }
    }
  } finally {
    spawnSync(process.execPath, [CLI, 'remove', OURS, '--delete-data']);
    spawnSync('docker', ['stack', 'rm', PEER]);
    rmSync(folder, { recursive: true, force: true });
  }

  const engine = await docker.version();
  const ratio = median(ours.map((t) => t.running)) / median(peer.map((t) => t.running));
  const fmt = (ms) => `${ms.toFixed(0)} ms`;
  const row = (label, times) =>
    `| ${label} | ${fmt(median(times))} | ${fmt(Math.min(...times))} | ${fmt(Math.max(...times))} |`;
  const table = [
    `### Swarm, ${new Date().toISOString()} — Docker ${engine.Version} (API ${engine.ApiVersion}), docker CLI ${cli.stdout.trim()}, ${os.cpus().length} CPUs, ${RUNS} runs each`,
    '',
    '| 10 services, from process start | median | min | max |',
    '|---|---|---|---|',
    row(
      'windflow-stack deploy: every replica running',
      ours.map((t) => t.running),
    ),
    row(
      'docker stack deploy: every replica running',
      peer.map((t) => t.running),
    ),
    row(
      'windflow-stack deploy: every service created',
      ours.map((t) => t.created),
    ),
    row(
      'docker stack deploy: every service created',
      peer.map((t) => t.created),
    ),
    row(
      'windflow-stack deploy: last service created → every replica running (the engine)',
      ours.map((t) => t.running - t.created),
    ),
    row(
      'docker stack deploy: last service created → every replica running (the engine)',
      peer.map((t) => t.running - t.created),
    ),
    row(
      'windflow-stack deploy: command done (converged, stable 2 s)',
      ours.map((t) => t.done),
    ),
    row(
      'docker stack deploy: command done + polled until all run',
      peer.map((t) => t.done),
    ),
    '',
    `Ratio ours/peer until every replica runs (median): ${ratio.toFixed(2)}× — goal ≤ 0.80×: ${ratio <= 0.8 ? 'met' : 'not met'}.`,
    '',
  ].join('\n');
  console.log(table);
  appendFileSync(REPORT, `${table}\n`);
}

main().catch((error) => {
  console.error(`swarm deploy benchmark failed: ${error.message}`);
  process.exitCode = 1;
});
