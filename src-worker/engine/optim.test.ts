import { describe, expect, it } from 'vitest'
import {
  adam,
  optimConfigKeys,
  rmsprop,
  sgd,
  sgdMomentum,
  updateRules,
  type AdamConfig,
  type RmspropConfig,
  type SgdMomentumConfig,
  type UpdateRule,
} from './optim'
import { tensor, zeros, type DType, type Tensor } from './tensor'

/** numpy.linspace(start, stop, n): the last point is exactly `stop`. */
function linspace(start: number, stop: number, n: number): number[] {
  const step = (stop - start) / (n - 1)
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : start + i * step))
}

/** CS231n's rel_error: max |x - y| / max(1e-8, |x| + |y|). */
function relError(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length)
  let worst = 0
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(x[i]! - y[i]!) / Math.max(1e-8, Math.abs(x[i]!) + Math.abs(y[i]!))
    worst = Math.max(worst, e)
  }
  return worst
}

const N = 4
const D = 5
const lin = (a: number, b: number, dtype: DType = 'float64'): Tensor =>
  tensor(linspace(a, b, N * D), [N, D], dtype)

// Expected values from CS231n assignment 2 (FullyConnectedNets.ipynb), recomputed in float64 with numpy
// from the same linspace inputs; they agree with the notebook's printed 8-digit values.
const momentumNextW = [
  0.14060000000000006, 0.2073894736842105, 0.27417894736842097, 0.34096842105263164, 0.407757894736842,
  0.47454736842105266, 0.5413368421052631, 0.6081263157894736, 0.6749157894736842, 0.7417052631578946,
  0.8084947368421053, 0.8752842105263158, 0.9420736842105263, 1.0088631578947367, 1.0756526315789472,
  1.142442105263158, 1.2092315789473682, 1.276021052631579, 1.3428105263157895, 1.4096000000000002,
]
const momentumVelocity = [
  0.5406000000000001, 0.5547578947368421, 0.5689157894736842, 0.5830736842105264, 0.5972315789473683,
  0.6113894736842106, 0.6255473684210526, 0.6397052631578948, 0.6538631578947369, 0.6680210526315788,
  0.6821789473684211, 0.6963368421052631, 0.7104947368421053, 0.7246526315789474, 0.7388105263157895,
  0.7529684210526316, 0.7671263157894737, 0.7812842105263159, 0.795442105263158, 0.8096000000000001,
]
const rmspropNextW = [
  -0.3922384948433383, -0.34037513299070765, -0.28849238846687814, -0.23659120821081786, -0.18467247195258382,
  -0.13273699834703015, -0.08078555043091254, -0.02881884049026984, 0.023162465587694647, 0.07515774441461458,
  0.12716641159814304, 0.17918791858913796, 0.2312217498380417, 0.28326742022505713, 0.33532447273333105,
  0.3873924763382963, 0.43947102408970146, 0.4915597313657581, 0.5436582342813369, 0.5957661882343064,
]
const rmspropCache = [
  0.5976, 0.6126277008310249, 0.6277108033240998, 0.6428493074792244, 0.6580432132963988, 0.6732925207756232,
  0.6885972299168975, 0.7039573407202216, 0.7193728531855956, 0.7348437673130194, 0.7503700831024931,
  0.7659518005540166, 0.78158891966759, 0.7972814404432133, 0.8130293628808865, 0.8288326869806094,
  0.8446914127423822, 0.8606055401662049, 0.8765750692520776, 0.8926000000000001,
]
const adamNextW = [
  -0.40094747166840083, -0.3483618689667189, -0.2957770321333014, -0.24319298836973444, -0.19060976631902593,
  -0.13802739616704435, -0.08544590975289204, -0.032865340689163525, 0.019714275506843335,
  0.07229290126975907, 0.12487049682925762, 0.17744702003811577, 0.2300224261834716, 0.2825966677792994,
  0.33516969433784094, 0.3877414521174136, 0.4403118838436444, 0.49288092840074144, 0.5454485204889067,
  0.5980145902433942,
]
const adamM = [
  0.48000000000000004, 0.49947368421052635, 0.5189473684210526, 0.538421052631579, 0.5578947368421052,
  0.5773684210526316, 0.596842105263158, 0.6163157894736842, 0.6357894736842106, 0.6552631578947368,
  0.6747368421052632, 0.6942105263157895, 0.7136842105263158, 0.7331578947368422, 0.7526315789473684,
  0.7721052631578947, 0.791578947368421, 0.8110526315789475, 0.8305263157894738, 0.8500000000000001,
]
const adamV = [
  0.69966, 0.6890838227146813, 0.678513185595568, 0.6679480886426593, 0.6573885318559557, 0.6468345152354571,
  0.6362860387811634, 0.6257431024930747, 0.615205706371191, 0.6046738504155125, 0.5941475346260386,
  0.5836267590027702, 0.5731115235457064, 0.5626018282548476, 0.5520976731301939, 0.5415990581717451,
  0.5311059833795013, 0.5206184487534625, 0.5101364542936287, 0.49966,
]

describe('sgd', () => {
  it('takes a step of learningRate * dw (hand computed)', () => {
    const w = tensor([1, -2, 3], [3], 'float64')
    const dw = tensor([0.5, 0.5, -1], [3], 'float64')
    const config = { learningRate: 0.1 }
    const out = sgd(w, dw, config)
    expect(Array.from(w.data)).toEqual([0.95, -2.05, 3.1])
    // CS231n fills the passed dict and returns it; the Solver relies on getting back the same object.
    expect(out).toBe(config)
  })

  it('defaults learningRate to 1e-2 and creates a config when none is given', () => {
    const w = tensor([1, 2], [2], 'float64')
    const out = sgd(w, tensor([1, -1], [2], 'float64'))
    expect(out).toEqual({ learningRate: 1e-2 })
    expect(Array.from(w.data)).toEqual([0.99, 2.01])
  })

  it('works on float32 and leaves dw untouched', () => {
    const w = lin(-0.4, 0.6, 'float32')
    const dw = lin(-0.6, 0.4, 'float32')
    const dwBefore = Float32Array.from(dw.data)
    sgd(w, dw, { learningRate: 1e-3 })
    const expected = linspace(-0.4, 0.6, N * D).map((x, i) => x - 1e-3 * linspace(-0.6, 0.4, N * D)[i]!)
    expect(relError(w.data, expected)).toBeLessThan(1e-6)
    expect(dw.data).toEqual(dwBefore)
  })
})

describe('sgdMomentum', () => {
  it("matches CS231n's expected values", () => {
    const w = lin(-0.4, 0.6)
    const config: SgdMomentumConfig = { learningRate: 1e-3, velocity: lin(0.6, 0.9) }
    const out = sgdMomentum(w, lin(-0.6, 0.4), config)
    expect(relError(w.data, momentumNextW)).toBeLessThan(1e-12)
    expect(relError(out.velocity!.data, momentumVelocity)).toBeLessThan(1e-12)
    expect(out.momentum).toBe(0.9)
  })

  it('matches in float32 to float32 precision', () => {
    const w = lin(-0.4, 0.6, 'float32')
    const out = sgdMomentum(w, lin(-0.6, 0.4, 'float32'), {
      learningRate: 1e-3,
      velocity: lin(0.6, 0.9, 'float32'),
    })
    expect(relError(w.data, momentumNextW)).toBeLessThan(1e-6)
    expect(relError(out.velocity!.data, momentumVelocity)).toBeLessThan(1e-6)
    expect(out.velocity!.dtype).toBe('float32')
  })

  it('creates a zero velocity like w on the first call, with the defaults', () => {
    const w = tensor([1, 2, 3, 4], [2, 2], 'float32')
    const out = sgdMomentum(w, tensor([1, 1, -2, 0], [2, 2], 'float32'))
    expect(out.learningRate).toBe(1e-2)
    expect(out.momentum).toBe(0.9)
    expect(out.velocity!.shape).toEqual([2, 2])
    expect(out.velocity!.dtype).toBe('float32')
    // v = 0.9 * 0 - 0.01 * dw
    expect(relError(out.velocity!.data, [-0.01, -0.01, 0.02, 0])).toBeLessThan(1e-7)
    expect(relError(w.data, [0.99, 1.99, 3.02, 4])).toBeLessThan(1e-7)
  })
})

describe('rmsprop', () => {
  it("matches CS231n's expected values", () => {
    const w = lin(-0.4, 0.6)
    const config: RmspropConfig = { learningRate: 1e-2, cache: lin(0.6, 0.9) }
    const out = rmsprop(w, lin(-0.6, 0.4), config)
    expect(relError(w.data, rmspropNextW)).toBeLessThan(1e-12)
    expect(relError(out.cache!.data, rmspropCache)).toBeLessThan(1e-12)
    expect(out).toMatchObject({ decayRate: 0.99, epsilon: 1e-8 })
  })

  it('matches in float32 to float32 precision', () => {
    const w = lin(-0.4, 0.6, 'float32')
    const out = rmsprop(w, lin(-0.6, 0.4, 'float32'), { learningRate: 1e-2, cache: lin(0.6, 0.9, 'float32') })
    expect(relError(w.data, rmspropNextW)).toBeLessThan(1e-6)
    expect(relError(out.cache!.data, rmspropCache)).toBeLessThan(1e-6)
  })
})

describe('adam', () => {
  it("matches CS231n's expected values (t = 5 going in)", () => {
    const w = lin(-0.4, 0.6)
    const config: AdamConfig = { learningRate: 1e-2, m: lin(0.6, 0.9), v: lin(0.7, 0.5), t: 5 }
    const out = adam(w, lin(-0.6, 0.4), config)
    expect(relError(w.data, adamNextW)).toBeLessThan(1e-12)
    expect(relError(out.m!.data, adamM)).toBeLessThan(1e-12)
    expect(relError(out.v!.data, adamV)).toBeLessThan(1e-12)
    expect(out.t).toBe(6)
    expect(out).toMatchObject({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8 })
  })

  it('matches in float32 to float32 precision', () => {
    const w = lin(-0.4, 0.6, 'float32')
    const out = adam(w, lin(-0.6, 0.4, 'float32'), {
      learningRate: 1e-2,
      m: lin(0.6, 0.9, 'float32'),
      v: lin(0.7, 0.5, 'float32'),
      t: 5,
    })
    expect(relError(w.data, adamNextW)).toBeLessThan(1e-6)
    expect(relError(out.m!.data, adamM)).toBeLessThan(1e-6)
    expect(relError(out.v!.data, adamV)).toBeLessThan(1e-6)
  })

  it('defaults learningRate to 1e-3 and t to 0; the first step moves each weight by ~lr', () => {
    const w = tensor([0, 0, 0], [3], 'float64')
    const out = adam(w, tensor([5, -0.1, 0], [3], 'float64'))
    expect(out).toMatchObject({ learningRate: 1e-3, t: 1 })
    // With bias correction the first step is lr * g / (|g| + eps): a step of lr in the sign of -g.
    expect(w.data[0]).toBeCloseTo((-1e-3 * 5) / (5 + 1e-8), 15)
    expect(w.data[1]).toBeCloseTo((1e-3 * 0.1) / (0.1 + 1e-8), 15)
    expect(w.data[2]).toBe(0)
  })
})

/**
 * An independent float64 implementation of all four rules with plain numbers, written straight from the
 * formulas, to check state is carried correctly over several steps.
 */
function reference(rule: string, w: number[], grads: number[][], lr: number): number[] {
  let v = w.map(() => 0)
  let m = w.map(() => 0)
  let t = 0
  for (const g of grads) {
    if (rule === 'sgd') w = w.map((x, i) => x - lr * g[i]!)
    else if (rule === 'sgdMomentum') {
      v = v.map((vi, i) => 0.9 * vi - lr * g[i]!)
      w = w.map((x, i) => x + v[i]!)
    } else if (rule === 'rmsprop') {
      v = v.map((c, i) => 0.99 * c + 0.01 * g[i]! ** 2)
      w = w.map((x, i) => x - (lr * g[i]!) / (Math.sqrt(v[i]!) + 1e-8))
    } else {
      t += 1
      m = m.map((mi, i) => 0.9 * mi + 0.1 * g[i]!)
      v = v.map((vi, i) => 0.999 * vi + 0.001 * g[i]! ** 2)
      w = w.map((x, i) => x - (lr * (m[i]! / (1 - 0.9 ** t))) / (Math.sqrt(v[i]! / (1 - 0.999 ** t)) + 1e-8))
    }
  }
  return w
}

describe('several steps', () => {
  const w0 = linspace(-0.4, 0.6, 12)
  const grads = Array.from({ length: 5 }, (_, s) => linspace(-0.6 + 0.1 * s, 0.4 - 0.3 * s, 12))

  for (const name of ['sgd', 'sgdMomentum', 'rmsprop', 'adam'] as const) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${name} carries its state across 5 steps (${dtype})`, () => {
        const rule: UpdateRule = updateRules[name]
        const w = tensor(w0, [3, 4], dtype)
        let config = rule(w, tensor(grads[0]!, [3, 4], dtype), { learningRate: 0.05 })
        const stateBefore = Object.values(config).filter((x) => typeof x === 'object')
        for (const g of grads.slice(1)) config = rule(w, tensor(g, [3, 4], dtype), config)
        expect(relError(w.data, reference(name, w0, grads, 0.05))).toBeLessThan(
          dtype === 'float64' ? 1e-12 : 1e-5,
        )
        // State tensors are allocated once and updated in place, never replaced.
        const stateAfter = Object.values(config).filter((x) => typeof x === 'object')
        expect(stateAfter).toHaveLength(stateBefore.length)
        stateAfter.forEach((s, i) => expect(s).toBe(stateBefore[i]))
        if (name === 'adam') expect((config as AdamConfig).t).toBe(5)
      })
    }
  }
})

describe('errors', () => {
  const w = () => zeros([4, 5], 'float32')

  it('rejects unknown config keys, naming the key', () => {
    expect(() => sgd(w(), w(), { learning_rate: 1 } as never)).toThrow(
      /sgd: unknown config key 'learning_rate'/,
    )
    expect(() => adam(w(), w(), { beta: 0.9 } as never)).toThrow(/adam: unknown config key 'beta'.*beta1/)
    expect(() => rmsprop(w(), w(), { velocity: w() } as never)).toThrow(
      /rmsprop: unknown config key 'velocity'/,
    )
  })

  it('rejects w and dw of different shapes, naming both', () => {
    expect(() => sgdMomentum(w(), zeros([5, 4]))).toThrow(/sgdMomentum: w \(4, 5\) and dw \(5, 4\)/)
    expect(() => sgd(w(), zeros([20]))).toThrow(/\(4, 5\).*\(20,\)/)
  })

  it('rejects w and dw of different dtypes', () => {
    expect(() => adam(w(), zeros([4, 5], 'float64'))).toThrow(
      /adam: w \(4, 5\) is float32 but dw \(4, 5\) is float64/,
    )
  })

  it('rejects non-tensors', () => {
    expect(() => sgd([1, 2] as never, w())).toThrow(/sgd: w must be a tensor, got an array/)
    expect(() => sgd(w(), undefined as never)).toThrow(/sgd: dw must be a tensor/)
    expect(() => sgd(w(), w(), null as never)).toThrow(/sgd: config must be an object, got null/)
  })

  it('rejects a negative or non-finite learningRate', () => {
    for (const lr of [-1e-3, NaN, Infinity]) {
      for (const rule of Object.values(updateRules)) {
        expect(() => rule(w(), w(), { learningRate: lr })).toThrow(
          /config\.learningRate must be a finite number >= 0/,
        )
      }
    }
    expect(() => sgd(w(), w(), { learningRate: -1 })).toThrow(/^sgd: .*got -1$/)
  })

  it('rejects out-of-range hyperparameters', () => {
    expect(() => sgdMomentum(w(), w(), { momentum: 1.5 })).toThrow(/sgdMomentum: config\.momentum/)
    expect(() => rmsprop(w(), w(), { decayRate: -0.1 })).toThrow(/rmsprop: config\.decayRate/)
    expect(() => rmsprop(w(), w(), { epsilon: NaN })).toThrow(/rmsprop: config\.epsilon/)
    expect(() => adam(w(), w(), { beta1: 1 })).toThrow(/adam: config\.beta1 must be a number in \[0, 1\)/)
    expect(() => adam(w(), w(), { beta2: 1 })).toThrow(/adam: config\.beta2/)
    expect(() => adam(w(), w(), { t: 1.5 })).toThrow(
      /adam: config\.t must be a non-negative integer, got 1.5/,
    )
  })

  it('rejects state that does not match w', () => {
    expect(() => sgdMomentum(w(), w(), { velocity: zeros([5, 4]) })).toThrow(
      /sgdMomentum: w \(4, 5\) and config\.velocity \(5, 4\)/,
    )
    expect(() => adam(w(), w(), { m: zeros([4, 5], 'float64') })).toThrow(
      /adam: config\.m is float64 but w is float32/,
    )
    expect(() => rmsprop(w(), w(), { cache: {} as never })).toThrow(/rmsprop: config\.cache must be a tensor/)
  })

  it('does not touch w when the arguments are bad', () => {
    const wt = tensor([1, 2], [2], 'float64')
    expect(() => adam(wt, tensor([1, 1], [2], 'float64'), { beta1: 2 })).toThrow()
    expect(Array.from(wt.data)).toEqual([1, 2])
  })
})

describe('updateRules', () => {
  it('holds the four rules under their Solver names, each with its known config keys', () => {
    expect(Object.keys(updateRules).sort()).toEqual(['adam', 'rmsprop', 'sgd', 'sgdMomentum'])
    expect(updateRules.sgdMomentum).toBe(sgdMomentum)
    expect(Object.keys(optimConfigKeys).sort()).toEqual(Object.keys(updateRules).sort())
  })
})
