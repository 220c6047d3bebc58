/**
 * Files in and out: safetensors checkpoints, PNG image grids, NumPy .npy arrays,
 * and the atomic write they share.
 *
 * Byte-level functions (serialize/deserialize, saveToBuffer/loadFromBuffer,
 * encodeNpy/decodeNpy, gridPixels) work anywhere; the file functions are async
 * and Node-only: they load node:fs (and pngjs) on first use, so importing
 * genzoo never pulls Node modules into a browser bundle.
 */
export {
  serialize, deserialize, saveToBuffer, loadFromBuffer, save, load, readSafetensors, readSafetensorsMetadata, MAX_HEADER_BYTES,
  type SafetensorsDType, type StateDict, type StateDictModule, type Checkpointable, type TensorInfo,
  type DecodedSafetensors, type LoadOptions, type LoadResult, type SaveOptions, type SerializeOptions,
} from './safetensors.js';
export { halfToNumber, WIDENED_DTYPES, type WidenedDType } from './safetensors-dtypes.js';
export { encodeNpy, decodeNpy, saveNpy, loadNpy, type NpyArray } from './npy.js';
export { gridPixels, encodePng, imageGrid, savePng, decodePng, readPng, type GreyImage, type GridOptions } from './png.js';
export { writeFileAtomic, type AtomicWriteOptions } from './atomic.js';
