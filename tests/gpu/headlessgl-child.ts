/**
 * Runs inside `xvfb-run` (spawned by headlessgl.test.ts): the gpu backend in
 * mode 'headlessgl', reported as one JSON line on stdout.
 */
import * as G from '../../src/index.js';
import { runModeSuite } from './checks.js';

const steps = Number(process.argv[2] ?? 100);
const report = await runModeSuite(G, 'headlessgl', steps);
const auto = G.setBackend('gpu', { mode: 'auto' });
G.setBackend('js');
await G.disposeGpu();
const afterDispose = G.gpuResources().total;
process.stdout.write(`\nREPORT ${JSON.stringify({ report, auto, afterDispose })}\n`);
