import type { Rng } from '../rng'
import type { DType, Tensor } from '../tensor'

/**
 * Called by a model's loss(X, y) for each hidden layer, in order from the input (`index` 0 first), with
 * the layer's output before its ReLU: (N, M) for an affine layer (after batchnorm when it has one), (N, F,
 * Ho, Wo) for a convolution (before pooling); `xhat` is batchnorm's normalised input (N, M), else null.
 * The tensors may be scratch buffers: read them before the next training step.
 */
export type ActivationTap = (index: number, pre: Tensor, xhat: Tensor | null) => void

export interface LossAndGrads {
  loss: number
  /** One gradient per entry of `params`, same names and shapes. */
  grads: Record<string, Tensor>
}

/**
 * What the Solver needs of a model (CS231n's contract): a record of parameters that it updates in place
 * and a loss function that returns scores without labels and loss plus gradients with them.
 */
export interface Model {
  /** Parameters by name (W1, b1, ...). Read on every call; the Solver and gradient checks mutate `.data`. */
  params: Record<string, Tensor>
  readonly dtype: DType
  /** X: (N, d1, ..., dk) -> scores: (N, C), test-time behaviour (dropout off, batchnorm running stats). */
  loss(X: Tensor): Tensor
  /** X: (N, d1, ..., dk), y: (N,) labels in [0, C) -> data loss + regularisation, and gradients. */
  loss(X: Tensor, y: Int32Array): LossAndGrads
  /**
   * Stream for dropout masks during training. The Solver sets it from its own seed so that a run is
   * reproducible; models without randomness ignore it.
   */
  rng?: Rng | null
  /**
   * State that is not trained but changes while training (batchnorm running statistics), by name.
   * Checkpoints save and restore it so that a resumed run continues exactly.
   */
  buffers?(): Record<string, Tensor>
  /**
   * Optional: one training step of plain SGD fused into the backward pass, for the Solver's built-in
   * 'sgd' rule. The same as `loss(X, y)` followed by `w -= lr[name] * dw` for every parameter, except that
   * each weight gradient is never stored: its GEMM writes the update straight into the weights
   * (w := (1 - lr reg) w - lr x^T dout), so no full-size gradient buffer is written and read back.
   * Returns the loss; when it is not finite the parameters are left untouched.
   */
  /**
   * When set, loss(X, y) reports every hidden layer's pre-activation to it (layer capture, issue 15).
   * Only the pass that computes activations changes (an unfused affine + relu in place of the sandwich);
   * the loss and gradients are the same functions of the same inputs. Not used by sgdStep.
   */
  tap?: ActivationTap | null
  sgdStep?(X: Tensor, y: Int32Array, lr: Readonly<Record<string, number>>): number
}
