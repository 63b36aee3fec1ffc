// Opens each HTML reference in headless Chromium (Debian's /usr/bin/chromium, driven by the
// pinned playwright-core of scripts/lint-tools/) and checks it as a reader would get it:
//
// - no console error, no uncaught page error, no request other than the page itself (the page
//   is self-contained; its CSP would turn a fetch into a console error anyway);
// - every operationId of the matching dist/*.json is the id of exactly one element, an
//   `article.operation`, which is visible and shows the operation's path;
// - every tag (declared in `tags` or named by an operation) has exactly one visible
//   `section.tag` with `data-tag` = the name and an id starting with `tag-`;
// - the page has a title and an h1.
//
// Usage: node check.cjs <playwright-core dir> <page.html> <spec.json> [<page.html> <spec.json>]...
// Exit status 1 on any failure, with every problem listed.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const [playwrightDir, ...pairs] = process.argv.slice(2);
const { chromium } = require(playwrightDir);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The operations (id, method, path) and tag names of a spec tree. */
function expected(spec) {
  const ops = [];
  const tags = new Set((spec.tags || []).map((t) => t.name));
  for (const [p, item] of Object.entries(spec.paths || {})) {
    for (const m of METHODS) {
      const op = item && item[m];
      if (!op) continue;
      ops.push({ id: op.operationId, method: m, path: p });
      for (const t of op.tags || []) tags.add(t);
    }
  }
  return { ops, tags: [...tags] };
}

async function checkPage(browser, htmlPath, specPath) {
  const problems = [];
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
  const { ops, tags } = expected(spec);
  const url = pathToFileURL(path.resolve(htmlPath)).href;
  const page = await browser.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      problems.push(`console ${msg.type()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('request', (req) => {
    if (req.url() !== url) problems.push(`request for ${req.url()} (the page must fetch nothing)`);
  });
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
  const response = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  if (!response || !response.ok()) problems.push(`loading ${url} failed`);

  const found = await page.evaluate(
    ({ ops, tags }) => {
      const visible = (el) =>
        !!el &&
        el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) &&
        el.getBoundingClientRect().width > 0 &&
        el.getBoundingClientRect().height > 0;
      const out = { title: document.title, h1: !!document.querySelector('h1'), ops: [], tags: [] };
      const all = [...document.querySelectorAll('[id]')];
      for (const op of ops) {
        const withId = all.filter((el) => el.id === op.id);
        const el = withId[0];
        out.ops.push({
          id: op.id,
          count: withId.length,
          isOperation: !!el && el.matches('article.operation'),
          visible: visible(el),
          showsPath: !!el && el.textContent.includes(op.path),
          showsMethod: !!el && el.textContent.toLowerCase().includes(op.method),
        });
      }
      const sections = [...document.querySelectorAll('section.tag')];
      for (const name of tags) {
        const s = sections.filter((el) => el.dataset.tag === name);
        out.tags.push({
          name,
          count: s.length,
          id: s[0] ? s[0].id : null,
          visible: visible(s[0]),
          heading: !!s[0] && !!s[0].querySelector('h2') && s[0].querySelector('h2').textContent === name,
        });
      }
      return out;
    },
    { ops, tags },
  );
  if (!found.title) problems.push('no <title>');
  if (!found.h1) problems.push('no <h1>');
  for (const o of found.ops) {
    if (!o.id) problems.push('an operation without operationId');
    else if (o.count !== 1) problems.push(`operation ${o.id}: ${o.count} elements with this id`);
    else if (!o.isOperation) problems.push(`operation ${o.id}: the element is not an article.operation`);
    else if (!o.visible) problems.push(`operation ${o.id}: not visible`);
    else if (!o.showsPath || !o.showsMethod) problems.push(`operation ${o.id}: method or path not shown`);
  }
  for (const t of found.tags) {
    if (t.count !== 1) problems.push(`tag ${t.name}: ${t.count} sections`);
    else if (!t.id || !t.id.startsWith('tag-')) problems.push(`tag ${t.name}: section id ${t.id}`);
    else if (!t.visible) problems.push(`tag ${t.name}: not visible`);
    else if (!t.heading) problems.push(`tag ${t.name}: its heading does not name it`);
  }
  await page.close();
  return { problems, ops: ops.length, tags: tags.length };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    timeout: 60000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let failed = false;
  try {
    for (let i = 0; i < pairs.length; i += 2) {
      const [html, json] = [pairs[i], pairs[i + 1]];
      const { problems, ops, tags } = await checkPage(browser, html, json);
      if (problems.length) {
        failed = true;
        console.error(`${html}: ${problems.length} problem(s)`);
        for (const p of problems) console.error(`  ${p}`);
      } else {
        console.log(`${html}: ${ops} operation(s) and ${tags} tag(s) present and visible, no console or page error`);
      }
    }
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
