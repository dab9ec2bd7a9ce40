// Headless Chromium for the browser tests, accessibility checks with axe-core, and screenshots.
//
// Chromium is Debian's /usr/bin/chromium (scripts/test installs it): Playwright's own browser
// downloads are not available here, so only playwright-core is used, with executablePath.

import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));

export const CHROMIUM_PATH = process.env.PORTICO_BROWSER_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS_DIR = join(HERE, 'artifacts');

// Quiet, offline, reproducible: no first-run UI, no background fetches to Google, no GPU.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The WCAG 2.1 A and AA rules; the suite asserts none of them is violated.
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// How every page is opened: the same for the single-profile browser and for each person's context.
const CONTEXT_OPTIONS = {
  // No bypassCSP: the page's own Content-Security-Policy (`script-src 'self'`) holds, as it does
  // for people. axe-core is evaluated through the DevTools protocol (see checkA11y), which a
  // CSP does not govern, rather than added as an inline <script> that the CSP would block.
  locale: 'bg-BG',
  viewport: { width: 1280, height: 900 },
};

/** Fail a step with Playwright's own message well before node:test's step timeout. */
function setPageTimeouts(page) {
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(30_000);
}

/**
 * Launches Chromium with a fresh profile in a temporary folder.
 * Returns { context, page, close() }; close() also removes the profile.
 */
export async function launchBrowser() {
  const profileDir = await mkdtemp(join(tmpdir(), 'portico-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    ...CONTEXT_OPTIONS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  setPageTimeouts(page);
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/**
 * Launches one Chromium for several people: each `newContext()` is a separate browser context
 * (its own cookies, so its own session), like separate browsers on separate machines.
 * Returns { newContext(options) → { context, page }, close() }; options add to the defaults
 * (e.g. `{ javaScriptEnabled: false }`).
 */
export async function launchBrowserForPeople() {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  return {
    async newContext(options = {}) {
      const context = await browser.newContext({ ...CONTEXT_OPTIONS, ...options });
      const page = await context.newPage();
      setPageTimeouts(page);
      return { context, page };
    },
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

let axeSource;
async function axeScript() {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** One axe violation as a few readable lines: rule, impact, what to fix, and where. */
function describeViolation(violation) {
  const lines = [`- [${violation.impact ?? 'n/a'}] ${violation.id}: ${violation.help}`, `  ${violation.helpUrl}`];
  for (const node of violation.nodes.slice(0, 5)) {
    lines.push(`  at ${node.target.join(' ')}`);
    lines.push(`     ${node.html.replace(/\s+/g, ' ').slice(0, 200)}`);
    if (node.failureSummary) {
      lines.push(...node.failureSummary.split('\n').map((l) => `     ${l}`));
    }
  }
  if (violation.nodes.length > 5) {
    lines.push(`  … and ${violation.nodes.length - 5} more elements`);
  }
  return lines.join('\n');
}

/**
 * Runs axe-core's WCAG 2.1 A/AA rules on the page and throws, listing every violation, if any.
 * `label` names the page in the message.
 */
export async function checkA11y(page, label) {
  const alreadyLoaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!alreadyLoaded) {
    // Evaluated as a string expression: defines window.axe without an inline <script> element.
    await page.evaluate(await axeScript());
  }
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    WCAG_TAGS,
  );
  if (results.violations.length > 0) {
    throw new Error(
      `${results.violations.length} accessibility violation(s) (WCAG 2.1 A/AA) on "${label}" (${page.url()}):\n` +
        results.violations.map(describeViolation).join('\n'),
    );
  }
}

/** Empties artifacts/<subdir>, so a run's screenshots are never mixed with an earlier run's. */
export async function resetArtifacts(subdir = process.env.PORTICO_BROWSER_DB ?? 'sqlite') {
  await rm(join(ARTIFACTS_DIR, subdir), { recursive: true, force: true });
}

let screenshotCounter = 0;
/**
 * Saves a full-page screenshot as artifacts/<db>/<nn>-<label>.png, numbered in the order taken,
 * for people to look at; never fails a test.
 */
export async function screenshot(page, label, subdir = process.env.PORTICO_BROWSER_DB ?? 'sqlite') {
  screenshotCounter += 1;
  const dir = join(ARTIFACTS_DIR, subdir);
  const name = `${String(screenshotCounter).padStart(2, '0')}-${label.replace(/[^a-z0-9]+/gi, '-')}.png`;
  try {
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: join(dir, name), fullPage: true });
  } catch (err) {
    console.error(`screenshot ${name} failed: ${err.message}`);
  }
}

/** The widths every page is checked at: a small phone (WCAG 1.4.10 reflow) and a laptop. */
export const WIDTHS = [320, 1280];

/**
 * Fails when the page scrolls sideways at its current width (WCAG 1.4.10 reflow), naming the
 * elements that stick out past the window's right edge.
 */
export async function assertNoHorizontalOverflow(page, label) {
  const result = await page.evaluate(() => {
    const width = window.innerWidth;
    const overflow = document.documentElement.scrollWidth > width;
    const culprits = [];
    if (overflow) {
      for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.right > width + 1 && box.width > 0) {
          culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (right edge ${Math.round(box.right)} px)`);
        }
      }
    }
    return { overflow, scrollWidth: document.documentElement.scrollWidth, width, culprits: culprits.slice(0, 8) };
  });
  if (result.overflow) {
    throw new Error(
      `"${label}" scrolls sideways at ${result.width} px (${page.url()}): the page is ${result.scrollWidth} px wide.\n` +
        `Sticking out: ${result.culprits.join(', ') || '(nothing found)'}`,
    );
  }
}

/**
 * Checks a page at each width in WIDTHS: no horizontal scrolling, axe-core clean, and a
 * screenshot per width (`<label>-320`, `<label>-1280`). Leaves the viewport at the last width
 * (1280 px, the one the browsers open with).
 */
export async function checkLayout(page, label, subdir) {
  const height = page.viewportSize()?.height ?? 900;
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height });
    await assertNoHorizontalOverflow(page, `${label} at ${width} px`);
    await checkA11y(page, `${label} at ${width} px`);
    await screenshot(page, `${label}-${width}`, subdir);
  }
}
