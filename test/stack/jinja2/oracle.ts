/**
 * Python's Jinja2 (Debian's python3-jinja2, run by /usr/bin/python3) as the oracle: one Python process renders a
 * whole batch of cases sent as JSON on stdin, and answers with one JSON result per case.
 */
import { spawnSync } from 'node:child_process';
import { fromJs, jinjaGlobals, renderTemplate, Scope } from '../../../server/src/stack/jinja2';

export const PYTHON = '/usr/bin/python3';

export interface Case {
  template: string;
  /** Plain JSON data (no floats with an integral value: JSON cannot tell 1.0 from 1 on our side). */
  context?: Record<string, unknown>;
}

export type Outcome = { ok: true; text: string } | { ok: false; error: string; message: string };

const SCRIPT = String.raw`
import json, sys
import jinja2
environment = jinja2.Environment()
results = []
for case in json.load(sys.stdin):
    try:
        text = environment.from_string(case["template"]).render(**case.get("context", {}))
        results.append({"ok": True, "text": text})
    except Exception as error:
        results.append({"ok": False, "error": type(error).__name__, "message": str(error)})
json.dump(results, sys.stdout)
`;

/** Whether the oracle can run here; why not, otherwise. */
export function oracleProblem(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import jinja2'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot run: ${probe.error.message}`;
  if (probe.status !== 0) return `${PYTHON} has no jinja2 module (apt-get install python3-jinja2)`;
  return undefined;
}

export function renderWithPython(cases: Case[]): Outcome[] {
  const run = spawnSync(PYTHON, ['-c', SCRIPT], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the Jinja2 oracle failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Outcome[];
}

const fixedRandom = { int: (min: number) => min };

export function renderWithOurs(testCase: Case): Outcome {
  const globals = new Scope();
  for (const [name, value] of jinjaGlobals(fixedRandom, 10_000)) globals.vars.set(name, value);
  const context = new Scope(globals);
  for (const [name, value] of Object.entries(testCase.context ?? {})) context.vars.set(name, fromJs(value));
  try {
    return { ok: true, text: renderTemplate(testCase.template, context, fixedRandom) };
  } catch (error) {
    const failure = error as Error;
    return { ok: false, error: failure.name, message: failure.message };
  }
}
