/**
 * The deployment lock of a Docker target, held on the engine itself so it works across processes and machines.
 *
 * A lock is a container that is created and never started, named after the deployment: the engine reserves container
 * names atomically, so of two concurrent creates exactly one succeeds and the other gets 409 Conflict. (Volumes and
 * networks are no good for this on Engine 20.10: creating an existing volume returns it without error, and network
 * name checks race.) Its labels carry the holder and the first expiry; the heartbeat writes the current expiry into a
 * file inside the container (the archive API works on containers that never ran). The container needs an image:
 * a tiny empty one, imported once and labelled as ours.
 */
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { uncancellable } from '../deadline';
import { CreateOutcome, LockLostError, LockRecord, LockStore, StoredLock } from '../lock';
import { statusCodeOf } from './failures';

export const LOCK_IMAGE = 'windflow-stacks/lock:1';
export const LOCK_LABELS = {
  deployment: 'windflow.lock',
  operation: 'windflow.lock.operation',
  holder: 'windflow.lock.holder',
  startedAt: 'windflow.lock.started-at',
  expiresAt: 'windflow.lock.expires-at',
} as const;
const LOCK_IMAGE_LABEL = 'windflow.lock-image';
const EXPIRY_FILE = 'windflow-lock-expires-at';
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The lock container's name: readable when the deployment name is a valid container name, hashed otherwise. */
export function lockContainerName(deploymentName: string): string {
  const name = `windflow-lock.${deploymentName}`;
  if (CONTAINER_NAME.test(name) && name.length <= 200) return name;
  const digest = createHash('sha256').update(deploymentName).digest('hex').slice(0, 16);
  return `windflow-lock.${deploymentName.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 60)}.${digest}`;
}

/** A one-file tar archive (ustar), for the archive API. */
export function tarOneFile(name: string, content: string, mtime: Date): Buffer {
  const body = Buffer.from(content, 'utf8');
  const header = Buffer.alloc(512);
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, '0') + '\0';
  header.write(name, 0, 100, 'utf8');
  header.write(octal(0o644, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(body.length, 12), 124);
  header.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, padding, Buffer.alloc(1024)]);
}

/** The content of the first file in a tar archive. */
export function firstFileOfTar(archive: Buffer): string {
  const size = parseInt(archive.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim(), 8);
  return archive.subarray(512, 512 + (Number.isFinite(size) ? size : 0)).toString('utf8');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

export class DockerLockStore implements LockStore {
  constructor(private readonly docker: Docker) {}

  private async ensureImage(): Promise<void> {
    try {
      await this.docker.getImage(LOCK_IMAGE).inspect();
      return;
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error;
    }
    const [repo, tag] = LOCK_IMAGE.split(':');
    // An empty archive: the image has no files at all; its containers are never started.
    const stream = (await this.docker.importImage(
      Buffer.alloc(1024) as unknown as NodeJS.ReadableStream,
      {
        repo,
        tag,
        changes: [`LABEL ${LOCK_IMAGE_LABEL}=true`],
      } as unknown as object,
    )) as NodeJS.ReadableStream;
    const answer = (await readAll(stream)).toString('utf8');
    if (/"error"/.test(answer)) throw new Error(`could not create the lock image ${LOCK_IMAGE}: ${answer.trim()}`);
  }

  async create(record: LockRecord): Promise<CreateOutcome> {
    await this.ensureImage();
    const name = lockContainerName(record.deploymentName);
    try {
      const container = await this.docker.createContainer({
        name,
        Image: LOCK_IMAGE,
        Cmd: ['windflow-lock'],
        NetworkDisabled: true,
        Labels: {
          [LOCK_LABELS.deployment]: record.deploymentName,
          [LOCK_LABELS.operation]: record.operation,
          [LOCK_LABELS.holder]: record.holder,
          [LOCK_LABELS.startedAt]: record.startedAt.toISOString(),
          [LOCK_LABELS.expiresAt]: record.expiresAt.toISOString(),
        },
        HostConfig: { NetworkMode: 'none' },
      });
      return { created: true, token: container.id };
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
    }
    const current = await this.read(name);
    // Gone between our create and our read: nobody holds it now, report it as expired so the caller retries.
    return {
      created: false,
      current: current ?? { ...record, token: name, expiresAt: new Date(0) },
    };
  }

  private async read(nameOrId: string): Promise<StoredLock | undefined> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(nameOrId).inspect();
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
    const labels = info.Config.Labels ?? {};
    if (labels[LOCK_LABELS.deployment] === undefined)
      throw new Error(`container ${nameOrId} is in the way of the deployment lock but is not a WindFlow lock`);
    let expiresAt = new Date(labels[LOCK_LABELS.expiresAt] ?? 0);
    try {
      const archive = await readAll(await this.docker.getContainer(info.Id).getArchive({ path: `/${EXPIRY_FILE}` }));
      const renewed = new Date(firstFileOfTar(archive).trim());
      if (!Number.isNaN(renewed.getTime())) expiresAt = renewed;
    } catch (error) {
      // Never renewed yet: the label's expiry stands.
      if (statusCodeOf(error) !== 404) throw error;
    }
    return {
      token: info.Id,
      deploymentName: labels[LOCK_LABELS.deployment],
      operation: labels[LOCK_LABELS.operation] ?? 'deploy',
      holder: labels[LOCK_LABELS.holder] ?? 'unknown',
      startedAt: new Date(labels[LOCK_LABELS.startedAt] ?? 0),
      expiresAt,
    };
  }

  async renew(token: string, expiresAt: Date): Promise<void> {
    try {
      await this.docker
        .getContainer(token)
        .putArchive(tarOneFile(EXPIRY_FILE, expiresAt.toISOString(), new Date()), { path: '/' });
    } catch (error) {
      if (statusCodeOf(error) === 404) throw new LockLostError(token, 'its lock container was removed');
      throw error;
    }
  }

  async remove(token: string): Promise<void> {
    try {
      // Releasing must happen even when the work under the lock was cancelled.
      await uncancellable(() => this.docker.getContainer(token).remove({ force: true }));
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error;
    }
  }
}
