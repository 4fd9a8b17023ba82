/**
 * Reading a file named by the user without trusting it: only regular files (never a device like /dev/urandom, a FIFO
 * or a socket, which could block or never end), and never more than a limit. The check is made on the opened file
 * (opened non-blocking, so a FIFO cannot hang the open), not on the path, so swapping the file in between changes
 * nothing.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { LIMITS } from '../../../server/src/stack/model';

/** The largest stack, values or targets file any command reads. */
export const MAX_INPUT_BYTES = LIMITS.maxLength;

/** A file that cannot be read as input; its message names the file and what is wrong. */
export class InputFileError extends Error {
  override name = 'InputFileError';
}

export function formatMebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function kindOf(info: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Reads at most `limit` bytes of a regular file; InputFileError otherwise. `shown` is the name used in messages. */
export async function readBoundedFile(file: string, shown: string, limit = MAX_INPUT_BYTES): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new InputFileError(`${shown}: cannot read: ${(error as Error).message}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw new InputFileError(`${shown}: is ${kindOf(info)}, not a regular file: only regular files are read`);
    if (info.size > limit) throw tooLarge(shown, `is ${formatMebibytes(info.size)}`, limit);
    // One byte more than the size: a file growing while we read it is noticed, not cut short.
    const buffer = Buffer.alloc(info.size + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length)
        throw new InputFileError(`${shown}: the file grew while it was read; read it again once it is complete`);
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

function tooLarge(shown: string, size: string, limit: number): InputFileError {
  return new InputFileError(
    `${shown}: the file ${size}, over the size limit of ${formatMebibytes(limit)}: it was not read`,
  );
}
