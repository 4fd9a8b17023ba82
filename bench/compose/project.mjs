// The project both deployers start in the deploy benchmark: ten busybox services on the project network, nine of
// them waiting (depends_on) for the first, so ordering and parallel starts are both exercised.
import { stringify } from 'yaml';

export const SERVICE_COUNT = 10;

export function composeTemplate(image) {
  const services = {};
  for (let i = 1; i <= SERVICE_COUNT; i++) {
    services[`svc${i}`] = {
      image,
      // Exits on SIGTERM at once, so removing between runs is quick.
      command: ['sh', '-c', `echo svc${i} up; trap 'exit 0' TERM; sleep 3600 & wait`],
      environment: { SERVICE_INDEX: String(i) },
      labels: { bench: 'compose-deploy' },
      ...(i > 1 ? { depends_on: ['svc1'] } : {}),
    };
  }
  return { version: '3.9', services };
}

/** The WindFlow stack file (what `windflow-stack deploy` reads). */
export function stackFile(image) {
  return stringify({
    metadata: {
      name: 'compose-deploy-bench',
      version: '1.0.0',
      category: 'Benchmarks',
      author: 'WindFlow Stacks',
      license: 'MIT',
      description: 'Ten services for the deploy benchmark.',
      target_type: 'docker_compose',
    },
    template: composeTemplate(image),
  });
}

/** The same project as a plain Compose file (what docker-compose reads). */
export function composeFile(image) {
  return stringify(composeTemplate(image));
}
