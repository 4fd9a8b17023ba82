// The stack both deployers run in the Swarm deploy benchmark: ten busybox services of one replica each on the
// stack's default overlay network.
import { stringify } from 'yaml';

export const SERVICE_COUNT = 10;

export function swarmTemplate(image) {
  const services = {};
  for (let i = 1; i <= SERVICE_COUNT; i++) {
    services[`svc${i}`] = {
      image,
      // Exits on SIGTERM at once, so removing between runs is quick.
      command: ['sh', '-c', `echo svc${i} up; trap 'exit 0' TERM; sleep 3600 & wait`],
      environment: { SERVICE_INDEX: String(i) },
      labels: { bench: 'swarm-deploy' },
      deploy: { replicas: 1 },
    };
  }
  return { version: '3.9', services };
}

/** The WindFlow stack file (what `windflow-stack deploy` reads). */
export function stackFile(image) {
  return stringify({
    metadata: {
      name: 'swarm-deploy-bench',
      version: '1.0.0',
      category: 'Benchmarks',
      author: 'WindFlow Stacks',
      license: 'MIT',
      description: 'Ten services for the Swarm deploy benchmark.',
      target_type: 'docker_swarm',
    },
    template: swarmTemplate(image),
  });
}

/** The same stack as a plain Compose file (what `docker stack deploy` reads). */
export function composeFile(image) {
  return stringify(swarmTemplate(image));
}
