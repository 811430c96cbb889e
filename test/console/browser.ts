import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (docs/decisions/0013-browser-tests.md): a fresh
 * profile per run, no network chatter of its own, and every page error or console error kept so
 * a test can fail on it.
 */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * `describe` options: on CI a missing Chromium is a broken setup (.ci/run installs it), so the
 * tests run and fail; elsewhere they are skipped with the command that fixes it.
 */
export function browserSuiteOptions(): { skip?: string } {
  if (existsSync(CHROMIUM) || process.env.CI === 'true') return {};
  return { skip: `${CHROMIUM} is missing: apt-get install -y chromium` };
}

export interface BrowserHarness {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors so far, as text. */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(viewport = { width: 1280, height: 900 }): Promise<BrowserHarness> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'paddock-chromium-'));
  // launchPersistentContext is how Playwright takes a --user-data-dir: a fresh one per run.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
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
    // A loaded CI machine can be slow to start a browser; the default 30 s is tight there.
    timeout: 120_000,
  });
  // Locators wait for conditions; the ceiling is generous for a loaded CI machine.
  context.setDefaultTimeout(60_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in to the console at `url` with `apiKey` and waits for the sessions list. */
export async function signIn(page: Page, url: string, apiKey: string): Promise<void> {
  await page.goto(`${url}/console`);
  await page.getByRole('heading', { name: 'Sign in to Paddock' }).waitFor();
  await page.locator('#api-key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Sessions' }).waitFor();
}

// Code run in the page is passed as strings: this project's TypeScript has no DOM library.

/** Navigates inside the console (a hash route); the caller waits for the new page's content. */
export async function go(page: Page, hash: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
}

/** The page's current hash route. */
export async function currentHash(page: Page): Promise<string> {
  return String(await page.evaluate('location.hash'));
}

/** Waits until the page has scrolled to (near) its bottom: the view follows a running session. */
export async function waitAtBottom(page: Page, slack = 150): Promise<void> {
  await page.waitForFunction(
    `document.documentElement.scrollHeight - (window.scrollY + window.innerHeight) < ${slack}`,
  );
}
