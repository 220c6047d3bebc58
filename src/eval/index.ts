/**
 * Evaluation metrics for generated digits: class faithfulness, Fréchet
 * distance, sharpness, diversity, memorisation (novelty), and the VAE/CVAE
 * likelihood bounds; latent interpolation; the digit classifier that judges samples; the float64
 * linear algebra the metrics rest on; and the table/JSON formats of
 * `genzoo eval` and `genzoo compare`.
 *   import { evaluation } from 'genzoo';
 *   evaluation.sharpness(samples, realDigits).ratio
 */
export { asRows, asLabels, groupByClass, IMAGE_SIZE, type RowSet, type LabelSet, type Rows, type ImageGeometry } from './rows.js';
export {
  symmetricEigen, sqrtmPsd, fromEigen, clampRoundOff, matmulSquare, trace, columnMean, covariance, toFloat64,
  type SymmetricEigen, type EigenOptions, type SqrtmOptions, type PsdSqrt,
} from './linalg.js';
export { gaussianStats, frechetDistance, frechetDistanceFromStats, type GaussianStats, type FrechetResult } from './frechet.js';
export { meanSquaredLaplacian, sharpness, type SharpnessOptions, type SharpnessResult, type LaplacianBorder } from './sharpness.js';
export { withinClassPairwiseDistance, diversity, type DiversityOptions, type DiversityResult, type PairwiseDistanceResult } from './diversity.js';
export {
  nearestNeighbours, memorisation, nearestTrainingDigits,
  type NearestNeighbours, type NearestNeighbourOptions, type MemorisationResult, type NearestTrainingDigits,
} from './memorisation.js';
export { interpolateNoise, interpolationStrip, noisePair, type InterpolationStrip, type InterpolationStripOptions } from './interpolation.js';
export { conditionalAccuracy, argmaxRows, type ConditionalAccuracy } from './accuracy.js';
export { classFaithfulness, CONFIDENT_PROBABILITY, type ClassFaithfulness, type FaithfulnessOptions } from './faithfulness.js';
export {
  negativeElbo, importanceWeightedNll, bernoulliNll, logMeanExp,
  type LatentVariableModel, type LikelihoodOptions, type LikelihoodEstimate, type NegativeElboEstimate, type ImportanceWeightedEstimate,
} from './likelihood.js';
export { evaluateSamples, type SampleMetricsInput, type SampleMetrics } from './evaluate.js';
export {
  formatMetricsTable, formatDuration, makeEvalReport, parseEvalReport, describeClassifier, homeRelative, METRIC_COLUMNS,
  type MetricsRow, type MetricKey, type MetricColumn, type TableFormat, type TableOptions, type EvalSettings, type EvalReport, type ClassifierSummary,
} from './report.js';
export { classBalance, type ClassBalance } from './class-balance.js';
export { likelihoodModel } from './adapter.js';
export {
  prepareEvaluation, evaluateModel, realDigitsRow, evaluateCheckpoint, evenlySpaced, EVAL_DEFAULTS, EVAL_FILE,
  type EvalContext, type EvalContextOptions, type ModelEvalOptions, type ModelEvaluation, type CheckpointEvalOptions, type CheckpointEvaluation,
} from './model-eval.js';
export {
  comparisonFigure, comparisonFigureSize, panelLayout, formatRelativeDistance, FIGURE_LAYOUT, FIGURE_CAPTIONS,
  type FigurePanel, type FigureSections, type PanelLayout, type InterpolationRow, type NearestRow, type ComparisonFigureOptions,
} from './figure/comparison.js';
export { runPanel, INTERPOLATION_CLASSES, type RunPanel, type RunPanelOptions } from './figure/run-panel.js';
export { drawText, textWidth } from './figure/font.js';
export * from './classifier/index.js';
