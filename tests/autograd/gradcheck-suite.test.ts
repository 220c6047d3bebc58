/**
 * Every differentiable op against float64 central differences, over random
 * shapes (size-1 dims, broadcasting, negative axes) and values drawn by fast-check.
 * The cases live in tests/helpers/op-cases.ts so other backends can rerun them.
 */
import { runGradcheckSuite } from '../helpers/op-cases.js';

runGradcheckSuite({ dtype: 'float64', numRuns: 15, label: 'js' });
