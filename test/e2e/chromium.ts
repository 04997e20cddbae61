/**
 * Headless Chromium for the browser tests (Debian's, through playwright-core):
 * where it is, whether to skip, and a launch that says what to do when it is
 * missing. Each page's uncaught errors and console errors are collected, so
 * a test can assert that nothing went wrong beyond what it expects.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.RTBENCH_CHROMIUM ?? '/usr/bin/chromium';
export const SKIP_BROWSER = process.env.RTBENCH_SKIP_BROWSER === '1';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it (apt-get install chromium), point RTBENCH_CHROMIUM at it, or set RTBENCH_SKIP_BROWSER=1 to skip this test`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM });
}

/** Uncaught page errors and console errors of a page, as they happen. */
export function watchProblems(page: Page, name: string): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`${name}: page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${name}: console error: ${message.text()}`);
  });
  return problems;
}
