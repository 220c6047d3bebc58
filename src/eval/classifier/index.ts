/**
 * The evaluation classifier, one concern a file:
 *   model.ts        the network and `classify` (labels, calibrated probabilities, features)
 *   degrade.ts      blur, noise and blends: how a digit stops being readable
 *   train.ts        the training recipe that teaches it to hesitate on those
 *   calibration.ts  temperature scaling and the expected calibration error
 *   held-out.ts     the scores a classifier is checked at
 *   store.ts        its weights file: recorded scores and a content hash, checked on load
 *   load.ts         the shipped weights, or a trained one kept in a cache folder
 */
export { DigitClassifier, classify, CLASSIFIER_VERSION, CLASSIFIER_FEATURES, DIGIT_CLASSES, type ClassifierOutput } from './model.js';
export { gaussianBlur, gaussianKernel, addGaussianNoise, blendImages } from './degrade.js';
export {
  trainClassifier, randomShift, degradedDigits, unreadableShare, AMBIGUITY, CLASSIFIER_DEFAULTS,
  type ClassifierTrainOptions, type TrainedClassifier, type DegradedDigits,
} from './train.js';
export { softmaxRows, fitTemperature, temperatureNll, expectedCalibrationError, type TemperatureFit, type CalibrationError } from './calibration.js';
export { scoreHeldOut, type HeldOutScores } from './held-out.js';
export {
  readClassifierFile, saveClassifierFile, encodeClassifierFile, ClassifierFileError, CLASSIFIER_FILE, CLASSIFIER_FORMAT,
  type ClassifierInfo,
} from './store.js';
export {
  loadClassifier, shippedClassifierPath, defaultCacheDir, CLASSIFIER_SOURCES,
  type ClassifierSource, type LoadClassifierOptions, type LoadedClassifier,
} from './load.js';
