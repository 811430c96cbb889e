import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';
import { type BrowserHarness, openBrowser, signIn } from '../console/browser.js';
import { type HarnessFixture, startHarnessFixture } from './harness-fixture.js';
import { TEST_ADMIN_KEY } from './server.js';

/** The server and the signed-in Chromium of a console browser suite, set once its `before` ran. */
export interface ConsoleBrowserSuite {
  readonly fixture: HarnessFixture;
  readonly browser: BrowserHarness;
}

/**
 * Registers the hooks every console browser suite shares, in the calling `describe`: before, a
 * scripted-model server (`start`) and a Chromium signed in with the admin key; after, both closed;
 * after each test, no page error and no console error.
 */
export function signedInConsoleSuite(
  start: () => Promise<HarnessFixture> = () => startHarnessFixture('sqlite'),
): ConsoleBrowserSuite {
  let fixture: HarnessFixture | undefined;
  let browser: BrowserHarness | undefined;
  before(async () => {
    fixture = await start();
    browser = await openBrowser();
    await signIn(browser.page, fixture.server.url, TEST_ADMIN_KEY);
  });
  after(async () => {
    await browser?.close();
    await fixture?.close();
  });
  afterEach(() => {
    assert.deepEqual(browser?.errors ?? [], [], 'no page errors and no console errors');
  });
  return {
    get fixture() {
      assert.ok(fixture, 'the suite has not started');
      return fixture;
    },
    get browser() {
      assert.ok(browser, 'the suite has not started');
      return browser;
    },
  };
}
