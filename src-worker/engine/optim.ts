/**
 * First-order update rules, as in CS231n's optim.py. Every rule has the signature
 *
 *   update(w, dw, config?) -> config
 *
 * w: (d1, ..., dk) parameter, updated IN PLACE; dw: gradient of the loss with respect to w, same shape and
 * dtype; config: hyperparameters plus the per-parameter state the rule carries between steps (velocity,
 * caches, moments). Missing hyperparameters get CS231n's defaults, and the config object passed in is
 * filled and returned (a fresh one when none is given), so the caller keeps one config per parameter and
 * passes back what it got. State tensors are allocated with `zeros` on the first call and updated in place
 * afterwards: a rule allocates nothing full-size after the first step.
 *
 * Arithmetic is done in JS doubles and rounded once per element when stored, so a float32 run differs
 * from a float64 run only by the storage precision of w and the state.
 */
import { getBackend } from './backend'
import { assertKnownKeys, assertNumberInRange, assertSameShape, assertTensor } from './check'
import { formatShape, zeros, type Tensor } from './tensor'

/** What every config has in common: the Solver decays `learningRate` at each epoch end. */
export interface OptimConfig {
  learningRate?: number
}

export interface SgdConfig extends OptimConfig {
  /** Default 1e-2. */
  learningRate?: number
}

export interface SgdMomentumConfig extends OptimConfig {
  /** Default 1e-2. */
  learningRate?: number
  /** Default 0.9; in [0, 1]. 0 is plain SGD. */
  momentum?: number
  /** Running velocity, same shape and dtype as w. Created as zeros on the first call. */
  velocity?: Tensor
}

export interface RmspropConfig extends OptimConfig {
  /** Default 1e-2. */
  learningRate?: number
  /** Decay of the squared-gradient moving average; default 0.99, in [0, 1]. */
  decayRate?: number
  /** Default 1e-8; keeps the division finite where the cache is 0. */
  epsilon?: number
  /** Moving average of dw², same shape and dtype as w. Created as zeros on the first call. */
  cache?: Tensor
}

export interface AdamConfig extends OptimConfig {
  /** Default 1e-3. */
  learningRate?: number
  /** Decay of the first moment; default 0.9, in [0, 1). */
  beta1?: number
  /** Decay of the second moment; default 0.999, in [0, 1). */
  beta2?: number
  /** Default 1e-8. */
  epsilon?: number
  /** First moment, same shape and dtype as w. Created as zeros on the first call. */
  m?: Tensor
  /** Second moment, same shape and dtype as w. Created as zeros on the first call. */
  v?: Tensor
  /** Steps taken so far (default 0); incremented before the bias correction, as in CS231n. */
  t?: number
}

/**
 * Any update rule, built in or user supplied. Declared through a method so that a rule taking a narrower
 * config (`SgdMomentumConfig`) is still an `UpdateRule` (method parameters are checked bivariantly).
 */
export type UpdateRule = {
  rule(w: Tensor, dw: Tensor, config?: OptimConfig): OptimConfig
}['rule']

/** The config keys each built-in rule accepts; anything else is a typo and is rejected. */
export const optimConfigKeys = {
  sgd: ['learningRate'],
  sgdMomentum: ['learningRate', 'momentum', 'velocity'],
  rmsprop: ['learningRate', 'decayRate', 'epsilon', 'cache'],
  adam: ['learningRate', 'beta1', 'beta2', 'epsilon', 'm', 'v', 't'],
} as const satisfies Record<string, readonly string[]>

function checkArgs(w: unknown, dw: unknown, config: unknown, fn: keyof typeof optimConfigKeys): void {
  assertTensor(w, fn, 'w')
  assertTensor(dw, fn, 'dw')
  assertSameShape(w, dw, fn, 'w', 'dw')
  if (w.dtype !== dw.dtype) {
    throw new TypeError(
      `${fn}: w ${formatShape(w.shape)} is ${w.dtype} but dw ${formatShape(dw.shape)} is ${dw.dtype}; ` +
        'they must share a dtype',
    )
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new TypeError(`${fn}: config must be an object, got ${config === null ? 'null' : typeof config}`)
  }
  assertKnownKeys(config, optimConfigKeys[fn], fn, 'config key')
}

function checkLearningRate(lr: unknown, fn: string): asserts lr is number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new RangeError(`${fn}: config.learningRate must be a finite number >= 0, got ${String(lr)}`)
  }
}

function checkEpsilon(eps: unknown, fn: string): asserts eps is number {
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
    throw new RangeError(`${fn}: config.epsilon must be a finite number >= 0, got ${String(eps)}`)
  }
}

/** Returns the state tensor, creating it on the first call; a supplied one must match w exactly. */
function stateLike(w: Tensor, state: Tensor | undefined, fn: string, name: string): Tensor {
  if (state === undefined) return zeros(w.shape, w.dtype)
  assertTensor(state, fn, `config.${name}`)
  assertSameShape(w, state, fn, 'w', `config.${name}`)
  if (state.dtype !== w.dtype) {
    throw new TypeError(`${fn}: config.${name} is ${state.dtype} but w is ${w.dtype}`)
  }
  return state
}

/**
 * Vanilla stochastic gradient descent: w -= learningRate * dw.
 * w, dw: (d1, ..., dk).
 */
export function sgd(w: Tensor, dw: Tensor, config: SgdConfig = {}): SgdConfig {
  checkArgs(w, dw, config, 'sgd')
  const lr = (config.learningRate ??= 1e-2)
  checkLearningRate(lr, 'sgd')
  // The backend's axpy: on BLAS this is several times faster than a float32 loop in V8.
  getBackend().axpy(w.data.length, -lr, dw.data, w.data)
  return config
}

/**
 * SGD with momentum: v = momentum * v - learningRate * dw; w += v.
 * w, dw, config.velocity: (d1, ..., dk).
 */
export function sgdMomentum(w: Tensor, dw: Tensor, config: SgdMomentumConfig = {}): SgdMomentumConfig {
  checkArgs(w, dw, config, 'sgdMomentum')
  const lr = (config.learningRate ??= 1e-2)
  const mu = (config.momentum ??= 0.9)
  checkLearningRate(lr, 'sgdMomentum')
  assertNumberInRange(mu, 0, 1, 'sgdMomentum', 'config.momentum')
  const vel = (config.velocity = stateLike(w, config.velocity, 'sgdMomentum', 'velocity'))
  const wd = w.data
  const g = dw.data
  const v = vel.data
  for (let i = 0; i < wd.length; i++) {
    // Store the velocity first and step with the stored value, so that w moves by exactly the v kept.
    v[i] = mu * v[i]! - lr * g[i]!
    wd[i] = wd[i]! + v[i]!
  }
  return config
}

/**
 * RMSProp: cache = decayRate * cache + (1 - decayRate) * dw²; w -= learningRate * dw / (sqrt(cache) + eps).
 * w, dw, config.cache: (d1, ..., dk).
 */
export function rmsprop(w: Tensor, dw: Tensor, config: RmspropConfig = {}): RmspropConfig {
  checkArgs(w, dw, config, 'rmsprop')
  const lr = (config.learningRate ??= 1e-2)
  const dr = (config.decayRate ??= 0.99)
  const eps = (config.epsilon ??= 1e-8)
  checkLearningRate(lr, 'rmsprop')
  assertNumberInRange(dr, 0, 1, 'rmsprop', 'config.decayRate')
  checkEpsilon(eps, 'rmsprop')
  const cache = (config.cache = stateLike(w, config.cache, 'rmsprop', 'cache'))
  const wd = w.data
  const g = dw.data
  const c = cache.data
  for (let i = 0; i < wd.length; i++) {
    const gi = g[i]!
    c[i] = dr * c[i]! + (1 - dr) * gi * gi
    wd[i] = wd[i]! - (lr * gi) / (Math.sqrt(c[i]!) + eps)
  }
  return config
}

/**
 * Adam with bias correction, CS231n's formulation:
 *   t += 1; m = beta1 * m + (1 - beta1) * dw; v = beta2 * v + (1 - beta2) * dw²
 *   w -= learningRate * mt / (sqrt(vt) + eps), mt = m / (1 - beta1^t), vt = v / (1 - beta2^t)
 * w, dw, config.m, config.v: (d1, ..., dk).
 */
export function adam(w: Tensor, dw: Tensor, config: AdamConfig = {}): AdamConfig {
  checkArgs(w, dw, config, 'adam')
  const lr = (config.learningRate ??= 1e-3)
  const b1 = (config.beta1 ??= 0.9)
  const b2 = (config.beta2 ??= 0.999)
  const eps = (config.epsilon ??= 1e-8)
  const t0 = (config.t ??= 0)
  checkLearningRate(lr, 'adam')
  assertNumberInRange(b1, 0, 1, 'adam', 'config.beta1', { hiOpen: true })
  assertNumberInRange(b2, 0, 1, 'adam', 'config.beta2', { hiOpen: true })
  checkEpsilon(eps, 'adam')
  if (!Number.isInteger(t0) || t0 < 0) {
    throw new RangeError(`adam: config.t must be a non-negative integer, got ${String(t0)}`)
  }
  const mT = (config.m = stateLike(w, config.m, 'adam', 'm'))
  const vT = (config.v = stateLike(w, config.v, 'adam', 'v'))
  const t = (config.t = t0 + 1)
  const c1 = 1 - Math.pow(b1, t)
  const c2 = 1 - Math.pow(b2, t)
  const wd = w.data
  const g = dw.data
  const m = mT.data
  const v = vT.data
  for (let i = 0; i < wd.length; i++) {
    const gi = g[i]!
    m[i] = b1 * m[i]! + (1 - b1) * gi
    v[i] = b2 * v[i]! + (1 - b2) * gi * gi
    wd[i] = wd[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps)
  }
  return config
}

/** The built-in rules by the names the Solver's `updateRule` option accepts. */
export const updateRules = { sgd, sgdMomentum, rmsprop, adam } satisfies Record<
  keyof typeof optimConfigKeys,
  UpdateRule
>

export type UpdateRuleName = keyof typeof updateRules
