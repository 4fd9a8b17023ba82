/**
 * A deploy is judged with the values and name the user gave, not with the defaults: the "Hello web" stack
 * (a space in metadata.name, `{{ deployment_name }}` in a volume) deploys with --name and with its default name, and
 * a name that is really wrong is refused with the value it produced. Real CLI dispatcher, real engine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanUpRun, docker, requireEngine, RUN_PREFIX, SOCKET, uniqueName } from '../targets/dockerEngineSupport';
import { runInProcess } from './inProcess';

const HELLO_WEB = `metadata:
  name: Hello web
  version: "1.0.0"
  category: Tests
  author: WindFlow Stacks
  license: MIT
  description: The issue's example
  target_type: docker
template:
  image: local/busybox:1
  command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
  volumes:
    - "{{ deployment_name }}_data:/data"
  labels:
    run: "{{ run }}"
variables:
  run:
    type: string
    label: Test run
    default: "none"
`;

describe('deploy with the values the user gave (real engine)', function () {
  this.timeout(60_000);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'wf-values-'));
  const file = path.join(folder, 'hello.stack.yaml');
  const env = { HOME: folder, PATH: process.env.PATH, DOCKER_HOST: `unix://${SOCKET}` };

  before(async function () {
    await requireEngine(this);
    writeFileSync(file, HELLO_WEB);
  });
  after(async () => {
    rmSync(folder, { recursive: true, force: true });
    await cleanUpRun();
    // The default-named deployment carries the run in a label, not in its name.
    for (const info of await docker.listContainers({ all: true, filters: { label: [`run=${RUN_PREFIX}`] } }))
      await docker.getContainer(info.Id).remove({ force: true, v: true });
  });

  it('validates with only a hint about the default name', async () => {
    const result = await runInProcess(['validate', file], { env });
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /hello\.stack\.yaml:2:9: information WF152 /);
  });

  it('deploys with --name web-1', async () => {
    const name = uniqueName('web-1');
    const deployed = await runInProcess(['deploy', file, '--name', name], { env });
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stdout, new RegExp(`^deployed ${name} on local\\n  created volume ${name}_data\\n`));
    assert.equal((await runInProcess(['remove', name, '--delete-data'], { env })).code, 0);
  });

  it('deploys with the default name, derived from metadata.name', async () => {
    const deployed = await runInProcess(['deploy', file, '--set', `run=${RUN_PREFIX}`], { env });
    assert.equal(deployed.code, 0, deployed.stderr);
    const match = /^deployed (hello-web-\d{8}-\d{6}) on local\n/.exec(deployed.stdout);
    assert.ok(match, deployed.stdout);
    assert.equal((await runInProcess(['remove', match[1], '--delete-data'], { env })).code, 0);
  });

  it('refuses a name that makes the volume invalid, quoting what it rendered, and creates nothing', async () => {
    const refused = await runInProcess(['deploy', file, '--name', 'bad name'], { env });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /hello\.stack\.yaml:13:\d+: error WF061 with the given values this renders as 'bad name_data:\/data'/,
    );
    assert.match(refused.stderr, /nothing was deployed/);
  });
});
