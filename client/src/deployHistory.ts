import type * as vscode from 'vscode';
import type { FormValues } from './webview/messages';

/** What a redeploy needs to repeat a deploy: the stack file and the values the user submitted. */
export interface DeployRecord {
  stackUri: string;
  targetName: string;
  deploymentName: string;
  values: FormValues;
  deployedAt: string;
}

/**
 * The last deploy of each deployment (for Redeploy) and of each stack file (for Show Rendered Stack). Submitted
 * values may hold passwords, so records live in SecretStorage, never in workspace state or settings.
 */
export class DeployHistory {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async remember(record: DeployRecord): Promise<void> {
    const json = JSON.stringify(record);
    await this.secrets.store(deploymentKey(record.targetName, record.deploymentName), json);
    await this.secrets.store(stackKey(record.stackUri), json);
  }

  forDeployment(targetName: string, deploymentName: string): Promise<DeployRecord | undefined> {
    return this.read(deploymentKey(targetName, deploymentName));
  }

  forStack(stackUri: string): Promise<DeployRecord | undefined> {
    return this.read(stackKey(stackUri));
  }

  async forget(targetName: string, deploymentName: string): Promise<void> {
    await this.secrets.delete(deploymentKey(targetName, deploymentName));
  }

  private async read(key: string): Promise<DeployRecord | undefined> {
    const json = await this.secrets.get(key);
    if (!json) return undefined;
    try {
      return JSON.parse(json) as DeployRecord;
    } catch {
      // A record that no longer parses is useless: the form asks for the values again.
      await this.secrets.delete(key);
      return undefined;
    }
  }
}

function deploymentKey(targetName: string, deploymentName: string): string {
  return `windflow.deploy.${targetName}/${deploymentName}`;
}

function stackKey(stackUri: string): string {
  return `windflow.deploy.stack:${stackUri}`;
}
