import { constants } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './command';

const STACK_NAME = /\.(stack\.ya?ml|windflow\.yaml)$/;
const YAML_NAME = /\.ya?ml$/;
/** How much of a .yaml file is read to tell whether it is a stack. */
const SNIFF_BYTES = 64 * 1024;
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'dist', 'coverage']);

/** A YAML file counts as a stack when it is named like one, lives in stacks_definitions, or starts a `metadata:` map. */
async function looksLikeStack(file: string): Promise<boolean> {
  if (STACK_NAME.test(file) || path.basename(path.dirname(file)) === 'stacks_definitions') return true;
  return /^(metadata|template):/m.test(await readHead(file, SNIFF_BYTES));
}

/** The first bytes of a file, as text ('' when it cannot be read). */
async function readHead(file: string, bytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
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
    // /dev/zero, a FIFO, a socket: checking "nothing" must not pass for a successful check.
    else throw new UsageError(`${input}: is not a regular file or a folder: only stack files and folders are checked`);
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
