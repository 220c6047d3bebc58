/**
 * Data: the embedded MNIST digits, IDX files, and the DataLoader.
 *   const train = await data.mnist({ split: 'train' });     // 9,003 real digits
 *   const loader = new data.DataLoader(train, { batchSize: 64, seed: 0 });
 */
export { makeDataset, subset, balancedSubset, classCounts, type Dataset, type DatasetInfo } from './dataset.js';
export {
  mnist, mnistBytes, mnistDigitsUrl, decodeMnistDigits, splitMnist, isTestIndex, MNIST_CLASS_COUNTS,
  type Split, type MnistBytes, type MnistOptions, type DigitsSource,
} from './mnist.js';
export { parseIdx, encodeIdx, readIdx, decodeIdxFile, loadIdxDataset, type IdxArray, type IdxData, type IdxDType, type IdxDatasetOptions } from './idx.js';
export { DataLoader, Batch, type DataLoaderOptions, type LoaderPosition, type LoaderState } from './loader.js';
export { loadDataset, checkDatasetSpec, type DatasetSpecOptions } from './source.js';
export { oneHot } from '../tensor/create.js';
