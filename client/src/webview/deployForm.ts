/// <reference lib="dom" />
/**
 * The deploy form page: one input per variable, validated as the user types with the same rules the host applies
 * on submit (variableForm.ts). Talks to the host only through the messages in messages.ts.
 */
import type { VariableInfo } from '../../../server/src/protocol';
import {
  coerceInput,
  initialValues,
  isShown,
  validateDeploymentName,
  validateForm,
  validateValue,
  valueFields,
} from '../variableForm';
import { byId, connectToHost, element } from './dom';
import type { DeployFormToHost, FieldValue, FormValues, HostToDeployForm } from './messages';

type InitMessage = Extract<HostToDeployForm, { type: 'init' }>;

let form: InitMessage | undefined;
let values: FormValues = {};
/** Fields the user has left once: their errors show from then on (not while the form is still untouched). */
const touched = new Set<string>();
let submitted = false;

const post = connectToHost<DeployFormToHost, HostToDeployForm>((message) => {
  switch (message.type) {
    case 'init':
      form = message;
      values = initialValues(message.variables);
      render();
      break;
    case 'regenerated':
      values[message.qualifiedName] = message.value;
      setInputValue(message.qualifiedName, message.value);
      refresh();
      break;
    case 'busy':
      byId<HTMLButtonElement>('deploy').disabled = message.busy;
      byId('deploy').textContent = message.busy ? 'Deploying…' : 'Deploy';
      break;
    case 'failed':
      showFailure(message.messages);
      break;
  }
});

function render(): void {
  if (!form) return;
  const root = byId('form');
  root.replaceChildren();
  root.append(
    element('h1', {}, `Deploy ${form.stackName}`),
    element('p', { class: 'subtitle' }, `${form.fileName} · target_type ${form.targetType}`),
  );
  if (form.blockingErrors > 0) {
    const showProblems = element('button', { type: 'button', class: 'link' }, 'Show Problems');
    showProblems.addEventListener('click', () => post({ type: 'showProblems' }));
    root.append(
      element(
        'div',
        { class: 'banner error', role: 'alert' },
        `This stack has ${form.blockingErrors} error${form.blockingErrors === 1 ? '' : 's'} that would make the deploy fail. Fix ${form.blockingErrors === 1 ? 'it' : 'them'} first. `,
        showProblems,
      ),
    );
  }
  root.append(deploymentSection(form));
  if (form.variables.length > 0) {
    const variablesSection = element('section', { 'aria-label': 'Variables' }, element('h2', {}, 'Variables'));
    for (const variable of form.variables) variablesSection.append(variableBlock(variable));
    root.append(variablesSection);
  }
  root.append(element('div', { id: 'failure', class: 'banner error', role: 'alert', hidden: true }));
  const deploy = element('button', { id: 'deploy', type: 'submit', class: 'primary' }, 'Deploy');
  const cancel = element('button', { type: 'button', class: 'secondary' }, 'Cancel');
  cancel.addEventListener('click', () => post({ type: 'cancel' }));
  root.append(element('div', { class: 'actions' }, deploy, cancel));
  refresh();
}

function deploymentSection(init: InitMessage): HTMLElement {
  const targetSelect = element('select', { id: 'target', name: 'target' });
  for (const target of init.targets) {
    const label = target.supported
      ? `${target.name} (${target.kind})`
      : `${target.name} (cannot deploy ${init.targetType})`;
    targetSelect.append(
      element(
        'option',
        { value: target.name, disabled: !target.supported, selected: target.name === init.selectedTarget },
        label,
      ),
    );
  }
  if (init.targets.length === 0) targetSelect.append(element('option', { value: '' }, 'No target found'));
  const nameInput = element('input', {
    id: 'deploymentName',
    type: 'text',
    value: init.deploymentName,
    spellcheck: 'false',
  });
  nameInput.addEventListener('input', refresh);
  nameInput.addEventListener('blur', () => {
    touched.add('deploymentName');
    refresh();
  });
  return element(
    'section',
    { 'aria-label': 'Deployment' },
    fieldRow('target', 'Target', targetSelect, 'Where the stack runs.'),
    fieldRow(
      'deploymentName',
      'Deployment name',
      nameInput,
      'Names the containers or objects; redeploying the same name replaces it.',
    ),
  );
}

function fieldRow(id: string, label: string, input: HTMLElement, help?: string, required = false): HTMLElement {
  return element(
    'div',
    { class: 'field', id: `row-${id}` },
    element(
      'label',
      { for: id },
      label,
      required ? element('span', { class: 'required', title: 'required' }, ' *') : undefined,
    ),
    input,
    help ? element('div', { class: 'help' }, help) : undefined,
    element('div', { class: 'error', id: `error-${id}`, role: 'status' }),
  );
}

function variableBlock(variable: VariableInfo): HTMLElement {
  if (variable.type === 'group' && variable.children?.length) {
    const group = element(
      'fieldset',
      { class: 'group', id: `row-${variable.qualifiedName}` },
      element('legend', {}, variable.label),
      variable.description ? element('div', { class: 'help' }, variable.description) : undefined,
    );
    for (const child of variable.children) group.append(variableBlock(child));
    return group;
  }
  const help = [variable.description, variable.help].filter(Boolean).join(' — ') || undefined;
  return fieldRow(variable.qualifiedName, variable.label, inputFor(variable), help, variable.required);
}

function inputFor(variable: VariableInfo): HTMLElement {
  const id = variable.qualifiedName;
  const value = values[id];
  const onChange = (raw: string | boolean) => {
    values[id] = coerceInput(variable, raw);
    refresh();
  };
  const onLeave = () => {
    touched.add(id);
    refresh();
  };
  if (variable.enum && variable.enum.length > 0) {
    const select = element('select', { id });
    if (!variable.required) select.append(element('option', { value: '' }, ''));
    for (const option of variable.enum) {
      const text = String(option);
      select.append(
        element('option', { value: text, selected: String(value) === text }, variable.enumLabels?.[text] ?? text),
      );
    }
    select.addEventListener('change', () => {
      onChange(select.value);
      onLeave();
    });
    return select;
  }
  switch (variable.type) {
    case 'boolean': {
      const checkbox = element('input', {
        id,
        type: 'checkbox',
        role: 'switch',
        class: 'switch',
        checked: value === true,
      });
      checkbox.addEventListener('change', () => {
        onChange(checkbox.checked);
        onLeave();
      });
      return checkbox;
    }
    case 'integer':
    case 'number': {
      const input = element('input', {
        id,
        type: 'number',
        value: String(value),
        min: variable.minimum,
        max: variable.maximum,
        step: variable.type === 'integer' ? 1 : 'any',
      });
      input.addEventListener('input', () => onChange(input.value));
      input.addEventListener('blur', onLeave);
      return input;
    }
    case 'password':
      return passwordInput(variable, String(value), onChange, onLeave);
    case 'textarea': {
      const area = element('textarea', { id, rows: 4, spellcheck: 'false' }, String(value));
      area.addEventListener('input', () => onChange(area.value));
      area.addEventListener('blur', onLeave);
      return area;
    }
    default: {
      const input = element('input', { id, type: 'text', value: String(value), spellcheck: 'false' });
      input.addEventListener('input', () => onChange(input.value));
      input.addEventListener('blur', onLeave);
      return input;
    }
  }
}

function passwordInput(
  variable: VariableInfo,
  value: string,
  onChange: (raw: string) => void,
  onLeave: () => void,
): HTMLElement {
  const input = element('input', {
    id: variable.qualifiedName,
    type: 'password',
    value,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  input.addEventListener('input', () => onChange(input.value));
  input.addEventListener('blur', onLeave);
  const reveal = element('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false' }, 'Show');
  reveal.addEventListener('click', () => {
    const hidden = input.type === 'password';
    input.type = hidden ? 'text' : 'password';
    reveal.textContent = hidden ? 'Hide' : 'Show';
    reveal.setAttribute('aria-pressed', String(hidden));
  });
  const controls = element('div', { class: 'inline' }, input, reveal);
  if (variable.generated) {
    const regenerate = element(
      'button',
      { type: 'button', class: 'secondary', title: 'Generate a new value' },
      'Regenerate',
    );
    regenerate.addEventListener('click', () => post({ type: 'regenerate', qualifiedName: variable.qualifiedName }));
    controls.append(regenerate);
  }
  return controls;
}

function setInputValue(id: string, value: FieldValue): void {
  const input = document.getElementById(id);
  if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = value === true;
  else if (
    input instanceof HTMLInputElement ||
    input instanceof HTMLTextAreaElement ||
    input instanceof HTMLSelectElement
  ) {
    input.value = String(value);
  }
}

/** Re-applies depends_on visibility and shows the errors of the fields the user has touched (all after a submit). */
function refresh(): void {
  if (!form) return;
  for (const field of valueFields(form.variables)) {
    const row = document.getElementById(`row-${field.qualifiedName}`);
    if (row) row.hidden = !isShown(field, values);
    const problem = isShown(field, values) ? validateValue(field, values[field.qualifiedName]) : undefined;
    showError(field.qualifiedName, submitted || touched.has(field.qualifiedName) ? problem : undefined);
  }
  const nameProblem = validateDeploymentName(deploymentName(), form.targetType);
  showError('deploymentName', submitted || touched.has('deploymentName') ? nameProblem : undefined);
}

function showError(id: string, problem: string | undefined): void {
  const slot = document.getElementById(`error-${id}`);
  if (slot) slot.textContent = problem ?? '';
  document.getElementById(id)?.setAttribute('aria-invalid', String(problem !== undefined));
}

function deploymentName(): string {
  return byId<HTMLInputElement>('deploymentName').value.trim();
}

function showFailure(messages: string[]): void {
  const box = byId('failure');
  box.replaceChildren(...messages.map((text) => element('div', {}, text)));
  box.hidden = messages.length === 0;
  box.scrollIntoView({ block: 'nearest' });
}

byId<HTMLFormElement>('form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!form) return;
  submitted = true;
  refresh();
  const errors = validateForm(form.variables, values);
  const nameProblem = validateDeploymentName(deploymentName(), form.targetType);
  const firstInvalid = nameProblem ? 'deploymentName' : Object.keys(errors)[0];
  if (firstInvalid) {
    document.getElementById(firstInvalid)?.focus();
    return;
  }
  if (form.blockingErrors > 0) {
    showFailure(['Fix the errors in the stack file before deploying.']);
    return;
  }
  showFailure([]);
  post({
    type: 'submit',
    target: byId<HTMLSelectElement>('target').value,
    deploymentName: deploymentName(),
    values: { ...values },
  });
});

post({ type: 'ready' });
