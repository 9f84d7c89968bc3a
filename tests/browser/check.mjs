// The published page in headless Chromium: axe (WCAG 2.2 AA), no sideways scrolling at 320, 375
// and 1280 px (even with a 200-character unbroken name and a 3,000-character note), works without
// JavaScript, note text is never markup, html-validate passes, the schema.org JSON-LD parses with
// the right types and count, and sitemap.xml is well-formed.
//
//   node check.mjs [path/to/admin]        (or ADMIN=path; default target/release/admin)
//   SCREENSHOTS=1 node check.mjs          also writes docs/screenshots/page-{desktop,mobile}.png
import { createServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

import {
  Checks,
  admin,
  adminBinary,
  assert,
  describeHtmlMessages,
  describeViolations,
  launchChromium,
  overflow,
  repoRoot,
  runAxe,
  tempDir,
  validateHtml,
} from './lib.mjs';

const HOSTILE = `<script>alert(1)</script> Figures "as published" by the force's 'own' site & <b>not</b> checked.`;
const PAGE_NOTE = 'Forces publish their figures quarterly; some links may lag by a few weeks.';
const URLS = {
  'kent-police': 'https://www.kent.police.uk/use-of-force',
  'essex-police': 'https://www.essex.police.uk/use-of-force?year=2025&format=html',
  'avon-and-somerset-constabulary': 'https://www.avonandsomerset.police.uk/use-of-force',
  'cumbria-constabulary': 'https://www.cumbria.police.uk/use-of-force',
  'bedfordshire-police': 'https://www.bedfordshire.police.uk/use-of-force',
  'british-transport-police': 'https://www.btp.police.uk/use-of-force',
};
// Far down the list, so the screenshots show the top of a realistic page.
const HOSTILE_FORCE = 'wiltshire-police';
// Text that must wrap rather than push the page sideways: a 200-character name with no space
// (sorted last) and a 3,000-character note with none.
const LONG_NAME = `Z${'z'.repeat(199)}`;
const LONG_SLUG = 'long-name-police';
const LONG_NOTE = 'N'.repeat(3000);
const BASE_URL = 'https://www.example.gov.uk/use-of-force-data/';
const PAGE = {
  publisher: 'Home Office',
  contact: 'useofforce@homeoffice.gov.uk',
  licence: 'Open Government Licence v3.0',
  'base-url': BASE_URL,
};
const RELATED = [
  ['Police use of force statistics', 'https://www.gov.uk/government/collections/police-use-of-force-statistics'],
  ['Home Office', 'https://www.gov.uk/government/organisations/home-office'],
];
// how current each force's data is, as reviews recorded it (SOURCE_DATE_EPOCH is 24 November 2025)
const DATA_TO = {
  'avon-and-somerset-constabulary': '2025-09',
  'bedfordshire-police': '2025-06',
  'british-transport-police': '2025-03-31',
  'kent-police': '2025-09',
};

const bin = adminBinary();
const checks = new Checks('check');
const work = tempDir('uof-browser-');
const db = join(work, 'uof.db');
const out = join(work, 'site');

// --- the site: two publications, page and force notes, a few URLs ---------------------------
admin(bin, db, ['init']);
for (const [slug, url] of Object.entries(URLS).slice(0, 2)) {
  admin(bin, db, ['set-url', slug, url, '-m', 'found on the force site']);
}
admin(bin, db, ['note', 'add', '--public', PAGE_NOTE, '-m', 'page caveat']);
admin(bin, db, ['publish', '--out', out, '-m', 'Added links for Kent and Essex.']);
for (const [slug, url] of Object.entries(URLS).slice(2)) {
  admin(bin, db, ['set-url', slug, url, '-m', 'found on the force site']);
}
admin(bin, db, ['note', 'add', '--public', '--force', HOSTILE_FORCE, HOSTILE, '-m', 'hostile text check']);
for (const [key, value] of Object.entries(PAGE)) {
  admin(bin, db, ['page', 'set', key, value, '-m', 'GOV.UK page details']);
}
for (const [title, link] of RELATED) {
  admin(bin, db, ['page', 'link', 'add', title, link]);
}
for (const [slug, date] of Object.entries(DATA_TO)) {
  admin(bin, db, ['review', slug, '--data-to', date, '-m', 'checked the figures']);
}
admin(bin, db, ['add-force', LONG_NAME, '--slug', LONG_SLUG, '--url', `https://example.org/${'p'.repeat(300)}`]);
admin(bin, db, ['note', 'add', '--public', '--force', LONG_SLUG, LONG_NOTE, '-m', 'long text check']);
admin(bin, db, ['publish', '--out', out, '-m', 'Added links for Avon and Somerset and Cumbria.']);

const indexHtml = readFileSync(join(out, 'index.html'), 'utf8');
const forcesJson = JSON.parse(readFileSync(join(out, 'forces.json'), 'utf8'));
const forceCount = (Array.isArray(forcesJson) ? forcesJson : forcesJson.forces).length;

// --- a static server for the published directory --------------------------------------------
const TYPES = { '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.csv': 'text/csv; charset=utf-8', '.atom': 'application/atom+xml', '.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8', '': 'text/plain; charset=utf-8' };
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const name = normalize(path === '/' ? '/index.html' : path).replace(/^\/+/, '');
  try {
    if (name.includes('..')) throw new Error('outside');
    const body = readFileSync(join(out, name));
    res.writeHead(200, { 'Content-Type': TYPES[extname(name)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;
console.log(`published into ${out} (${forceCount} forces), served at ${url}\n`);

const browser = await launchChromium();
const dialogs = [];
const failedRequests = [];

async function openPage(context) {
  const page = await context.newPage();
  page.on('dialog', async (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
  page.on('requestfailed', (r) => failedRequests.push(r.url()));
  page.on('response', (r) => {
    if (r.status() >= 400) failedRequests.push(`${r.status()} ${r.url()}`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  assert(response?.ok(), `GET ${url} answered ${response?.status()}`);
  return page;
}

try {
  // --- the static HTML ------------------------------------------------------------------------
  await checks.run('html: <html lang="en-GB">', () => {
    assert(/<html lang="en-GB">/.test(indexHtml), 'index.html does not open with <html lang="en-GB">');
  });
  await checks.run('html: no href="#" and no javascript: links', () => {
    const hrefs = [...indexHtml.matchAll(/href\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map((m) => m[2] ?? m[3] ?? m[4]);
    assert(hrefs.length > forceCount / 10, `only ${hrefs.length} href attributes found`);
    const bad = hrefs.filter((h) => h.trim() === '#' || /^\s*javascript:/i.test(h));
    assert(bad.length === 0, `bad links: ${bad.join(', ')}`);
    return `${hrefs.length} hrefs`;
  });
  await checks.run('html: no executable <script> (only JSON-LD); the note is escaped', () => {
    const scripts = [...indexHtml.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
    assert(scripts.length === 1 && scripts[0] === '<script type="application/ld+json">', `script tags: ${scripts.join(', ')}`);
    const withoutLd = indexHtml.replace(/<script type="application\/ld\+json">[^<]*<\/script>/, '');
    assert(!/<script/i.test(withoutLd.replace(/&lt;script/gi, '')), 'index.html contains another <script> tag');
    assert(indexHtml.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the hostile note is not in index.html, escaped');
  });
  await checks.run('json-ld: a schema.org DataCatalog with one Dataset per linked active force', () => {
    const m = indexHtml.match(/<script type="application\/ld\+json">([^<]*)<\/script>/);
    assert(m, 'no JSON-LD script in index.html');
    const ld = JSON.parse(m[1]);
    assert(ld['@context'] === 'https://schema.org', `@context is ${ld['@context']}`);
    assert(ld['@type'] === 'DataCatalog', `@type is ${ld['@type']}`);
    assert(ld.url === BASE_URL, `url is ${ld.url}`);
    assert(ld.publisher?.name === PAGE.publisher, `publisher is ${JSON.stringify(ld.publisher)}`);
    const linked = forcesJson.forces.filter((f) => f.url);
    assert(Array.isArray(ld.dataset) && ld.dataset.length === linked.length, `${ld.dataset?.length} datasets, ${linked.length} linked forces`);
    for (const d of ld.dataset) {
      assert(d['@type'] === 'Dataset' && typeof d.name === 'string' && d.name && d.url, `bad dataset ${JSON.stringify(d)}`);
    }
    const urls = new Set(ld.dataset.map((d) => d.url));
    assert(linked.every((f) => urls.has(f.url)), 'a linked force has no Dataset');
    return `${ld.dataset.length} datasets`;
  });
  await checks.run('sitemap.xml: well-formed, the page and its data files', async () => {
    const xml = readFileSync(join(out, 'sitemap.xml'), 'utf8');
    const probe = await browser.newPage();
    const locs = await probe.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      if (doc.getElementsByTagName('parsererror').length) return null;
      const ns = 'http://www.sitemaps.org/schemas/sitemap/0.9';
      if (doc.documentElement.namespaceURI !== ns || doc.documentElement.localName !== 'urlset') return [];
      return [...doc.getElementsByTagNameNS(ns, 'loc')].map((l) => l.textContent);
    }, xml);
    await probe.close();
    assert(locs !== null, 'sitemap.xml is not well-formed XML');
    const want = ['', 'forces.json', 'forces.csv', 'feed.atom'].map((f) => BASE_URL + f);
    assert(JSON.stringify(locs) === JSON.stringify(want), `locs are ${JSON.stringify(locs)}`);
    return `${locs.length} URLs`;
  });
  await checks.run('the files that let the site be checked: records, history, keys, the recipe', async () => {
    const records = JSON.parse(readFileSync(join(out, 'publications.json'), 'utf8')).publications;
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')).publications;
    assert(records.length === 2 && history.length === 2, `${records.length} records, ${history.length} history entries`);
    const newest = records[records.length - 1];
    for (const name of ['index.html', 'forces.json', 'history.json', 'allowed_signers', 'checking.txt']) {
      assert(name in newest.files, `the newest record does not list ${name}`);
    }
    assert(!('publications.json' in newest.files), 'the newest record lists publications.json itself');
    const about = indexHtml.match(/<p class="colophon">About this page: publication (\d+), (unsigned|signed by [^.<]+)\. <a href="checking.txt">/);
    assert(about && Number(about[1]) === newest.number, 'no "About this page" line naming the newest publication');
    const probe = await browser.newPage();
    const response = await probe.goto(url + 'checking.txt');
    assert(response.ok(), `checking.txt answers ${response.status()}`);
    assert((await probe.textContent('body')).includes('sha256sum'), 'checking.txt does not read as the recipe');
    await probe.close();
    return `${records.length} records; ${about[2]}`;
  });
  for (const [label, html] of [
    ['published index.html', indexHtml],
    ['publish/index.html (committed)', readFileSync(join(repoRoot, 'publish', 'index.html'), 'utf8')],
  ]) {
    await checks.run(`html-validate: ${label}`, async () => {
      const { errorCount, warningCount, messages } = await validateHtml(html, label);
      assert(errorCount === 0 && warningCount === 0, `${errorCount} errors, ${warningCount} warnings:\n${describeHtmlMessages(label, messages)}`);
      return '0 errors, 0 warnings';
    });
  }

  // --- the page in Chromium at phone and desktop widths --------------------------------------
  for (const width of [375, 1280]) {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await openPage(context);

    await checks.run(`${width}px: lang, title and heading`, async () => {
      const lang = await page.evaluate(() => document.documentElement.lang);
      assert(lang === 'en-GB', `lang is ${JSON.stringify(lang)}`);
      const title = await page.title();
      assert(title.length > 0, 'the page has no title');
      assert((await page.locator('h1').count()) === 1, 'the page needs exactly one h1');
      assert((await page.locator('h1').innerText()) === title, 'the h1 differs from the title');
    });
    await checks.run(`${width}px: every force listed, the set URLs are links`, async () => {
      const items = await page.locator('ul.forces > li').count();
      assert(items === forceCount, `${items} forces on the page, ${forceCount} in forces.json`);
      for (const [slug, href] of Object.entries(URLS)) {
        const got = await page.locator(`#force-${slug} a`).getAttribute('href');
        assert(got === href, `#force-${slug} links to ${got}, not ${href}`);
      }
      return `${items} forces`;
    });
    await checks.run(`${width}px: note text shows as text, no dialog, no script ran`, async () => {
      const note = await page.locator(`#force-${HOSTILE_FORCE} .caveat`).innerText();
      assert(note === HOSTILE, `the note reads ${JSON.stringify(note)}`);
      assert((await page.locator(`#force-${HOSTILE_FORCE} .caveat b, #force-${HOSTILE_FORCE} script`).count()) === 0, 'the note made elements');
      assert((await page.locator('script:not([type="application/ld+json"])').count()) === 0, 'the page has an executable script element');
      const pageNote = await page.locator('main > p.caveat').innerText();
      assert(pageNote === PAGE_NOTE, `the page note reads ${JSON.stringify(pageNote)}`);
      assert(dialogs.length === 0, `dialogs fired: ${dialogs.join('; ')}`);
    });
    await checks.run(`${width}px: publisher, contact, licence, related links and data dates show`, async () => {
      const about = await page.locator('dl.about').innerText();
      for (const value of [PAGE.publisher, PAGE.contact, PAGE.licence]) {
        assert(about.includes(value), `${value} is not shown: ${JSON.stringify(about)}`);
      }
      const related = await page.locator('ul.related a').allInnerTexts();
      assert(JSON.stringify(related) === JSON.stringify(RELATED.map((r) => r[0])), `related links: ${related.join(', ')}`);
      const kent = await page.locator('#force-kent-police .data-to').innerText();
      assert(kent === 'Data up to September 2025', `Kent reads ${JSON.stringify(kent)}`);
      const unlinked = await page.locator('#force-dorset-police').innerText();
      assert(!/not (yet )?available/i.test(unlinked), `an unlinked force reads ${JSON.stringify(unlinked)}`);
      const canonical = await page.locator('link[rel="canonical"]').getAttribute('href');
      assert(canonical === BASE_URL, `canonical is ${canonical}`);
    });
    await checks.run(`${width}px: links are real (no href="#", no javascript:)`, async () => {
      const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
      const bad = hrefs.filter((h) => h.trim() === '#' || /^\s*javascript:/i.test(h));
      assert(bad.length === 0, `bad links: ${bad.join(', ')}`);
      const targets = await page.$$eval('a[href^="#"]', (as) => as.map((a) => a.getAttribute('href').slice(1)));
      for (const id of targets) {
        assert((await page.locator(`[id="${id}"]`).count()) === 1, `in-page link #${id} has no target`);
      }
      return `${hrefs.length} links`;
    });
    await checks.run(`${width}px: no horizontal overflow`, async () => {
      const { scrollWidth, clientWidth } = await overflow(page);
      assert(scrollWidth <= clientWidth, `scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);
      return `${scrollWidth} <= ${clientWidth}`;
    });
    await checks.run(`${width}px: skip link is reachable and visible on focus`, async () => {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.getAttribute('href'));
      assert(focused === '#main', `first Tab focuses ${focused}, not the skip link`);
      const box = await page.locator('.skip-link').boundingBox();
      assert(box && box.x >= 0 && box.y >= 0 && box.width > 0, `the focused skip link is off screen: ${JSON.stringify(box)}`);
      await page.keyboard.press('Enter');
      assert(new URL(page.url()).hash === '#main', `Enter on the skip link went to ${page.url()}`);
    });
    await checks.run(`${width}px: axe ${'wcag2a/2aa/21a/21aa/22aa'}: no violations`, async () => {
      const results = await runAxe(page);
      assert(results.violations.length === 0, `${results.violations.length} violations:\n${describeViolations(results.violations)}`);
      assert(results.testEngine?.name === 'axe-core', 'axe did not run');
      return `axe ${results.testEngine.version}, 0 violations`;
    });

    if (process.env.SCREENSHOTS === '1') {
      const dir = join(repoRoot, 'docs', 'screenshots');
      mkdirSync(dir, { recursive: true });
      const name = width === 1280 ? 'page-desktop.png' : 'page-mobile.png';
      await page.goto(url, { waitUntil: 'load' });
      await page.screenshot({ path: join(dir, name), fullPage: true, clip: { x: 0, y: 0, width, height: 1400 } });
      console.log(`      wrote docs/screenshots/${name}`);
    }
    await context.close();
  }

  // --- the narrowest width WCAG's reflow rule asks for ---------------------------------------
  {
    const context = await browser.newContext({ viewport: { width: 320, height: 800 } });
    const page = await openPage(context);
    await checks.run('320px: the 200-character name and 3,000-character note wrap', async () => {
      const name = await page.locator(`#force-${LONG_SLUG} > a`).innerText();
      assert(name === LONG_NAME, 'the long name is not the link text');
      const note = await page.locator(`#force-${LONG_SLUG} .caveat`).innerText();
      assert(note === LONG_NOTE, 'the long note is not shown whole');
      const box = await page.locator(`#force-${LONG_SLUG}`).boundingBox();
      assert(box && box.x + box.width <= 320, `the long force's entry ends at ${box && box.x + box.width}px`);
      return `entry ${Math.round(box.height)}px tall`;
    });
    await checks.run('320px: no horizontal overflow', async () => {
      const { scrollWidth, clientWidth } = await overflow(page);
      assert(scrollWidth <= clientWidth, `scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);
      return `${scrollWidth} <= ${clientWidth}`;
    });
    await checks.run('320px: no element wider than the viewport', async () => {
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
          .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${el.className}` : ''}`)
      );
      assert(wide.length === 0, `elements past the right edge: ${wide.slice(0, 10).join(', ')}`);
    });
    await context.close();
  }

  // --- JavaScript off: the page needs none ---------------------------------------------------
  {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled: false });
    const page = await openPage(context);
    await checks.run('no JavaScript: forces and "Updates to this page" present', async () => {
      const items = await page.locator('ul.forces > li').count();
      assert(items === forceCount, `${items} forces listed without JavaScript, ${forceCount} expected`);
      assert(await page.locator('#force-kent-police a').isVisible(), 'Kent Police link not visible');
      const heading = page.getByRole('heading', { name: 'Updates to this page', level: 2 });
      assert(await heading.isVisible(), 'no visible "Updates to this page" heading');
      const updates = await page.locator('ol.updates > li').allInnerTexts();
      assert(updates.length === 2, `${updates.length} updates listed, 2 publications made`);
      // newest first; the first publication always reads "First published."
      assert(updates[0].includes('Added links for Avon and Somerset and Cumbria.'), `the newest update reads ${JSON.stringify(updates[0])}`);
      assert(updates[1].includes('First published.'), `the first update reads ${JSON.stringify(updates[1])}`);
      const times = await page.locator('ol.updates > li > time[datetime]').count();
      assert(times === 2, `${times} of the 2 updates carry a <time datetime>`);
      // the context really has JavaScript off: a page's own script does not run in it
      const probe = await context.newPage();
      await probe.setContent('<title>off</title><script>document.title = "on"</script>');
      assert((await probe.title()) === 'off', 'a page script ran in the context with JavaScript disabled');
      await probe.close();
      return `${items} forces, ${updates.length} updates`;
    });
    await context.close();
  }

  await checks.run('no dialogs, no failed requests in any page', () => {
    assert(dialogs.length === 0, `dialogs fired: ${dialogs.join('; ')}`);
    assert(failedRequests.length === 0, `failed requests: ${failedRequests.join(', ')}`);
  });
} finally {
  await browser.close();
  server.close();
}

checks.finish();
