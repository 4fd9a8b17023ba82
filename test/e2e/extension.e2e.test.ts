/**
 * End to end, as a user: a real VS Code (code-server 1.100.3) with the packaged extension, driven through Chromium by
 * playwright-core. Open a faulty stack in Restricted Mode → the Problems panel lists its diagnostics, whose code link
 * opens the read-only catalogue at its section → deploying is unavailable → trust the workspace → the deploy form,
 * opened on the faulty file, refuses and keeps what is typed across closing → a quick fix in the file turns the open
 * form ready → deploy to the local Docker engine → the Targets view shows it running → logs (also "no output yet"),
 * one status panel with events and notes, in one group → a destructive picker highlights nothing → container actions
 * (a shell whose output is read back, Inspect, Open in Browser, Restart) → target management (an unreachable target
 * tested, saved anyway, marked, removed) → a Kubernetes stack with no cluster → Remove from the tree item → the Swarm
 * example deployed from the form, its services and tasks in the tree, status, Stop/Start, Remove. A screenshot
 * of each step goes to test/e2e/artifacts/ (the path is printed).
 *
 * Needs test/e2e/install.sh (code-server, playwright-core), /usr/bin/chromium and a Docker engine with local/busybox:1.
 * Skips with the reason when one is missing, and fails instead when CI=true.
 * WINDFLOW_E2E_VSIX=<file> tests that .vsix instead of packaging the working tree.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { LABELS } from '../../client/src/targets/target';
import { isSwarmManager, removeOurs } from '../targets/dockerEngineSupport';

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '..', '..');
const E2E_MODULES = path.join(__dirname, 'node_modules');
const CODE_SERVER = path.join(E2E_MODULES, 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, 'artifacts');
const DEPLOYMENT = 'wf-e2e-echo';
const DEPLOYMENT_LABEL = `windflow.deployment=${DEPLOYMENT}`;
/** The bundled Swarm example, deployed under this name when the engine is a swarm manager (as .ci/run makes it). */
const SWARM_DEPLOYMENT = 'wf-e2e-swarm';
const SWARM_LABEL = `com.docker.stack.namespace=${SWARM_DEPLOYMENT}`;

/** The faulty stack: `mesage` is a typo of the declared `message` (WF020, with a "Change to 'message'" fix). */
const FAULTY_STACK = `metadata:
  name: "E2E Echo"
  version: "1.0.0"
  description: "Prints a greeting, then stays up."
  author: "WindFlow e2e"
  category: "Testing"
  license: "MIT"
  target_type: docker
  deployment_name: "{{ app_name }}"
template:
  image: local/busybox:1
  command: ["sh", "-c", "echo {{ mesage }}; echo ready-for-e2e; sleep 3600"]
  network_mode: none
deployment_notes: "Echo says {{ message }}."
variables:
  app_name:
    type: string
    label: "Application name"
    default: "${DEPLOYMENT}"
  message:
    type: string
    label: "Message"
    default: "hello-from-windflow"
`;

/** Why the end-to-end run cannot happen here, or undefined when everything it needs is present. */
async function missingPrerequisite(docker: Docker): Promise<string | undefined> {
  if (!existsSync(CODE_SERVER) || !existsSync(path.join(E2E_MODULES, 'playwright-core'))) {
    return 'code-server/playwright-core are not installed (run bash test/e2e/install.sh)';
  }
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  try {
    await docker.ping();
    await docker.getImage('local/busybox:1').inspect();
  } catch {
    return 'no Docker engine with local/busybox:1 at /var/run/docker.sock (run bash .ci/start-docker.sh)';
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs / 1000}s`);
}

/** Both deployments of this scenario, from an earlier run that failed or from this one. */
async function removeLeftovers(): Promise<void> {
  const ours = [DEPLOYMENT, SWARM_DEPLOYMENT];
  await removeOurs((labels) => ours.includes(labels?.[LABELS.deployment] ?? ''));
}

async function packageExtension(outDir: string): Promise<string> {
  if (process.env.WINDFLOW_E2E_VSIX) return path.resolve(process.env.WINDFLOW_E2E_VSIX);
  const vsix = path.join(outDir, 'windflow-stacks.vsix');
  const vsce = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
  await run(process.execPath, ['esbuild.mjs', '--production'], { cwd: REPO });
  const { stdout: packaged } = await run(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: REPO });
  const files = packaged.split(/\r?\n/);
  for (const file of [
    'dist/client.js',
    'dist/server.js',
    'dist/webview-deploy.js',
    'dist/openai.js',
    'dist/docker-ssh.js',
    'dist/docker-session.js',
    'dist/docker-buildkit.js',
    'media/webview.css',
  ]) {
    assert.ok(files.includes(file), `the .vsix would lack ${file}: whitelist it in .vscodeignore`);
  }
  assert.ok(
    !files.includes('schemas/structureValidator.ts'),
    'the .vsix ships the build-time schemas/structureValidator.ts',
  );
  await run(
    process.execPath,
    [
      vsce,
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      '--baseContentUrl',
      'https://example.invalid/windflow-stacks',
      '--out',
      vsix,
    ],
    { cwd: REPO },
  );
  return vsix;
}

describe('VS Code end to end (code-server + Chromium)', function () {
  this.timeout(600_000);
  const docker = new Docker();
  let home: string;
  let codeServer: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let step = 0;

  async function screenshot(name: string): Promise<void> {
    step++;
    await page.screenshot({ path: path.join(ARTIFACTS, `${String(step).padStart(2, '0')}-${name}.png`) });
  }

  before(async function () {
    const missing = await missingPrerequisite(docker);
    if (missing) {
      if (process.env.CI === 'true') throw new Error(`end-to-end prerequisites missing: ${missing}`);
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    await removeLeftovers();
    home = mkdtempSync(path.join(os.tmpdir(), 'windflow-e2e-'));
    const workspace = path.join(home, 'workspace');
    const userData = path.join(home, 'user-data');
    const extensions = path.join(home, 'extensions');
    mkdirSync(path.join(workspace, 'stacks_definitions'), { recursive: true });
    mkdirSync(path.join(userData, 'User'), { recursive: true });
    writeFileSync(path.join(workspace, 'stacks_definitions', 'echo.yaml'), FAULTY_STACK);
    // A bundled example a newcomer opens: a Kubernetes stack, on a machine without any cluster.
    cpSync(
      path.join(REPO, 'examples', 'hello-kubernetes.stack.yaml'),
      path.join(workspace, 'hello-kubernetes.stack.yaml'),
    );
    cpSync(path.join(REPO, 'examples', 'swarm-web.stack.yaml'), path.join(workspace, 'swarm-web.stack.yaml'));
    console.log(`      screenshots: ${ARTIFACTS}`);
    writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify({
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        // The workspace opens in Restricted Mode; the scenario checks it, then trusts the workspace.
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.emptyWindow': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'telemetry.telemetryLevel': 'off',
        'windflow.defaultTarget': 'local',
        // The DOM renderer puts the terminal's text in the page, where the shell's output is read back.
        'terminal.integrated.gpuAcceleration': 'off',
        'workbench.editor.enablePreview': false,
      }),
    );

    const vsix = await packageExtension(home);
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_DATA_HOME: path.join(home, 'data'),
      // No Kubernetes cluster: the Kubernetes stack must say what it needs instead of offering the Docker target.
      KUBECONFIG: path.join(home, 'no-kubeconfig'),
    };
    await run(process.execPath, [CODE_SERVER, '--extensions-dir', extensions, '--install-extension', vsix], { env });

    const port = await freePort();
    codeServer = spawn(
      process.execPath,
      [
        CODE_SERVER,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--user-data-dir',
        userData,
        '--extensions-dir',
        extensions,
        workspace,
      ],
      { env: { ...env, EXTENSIONS_GALLERY: '{"serviceUrl":""}' }, stdio: 'ignore', detached: true },
    );
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 30_000);

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  });

  afterEach(async function () {
    // The screen at the moment a step failed says more than the locator that timed out.
    if (this.currentTest?.state === 'failed' && page) await screenshot('failure').catch(() => undefined);
  });

  after(async () => {
    await browser?.close();
    if (codeServer?.pid) {
      try {
        process.kill(-codeServer.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await removeLeftovers().catch(() => undefined);
    if (home) {
      // VS Code's logs (the extension host's and the WindFlow output) go with the screenshots.
      const logs = path.join(home, 'user-data', 'logs');
      if (existsSync(logs)) cpSync(logs, path.join(ARTIFACTS, 'logs'), { recursive: true });
      rmSync(home, { recursive: true, force: true });
    }
  });

  /** Runs a command from the palette (F1) by its title, as a user types it. */
  async function runCommand(title: string): Promise<void> {
    const input = page.locator('.quick-input-widget input');
    // A webview that holds the focus can swallow F1 or close the palette at once: open it again, as a user would.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('F1');
      try {
        await input.waitFor({ timeout: attempt < 3 ? 5_000 : 30_000 });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
        await page.locator('.monaco-workbench').click({ position: { x: 700, y: 12 } });
      }
    }
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  }

  /** Picks an entry of an open quick pick by its label. */
  async function pick(label: string): Promise<void> {
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await row.waitFor();
    await row.click();
  }

  /**
   * Runs a command that asks for a deployment, and picks it. A quick pick closes when focus moves away — a webview
   * that has just finished loading can take focus — so, as a user would, open the command again if it vanished.
   */
  async function runCommandAndPick(title: string, label: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await runCommand(title);
      const row = page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row', { hasText: label });
      try {
        await row.first().waitFor({ timeout: attempt < 3 ? 10_000 : 30_000 });
        await row.first().click();
        return;
      } catch (error) {
        if (attempt >= 3) throw error;
        await page.keyboard.press('Escape');
      }
    }
  }

  function problemRows(): Locator {
    return page.locator('.markers-panel .monaco-list-row');
  }

  function sidebarRow(text: string): Locator {
    return page.locator('[id="workbench.parts.sidebar"] .monaco-list-row', { hasText: text });
  }

  /** The page inside the visible webview panel (VS Code nests it in two iframes). */
  function webview(): FrameLocator {
    return page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
  }

  /** Right-clicks a row and chooses an entry of its context menu by its exact label. */
  async function contextMenu(row: Locator, label: string): Promise<void> {
    const entry = page
      .locator('.monaco-menu .action-item .action-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) })
      .first();
    // The view redraws when the shared engine's deployments change, and a closing panel moves the focus: either can
    // swallow a right-click or close the menu before its entry is chosen. Open it again, as a user would.
    for (let attempt = 1; ; attempt++) {
      const patience = attempt < 3 ? 5_000 : 30_000;
      try {
        await row.click({ button: 'right' });
        await entry.waitFor({ timeout: patience });
        // Pointing at an entry focuses it; Enter then runs it the way the menu's keyboard handler does (a click can
        // land while the menu still lays itself out, and be lost).
        await entry.hover({ timeout: patience });
        await page.locator('.monaco-menu .action-item.focused', { hasText: label }).waitFor({ timeout: patience });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
        await page.keyboard.press('Escape');
      }
    }
    await page.keyboard.press('Enter');
    await page.locator('.monaco-menu').waitFor({ state: 'detached' });
  }

  function notification(text: string | RegExp): Locator {
    return page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }

  /** A row of the Targets view at a depth: 1 target, 2 deployment, 3 container (or Swarm service), 4 Swarm task. */
  function treeRow(text: string, level: 1 | 2 | 3 | 4): Locator {
    return page.locator(`[id="workbench.parts.sidebar"] .monaco-list-row[aria-level="${level}"]`, { hasText: text });
  }

  function tab(title: string): Locator {
    return page.locator('.tabs-container .tab', { hasText: title });
  }

  async function openFile(name: string): Promise<void> {
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill(name);
    await pick(name);
  }

  it('shows the problems of a faulty stack, with links into the read-only catalogue', async () => {
    await openFile('echo.yaml');
    await page.locator('.monaco-editor .view-lines', { hasText: 'metadata' }).waitFor();
    await screenshot('stack-opened');

    await page.keyboard.press('Control+Shift+M');
    const typo = problemRows().filter({ hasText: "undefined variable 'mesage'" });
    await typo.waitFor({ timeout: 30_000 });
    assert.ok((await problemRows().count()) >= 2, 'the file row and at least one diagnostic are listed');
    await screenshot('problems');

    // The code's link opens the catalogue, read-only, at the code's own section (not line 1 of an editable copy).
    await typo.locator('a', { hasText: 'WF020' }).first().click();
    await page.locator('.monaco-editor .view-lines', { hasText: 'WF020 — undefined variable' }).waitFor();
    assert.equal(await page.locator('.monaco-editor .view-lines', { hasText: '# Diagnostics' }).count(), 0);
    await page.keyboard.type('x');
    await page.locator('.monaco-editor-overlaymessage', { hasText: /read-only/i }).waitFor();
    await screenshot('catalogue-at-code');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+W');
  });

  it('edits but does not deploy in Restricted Mode, then trusts the workspace', async () => {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>WindFlow: ');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'WindFlow: Show Rendered Stack' }).waitFor();
    assert.equal(await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Deploy Stack' }).count(), 0);
    await page.keyboard.press('Escape');
    await runCommand('WindFlow: Focus on Targets View');
    await page.getByText('Deploying is disabled in Restricted Mode').waitFor();
    await screenshot('restricted-mode');

    await runCommand('Workspaces: Manage Workspace Trust');
    await page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).click();
    await sidebarRow('local').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+W');
    await screenshot('trusted');
  });

  it('keeps the deploy form in step with the file, and what was typed across closing it', async () => {
    await openFile('echo.yaml');
    // The status bar names the target a deploy goes to.
    await page
      .locator('.statusbar-item', { hasText: /^\s*local\s*$/ })
      .first()
      .waitFor({ timeout: 30_000 });

    await runCommand('WindFlow: Deploy Stack');
    let form = webview();
    await form.locator('#deploy').waitFor({ timeout: 30_000 });
    await form.locator('#blocking:not([hidden])', { hasText: '1 error' }).waitFor();
    assert.equal(await form.locator('#deploy').isDisabled(), true, 'Deploy is off while the file has an error');
    // The name the form starts with is valid: no error under it.
    assert.equal(await form.locator('#deploymentName').inputValue(), DEPLOYMENT);
    assert.equal(await form.locator('#error-deploymentName').textContent(), '');
    await form.locator('#message').fill('typed-in-form');
    await screenshot('deploy-form-file-has-error');

    // Closed and opened again: what was typed is back.
    await form.locator('button', { hasText: 'Cancel' }).click();
    await form.locator('#deploy').waitFor({ state: 'detached' });
    await openFile('echo.yaml');
    await runCommand('WindFlow: Deploy Stack');
    form = webview();
    await form.locator('#deploy').waitFor({ timeout: 30_000 });
    await form.locator('#message').waitFor();
    assert.equal(await form.locator('#message').inputValue(), 'typed-in-form');

    // The form stays open while the file is fixed with a quick fix in the editor beside it.
    await page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type('12:34');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: "Change to 'message'" });
    await fix.waitFor();
    await screenshot('quick-fix-menu');
    // The menu lays a pointer-blocking layer over the page: choose the fix the way the list's own handler expects.
    await fix.dispatchEvent('click');
    await problemRows()
      .filter({ hasText: "undefined variable 'mesage'" })
      .waitFor({ state: 'detached', timeout: 20_000 });
    await page.keyboard.press('Control+S');

    await form.locator('#blocking').waitFor({ state: 'hidden', timeout: 20_000 });
    await form.locator('#deploy:not([disabled])').waitFor();
    assert.equal(await form.locator('#message').inputValue(), 'typed-in-form', 'typed values survive the file change');
    await form.locator('#target').selectOption('local');
    await screenshot('deploy-form-follows-fix');
    await form.locator('#deploy').click();
    await notification(`Deployed ${DEPLOYMENT} to local`).waitFor({ timeout: 60_000 });
    // The deployment notes open as a Markdown preview (a webview too): read, then closed, so one panel shows at a time.
    const notes = tab(`Preview ${DEPLOYMENT}.md`);
    await notes.waitFor();
    await screenshot('deployed');
    await notes.click();
    await page.keyboard.press('Control+W');
    await notes.waitFor({ state: 'detached' });
    const running = await docker.listContainers({ filters: { label: [DEPLOYMENT_LABEL] } });
    assert.equal(running.length, 1, 'one running container carries the deployment label');

    await runCommand('WindFlow: Validate Workspace Stacks');
    await notification(/Validated 3 stack files: 0 errors, 0 warnings/).waitFor();
  });

  it('shows logs and one status panel per deployment, in one editor group', async () => {
    await runCommand('WindFlow: Focus on Targets View');
    await treeRow(DEPLOYMENT, 2).filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    await screenshot('deployments-view');

    await runCommandAndPick('WindFlow: Show Logs', DEPLOYMENT);
    const logs = webview();
    await logs.locator('#lines', { hasText: 'typed-in-form' }).waitFor({ timeout: 30_000 });
    await logs.locator('#lines', { hasText: 'ready-for-e2e' }).waitFor();
    await screenshot('logs');
    // No past lines asked for, and the container prints nothing more: the panel says so instead of "Connecting…".
    await logs.locator('#tail').fill('0');
    await logs.locator('#tail').dispatchEvent('change');
    await logs.locator('#state', { hasText: 'Following, no output yet' }).waitFor({ timeout: 30_000 });
    await screenshot('logs-quiet');

    await runCommandAndPick('WindFlow: Show Status', DEPLOYMENT);
    const status = webview();
    await status.locator('#units tr', { hasText: 'running' }).waitFor({ timeout: 30_000 });
    assert.equal(await status.locator('#state').textContent(), 'running');
    await status.locator('#events', { hasText: `${DEPLOYMENT}: start` }).waitFor({ timeout: 30_000 });
    await status.locator('#notes', { hasText: 'Echo says typed-in-form.' }).waitFor();
    await runCommandAndPick('WindFlow: Show Status', DEPLOYMENT);
    await status.locator('#units tr', { hasText: 'running' }).waitFor();
    assert.equal(await tab(`Status: ${DEPLOYMENT}`).count(), 1, 'the status panel is revealed, not opened twice');
    const statusGroup = page.locator('.editor-group-container', { has: tab(`Status: ${DEPLOYMENT}`) });
    assert.equal(
      await statusGroup.locator('.tab', { hasText: `Logs: ${DEPLOYMENT}` }).count(),
      1,
      'logs and status share a group',
    );
    await screenshot('status');
  });

  it('highlights no deployment in the picker of a destructive command', async () => {
    const row = page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row', { hasText: DEPLOYMENT });
    // As in runCommandAndPick: a webview taking the focus can close the picker; open it again, as a user would.
    for (let attempt = 1; ; attempt++) {
      await runCommand('WindFlow: Remove (Keep Data)');
      try {
        await row.first().waitFor({ timeout: attempt < 3 ? 10_000 : 30_000 });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
        await page.keyboard.press('Escape');
      }
    }
    assert.equal(await page.locator('.quick-input-widget:visible .monaco-list-row.focused').count(), 0);
    await screenshot('destructive-picker');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'Enter alone chose nothing');
    await page.keyboard.press('Escape');
  });

  it('runs container actions on a container of the Targets view', async () => {
    await runCommand('WindFlow: Focus on Targets View');
    const deployment = treeRow(DEPLOYMENT, 2);
    await deployment.waitFor();
    if ((await deployment.getAttribute('aria-expanded')) !== 'true')
      await deployment.locator('.monaco-tl-twistie').click();
    const container = treeRow(DEPLOYMENT, 3);
    await container.waitFor({ timeout: 30_000 });

    await contextMenu(container, 'Attach Shell');
    const terminal = page.locator('.integrated-terminal .xterm').first();
    await terminal.waitFor({ timeout: 30_000 });
    await terminal.click();
    await page.keyboard.type('echo "shell-$((6 * 7))"');
    await page.keyboard.press('Enter');
    await page.locator('.integrated-terminal .xterm-rows', { hasText: 'shell-42' }).waitFor({ timeout: 30_000 });
    await screenshot('attach-shell');
    await page.keyboard.type('exit');
    await page.keyboard.press('Enter');
    // The shell ended: VS Code closes its terminal, and with it the focus moves; wait for that before the next menu.
    await terminal.waitFor({ state: 'detached', timeout: 30_000 });

    await contextMenu(container, 'Inspect');
    await tab(`${DEPLOYMENT}.json`).waitFor();
    await page.locator('.monaco-editor .view-lines', { hasText: '"Id"' }).waitFor();
    await screenshot('inspect');
    await page.keyboard.press('Control+W');

    await contextMenu(container, 'Open in Browser');
    await notification(`${DEPLOYMENT} publishes no TCP port.`).waitFor();

    const before = await docker.getContainer(DEPLOYMENT).inspect();
    await contextMenu(container, 'Restart');
    await notification(`Restarted ${DEPLOYMENT}.`).waitFor({ timeout: 60_000 });
    const after = await docker.getContainer(DEPLOYMENT).inspect();
    assert.notEqual(after.State.StartedAt, before.State.StartedAt, 'the container was restarted');
    await screenshot('restarted');
  });

  it('manages targets: an unreachable one is tested, saved anyway, marked, then removed', async () => {
    const tcpKind = page.locator('.quick-input-widget:visible .monaco-list-row', { hasText: 'Docker engine over TCP' });
    for (let attempt = 1; ; attempt++) {
      await runCommand('WindFlow: Add Target…');
      try {
        await tcpKind.first().waitFor({ timeout: attempt < 3 ? 10_000 : 30_000 });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
        await page.keyboard.press('Escape');
      }
    }
    await tcpKind.first().click();
    await page.locator('.quick-input-title', { hasText: 'Add Target (2/4): name' }).waitFor();
    await page.locator('.quick-input-widget input').fill('e2e-unreachable');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-title', { hasText: 'Add Target (3/4): address' }).waitFor();
    await page.locator('.quick-input-widget input').fill('tcp://127.0.0.1:1');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-title', { hasText: 'Add Target (4/4)' }).waitFor();
    await pick('No TLS (plain TCP)');
    const refusal = page.locator('.monaco-dialog-box', { hasText: 'e2e-unreachable does not answer' });
    await refusal.waitFor({ timeout: 30_000 });
    await screenshot('add-target-unreachable');
    await refusal.locator('.monaco-button', { hasText: 'Save Anyway' }).click();

    await runCommand('WindFlow: Focus on Targets View');
    const unreachable = treeRow('e2e-unreachable', 1);
    await unreachable
      .filter({ hasText: 'unreachable' })
      .filter({ has: page.locator('.codicon-debug-disconnect') })
      .waitFor({ timeout: 30_000 });
    await treeRow('local', 1).filter({ hasText: 'current' }).waitFor();
    await screenshot('unreachable-target');

    await contextMenu(unreachable, 'Test Connection');
    await notification(/Target e2e-unreachable does not answer/).waitFor({ timeout: 30_000 });
    await contextMenu(unreachable, 'Remove Target');
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Remove Target' }).click();
    await unreachable.waitFor({ state: 'detached', timeout: 30_000 });
    await screenshot('target-removed');
  });

  it('says what a Kubernetes stack needs when there is no cluster, and opens the example with no problem', async () => {
    await openFile('hello-kubernetes.stack.yaml');
    const editor = page.locator('.monaco-editor', {
      has: page.locator('.view-lines', { hasText: 'target_type: kubernetes' }),
    });
    const lens = (text: string) => editor.locator('.codelens-decoration', { hasText: text });
    await lens('needs a Kubernetes cluster').waitFor({ timeout: 30_000 });
    await lens('Add Kubernetes Target…').waitFor();
    assert.equal(await lens('Deploy to local').count(), 0);
    await page.keyboard.press('Control+Shift+M');
    await page
      .locator('.markers-panel', { hasText: 'No problems have been detected in the workspace.' })
      .waitFor({ timeout: 30_000 });
    await screenshot('kubernetes-stack');

    await runCommand('WindFlow: Deploy Stack');
    const form = webview();
    await form.locator('#no-target:not([hidden])', { hasText: 'a Kubernetes cluster' }).waitFor({ timeout: 30_000 });
    await form.locator('#add-target').waitFor();
    assert.equal(await form.locator('#deploy').isDisabled(), true);
    assert.match(
      (await form.locator('#deploy-hint').textContent()) ?? '',
      /Choose a target: this stack deploys to a Kubernetes cluster/,
    );
    await screenshot('kubernetes-form-no-cluster');
    await form.locator('button', { hasText: 'Cancel' }).click();
  });

  it('removes the deployment chosen in the tree, without asking which', async () => {
    await runCommand('WindFlow: Focus on Targets View');
    await contextMenu(treeRow(DEPLOYMENT, 2), 'Remove (Keep Data)');
    const dialog = page.locator('.monaco-dialog-box', { hasText: `Remove ${DEPLOYMENT} from local?` });
    await dialog.waitFor();
    assert.equal(await page.locator('.quick-input-widget:visible').count(), 0, 'no picker: the item was the argument');
    await dialog.locator('.monaco-button', { hasText: 'Remove' }).first().click();
    await notification(`Removed ${DEPLOYMENT}`).waitFor({ timeout: 30_000 });
    await treeRow(DEPLOYMENT, 2).waitFor({ state: 'detached', timeout: 30_000 });
    await screenshot('removed');
    const left = await docker.listContainers({ all: true, filters: { label: [DEPLOYMENT_LABEL] } });
    assert.equal(left.length, 0, 'no container of the deployment is left');
  });

  it('deploys the Swarm example, shows its services and tasks, stops, starts and removes it', async function () {
    if (!(await isSwarmManager())) {
      if (process.env.CI === 'true') throw new Error('the engine is not a swarm manager: .ci/run turns swarm mode on');
      this.skip();
    }
    const swarm = { filters: { label: [SWARM_LABEL] } };
    await openFile('swarm-web.stack.yaml');
    await runCommand('WindFlow: Deploy Stack');
    const form = webview();
    await form.locator('#deploy').waitFor({ timeout: 30_000 });
    await form.locator('#deploymentName').fill(SWARM_DEPLOYMENT);
    await form.locator('#target').selectOption('local');
    await form.locator('#deploy:not([disabled])').waitFor();
    await screenshot('swarm-deploy-form');
    await form.locator('#deploy').click();
    // The deploy returns once both replicas run and are healthy.
    await notification(`Deployed ${SWARM_DEPLOYMENT} to local`).waitFor({ timeout: 120_000 });
    const notes = tab(`Preview ${SWARM_DEPLOYMENT}.md`);
    await notes.waitFor();
    await notes.click();
    await page.keyboard.press('Control+W');
    const [service] = await docker.listServices(swarm);
    assert.equal(service?.Spec?.Name, `${SWARM_DEPLOYMENT}_web`, 'named as docker stack deploy names it');
    const secret = await docker.listSecrets(swarm);
    assert.deepEqual(
      secret.map((entry) => entry.Spec?.Name),
      [`${SWARM_DEPLOYMENT}_access_token`],
    );

    // Targets → the deployment → its service → its two tasks.
    await runCommand('WindFlow: Focus on Targets View');
    const deployment = treeRow(SWARM_DEPLOYMENT, 2);
    await deployment.filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    if ((await deployment.getAttribute('aria-expanded')) !== 'true')
      await deployment.locator('.monaco-tl-twistie').click();
    await treeRow('web', 3).filter({ hasText: '2/2 running' }).waitFor({ timeout: 30_000 });
    await treeRow('web.1', 4).waitFor();
    await treeRow('web.2', 4).waitFor();
    await screenshot('swarm-services-and-tasks');

    await contextMenu(deployment, 'Show Status');
    const status = webview();
    await status.locator('#units tr', { hasText: 'web.2' }).waitFor({ timeout: 30_000 });
    assert.equal(await status.locator('#state').textContent(), 'running');
    await screenshot('swarm-status');

    // Service logs, each line labelled with its task.
    await runCommand('WindFlow: Focus on Targets View');
    await contextMenu(deployment, 'Show Logs');
    const logs = webview();
    await logs.locator('#lines', { hasText: 'web.1 | web serving on 8080' }).waitFor({ timeout: 30_000 });
    await logs.locator('#lines', { hasText: 'web.2 | web serving on 8080' }).waitFor();
    await screenshot('swarm-logs');

    // Stop scales the service to 0 and remembers 2; Start brings both replicas back.
    await runCommand('WindFlow: Focus on Targets View');
    await contextMenu(deployment, 'Stop');
    await deployment.filter({ hasText: 'stopped' }).waitFor({ timeout: 60_000 });
    const replicas = async () =>
      (await docker.listServices(swarm))[0]?.Spec?.Mode?.Replicated?.Replicas as number | undefined;
    assert.equal(await replicas(), 0);
    await screenshot('swarm-stopped');
    await contextMenu(deployment, 'Start');
    await deployment.filter({ hasText: 'running' }).waitFor({ timeout: 60_000 });
    assert.equal(await replicas(), 2);

    await contextMenu(deployment, 'Remove (Keep Data)');
    const dialog = page.locator('.monaco-dialog-box', { hasText: `Remove ${SWARM_DEPLOYMENT} from local?` });
    await dialog.locator('.monaco-button', { hasText: 'Remove' }).first().click();
    await notification(`Removed ${SWARM_DEPLOYMENT}`).waitFor({ timeout: 60_000 });
    await deployment.waitFor({ state: 'detached', timeout: 30_000 });
    await screenshot('swarm-removed');
    assert.equal((await docker.listServices(swarm)).length, 0, 'no service is left');
    assert.equal((await docker.listSecrets(swarm)).length, 0, 'no secret is left');
    assert.equal((await docker.listConfigs(swarm)).length, 0, 'no config is left');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
