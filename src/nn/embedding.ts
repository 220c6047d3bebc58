/** Embedding: a learned lookup table, row i the vector of index i (class labels → dense codes). */
import { embedding } from '../autograd/index.js';
import type { Tensor } from '../tensor/index.js';
import { normal } from './init.js';
import { positiveInt, type LayerOptions } from './options.js';
import { WeightedLayer } from './weighted.js';

/** A learned lookup table: integer indices of any shape → their vectors, [...shape, embeddingDim]; the weight is [numEmbeddings, embeddingDim], initialised N(0, 1) as in PyTorch. */
export class Embedding extends WeightedLayer<[Tensor | ArrayLike<number>]> {
  /** Rows of the table (the number of indices). */
  readonly numEmbeddings: number;
  /** Length of each vector. */
  readonly embeddingDim: number;

  constructor(numEmbeddings: number, embeddingDim: number, opts: LayerOptions = {}) {
    super();
    this.numEmbeddings = positiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = positiveInt('Embedding', 'embeddingDim', embeddingDim);
    this.createWeight('Embedding', [numEmbeddings, embeddingDim], opts, (w) => normal(w, 0, 1, opts)); // PyTorch's default: N(0, 1)
  }

  /** Integer indices of any shape (a Tensor or an array) → [...shape, embeddingDim]. */
  override forward(indices: Tensor | ArrayLike<number>): Tensor {
    return embedding(indices, this.weight);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}
