// Headless Chromium check of the BUILT UI (ui/dist) with a fake in-page backend
// (e2e/fake-vault.js, 10,000 generated items). Renders every screen to a PNG, checks
// what they show, and measures search-as-you-type over 10,000 items.
//
//   npm run build && npm run check:browser [-- OUT_DIR]
//
// Exits non-zero when a functional check fails; timings are printed, never asserted.
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { extname, join, resolve, dirname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(here, '..', 'dist');
const OUT = resolve(process.argv[2] ?? join(here, 'out'));
const FAKE = join(here, 'fake-vault.js');
const PASSWORD = 'correct horse battery staple';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// The app's CSP (src-tauri/tauri.conf.json): the page must work under it.
const CSP =
  "default-src 'self'; connect-src ipc: http://ipc.localhost; img-src 'self' data:; style-src 'self'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

if (!existsSync(join(DIST, 'index.html'))) {
  console.error('browser-check: ui/dist/index.html is missing: run `npm run build` first');
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });

const failures = [];
function check(ok, what) {
  if (ok) {
    console.log(`  ok    ${what}`);
  } else {
    console.log(`  FAIL  ${what}`);
    failures.push(what);
  }
}

function serve() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(DIST, path);
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) {
      file = join(DIST, 'index.html');
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'Cache-Control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => {
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const median = (sorted) =>
  sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;

async function newPage(browser, base, config, colorScheme = 'light') {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    colorScheme,
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.addInitScript((c) => {
    window.__KW_FAKE_CONFIG = c;
  }, config);
  await page.addInitScript({ path: FAKE });
  await page.goto(base);
  return { page, context, problems };
}

async function shot(page, name) {
  // Two frames after the last DOM change, so the PNG shows what the user sees.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const file = join(OUT, name);
  await page.screenshot({ path: file });
  console.log(`  shot  ${file}`);
}

const text = (page, sel) => page.locator(sel).first().innerText();

async function firstRun(browser, base) {
  console.log('first run');
  const { page, context, problems } = await newPage(browser, base, { state: 'none', items: 0, damaged: 0 });
  await page.getByRole('heading', { name: 'Create your Keywright vault' }).waitFor();
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByLabel('Confirm password').fill('correct horse');
  await page.getByRole('button', { name: 'Create vault' }).click();
  await page.getByText('The passwords do not match.').waitFor();
  check(true, 'mismatched confirmation is refused before sending');
  await page.getByLabel('Confirm password').fill(PASSWORD);
  check(/Strong|Good/.test(await text(page, '[data-testid=strength]')), 'strength hint rates a 4-word passphrase good/strong');
  await shot(page, '01-first-run.png');
  await page.getByRole('button', { name: 'Create vault' }).click();
  await page.getByRole('heading', { name: 'Save your recovery code' }).waitFor();
  const code = await text(page, '[data-testid=recovery-code]');
  check(code.replace(/\s+/g, '') === 'KW7QM3XP9RTA2HDFLC8NV4EJY6UBQZ5W', 'recovery code shown in groups');
  const cont = page.getByRole('button', { name: 'Continue to the vault' });
  check(await cont.isDisabled(), 'continue is disabled until the code is confirmed saved');
  await shot(page, '02-recovery-code.png');
  await page.getByLabel('I have saved my recovery code').check();
  await cont.click();
  await page.getByRole('button', { name: 'Add your first credential' }).waitFor();
  check(true, 'empty vault offers "Add your first credential"');
  await shot(page, '03-empty-vault.png');
  check(problems.length === 0, `no page errors or CSP violations (${problems.join('; ') || 'none'})`);
  await context.close();
}

async function measureSearch(page) {
  const input = page.getByRole('searchbox', { name: 'Search items' });
  await input.click();
  await page.evaluate(() => {
    window.__kwArm = (expected) => {
      window.__kwPending = new Promise((resolve) => {
        const t = { t0: 0, dom: 0, paint: 0 };
        const matches = () => {
          const count = document.querySelector('[data-testid=result-count]')?.textContent;
          const first = document.querySelector('[data-testid=item-rows] .row .row-name')?.textContent ?? null;
          const empty = !document.querySelector('[data-testid=item-rows]');
          return count === expected.countText && (expected.first === null ? empty : first === expected.first);
        };
        const onInput = () => {
          window.removeEventListener('input', onInput, true);
          t.t0 = performance.now();
          const poll = () => {
            if (matches()) {
              t.dom = performance.now();
              const ch = new MessageChannel();
              ch.port1.onmessage = () => {
                t.paint = performance.now();
                resolve({ ok: true, ms: t.paint - t.t0, jsMs: t.dom - t.t0 });
              };
              ch.port2.postMessage(0);
            } else if (performance.now() - t.t0 > 5000) {
              resolve({ ok: false, ms: NaN, jsMs: NaN });
            } else requestAnimationFrame(poll);
          };
          requestAnimationFrame(poll);
        };
        window.addEventListener('input', onInput, true);
      });
    };
  });
  const keys = [...'stripe prod'].concat(Array(11).fill('Backspace'), [...'git ci']);
  let query = '';
  const samples = [];
  let wrong = 0;
  for (const k of keys) {
    query = k === 'Backspace' ? query.slice(0, -1) : query + k;
    const exp = await page.evaluate((q) => window.__kwFake.expect(q), query);
    const countText = `${exp.count.toLocaleString('en-US')} ${exp.count === 1 ? 'item' : 'items'}`;
    await page.evaluate((e) => window.__kwArm(e), { countText, first: exp.count === 0 ? null : exp.first });
    await page.keyboard.press(k === ' ' ? 'Space' : k);
    const r = await page.evaluate(() => window.__kwPending);
    if (!r.ok) wrong++;
    else samples.push(r);
  }
  check(wrong === 0, `every keystroke (${keys.length}) showed exactly the expected items`);
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const js = samples.map((s) => s.jsMs).sort((a, b) => a - b);
  const result = {
    items: 10000,
    keystrokes: samples.length,
    median_ms: +median(ms).toFixed(2),
    p95_ms: +percentile(ms, 95).toFixed(2),
    max_ms: +ms[ms.length - 1].toFixed(2),
    first_frame_median_ms: +median(js).toFixed(2),
    first_frame_p95_ms: +percentile(js, 95).toFixed(2),
    method:
      'performance.now() from the input event (window, capture phase) until the list DOM shows the expected count and first row, then one frame (requestAnimationFrame + MessageChannel, i.e. after paint)',
    samples_ms: samples.map((s) => +s.ms.toFixed(2)),
  };
  console.log(
    `search keystroke to updated list (10,000 items): median ${result.median_ms.toFixed(1)} ms, p95 ${result.p95_ms.toFixed(1)} ms`,
  );
  writeFileSync(join(OUT, 'search-timing.json'), JSON.stringify(result, null, 2) + '\n');
  await input.fill('');
}

async function mainFlow(browser, base) {
  console.log('locked vault with 10,000 items');
  const { page, context, problems } = await newPage(browser, base, { state: 'locked', items: 10000, damaged: 1 });
  await page.getByRole('heading', { name: 'Unlock Keywright' }).waitFor();
  check(await page.getByRole('button', { name: 'Unlock with system keyring' }).isVisible(), 'keyring unlock offered');
  check(
    await page.getByLabel('Master password').evaluate((el) => el === document.activeElement),
    'password field has focus',
  );
  await shot(page, '04-unlock.png');
  await page.getByLabel('Master password').fill('hunter22');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'Wrong password' }).waitFor();
  check(true, 'wrong password says "Wrong password"');
  await shot(page, '05-unlock-error.png');

  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await page.getByTestId('item-rows').waitFor();
  const all = await page.evaluate(() => window.__kwFake.items());
  check(all.length === 10000, 'fake vault has 10,000 items');
  check((await text(page, '[data-testid=result-count]')) === '10,000 items', 'list header counts 10,000 items');
  const navCount = async (name) =>
    (await page.getByRole('navigation', { name: 'Items' }).getByRole('button', { name, exact: false }).first().innerText())
      .split('\n')
      .pop()
      .trim();
  check((await navCount('All items')) === '10,000', 'sidebar "All items" shows 10,000');
  const apiKeys = all.filter((i) => i.kind === 'api_key').length;
  check((await navCount('API keys')) === apiKeys.toLocaleString('en-US'), `sidebar "API keys" shows ${apiKeys}`);
  const attention = all.filter((i) => ['expiring', 'expired', 'rotation_due', 'reauth_required'].includes(i.status)).length;
  check((await navCount('Expiring')) === attention.toLocaleString('en-US'), `sidebar "Expiring" shows ${attention}`);
  const rendered = await page.locator('[data-testid=item-rows] .row').count();
  check(rendered > 5 && rendered < 80, `list is virtualised (${rendered} rows in the DOM for 10,000 items)`);
  check(await page.getByText('1 item failed its integrity check').isVisible(), 'damaged-item banner shown');
  const firstName = await text(page, '[data-testid=item-rows] .row .row-name');
  check(firstName === all[0].name, 'first row is the first item by name');
  await page.getByTestId('detail').getByRole('heading', { name: all[0].name }).waitFor();
  await shot(page, '06-main-list.png');

  // Scrolling to the end renders the last items.
  await page.getByTestId('item-rows').evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await page.getByText(all[all.length - 1].name, { exact: true }).first().waitFor();
  check(true, 'scrolling to the end shows the last item');

  await measureSearch(page);

  // Filtered rows are the right ones.
  const search = page.getByRole('searchbox', { name: 'Search items' });
  await search.fill('stripe prod');
  const exp = await page.evaluate(() => window.__kwFake.expect('stripe prod'));
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=result-count]')?.textContent === `${n} items`,
    exp.count.toLocaleString('en-US'),
  );
  const names = await page.locator('[data-testid=item-rows] .row-name').allInnerTexts();
  check(
    names.length > 0 && names.every((n, i) => n === exp.names[i]),
    `"stripe prod" shows the ${exp.count} expected items in order`,
  );

  // Detail with a revealed secret: pick an API key that has notes.
  const target = all.find((i) => i.kind === 'api_key' && i.name.startsWith('Stripe') && i.name.includes('production'));
  await search.fill(target.name);
  await page.getByRole('option', { name: new RegExp(target.name) }).first().click();
  const detail = page.getByTestId('detail');
  await detail.getByRole('heading', { name: target.name }).waitFor();
  await detail.getByRole('button', { name: 'Reveal API key' }).click();
  const secret = await page.evaluate((id) => window.__kwFake.secretOf(id, 'value'), target.id);
  await page.getByTestId('secret-value').filter({ hasText: secret }).waitFor();
  check(true, 'revealed API key shows the stored value');
  await shot(page, '07-detail-revealed.png');
  await detail.getByRole('button', { name: 'Hide API key' }).click();
  check(!(await page.getByTestId('secret-value').innerText()).includes(secret), 'hiding masks the value again');
  const callsBefore = await page.evaluate(() => window.__kwFake.calls.filter((c) => c === 'item_reveal').length);
  await detail.getByRole('button', { name: 'Copy API key' }).click();
  await page.getByTestId('toast').filter({ hasText: /Copied — clipboard clears in (30|29) s/ }).waitFor();
  const callsAfter = await page.evaluate(() => window.__kwFake.calls.filter((c) => c === 'item_reveal').length);
  check(callsAfter === callsBefore, 'copy shows the countdown toast and does not reveal');

  // Add form with validation errors (Ctrl+N opens it).
  await search.fill('');
  await page.getByTestId('item-rows').focus();
  await page.keyboard.press('Control+n');
  const dialog = page.getByRole('dialog', { name: 'New item' });
  await dialog.waitFor();
  await dialog.getByText('TOTP', { exact: true }).click();
  await dialog.getByLabel('Name').fill('');
  await dialog.getByLabel('Secret (base32)').fill('not base32!');
  await dialog.getByLabel('URL').fill('api.example.com');
  await dialog.getByLabel('Digits').fill('9');
  await dialog.getByRole('button', { name: 'Add item' }).click();
  for (const msg of [
    'Enter a name.',
    'The secret is base32: letters A–Z and digits 2–7 only.',
    'Enter a full URL, like https://api.example.com.',
    'Digits must be 6, 7 or 8.',
  ]) {
    check(await dialog.getByText(msg).isVisible(), `add form shows "${msg}"`);
  }
  const addsBefore = await page.evaluate(() => window.__kwFake.calls.filter((c) => c === 'item_add').length);
  check(addsBefore === 0, 'an invalid form is not sent');
  await shot(page, '08-add-form-validation.png');
  // A server-side field error lands next to its input.
  await dialog.getByLabel('Name').fill(all[1].name);
  await dialog.getByLabel('Secret (base32)').fill('JBSW Y3DP EHPK 3PXP');
  await dialog.getByLabel('URL').fill('');
  await dialog.getByLabel('Digits').fill('6');
  await dialog.getByRole('button', { name: 'Add item' }).click();
  await dialog.getByText(`an item named “${all[1].name}” already exists`).waitFor();
  check(true, 'duplicate name from the backend shown next to Name');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  check(true, 'Escape closes the dialog');

  // Settings.
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.getByLabel('Lock after inactivity').waitFor();
  check((await settings.getByLabel('Lock after inactivity').inputValue()) === '10', 'auto-lock shows 10 minutes');
  await shot(page, '09-settings.png');
  await page.keyboard.press('Escape');
  await settings.waitFor({ state: 'detached' });

  // No results.
  await search.fill('zzz nothing here');
  await page.getByText('No items match “zzz nothing here”').waitFor();
  check(true, 'empty search says "No items match …"');
  await shot(page, '10-empty-search.png');

  // Dark theme.
  await page.emulateMedia({ colorScheme: 'dark' });
  await search.fill('');
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  check(bg !== 'rgb(245, 246, 248)', `dark theme follows the OS (body ${bg})`);
  const token = all.find((i) => i.kind === 'oauth2' && i.status !== 'ok') ?? all.find((i) => i.kind === 'oauth2');
  await search.fill(token.name);
  await page.getByRole('option', { name: new RegExp(token.name) }).first().click();
  await detail.getByRole('heading', { name: token.name }).waitFor();
  await detail.getByRole('button', { name: 'Reveal Client secret' }).click();
  await page.getByTestId('secret-value').filter({ hasNotText: '•' }).waitFor();
  await search.fill('');
  const other = page.locator('[data-testid=item-rows] .row:not(.selected)').first();
  const otherName = await other.locator('.row-name').innerText();
  await other.click();
  await detail.getByRole('heading', { name: otherName, exact: true }).waitFor();
  await search.fill(token.name);
  await page.getByRole('option', { name: new RegExp(token.name) }).first().click();
  await detail.getByRole('heading', { name: token.name }).waitFor();
  check(
    (await page.getByTestId('secret-value').innerText()).includes('•'),
    'selecting another item forgets the revealed secret',
  );
  await search.fill('');
  await page.getByText('All items').first().click();
  await page.getByRole('button', { name: /^Expiring/ }).click();
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=result-count]')?.textContent === `${n} items`,
    attention.toLocaleString('en-US'),
  );
  check(true, 'the Expiring view lists the items that need attention');
  await shot(page, '11-dark-expiring.png');

  await page.keyboard.press('Control+n');
  await page.getByRole('dialog', { name: 'New item' }).waitFor();
  await page.getByRole('dialog', { name: 'New item' }).getByText('OAuth2 client', { exact: true }).click();
  await shot(page, '12-dark-add-oauth.png');
  await page.keyboard.press('Escape');

  // Auto-lock from Rust.
  await page.evaluate(() => window.__kwFake.lock('idle'));
  await page.getByText('Locked after 10 minutes of inactivity').waitFor();
  check(await page.getByLabel('Master password').isVisible(), 'vault-locked event returns to the unlock screen');
  await shot(page, '13-dark-auto-locked.png');
  check(problems.length === 0, `no page errors or CSP violations (${problems.join('; ') || 'none'})`);
  await context.close();
}

const server = await serve();
const base = `http://127.0.0.1:${server.address().port}/`;
let browser;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  await firstRun(browser, base);
  await mainFlow(browser, base);
} catch (e) {
  failures.push(`crashed: ${e instanceof Error ? e.stack : String(e)}`);
  console.error(e);
} finally {
  await browser?.close();
  await new Promise((r) => server.close(r));
}

if (failures.length > 0) {
  console.error(`\nbrowser-check: ${failures.length} check(s) failed:\n - ${failures.join('\n - ')}`);
  process.exit(1);
}
console.log(`\nbrowser-check: all checks passed; screenshots in ${OUT}`);
