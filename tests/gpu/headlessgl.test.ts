/**
 * The gpu backend in mode 'headlessgl' (Node, the optional `gl` package, Mesa
 * under Xvfb): every kernel against the js reference, the ops and their
 * gradients, training steps on the device with the loss falling and the live
 * GL object count flat, and 'auto' reporting why it
 * passed over a software GL. headless-gl needs an X display, so the checks run
 * in a child process under `xvfb-run -a` (or directly where DISPLAY is set).
 */
import { expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, missingPrerequisite, ROOT, tempDir, which } from './harness.js';
import type { ModeReport } from './checks.js';

function prerequisites(): { skip: boolean; message: string } | null {
  try {
    const gl = createRequire(join(ROOT, 'package.json'))('gl') as (w: number, h: number) => unknown;
    if (typeof gl !== 'function') throw new Error('gl did not export a function');
  } catch (e) {
    return missingPrerequisite(`the optional 'gl' package is not built (${(e as Error).message.split('\n')[0]})`,
      "apt-get install -y libxi-dev libx11-dev libxext-dev pkg-config xvfb, then npm rebuild gl (about 6 minutes)");
  }
  if (!process.env.DISPLAY && !which('xvfb-run')) return missingPrerequisite('no X display and no xvfb-run', 'apt-get install -y xvfb');
  return null;
}

const missing = prerequisites();

test.skipIf(missing?.skip ?? false)('headlessgl: every kernel, the ops, training on the device and resources', async () => {
  if (missing) throw new Error(missing.message);
  const dir = tempDir('gpu-headlessgl-', true);
  const script = await bundle('tests/gpu/headlessgl-child.ts', join(dir, 'child.mjs'), 'node');
  const cmd = process.env.DISPLAY ? ['node', script, '60'] : ['xvfb-run', '-a', 'node', script, '60'];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 150_000, cwd: ROOT });
  rmSync(dir, { recursive: true, force: true });
  const line = r.stdout.split('\n').find((l) => l.startsWith('REPORT '));
  expect(line, `child exited ${r.status} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr}`).toBeTruthy();
  const { report, auto, afterDispose } = JSON.parse(line!.slice(7)) as { report: ModeReport; auto: { details: Record<string, unknown> }; afterDispose: number };

  expect(report.info.details.mode).toBe('headlessgl');
  for (const c of [...report.kernels, ...report.ops]) expect(c.ok, `${c.kernel} ${c.spec}: ${c.detail}`).toBe(true);
  expect(report.kernels.length).toBeGreaterThanOrEqual(80);
  const { losses, resourcesAfterFirst, resourcesAfterLast, perStep } = report.train;
  expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
  expect(perStep.fallbacks).toBe(0);
  expect(perStep.uploads).toBe(0);
  expect(perStep.readbacks).toBe(1);
  expect(resourcesAfterLast).toBeLessThanOrEqual(resourcesAfterFirst);
  expect(resourcesAfterFirst).toBeGreaterThan(0); // GL objects are really counted
  // Mesa's llvmpipe rasterizes on the CPU: 'auto' prefers webasm and says why.
  const skipped = auto.details.skipped as Record<string, string>;
  if (report.info.details.softwareRenderer) {
    expect(auto.details.mode).toBe('webasm');
    expect(skipped.headlessgl).toMatch(/software renderer/);
  } else {
    expect(auto.details.mode).toBe('headlessgl');
  }
  expect(afterDispose).toBe(0);
}, 180_000);
