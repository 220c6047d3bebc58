/**
 * The TensorFlow.js the benchmark page loads (bundled by esbuild into /tfjs.js):
 * tfjs-core WITH its gradient registrations (the minified dist bundle has none,
 * so optimizers would fail to train) and the cpu backend. The webgl and webgpu
 * backends are then loaded from their own es2017 bundles, which extend the
 * global `tf` this file exposes (they are UMD bundles that take `tf` as tfjs-core).
 */
import * as core from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';

// A plain object, not the module namespace: the UMD backend bundles add their exports to it.
globalThis.tf = { ...core };
