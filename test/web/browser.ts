import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (../shared/STACK.md): headless, as root, so without its sandbox. */
export const CHROMIUM = '/usr/bin/chromium';
/** Where the tests write the console's screenshots, which the README shows. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
export const DESKTOP_VIEWPORT = { width: 1280, height: 1000 };
/** A phone-sized screen (an iPhone 12's CSS pixels). */
export const PHONE_VIEWPORT = { width: 390, height: 844 };

/** One browser for a test file: `const browser = sharedBrowser();` at the top of a describe. */
export function sharedBrowser(): { get: () => Browser } {
  let browser: Browser | undefined;
  before(async function () {
    this.timeout(60_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });
  after(async () => browser?.close());
  return {
    get: () => {
      if (browser === undefined) throw new Error('The browser did not start (see the before hook)');
      return browser;
    },
  };
}
