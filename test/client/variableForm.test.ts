import assert from 'node:assert/strict';
import type { VariableInfo } from '../../server/src/protocol';
import {
  coerceInput,
  dependenciesMet,
  formReadiness,
  initialValues,
  isShown,
  mergeValues,
  submissionProblems,
  validateDeploymentName,
  validateForm,
  validateValue,
  valueFields,
  variablesShape,
} from '../../client/src/variableForm';

function variable(name: string, extra: Partial<VariableInfo> = {}): VariableInfo {
  return {
    name,
    qualifiedName: name,
    label: name.toUpperCase(),
    type: 'string',
    generated: false,
    required: false,
    visible: true,
    ...extra,
  };
}

const performance = variable('performance', {
  type: 'group',
  children: [
    variable('shared_buffers', { qualifiedName: 'performance.shared_buffers', default: '256MB' }),
    variable('tuning', { qualifiedName: 'performance.tuning', type: 'boolean', default: false }),
    variable('work_mem', { qualifiedName: 'performance.work_mem', dependsOn: { tuning: true } }),
  ],
});

describe('variableForm', () => {
  it('lists the value fields in file order, group members by qualified name, groups left out', () => {
    const fields = valueFields([variable('db_name'), performance, variable('port', { type: 'integer' })]);
    assert.deepEqual(
      fields.map((field) => field.qualifiedName),
      ['db_name', 'performance.shared_buffers', 'performance.tuning', 'performance.work_mem', 'port'],
    );
  });

  it('starts from the defaults, with empty text and false for fields without one', () => {
    const values = initialValues([
      variable('db_name', { default: 'app' }),
      variable('port', { type: 'integer', default: 5432 }),
      variable('debug', { type: 'boolean', default: 'true' }),
      variable('notes'),
      variable('tls', { type: 'boolean' }),
      performance,
    ]);
    assert.deepEqual(values, {
      db_name: 'app',
      port: 5432,
      debug: true,
      notes: '',
      tls: false,
      'performance.shared_buffers': '256MB',
      'performance.tuning': false,
      'performance.work_mem': '',
    });
  });

  it('shows a depends_on field only while the sibling it names holds the expected value', () => {
    const workMem = performance.children![2];
    assert.equal(dependenciesMet(workMem, { 'performance.tuning': false }), false);
    assert.equal(dependenciesMet(workMem, { 'performance.tuning': true }), true);
    const byList = variable('replica_host', { dependsOn: { mode: ['replica', 'standby'] } });
    assert.equal(dependenciesMet(byList, { mode: 'standby' }), true);
    assert.equal(dependenciesMet(byList, { mode: 'primary' }), false);
    assert.equal(isShown(variable('secret_salt', { visible: false }), {}), false);
  });

  it('coerces numeric input to numbers and keeps non-numeric text for the validator to reject', () => {
    const port = variable('port', { type: 'integer' });
    assert.equal(coerceInput(port, '8080'), 8080);
    assert.equal(coerceInput(port, '80a'), '80a');
    assert.equal(coerceInput(port, ''), '');
    assert.equal(coerceInput(variable('name'), '42'), '42');
  });

  it('rejects values against required, type, bounds, enum, lengths and pattern with the label in the message', () => {
    const port = variable('port', { type: 'integer', minimum: 1, maximum: 65535, required: true });
    assert.equal(validateValue(port, ''), 'PORT is required.');
    assert.equal(validateValue(port, '80a'), 'PORT must be a number.');
    assert.equal(validateValue(port, 1.5), 'PORT must be a whole number.');
    assert.equal(validateValue(port, 0), 'PORT must be at least 1.');
    assert.equal(validateValue(port, 70000), 'PORT must be at most 65535.');
    assert.equal(validateValue(port, 5432), undefined);
    const mode = variable('mode', { enum: ['dev', 'prod'] });
    assert.equal(validateValue(mode, 'test'), 'MODE must be one of dev, prod.');
    assert.equal(validateValue(mode, 'prod'), undefined);
    const user = variable('user', { pattern: '^[a-z]+$', minLength: 3, maxLength: 8 });
    assert.equal(validateValue(user, 'ab'), 'USER needs at least 3 characters.');
    assert.equal(validateValue(user, 'abcdefghi'), 'USER allows at most 8 characters.');
    assert.equal(validateValue(user, 'Admin'), 'USER must match the pattern ^[a-z]+$.');
    assert.equal(validateValue(user, 'admin'), undefined);
    assert.equal(validateValue(variable('broken', { pattern: '([' }), 'x'), undefined);
  });

  it('checks only the fields the user can see', () => {
    const required = performance.children!.map((child) => ({ ...child, required: true }));
    const group = { ...performance, children: required };
    const values = { 'performance.shared_buffers': '', 'performance.tuning': false, 'performance.work_mem': '' };
    assert.deepEqual(validateForm([group], values), { 'performance.shared_buffers': 'SHARED_BUFFERS is required.' });
  });

  it('applies the deployment name rule of the target type', () => {
    assert.equal(validateDeploymentName('', 'docker'), 'A deployment name is required.');
    assert.equal(validateDeploymentName('Postgres_1', 'docker'), undefined);
    assert.equal(
      validateDeploymentName('Postgres_1', 'docker_compose'),
      'Use lowercase letters, digits, "_" and "-", starting with a letter or digit (a Compose project name).',
    );
    assert.equal(validateDeploymentName('web.app', 'kubernetes'), undefined);
    assert.equal(
      validateDeploymentName('web_app', 'kubernetes')?.startsWith('Use lowercase letters, digits, "." and "-"'),
      true,
    );
    assert.equal(validateDeploymentName('x'.repeat(64), 'docker'), 'A deployment name has at most 63 characters.');
  });

  it('puts the deployment name problem first when the host checks a submission', () => {
    const problems = submissionProblems([variable('db', { required: true })], 'docker', '-bad', { db: '' });
    assert.deepEqual(problems, [
      'Use letters, digits, "_", "." and "-", starting with a letter or digit (a Docker container name).',
      'DB is required.',
    ]);
  });
});

describe('deploy form following the file', () => {
  const port = variable('port', { type: 'integer', default: 8080 });
  const name = variable('name', { default: 'web' });
  const secret = variable('secret', { type: 'password', generated: true, default: 'fresh-generated' });

  it('keeps what the user edited and a generated value already shown, and takes new defaults elsewhere', () => {
    const merged = mergeValues(
      [port, { ...name, default: 'api' }, secret],
      { port: 9090, name: 'web', secret: 'shown-before' },
      new Set(['port']),
    );
    assert.deepEqual(merged, { port: 9090, name: 'api', secret: 'shown-before' });
  });

  it('gives a field that is new in the file its default', () => {
    assert.deepEqual(mergeValues([port, name], { port: 1 }, new Set(['port'])), { port: 1, name: 'web' });
  });

  it('has the same shape when only defaults changed, another when a field changed', () => {
    assert.equal(variablesShape([port, name]), variablesShape([{ ...port, default: 1 }, name]));
    assert.notEqual(variablesShape([port, name]), variablesShape([port, { ...name, required: true }]));
  });

  it('says why Deploy is off: the file first, then the target, the name and the fields', () => {
    const ready = { blockingErrors: 0, target: 'local', deployableBy: 'a Docker engine', invalidFields: [] };
    assert.deepEqual(formReadiness(ready), { ready: true });
    assert.deepEqual(formReadiness({ ...ready, blockingErrors: 1, target: '' }), {
      ready: false,
      reason: 'The stack file has an error: fix the file to deploy.',
    });
    assert.equal(
      formReadiness({ ...ready, target: '', deployableBy: 'a Kubernetes cluster (a kubeconfig context)' }).reason,
      'Choose a target: this stack deploys to a Kubernetes cluster (a kubeconfig context).',
    );
    assert.equal(formReadiness({ ...ready, nameProblem: 'Use lowercase.' }).reason, 'Deployment name: Use lowercase.');
    assert.equal(formReadiness({ ...ready, invalidFields: ['Port', 'Name'] }).reason, 'Check Port, Name.');
  });
});
