/**
 * The typed messages between the extension host and its webviews (deploy form, logs panel, status panel).
 * Both sides import this file, so a message cannot change shape on one side only. Types only: no runtime code.
 */
import type { VariableInfo } from '../../../server/src/protocol';
import type { LogSourceStyle } from '../logSource';

export type FieldValue = string | number | boolean;
/** Form values keyed by qualified name (`group.member` for group members). */
export type FormValues = Record<string, FieldValue>;

export interface TargetChoice {
  name: string;
  kind: string;
  /** False when this target cannot deploy the stack's target_type. */
  supported: boolean;
  /** Whether the target answered its connection test; undefined while the test runs. */
  reachable?: boolean;
  /** Why it is unreachable or unusable. */
  problem?: string;
}

/** What the stack file says now: sent when the form opens and again each time the file's diagnostics change. */
export interface StackFacts {
  stackName: string;
  targetType: string;
  variables: VariableInfo[];
  /** The default deployment name the server derives (the form keeps the user's own once typed). */
  deploymentName: string;
  /** Errors in the stack file that would stop a deploy: the form shows them and refuses. */
  blockingErrors: number;
  /** Which kinds of target deploy this stack, in words ("a Kubernetes cluster (a kubeconfig context)"). */
  deployableBy: string;
}

/** What the user typed, kept by the host while the form is closed so reopening it restores it. */
export interface DeployDraft {
  target: string;
  deploymentName: string;
  /** True once the user edited the name: a new default from the file no longer replaces it. */
  nameEdited: boolean;
  values: FormValues;
  /** The fields the user changed: a new default from the file replaces only the others. */
  edited: string[];
}

export type HostToDeployForm =
  | {
      type: 'init';
      fileName: string;
      stack: StackFacts;
      targets: TargetChoice[];
      selectedTarget?: string;
      draft?: DeployDraft;
    }
  | { type: 'stack'; stack: StackFacts }
  | { type: 'targets'; targets: TargetChoice[]; selectedTarget?: string }
  | { type: 'regenerated'; qualifiedName: string; value: FieldValue }
  | { type: 'busy'; busy: boolean }
  | { type: 'failed'; messages: string[] };

export type DeployFormToHost =
  | { type: 'ready' }
  | { type: 'regenerate'; qualifiedName: string }
  | { type: 'submit'; target: string; deploymentName: string; values: FormValues }
  | { type: 'showProblems' }
  | { type: 'addTarget' }
  | { type: 'draft'; draft: DeployDraft }
  | { type: 'cancel' };

/** Stream options the host applies (changing one restarts the stream); wrap, timestamps and search stay in the page. */
export interface LogStreamOptions {
  follow: boolean;
  tail: number;
  since: string;
  /** Empty: every service/unit of the deployment. */
  service: string;
}

export interface LogLineView {
  unit: string;
  service?: string;
  /** Where the line came from, as the CLI prints it (logSource.ts): `web.2`, `pod/container`, a service. */
  source: string;
  stream: 'stdout' | 'stderr';
  text: string;
  timestamp?: string;
}

/** quiet: following, the stream is open, but the container has printed nothing yet. */
export type LogStreamState = 'connecting' | 'streaming' | 'quiet' | 'waiting' | 'ended' | 'error';

export type HostToLogs =
  | { type: 'init'; title: string; services: string[]; sourceStyle: LogSourceStyle; options: LogStreamOptions }
  | { type: 'lines'; lines: LogLineView[] }
  | { type: 'clear' }
  | { type: 'state'; state: LogStreamState; message?: string };

export type LogsToHost = { type: 'ready' } | { type: 'options'; options: LogStreamOptions };

export interface UnitView {
  name: string;
  service?: string;
  kind: 'container' | 'pod' | 'task';
  node?: string;
  state: string;
  health?: string;
  restarts: number;
  ports: string[];
  /** ISO 8601 */
  createdAt?: string;
  reason?: string;
  image?: string;
}

export type HostToStatus =
  | {
      type: 'status';
      title: string;
      deploymentState: string;
      units: UnitView[];
      workloads: { kind: string; name: string; desired: number; ready: number }[];
      events: { time: string; message: string }[];
      /** ISO 8601 time of this snapshot (ages are computed against it). */
      updatedAt: string;
    }
  | { type: 'error'; message: string }
  /** The deployment's rendered deployment_notes (Markdown, secrets masked), when they are known. */
  | { type: 'notes'; markdown: string };

export type StatusToHost =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'openUrl'; url: string }
  | { type: 'showLogs'; unit?: string }
  | { type: 'openNotes' };
