import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './command';

const STACK_NAME = /\.(stack\.ya?ml|windflow\.yaml)$/;
const YAML_NAME = /\.ya?ml$/;
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'dist', 'coverage']);

/** A YAML file counts as a stack when it is named like one, lives in stacks_definitions, or starts a `metadata:` map. */
async function looksLikeStack(file: string): Promise<boolean> {
  if (STACK_NAME.test(file) || path.basename(path.dirname(file)) === 'stacks_definitions') return true;
  const text = await readFile(file, 'utf8');
  return /^(metadata|template):/m.test(text);
}

/** Expands the files and folders named on the command line into stack files, in a stable order. */
export async function collectStackFiles(inputs: string[], cwd: string): Promise<string[]> {
  const found: string[] = [];
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new UsageError(`${input}: no such file or folder`);
    if (info.isFile()) found.push(absolute);
    else if (info.isDirectory()) found.push(...(await walk(absolute)));
  }
  return [...new Set(found)];
}

async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) files.push(...(await walk(full)));
    } else if (entry.isFile() && YAML_NAME.test(entry.name) && (await looksLikeStack(full))) files.push(full);
  }
  return files;
}

/** The path to print: relative to the working folder when inside it. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
