// Shared by check.mjs and preview.mjs: the admin binary, a temp dir, headless Debian Chromium,
// axe, html-validate and a small pass/fail tally that ends in one "N passed, N failed" line.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import axe from 'axe-core';
import { HtmlValidate } from 'html-validate';
import { chromium } from 'playwright-core';

export const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');

// The publish and preview timestamps come from here, so every run renders the same page.
export const SOURCE_DATE_EPOCH = '1764000000';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The admin binary: first argument, else $ADMIN, else target/release/admin in the repo. */
export function adminBinary() {
  const given = process.argv[2] || process.env.ADMIN;
  const path = given ? resolve(process.cwd(), given) : join(repoRoot, 'target', 'release', 'admin');
  if (!existsSync(path)) {
    console.error(`no admin binary at ${path}: run \`cargo build --release --locked\` or pass its path`);
    process.exit(2);
  }
  return path;
}

export function adminEnv() {
  const env = { ...process.env, SOURCE_DATE_EPOCH };
  delete env.UOF_DB;
  delete env.UOF_EDITOR;
  return env;
}

/** Runs `admin --db DB --editor browser-check ARGS...`; throws with its stderr when it fails. */
export function admin(bin, db, args) {
  try {
    return execFileSync(bin, ['--db', db, '--editor', 'browser-check', ...args], {
      env: adminEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    throw new Error(`admin ${args.join(' ')} failed (${err.status}): ${err.stderr || err.message}`);
  }
}

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Headless Debian Chromium. Playwright's launch() starts it on a new, empty profile directory. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Runs axe on the page with the WCAG 2.0/2.1/2.2 A and AA rules; returns its results. */
export async function runAxe(page) {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
}

export function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `      ${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ')}`);
      return `    [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}`;
    })
    .join('\n');
}

/** Whether the page scrolls sideways at the current viewport. */
export async function overflow(page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
}

let validator;
/** html-validate with tests/browser/.htmlvalidate.json; returns the messages (errors and warnings). */
export async function validateHtml(html, filename) {
  validator ??= new HtmlValidate(JSON.parse(readFileSync(join(here, '.htmlvalidate.json'), 'utf8')));
  const report = await validator.validateString(html, filename);
  const messages = report.results.flatMap((r) => r.messages);
  return { errorCount: report.errorCount, warningCount: report.warningCount, messages };
}

export function describeHtmlMessages(filename, messages) {
  return messages
    .map((m) => `    ${filename}:${m.line}:${m.column} ${m.severity === 2 ? 'error' : 'warning'} ${m.ruleId}: ${m.message}`)
    .join('\n');
}

/** A tally of named checks. Each check either passes or fails with a reason; none is skipped. */
export class Checks {
  constructor(title) {
    this.title = title;
    this.passed = [];
    this.failed = [];
  }

  async run(name, fn) {
    try {
      const detail = await fn();
      this.passed.push(name);
      console.log(`ok    ${name}${detail ? ` (${detail})` : ''}`);
    } catch (err) {
      this.failed.push(name);
      console.log(`FAIL  ${name}\n${String(err?.message ?? err).replace(/^/gm, '    ')}`);
    }
  }

  /** Prints the summary and sets the exit code: non-zero on any failure or on no checks at all. */
  finish() {
    console.log('');
    if (this.failed.length) {
      console.log(`${this.title}: failed checks:\n${this.failed.map((n) => `  - ${n}`).join('\n')}`);
    }
    console.log(`${this.title}: ${this.passed.length} passed, ${this.failed.length} failed`);
    process.exitCode = this.failed.length === 0 && this.passed.length > 0 ? 0 : 1;
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}
