/// <reference lib="dom" />
/**
 * The deploy form page: one input per variable, validated as the user types with the same rules the host applies
 * on submit (variableForm.ts). Talks to the host only through the messages in messages.ts.
 */
import type { VariableInfo } from '../../../server/src/protocol';
import {
  coerceInput,
  formReadiness,
  initialValues,
  isShown,
  mergeValues,
  validateDeploymentName,
  validateForm,
  validateValue,
  valueFields,
  variablesShape,
} from '../variableForm';
import { byId, connectToHost, element } from './dom';
import type { DeployFormToHost, FieldValue, FormValues, HostToDeployForm, StackFacts, TargetChoice } from './messages';

let stack: StackFacts | undefined;
let shape = '';
let targets: TargetChoice[] = [];
let values: FormValues = {};
/** Fields the user changed: a new default from the file does not replace them. */
const edited = new Set<string>();
let nameEdited = false;
/** Fields the user has left once: their errors show from then on (not while the form is still untouched). */
const touched = new Set<string>();
let submitted = false;
let busy = false;

const post = connectToHost<DeployFormToHost, HostToDeployForm>((message) => {
  switch (message.type) {
    case 'init': {
      stack = message.stack;
      shape = variablesShape(stack.variables);
      targets = message.targets;
      const draft = message.draft;
      for (const name of draft?.edited ?? []) edited.add(name);
      values = draft ? mergeValues(stack.variables, draft.values, edited) : initialValues(stack.variables);
      nameEdited = draft?.nameEdited ?? false;
      const name = nameEdited && draft ? draft.deploymentName : stack.deploymentName;
      const target =
        draft && targets.some((t) => t.name === draft.target && t.supported) ? draft.target : message.selectedTarget;
      render(message.fileName, name, target);
      break;
    }
    case 'stack':
      updateStack(message.stack);
      break;
    case 'targets':
      targets = message.targets;
      renderTargets(selectedTarget() || message.selectedTarget);
      refresh();
      break;
    case 'regenerated':
      values[message.qualifiedName] = message.value;
      setInputValue(message.qualifiedName, message.value);
      refresh();
      break;
    case 'busy':
      busy = message.busy;
      byId('deploy').textContent = message.busy ? 'Deploying…' : 'Deploy';
      refresh();
      break;
    case 'failed':
      showFailure(message.messages);
      break;
  }
});

function render(fileName: string, name: string, target: string | undefined): void {
  if (!stack) return;
  const root = byId('form');
  root.replaceChildren();
  const showProblems = element('button', { type: 'button', class: 'link' }, 'Show Problems');
  showProblems.addEventListener('click', () => post({ type: 'showProblems' }));
  root.append(
    element('h1', { id: 'title' }, `Deploy ${stack.stackName}`),
    element('p', { class: 'subtitle', id: 'subtitle' }, `${fileName} · target_type ${stack.targetType}`),
    element(
      'div',
      { id: 'blocking', class: 'banner error', role: 'alert', hidden: true },
      element('span', { id: 'blocking-text' }),
      ' ',
      showProblems,
    ),
    deploymentSection(name),
    element('section', { id: 'variables', 'aria-label': 'Variables' }),
    element('div', { id: 'failure', class: 'banner error', role: 'alert', hidden: true }),
  );
  const deploy = element('button', { id: 'deploy', type: 'submit', class: 'primary' }, 'Deploy');
  const cancel = element('button', { type: 'button', class: 'secondary' }, 'Cancel');
  cancel.addEventListener('click', () => post({ type: 'cancel' }));
  root.append(
    element(
      'div',
      { class: 'actions' },
      deploy,
      cancel,
      element('span', { id: 'deploy-hint', class: 'help', role: 'status' }),
    ),
  );
  renderTargets(target);
  renderVariables();
  refresh();
}

/** The file changed: same fields → update in place; other fields → rebuild the variables, keeping what was typed. */
function updateStack(next: StackFacts): void {
  if (!stack) return;
  const previousDefaultName = stack.deploymentName;
  stack = next;
  byId('title').textContent = `Deploy ${next.stackName}`;
  const nextShape = variablesShape(next.variables);
  values = mergeValues(next.variables, values, edited);
  if (nextShape === shape) {
    for (const [name, value] of Object.entries(values)) setInputValue(name, value);
  } else {
    shape = nextShape;
    renderVariables();
  }
  const nameInput = byId<HTMLInputElement>('deploymentName');
  if (!nameEdited && nameInput.value === previousDefaultName) nameInput.value = next.deploymentName;
  renderTargets(selectedTarget());
  if (next.blockingErrors === 0) showFailure([]);
  refresh();
}

function renderVariables(): void {
  if (!stack) return;
  const section = byId('variables');
  section.replaceChildren();
  section.hidden = stack.variables.length === 0;
  if (stack.variables.length === 0) return;
  section.append(element('h2', {}, 'Variables'));
  for (const variable of stack.variables) section.append(variableBlock(variable));
}

function targetLabel(target: TargetChoice, targetType: string): string {
  if (!target.supported) return `${target.name} (${target.kind}, cannot deploy ${targetType})`;
  if (target.reachable === false) return `${target.name} (${target.kind}) ⚠ unreachable`;
  if (target.reachable === undefined) return `${target.name} (${target.kind}) · testing connection…`;
  return `${target.name} (${target.kind})`;
}

function renderTargets(selected: string | undefined): void {
  if (!stack) return;
  const select = byId<HTMLSelectElement>('target');
  select.replaceChildren();
  const usable = targets.filter((target) => target.supported);
  for (const target of targets) {
    select.append(
      element(
        'option',
        {
          value: target.name,
          disabled: !target.supported,
          selected: target.name === selected,
          title: target.problem,
        },
        targetLabel(target, stack.targetType),
      ),
    );
  }
  if (usable.length === 0) {
    select.prepend(element('option', { value: '', selected: true }, 'No target can deploy this stack'));
  }
  const noTarget = byId('no-target');
  noTarget.hidden = usable.length > 0;
  byId('no-target-text').textContent =
    `This stack deploys to ${stack.deployableBy}, and no such target is configured. `;
}

function deploymentSection(name: string): HTMLElement {
  const targetSelect = element('select', { id: 'target', name: 'target' });
  targetSelect.addEventListener('change', refresh);
  const addTarget = element('button', { type: 'button', class: 'secondary', id: 'add-target' }, 'Add Target…');
  addTarget.addEventListener('click', () => post({ type: 'addTarget' }));
  const noTarget = element(
    'div',
    { id: 'no-target', class: 'banner', role: 'status', hidden: true },
    element('span', { id: 'no-target-text' }),
    addTarget,
  );
  const nameInput = element('input', { id: 'deploymentName', type: 'text', value: name, spellcheck: 'false' });
  nameInput.addEventListener('input', () => {
    nameEdited = true;
    refresh();
  });
  nameInput.addEventListener('blur', () => {
    touched.add('deploymentName');
    refresh();
  });
  return element(
    'section',
    { 'aria-label': 'Deployment' },
    fieldRow('target', 'Target', targetSelect, 'Where the stack runs.'),
    noTarget,
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
    edited.add(id);
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

/**
 * Re-applies depends_on visibility, shows the errors of the fields the user has touched (all after a submit), and
 * sets the banner and the Deploy button from the file's errors, the target and the values as they are now.
 */
function refresh(): void {
  if (!stack) return;
  const invalidFields: string[] = [];
  for (const field of valueFields(stack.variables)) {
    const row = document.getElementById(`row-${field.qualifiedName}`);
    if (row) row.hidden = !isShown(field, values);
    const problem = isShown(field, values) ? validateValue(field, values[field.qualifiedName]) : undefined;
    if (problem) invalidFields.push(field.label || field.qualifiedName);
    showError(field.qualifiedName, submitted || touched.has(field.qualifiedName) ? problem : undefined);
  }
  // The name is filled in for the user, so its problem shows at once: a prefilled value must not be silently wrong.
  const nameProblem = validateDeploymentName(deploymentName(), stack.targetType);
  showError('deploymentName', nameProblem);

  const blocking = stack.blockingErrors;
  byId('blocking').hidden = blocking === 0;
  byId('blocking-text').textContent =
    `This stack has ${blocking} error${blocking === 1 ? '' : 's'} that would make the deploy fail. Fix ${blocking === 1 ? 'it' : 'them'} in the file first.`;

  const target = selectedTarget();
  const readiness = formReadiness({
    blockingErrors: blocking,
    target,
    deployableBy: stack.deployableBy,
    nameProblem,
    invalidFields,
  });
  const unreachable = targets.find((choice) => choice.name === target && choice.reachable === false);
  byId<HTMLButtonElement>('deploy').disabled = busy || !readiness.ready;
  byId('deploy-hint').textContent =
    readiness.reason ?? (unreachable ? `${target} does not answer: ${unreachable.problem ?? 'unreachable'}` : '');
  saveDraft();
}

function selectedTarget(): string {
  return document.getElementById('target') instanceof HTMLSelectElement ? byId<HTMLSelectElement>('target').value : '';
}

/** Sent on every change, not after a pause: the form can be closed (its page gone) right after a keystroke. */
function saveDraft(): void {
  post({
    type: 'draft',
    draft: {
      target: selectedTarget(),
      deploymentName: deploymentName(),
      nameEdited,
      values: { ...values },
      edited: [...edited],
    },
  });
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
  if (!stack || busy) return;
  submitted = true;
  refresh();
  const errors = validateForm(stack.variables, values);
  const nameProblem = validateDeploymentName(deploymentName(), stack.targetType);
  const firstInvalid = nameProblem ? 'deploymentName' : Object.keys(errors)[0];
  if (firstInvalid) {
    document.getElementById(firstInvalid)?.focus();
    return;
  }
  if (stack.blockingErrors > 0) {
    showFailure(['Fix the errors in the stack file before deploying.']);
    return;
  }
  showFailure([]);
  post({
    type: 'submit',
    target: selectedTarget(),
    deploymentName: deploymentName(),
    values: { ...values },
  });
});

post({ type: 'ready' });
