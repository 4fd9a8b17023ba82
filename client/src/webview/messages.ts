/**
 * The typed messages between the extension host and its webviews (deploy form, logs panel, status panel).
 * Both sides import this file, so a message cannot change shape on one side only. Types only: no runtime code.
 */
import type { VariableInfo } from '../../../server/src/protocol';

export type FieldValue = string | number | boolean;
/** Form values keyed by qualified name (`group.member` for group members). */
export type FormValues = Record<string, FieldValue>;

export interface TargetChoice {
  name: string;
  kind: string;
  /** False when this target cannot deploy the stack's target_type. */
  supported: boolean;
}

export type HostToDeployForm =
  | {
      type: 'init';
      stackName: string;
      targetType: string;
      fileName: string;
      variables: VariableInfo[];
      targets: TargetChoice[];
      selectedTarget?: string;
      deploymentName: string;
      /** Errors in the stack file that would stop a deploy: the form shows them and refuses. */
      blockingErrors: number;
    }
  | { type: 'regenerated'; qualifiedName: string; value: FieldValue }
  | { type: 'busy'; busy: boolean }
  | { type: 'failed'; messages: string[] };

export type DeployFormToHost =
  | { type: 'ready' }
  | { type: 'regenerate'; qualifiedName: string }
  | { type: 'submit'; target: string; deploymentName: string; values: FormValues }
  | { type: 'showProblems' }
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
  stream: 'stdout' | 'stderr';
  text: string;
  timestamp?: string;
}

export type LogStreamState = 'connecting' | 'streaming' | 'waiting' | 'ended' | 'error';

export type HostToLogs =
  | { type: 'init'; title: string; services: string[]; options: LogStreamOptions }
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
  | { type: 'error'; message: string };

export type StatusToHost =
  { type: 'ready' } | { type: 'refresh' } | { type: 'openUrl'; url: string } | { type: 'showLogs'; unit?: string };
