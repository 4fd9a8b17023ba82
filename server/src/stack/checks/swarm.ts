import { DiagnosticSink } from '../diagnostics';
import { getPair, spanOf, StackModel } from '../model';
import { serviceKeys } from './compose';

/**
 * Service keys a Swarm stack does not use, and why. The Swarm deploy skips them (and says so in its progress); the
 * editor reports them as information (WF160) so the author knows before deploying.
 */
const SWARM_IGNORED: Record<string, string> = {
  build: 'Swarm does not build images; every node runs the `image`',
  container_name: 'Swarm names the tasks itself (<stack>_<service>.<slot>.<id>)',
  depends_on: 'Swarm starts all services together; use healthchecks and retries instead of start order',
  links: 'services reach each other by name on their shared networks',
  external_links: 'services reach each other by name on their shared networks',
  network_mode: 'Swarm services join overlay networks; use `networks`',
  privileged: 'Swarm services cannot run privileged',
  devices: 'Swarm services cannot map host devices',
  cgroup_parent: 'Swarm does not apply it',
  cgroupns_mode: 'Swarm does not apply it',
  security_opt: 'Swarm does not apply it',
  ipc: 'Swarm does not apply it',
  pid: 'Swarm does not apply it',
  userns_mode: 'Swarm does not apply it',
  shm_size: 'Swarm does not apply it',
  mac_address: 'Swarm does not apply it',
  domainname: 'Swarm does not apply it',
  ulimits: 'Swarm does not apply it',
  tmpfs: 'Swarm does not apply it; mount a volume of `type: tmpfs` instead',
  expose: 'Swarm does not apply it; services see each other on all ports of their shared networks',
  volumes_from: 'Swarm does not apply it',
  profiles: 'Swarm deploys every service',
  pull_policy: 'Swarm pulls on each node as it needs the image',
  scale: 'Swarm uses `deploy.replicas`',
  cpus: 'Swarm uses `deploy.resources.limits.cpus`',
  mem_limit: 'Swarm uses `deploy.resources.limits.memory`',
  mem_reservation: 'Swarm uses `deploy.resources.reservations.memory`',
  cpu_shares: 'Swarm does not apply it; use `deploy.resources`',
  cpuset: 'Swarm does not apply it; use `deploy.resources`',
};

/** `docker_swarm` templates: keys Swarm skips (WF160) and `restart` shadowed by `deploy.restart_policy` (WF161). */
export function checkSwarm(model: StackModel, sink: DiagnosticSink): void {
  for (const { name, service, keys } of serviceKeys(model)) {
    for (const key of keys) {
      const reason = SWARM_IGNORED[key.value];
      if (reason)
        sink.add(
          'WF160',
          'information',
          `a Swarm stack skips \`${key.value}\` of service '${name}': ${reason}`,
          spanOf(key),
          { tags: ['unnecessary'] },
        );
    }
    const restart = getPair(service, 'restart');
    if (restart && getPair(getPair(service, 'deploy')?.value, 'restart_policy'))
      sink.add(
        'WF161',
        'information',
        `a Swarm stack skips \`restart\` of service '${name}': \`deploy.restart_policy\` decides how its tasks restart`,
        spanOf(restart.key),
        { tags: ['unnecessary'] },
      );
  }
}
