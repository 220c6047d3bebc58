/**
 * The one rule for tests that need something outside npm (Chromium, an X
 * display and the `gl` build, python3 with torch): in CI (`CI` set to anything
 * but '', 'false' or '0') a missing prerequisite FAILS the test — CI installs
 * everything (.ci/run), so a gap there is a broken setup, not a reason to pass;
 * on a developer's machine the test is skipped with a loud message saying what
 * to install.
 *
 *   const missing = await chromiumPrerequisite('wasm browser tests');
 *   describe.skipIf(missing?.skip ?? false)('…', () => {
 *     beforeAll(() => { if (missing) throw new Error(missing.message); });   // only reached in CI
 */
import { existsSync } from 'node:fs';

export const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/** Debian's Chromium, which every browser test drives through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/** A missing prerequisite: whether to skip (never in CI) and the message (printed now when skipping). */
export interface MissingPrerequisite {
  skip: boolean;
  message: string;
}

/** The rule above, for one missing thing: `suite` names the tests, `howToFix` says what to install. */
export function missingPrerequisite(what: string, howToFix: string, suite = 'gpu tests'): MissingPrerequisite {
  const message = `${suite}: ${what} — ${howToFix}`;
  if (!IN_CI) console.warn(`\n*** SKIPPED: ${message}\n`);
  return { skip: !IN_CI, message };
}

/** Chromium and playwright-core for a browser test, or what is missing. */
export async function chromiumPrerequisite(suite: string): Promise<MissingPrerequisite | null> {
  if (!existsSync(CHROMIUM)) return missingPrerequisite(`${CHROMIUM} is missing`, 'apt-get install -y chromium', suite);
  try {
    await import('playwright-core');
  } catch (e) {
    return missingPrerequisite(`playwright-core does not load (${(e as Error).message})`, 'npm install', suite);
  }
  return null;
}
