/**
 * The training engine: CS231n's modular design in TypeScript. Layers are forward/backward pairs whose
 * forward returns [out, cache]; models expose `params` and `loss`; the Solver drives update rules.
 * Heavy math runs through BLAS (native addon) when available, else through the TypeScript kernels.
 */
export { tensor, zeros, clone, reshape, astype, sizeOf, formatShape, isTensor } from './tensor'
export type { Tensor, DType, FloatArray } from './tensor'
export { Arena, withArena } from './memory'
export { Rng, randomSeed } from './rng'
export { tensorRows, uint8Rows, isRowSource } from './rows'
export type { RowSource } from './rows'

export { affineForward, affineBackward } from './layers/affine'
export type { AffineCache, BackwardOptions } from './layers/affine'
export { reluForward, reluBackward } from './layers/relu'
export type { ReluCache } from './layers/relu'
export { affineReluForward, affineReluBackward } from './layers/sandwich'
export type { AffineReluCache } from './layers/sandwich'
export { batchnormForward, batchnormBackward, batchnormBackwardAlt } from './layers/batchnorm'
export type { BnParam, BatchnormCache } from './layers/batchnorm'
export { layernormForward, layernormBackward } from './layers/layernorm'
export type { LnParam, LayernormCache } from './layers/layernorm'
export { dropoutForward, dropoutBackward } from './layers/dropout'
export type { DropoutParam, DropoutCache } from './layers/dropout'
export { svmLoss, softmaxLoss } from './layers/losses'
export { convForward, convBackward, convForwardNaive, convBackwardNaive } from './layers/conv'
export type { ConvParam, ConvCache } from './layers/conv'
export { maxPoolForward, maxPoolBackward, maxPoolForwardNaive, maxPoolBackwardNaive } from './layers/pool'
export type { PoolParam, MaxPoolCache } from './layers/pool'
export {
  spatialBatchnormForward,
  spatialBatchnormBackward,
  spatialGroupnormForward,
  spatialGroupnormBackward,
} from './layers/spatialNorm'
export type { SpatialBatchnormCache, SpatialGroupnormCache, GnParam } from './layers/spatialNorm'
export {
  convReluForward,
  convReluBackward,
  convReluPoolForward,
  convReluPoolBackward,
} from './layers/convSandwich'
export type { ConvReluCache, ConvReluPoolCache } from './layers/convSandwich'

export { TwoLayerNet } from './models/twoLayerNet'
export type { TwoLayerNetOptions } from './models/twoLayerNet'
export { FullyConnectedNet } from './models/fcNet'
export type { FullyConnectedNetOptions, Normalization } from './models/fcNet'
export { ThreeLayerConvNet } from './models/threeLayerConvNet'
export type { ThreeLayerConvNetOptions } from './models/threeLayerConvNet'
export type { Model, LossAndGrads, ActivationTap } from './models/types'

export * as optim from './optim'
export { Solver, DivergenceError } from './solver'
export type { SolverData, SolverOptions, SolverEvent, SolverCheckpoint, CaptureOptions } from './solver'
export { LayerCapturer, layerSpecs } from './capture/layerCapture'
export { fastTensorStats } from './capture/stats'
export { argmaxRows } from './ops'

export { evalNumericalGradient, evalNumericalGradientArray, relError } from './gradcheck'
export { getBackend, setBackend, backendInfo, nativeAvailability } from './backend'
export type { Backend, BackendInfo } from './backend'
