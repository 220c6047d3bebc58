/** Embedding: a learned lookup table, row i the vector of index i (class labels → dense codes). */
import { embedding } from '../autograd/index.js';
import { zeros, type Tensor } from '../tensor/index.js';
import { normal } from './init.js';
import { Module } from './module.js';
import { layerDType, positiveInt, type LayerOptions } from './options.js';

/** A learned lookup table: integer indices of any shape → their vectors, [...shape, embeddingDim]; initialised N(0, 1) as in PyTorch. */
export class Embedding extends Module<[Tensor | ArrayLike<number>], Tensor> {
  /** Rows of the table (the number of indices). */
  readonly numEmbeddings: number;
  /** Length of each vector. */
  readonly embeddingDim: number;

  constructor(numEmbeddings: number, embeddingDim: number, opts: LayerOptions = {}) {
    super();
    this.numEmbeddings = positiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = positiveInt('Embedding', 'embeddingDim', embeddingDim);
    const weight = zeros([numEmbeddings, embeddingDim], { dtype: layerDType('Embedding', opts) });
    normal(weight, 0, 1, opts); // PyTorch's default: N(0, 1)
    this.registerParameter('weight', weight);
  }

  /** [numEmbeddings, embeddingDim]. */
  get weight(): Tensor {
    return this.param('weight')!;
  }

  /** Integer indices of any shape (a Tensor or an array) → [...shape, embeddingDim]. */
  override forward(indices: Tensor | ArrayLike<number>): Tensor {
    return embedding(indices, this.weight);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}
