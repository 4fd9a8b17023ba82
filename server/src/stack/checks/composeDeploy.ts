import { APPLIED_SERVICE_KEYS } from '../composeDeploy';
import { DiagnosticSink } from '../diagnostics';
import { spanOf, StackModel } from '../model';
import { composeSchema } from '../schemas/compose';
import { serviceKeys } from './compose';

/** The keys the Compose Specification allows on a service: a misspelled one is WF100's, not ours. */
let specServiceKeys: Set<string> | undefined;
function composeServiceKeys(): Set<string> {
  specServiceKeys ??= new Set(
    composeSchema.keysOf(composeSchema.schemaAt(['services', 'service'])).map((key) => key.name),
  );
  return specServiceKeys;
}

/**
 * `docker_compose` services: keys the extension's Compose deploy does not apply (WF048, information). `docker
 * compose` and upstream WindFlow would apply them, so the author learns before deploying rather than from the
 * deploy's progress. Only keys of the Compose Specification: `x-` extensions are applied by no one, and an unknown
 * key is WF100's.
 */
export function checkComposeDeploy(model: StackModel, sink: DiagnosticSink): void {
  for (const { name, keys } of serviceKeys(model)) {
    for (const key of keys) {
      if (APPLIED_SERVICE_KEYS.has(key.value) || !composeServiceKeys().has(key.value)) continue;
      sink.add(
        'WF048',
        'information',
        `this extension's Compose deploy does not apply \`${key.value}\` of service '${name}' (docker compose and upstream WindFlow do)`,
        spanOf(key),
      );
    }
  }
}
