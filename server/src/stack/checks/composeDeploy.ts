import { isMap, isScalar, Scalar } from 'yaml';
import { APPLIED_SERVICE_KEYS } from '../composeDeploy';
import { DiagnosticSink } from '../diagnostics';
import { getIn, spanOf, StackModel } from '../model';
import { composeSchema } from '../schemas/compose';

/** The keys the Compose Specification allows on a service: a misspelled one is WF100's, not ours. */
let serviceKeys: Set<string> | undefined;
function composeServiceKeys(): Set<string> {
  serviceKeys ??= new Set(composeSchema.keysOf(composeSchema.schemaAt(['services', 'service'])).map((key) => key.name));
  return serviceKeys;
}

/**
 * `docker_compose` services: keys the extension's Compose deploy does not apply (WF048, information). `docker
 * compose` and upstream WindFlow would apply them, so the author learns before deploying rather than from the
 * deploy's progress. Only keys of the Compose Specification: `x-` extensions are applied by no one, and an unknown
 * key is WF100's.
 */
export function checkComposeDeploy(model: StackModel, sink: DiagnosticSink): void {
  const services = getIn(model.root, ['template', 'services']);
  if (!isMap(services)) return;
  for (const servicePair of services.items) {
    const service = servicePair.value;
    if (!isScalar(servicePair.key) || !isMap(service)) continue;
    const name = String(servicePair.key.value);
    for (const pair of service.items) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') continue;
      const key = pair.key.value;
      if (APPLIED_SERVICE_KEYS.has(key) || !composeServiceKeys().has(key)) continue;
      sink.add(
        'WF048',
        'information',
        `this extension's Compose deploy does not apply \`${key}\` of service '${name}' (docker compose and upstream WindFlow do)`,
        spanOf(pair.key as Scalar),
      );
    }
  }
}
