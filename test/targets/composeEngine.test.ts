/**
 * `target_type: docker_compose` against the real engine: Compose names and labels, depends_on order with health and
 * completion conditions, logs with a service filter, remove, and faults rolled back with nothing left.
 */
import assert from 'node:assert/strict';
import { DeployError, LogLine } from '../../client/src/targets/target';
import {
  docker,
  engineTarget,
  freePort,
  httpGet,
  IMAGE,
  occupyPort,
  renderFixture,
  resourcesOf,
  uniqueName,
} from './dockerEngineSupport';

const FIXTURE = 'deploy-compose.yaml';

describe('Docker target: docker_compose stacks on the real engine', function () {
  this.timeout(60_000);
  const target = engineTarget();

  it('deploys the project the way Compose names and labels it, in depends_on order', async () => {
    const project = uniqueName('app');
    const port = await freePort();
    const stack = await renderFixture(FIXTURE, project, [`web_port=${port}`]);
    const result = await target.deploy(stack, { sourceFile: '/srv/stacks/app.yaml' });
    assert.deepEqual(result.created.slice(0, 2), [`network ${project}_default`, `volume ${project}_dbdata`]);
    assert.deepEqual(result.created.slice(2).sort(), [
      `container ${project}-db-1`,
      `container ${project}-migrate-1`,
      `container ${project}-web-1`,
    ]);
    assert.equal(result.replaced, false);

    const web = await docker.getContainer(`${project}-web-1`).inspect();
    const labels = web.Config.Labels;
    assert.equal(labels['com.docker.compose.project'], project);
    assert.equal(labels['com.docker.compose.service'], 'web');
    assert.equal(labels['com.docker.compose.container-number'], '1');
    assert.equal(labels['com.docker.compose.oneoff'], 'False');
    assert.equal(labels['com.docker.compose.project.working_dir'], '/srv/stacks');
    assert.equal(labels['com.docker.compose.project.config_files'], '/srv/stacks/app.yaml');
    assert.equal(
      labels['com.docker.compose.depends_on'],
      'db:service_healthy:false,migrate:service_completed_successfully:false',
    );
    assert.match(labels['com.docker.compose.config-hash'], /^[0-9a-f]{64}$/);
    assert.equal(labels['windflow.managed'], 'true');
    assert.equal(labels['windflow.stack'], 'deploy-test-compose');
    assert.equal(labels['windflow.deployment'], project);
    assert.deepEqual(Object.keys(web.NetworkSettings.Networks), [`${project}_default`]);
    assert.ok(web.NetworkSettings.Networks[`${project}_default`].Aliases?.includes('web'));

    const network = await docker.getNetwork(`${project}_default`).inspect();
    assert.equal(network.Labels?.['com.docker.compose.network'], 'default');
    assert.equal(network.Labels?.['com.docker.compose.project'], project);
    const volume = await docker.getVolume(`${project}_dbdata`).inspect();
    assert.equal(volume.Labels?.['com.docker.compose.volume'], 'dbdata');
    assert.equal(volume.Labels?.['windflow.deployment'], project);

    // migrate waited for db to be healthy; web waited for migrate to finish.
    const db = await docker.getContainer(`${project}-db-1`).inspect();
    const migrate = await docker.getContainer(`${project}-migrate-1`).inspect();
    assert.equal(db.State.Health?.Status, 'healthy');
    assert.equal(migrate.State.ExitCode, 0);
    assert.ok(Date.parse(migrate.State.StartedAt) >= Date.parse(db.State.StartedAt));
    assert.ok(Date.parse(web.State.StartedAt) >= Date.parse(migrate.State.FinishedAt));
    assert.equal((await httpGet(port)).status, 404, 'busybox httpd answers on the published port');

    const status = await target.status(project);
    assert.equal(status.state, 'running');
    assert.deepEqual(
      status.units.map((unit) => [unit.name, unit.service, unit.state, unit.health ?? '-', unit.ports.join(',')]),
      [
        [`${project}-db-1`, 'db', 'running', 'healthy', ''],
        [`${project}-migrate-1`, 'migrate', 'exited', '-', ''],
        [`${project}-web-1`, 'web', 'running', '-', `127.0.0.1:${port}->80/tcp`],
      ],
    );

    const all: LogLine[] = [];
    await target.logs(project, {}, (line) => all.push(line));
    assert.deepEqual(all.map((line) => `${line.service} ${line.stream} ${line.text}`).sort(), [
      'db stderr db warning',
      'db stdout db ready',
      'migrate stdout migrated',
      'web stdout web up',
    ]);
    const onlyDb: LogLine[] = [];
    await target.logs(project, { service: 'db' }, (line) => onlyDb.push(line));
    // The engine timestamps stdout and stderr separately, so their relative order is not fixed.
    assert.deepEqual(onlyDb.map((line) => `${line.unit} ${line.stream} ${line.text}`).sort(), [
      `${project}-db-1 stderr db warning`,
      `${project}-db-1 stdout db ready`,
    ]);
    await assert.rejects(
      target.logs(project, { service: 'wbe' }, () => undefined),
      /has no service 'wbe'; did you mean 'web'\? \(services: db, migrate, web\)/,
    );

    const removed = await target.remove(project);
    assert.deepEqual(removed, {
      removed: [
        `container ${project}-db-1`,
        `container ${project}-migrate-1`,
        `container ${project}-web-1`,
        `network ${project}_default`,
      ],
      kept: [`volume ${project}_dbdata (kept; --delete-data removes it)`],
    });
    await target.remove(project, { deleteData: true });
    assert.deepEqual(await resourcesOf(project), []);
  });

  it('redeploying the project replaces its containers and reuses its network and volume', async () => {
    const project = uniqueName('again');
    const port = await freePort();
    await target.deploy(await renderFixture(FIXTURE, project, [`web_port=${port}`]));
    const before = (await docker.getContainer(`${project}-web-1`).inspect()).Id;
    const again = await target.deploy(await renderFixture(FIXTURE, project, [`web_port=${port}`]));
    assert.equal(again.replaced, true);
    assert.deepEqual(again.created.sort(), [
      `container ${project}-db-1`,
      `container ${project}-migrate-1`,
      `container ${project}-web-1`,
    ]);
    assert.notEqual((await docker.getContainer(`${project}-web-1`).inspect()).Id, before);
    await target.remove(project, { deleteData: true });
    assert.deepEqual(await resourcesOf(project), []);
  });

  it('health check never passed on a dependency: fails at that step and removes the whole project again', async () => {
    const project = uniqueName('sick');
    const stack = await renderFixture(FIXTURE, project, ['db_health=false', `web_port=${await freePort()}`]);
    const error = await target.deploy(stack).catch((failure: unknown) => failure);
    assert.ok(error instanceof DeployError);
    assert.equal(error.step, 'wait for health');
    assert.match(error.message, new RegExp(`^health check never passed: ${project}-db-1 is unhealthy`));
    assert.match(error.message, /\(rolled back: removed network .*_default, volume .*_dbdata, container .*\)$/);
    assert.deepEqual(await resourcesOf(project), []);
  });

  it('port already allocated on one service: fails and removes the containers already started', async () => {
    const project = uniqueName('busy');
    const occupied = await occupyPort();
    try {
      const error = await target
        .deploy(await renderFixture(FIXTURE, project, [`web_port=${occupied.port}`]))
        .catch((failure: unknown) => failure);
      assert.ok(error instanceof DeployError);
      assert.equal(error.step, 'start containers');
      assert.match(error.message, /^port already allocated: /);
    } finally {
      await occupied.close();
    }
    assert.deepEqual(await resourcesOf(project), []);
  });

  it('name in use by a foreign container: fails, the foreign container stays as it was', async () => {
    const project = uniqueName('clash');
    const foreign = await docker.createContainer({ name: `${project}-migrate-1`, Image: IMAGE, Cmd: ['true'] });
    try {
      const error = await target
        .deploy(await renderFixture(FIXTURE, project, [`web_port=${await freePort()}`]))
        .catch((failure: unknown) => failure);
      assert.ok(error instanceof DeployError);
      assert.equal(error.step, 'create containers');
      assert.match(error.message, /^name in use: /);
      assert.deepEqual(await resourcesOf(project), []);
      assert.equal((await docker.getContainer(`${project}-migrate-1`).inspect()).Id, foreign.id);
    } finally {
      await foreign.remove({ force: true });
    }
  });
});
