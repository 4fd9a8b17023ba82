/**
 * Actions on a Kubernetes pod of the Targets view (its Logs come from the unit's Show Logs): Describe opens the pod's
 * description with its events, Port Forward listens on a loopback port until stopped, Exec opens a shell in a
 * terminal. The cluster work is the Kubernetes target's (client/src/targets/kubernetes/podActions.ts); this file only
 * asks, shows and wires the terminal.
 */
import { PassThrough, Writable } from 'node:stream';
import * as vscode from 'vscode';
import { isDeploymentRef, type DeploymentRef } from '../deploymentRef';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { TargetManager } from '../targetManager';
import { KubernetesTarget } from '../targets/kubernetes/kubernetesTarget';
import type { PortForwardSession } from '../targets/kubernetes/podActions';
import type { UnitStatus } from '../targets/target';

/** What the Targets view passes for a pod: its deployment and the pod itself. */
interface PodNode extends DeploymentRef {
  unit?: UnitStatus;
}

interface PodCommandServices {
  targets: TargetManager;
  log: Logger;
}

export function registerPodCommands(services: PodCommandServices): vscode.Disposable[] {
  const forwards = new Set<PortForwardSession>();

  /** The pod the command was invoked on and its Kubernetes target, or undefined after telling the user why not. */
  const podOf = async (
    node: unknown,
  ): Promise<{ target: KubernetesTarget; pod: PodNode & { unitName: string } } | undefined> => {
    if (!isDeploymentRef(node) || !node.unitName) {
      void vscode.window.showInformationMessage('Run this from a pod in the WindFlow Targets view.');
      return undefined;
    }
    const target = await services.targets.target(node.targetName);
    if (!(target instanceof KubernetesTarget)) {
      void vscode.window.showInformationMessage(`${node.unitName} is not a Kubernetes pod.`);
      return undefined;
    }
    return { target, pod: { ...(node as PodNode), unitName: node.unitName } };
  };

  const command = (name: string, run: (node: unknown) => Promise<void>) =>
    vscode.commands.registerCommand(name, async (node: unknown) => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage(
          'WindFlow does not contact targets in Restricted Mode. Trust this workspace first.',
        );
        return;
      }
      try {
        await run(node);
      } catch (error) {
        services.log.error(`${name} failed`, error);
        void vscode.window.showErrorMessage(services.log.redact(describeError(error)));
      }
    });

  return [
    command('windflow.pod.describe', async (node) => {
      const found = await podOf(node);
      if (!found) return;
      const text = await found.target.describePod(found.pod.deploymentName, found.pod.unitName);
      const document = await vscode.workspace.openTextDocument({
        content: services.log.redact(text),
        language: 'plaintext',
      });
      await vscode.window.showTextDocument(document, { preview: true });
    }),

    command('windflow.pod.portForward', async (node) => {
      const found = await podOf(node);
      if (!found) return;
      const declared = (found.pod.unit?.ports ?? []).map((port) => port.split('/')[0]);
      const remoteText =
        declared.length === 1
          ? declared[0]
          : await vscode.window.showInputBox({
              title: `Port Forward: port of ${found.pod.unitName}`,
              prompt:
                declared.length > 0 ? `Declared ports: ${declared.join(', ')}` : 'The port the container listens on',
              value: declared[0],
              validateInput: (value) =>
                /^\d+$/.test(value) && Number(value) > 0 && Number(value) < 65536
                  ? undefined
                  : 'A port number, 1–65535',
            });
      if (!remoteText) return;
      const localText = await vscode.window.showInputBox({
        title: `Port Forward: local port for ${found.pod.unitName}:${remoteText}`,
        prompt: 'A port on 127.0.0.1; 0 picks a free one',
        value: remoteText,
        validateInput: (value) => (/^\d+$/.test(value) && Number(value) < 65536 ? undefined : 'A port number, 0–65535'),
      });
      if (localText === undefined) return;
      const session = await found.target.forwardPort(
        found.pod.deploymentName,
        found.pod.unitName,
        Number(remoteText),
        Number(localText),
      );
      forwards.add(session);
      session.onError = (message) =>
        services.log.error(`Port forward to ${found.pod.unitName}:${remoteText}: ${message}`);
      const address = `127.0.0.1:${session.localPort}`;
      services.log.info(`Forwarding ${address} to ${found.pod.unitName}:${remoteText}`);
      const choice = await vscode.window.showInformationMessage(
        `Forwarding ${address} to ${found.pod.unitName}:${remoteText}.`,
        'Open in Browser',
        'Stop',
      );
      if (choice === 'Open in Browser') {
        await vscode.env.openExternal(vscode.Uri.parse(`http://${address}/`));
        const stop = await vscode.window.showInformationMessage(
          `Forwarding ${address} to ${found.pod.unitName}:${remoteText}.`,
          'Stop',
        );
        if (stop !== 'Stop') return;
      } else if (choice !== 'Stop') {
        return;
      }
      forwards.delete(session);
      await session.close();
      services.log.info(`Stopped forwarding ${address}`);
    }),

    command('windflow.pod.exec', async (node) => {
      const found = await podOf(node);
      if (!found) return;
      const write = new vscode.EventEmitter<string>();
      const closed = new vscode.EventEmitter<number>();
      const input = new PassThrough();
      const output = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          write.fire(chunk.toString('utf8'));
          callback();
        },
      });
      let session: Awaited<ReturnType<KubernetesTarget['exec']>> | undefined;
      const pty: vscode.Pseudoterminal = {
        onDidWrite: write.event,
        onDidClose: closed.event,
        open: (dimensions) => {
          found.target
            .exec(found.pod.deploymentName, found.pod.unitName, { tty: true, stdin: input, stdout: output })
            .then(
              (started) => {
                session = started;
                if (dimensions) started.resize(dimensions.columns, dimensions.rows);
                void started.exited.then((code) => closed.fire(code));
              },
              (error: unknown) => {
                write.fire(`\r\n${services.log.redact(describeError(error))}\r\n`);
                closed.fire(1);
              },
            );
        },
        handleInput: (data) => input.write(data),
        setDimensions: (dimensions) => session?.resize(dimensions.columns, dimensions.rows),
        close: () => session?.close(),
      };
      vscode.window.createTerminal({ name: `${found.pod.unitName} (${found.pod.targetName})`, pty }).show();
    }),

    { dispose: () => forwards.forEach((session) => void session.close()) },
  ];
}
