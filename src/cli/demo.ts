/** `genzoo demo`: a few lines of tensors and gradients, a first look at the library without training anything (`genzoo train` is the main job). */
import { tensor, randn, manualSeed, backendInfo } from '../index.js';

export async function runDemo(): Promise<number> {
  manualSeed(0);
  const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const y = x.matmul(x).relu().sum();
  y.backward();
  console.log(`backend: ${backendInfo().name}`);
  console.log('x =', JSON.stringify(x.toArray()));
  console.log('y = sum(relu(x·x)) =', y.item());
  console.log('dy/dx =', JSON.stringify(x.grad?.toArray()));
  const w = randn([3, 2], { requiresGrad: true });
  const loss = randn([4, 3]).matmul(w).tanh().square().mean();
  loss.backward();
  console.log('a random tanh layer: loss', loss.item().toFixed(4), '| grad shape', JSON.stringify(w.grad?.shape));
  return 0;
}
