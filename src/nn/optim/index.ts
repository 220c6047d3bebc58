/**
 * optim: optimizers, gradient clipping and learning-rate schedulers (PyTorch's torch.optim).
 *   const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 *   opt.zeroGrad(); loss.backward(); opt.step();
 */
export {
  Optimizer, type GroupBase, type ParamGroup, type ParamGroupInput, type Params, type ParamState, type OptimizerStateDict,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamGroup } from './adam.js';
export { clipGradNorm, type ClipGradNormOptions } from './clip-grad.js';
export { LRScheduler, StepLR, CosineAnnealingLR, type SchedulerStateDict } from './lr-scheduler.js';
