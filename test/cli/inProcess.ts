import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../client/src/cli/main';

const ROOT = path.resolve(__dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `windflow-stack` in this process, as from the repository root with an empty environment unless told. */
export async function runInProcess(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(args, {
    stdout,
    stderr,
    cwd: options.cwd ?? ROOT,
    env: options.env ?? {},
    signal: new AbortController().signal,
  });
  return { code, stdout: out, stderr: err };
}
