// `admin serve` in headless Chromium: the "Preview" banner shows, the preview page passes axe and
// html-validate, an edit made by another process shows on reload, and the difference page the
// banner links to shows what goes public, marked in text as well as colour, beside the page.
//
//   node preview.mjs [path/to/admin]      (or ADMIN=path; default target/release/admin)
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import {
  Checks,
  admin,
  adminBinary,
  adminEnv,
  assert,
  describeHtmlMessages,
  describeViolations,
  launchChromium,
  overflow,
  runAxe,
  tempDir,
  validateHtml,
} from './lib.mjs';

const NEW_URL = 'https://www.kent.police.uk/use-of-force/preview-check';
const NEW_NAME = 'Essex Police Service';
const NEWER_URL = 'https://www.kent.police.uk/use-of-force/difference-check';
const NEWER_NAME = 'Essex Constabulary';
const HOSTILE = '<script>alert(1)</script> <b>bold</b> "quoted" & \'single\'';

const bin = adminBinary();
const checks = new Checks('preview');
const work = tempDir('uof-preview-');
const db = join(work, 'uof.db');
admin(bin, db, ['init']);

/** Starts `admin serve --port 0` and resolves with its URL once it says where it listens. */
function startServer() {
  const child = spawn(bin, ['--db', db, 'serve', '--port', '0'], { env: adminEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  const url = new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`admin serve said nothing useful in 15 s:\n${said}`)), 15000);
    const listen = (chunk) => {
      said += chunk;
      const m = said.match(/previewing .* at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', listen);
    child.stderr.setEncoding('utf8').on('data', listen);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`admin serve exited (${code ?? signal}) before listening:\n${said}`));
    });
  });
  return { child, url };
}

function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  return exited;
}

const server = startServer();
server.url.catch(() => {}); // awaited below; this only stops an early failure counting as unhandled
const browser = await launchChromium();
const dialogs = [];
try {
  const url = await server.url;
  console.log(`admin serve at ${url} on ${db}\n`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });

  await checks.run('preview: the page loads with a visible "Preview" banner', async () => {
    const response = await page.goto(url, { waitUntil: 'load' });
    assert(response?.ok(), `GET ${url} answered ${response?.status()}`);
    const banner = page.locator('.preview[role="status"]');
    assert((await banner.count()) === 1, 'no .preview[role=status] banner');
    assert(await banner.isVisible(), 'the banner is not visible');
    const text = await banner.innerText();
    assert(/^Preview\b/.test(text) && text.includes('not yet published'), `the banner reads ${JSON.stringify(text)}`);
    const box = await banner.boundingBox();
    assert(box && box.y < 200 && box.width >= 1200, `the banner is not across the top: ${JSON.stringify(box)}`);
  });
  await checks.run('preview: before the edit, Kent has no link and Essex its seed name', async () => {
    assert((await page.locator('#force-kent-police a').count()) === 0, 'Kent Police already has a link');
    const essex = await page.locator('#force-essex-police').innerText();
    assert(essex.startsWith('Essex Police') && !essex.includes(NEW_NAME), `Essex reads ${JSON.stringify(essex)}`);
  });
  await checks.run('preview: axe wcag2a/2aa/21a/21aa/22aa: no violations', async () => {
    const results = await runAxe(page);
    assert(results.violations.length === 0, `${results.violations.length} violations:\n${describeViolations(results.violations)}`);
    return `axe ${results.testEngine.version}, 0 violations`;
  });
  await checks.run('preview: no horizontal overflow at 1280 and 320 px', async () => {
    for (const width of [1280, 320]) {
      await page.setViewportSize({ width, height: 800 });
      const { scrollWidth, clientWidth } = await overflow(page);
      assert(scrollWidth <= clientWidth, `at ${width}px scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
  await checks.run('preview: html-validate', async () => {
    const html = await (await fetch(url)).text();
    assert(html.includes('class="preview"'), 'fetched HTML has no preview banner');
    const { errorCount, warningCount, messages } = await validateHtml(html, 'preview');
    assert(errorCount === 0 && warningCount === 0, `${errorCount} errors, ${warningCount} warnings:\n${describeHtmlMessages('preview', messages)}`);
    return '0 errors, 0 warnings';
  });

  // another process edits the database while the server runs
  admin(bin, db, ['set-url', 'kent-police', NEW_URL, '-m', 'preview check']);
  admin(bin, db, ['rename-force', 'essex-police', NEW_NAME, '-m', 'preview check']);

  await checks.run('preview: after set-url and rename-force, a reload shows both', async () => {
    const response = await page.reload({ waitUntil: 'load' });
    assert(response?.ok(), `reload answered ${response?.status()}`);
    const href = await page.locator('#force-kent-police a').getAttribute('href');
    assert(href === NEW_URL, `Kent Police links to ${href}, not ${NEW_URL}`);
    const essex = await page.locator('#force-essex-police').innerText();
    assert(essex.startsWith(NEW_NAME), `Essex reads ${JSON.stringify(essex)}`);
    assert(await page.locator('.preview').isVisible(), 'the banner went away on reload');
  });
  await checks.run('preview: forces.json follows the edit too', async () => {
    const json = await (await fetch(new URL('forces.json', url))).text();
    assert(json.includes(NEW_URL) && json.includes(NEW_NAME), 'forces.json lacks the new URL or name');
  });
  // what goes public: the difference page, linked from the banner
  admin(bin, db, ['publish', '--out', join(work, 'site')]);
  admin(bin, db, ['set-url', 'kent-police', NEWER_URL, '-m', 'preview check']);
  admin(bin, db, ['rename-force', 'essex-police', NEWER_NAME, '-m', 'preview check']);
  admin(bin, db, ['note', 'add', '--force', 'kent-police', '--public', HOSTILE, '-m', 'preview check']);
  await checks.run('difference: the banner links to it and it shows the old and new link and name', async () => {
    await page.reload({ waitUntil: 'load' });
    await page.locator('.preview a[href="/difference.html"]').click();
    await page.waitForLoadState('load');
    assert(page.url().endsWith('/difference.html'), `the banner's link went to ${page.url()}`);
    const main = await page.locator('main').innerText();
    for (const text of [NEW_URL, NEWER_URL, NEW_NAME, NEWER_NAME]) {
      assert(main.includes(text), `the difference lacks ${text}:\n${main}`);
    }
    // not by colour alone: each change says what it is in text
    const dels = await page.locator('main del').count();
    const hidden = await page.locator('main del .visually-hidden').count();
    assert(dels > 0 && hidden === dels, `${dels} del elements, ${hidden} with text saying what they are`);
    const ins = await page.locator('main ins').count();
    const insHidden = await page.locator('main ins .visually-hidden').count();
    assert(ins > 0 && insHidden === ins, `${ins} ins elements, ${insHidden} with text saying what they are`);
  });
  await checks.run('difference: the hostile note reads as text, nothing executes', async () => {
    const main = await page.locator('main').innerText();
    assert(main.includes(HOSTILE), `the note does not read as written:\n${main}`);
    assert((await page.locator('main script, main b').count()) === 0, 'the note became markup');
  });
  await checks.run('difference: axe: no violations at 1280 and 375 px', async () => {
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 800 });
      const results = await runAxe(page);
      assert(results.violations.length === 0, `at ${width}px ${results.violations.length} violations:\n${describeViolations(results.violations)}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    return '0 violations';
  });
  await checks.run('difference: beside the page when wide, above it when narrow, no overflow', async () => {
    for (const [width, beside] of [[1280, true], [375, false], [320, false]]) {
      await page.setViewportSize({ width, height: 800 });
      const main = await page.locator('main').boundingBox();
      const aside = await page.locator('aside.page').boundingBox();
      const isBeside = aside.x >= main.x + main.width && Math.abs(aside.y - main.y) < 50;
      const isBelow = aside.y >= main.y + main.height;
      assert(beside ? isBeside : isBelow, `at ${width}px main ${JSON.stringify(main)} and the page ${JSON.stringify(aside)}`);
      const { scrollWidth, clientWidth } = await overflow(page);
      assert(scrollWidth <= clientWidth, `at ${width}px scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    const frame = page.frameLocator('aside.page iframe');
    assert((await frame.locator('#force-kent-police').count()) === 1, 'the page beside it does not show the forces');
  });
  await checks.run('difference: html-validate', async () => {
    const html = await (await fetch(new URL('difference.html', url))).text();
    const { errorCount, warningCount, messages } = await validateHtml(html, 'difference');
    assert(errorCount === 0 && warningCount === 0, `${errorCount} errors, ${warningCount} warnings:\n${describeHtmlMessages('difference', messages)}`);
    return '0 errors, 0 warnings';
  });
  await checks.run('preview: no dialogs', () => {
    assert(dialogs.length === 0, `dialogs fired: ${dialogs.join('; ')}`);
  });
  await context.close();
} finally {
  await browser.close();
  await stopServer(server.child);
}

await checks.run('preview: the server stopped when killed', () => {
  assert(server.child.exitCode !== null || server.child.signalCode !== null, 'admin serve is still running');
  return `ended by ${server.child.signalCode ?? `exit ${server.child.exitCode}`}`;
});

checks.finish();
