/**
 * The same op cases in float32 on the js reference backend: proves gradcheck's
 * float32 tolerances hold for every op before a faster float32 backend (wasm,
 * GPU.js) reruns them with `runGradcheckSuite({ dtype: 'float32', backend })`.
 */
import { referenceBackend } from '../../src/index.js';
import { runGradcheckSuite } from '../helpers/op-cases.js';

runGradcheckSuite({ dtype: 'float32', numRuns: 5, label: 'js', backend: referenceBackend() });
