"""The benchmark's reference: one Solver step of CS231n's TwoLayerNet in numpy, written the way the
assignment writes it (layers.py / layer_utils.py / fc_net.py / optim.py / solver.py), so the workbench's
engine is compared with what a CS231n student runs.

Protocol (line-based, so the TypeScript benchmark can interleave rounds with its own in one run):
  stdin  `run K`  -> stdout one JSON line {"ms": [per-step times of K steps]}
  stdin  `quit`
First stdout line: JSON with numpy's version, dtype and the OpenBLAS core and threads it uses.
"""
import ctypes
import glob
import json
import os
import sys
import time

import numpy as np


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1).dot(w) + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    return dout * (cache > 0)


def affine_relu_forward(x, w, b):
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    fc_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), fc_cache)


def softmax_loss(x, y):
    shifted = x - np.max(x, axis=1, keepdims=True)
    z = np.sum(np.exp(shifted), axis=1, keepdims=True)
    log_probs = shifted - np.log(z)
    probs = np.exp(log_probs)
    n = x.shape[0]
    loss = -np.sum(log_probs[np.arange(n), y]) / n
    dx = probs.copy()
    dx[np.arange(n), y] -= 1
    dx /= n
    return loss, dx


class TwoLayerNet:
    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale, reg, dtype, rng):
        self.reg = reg
        self.params = {
            'W1': (weight_scale * rng.standard_normal((input_dim, hidden_dim))).astype(dtype),
            'b1': np.zeros(hidden_dim, dtype=dtype),
            'W2': (weight_scale * rng.standard_normal((hidden_dim, num_classes))).astype(dtype),
            'b2': np.zeros(num_classes, dtype=dtype),
        }

    def loss(self, X, y):
        W1, b1, W2, b2 = (self.params[k] for k in ('W1', 'b1', 'W2', 'b2'))
        h, cache1 = affine_relu_forward(X, W1, b1)
        scores, cache2 = affine_forward(h, W2, b2)
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        grads = {}
        dh, grads['W2'], grads['b2'] = affine_backward(dscores, cache2)
        _, grads['W1'], grads['b1'] = affine_relu_backward(dh, cache1)
        grads['W2'] += self.reg * W2
        grads['W1'] += self.reg * W1
        return loss, grads


def sgd(w, dw, config):
    w -= config['learning_rate'] * dw
    return w, config


class Solver:
    def __init__(self, model, X_train, y_train, batch_size, learning_rate, rng):
        self.model, self.X_train, self.y_train = model, X_train, y_train
        self.batch_size, self.rng = batch_size, rng
        self.configs = {k: {'learning_rate': learning_rate} for k in model.params}

    def step(self):
        mask = self.rng.choice(self.X_train.shape[0], self.batch_size)
        loss, grads = self.model.loss(self.X_train[mask], self.y_train[mask])
        for p, w in self.model.params.items():
            self.model.params[p], self.configs[p] = sgd(w, grads[p], self.configs[p])
        return loss


class LeanStep:
    """The same step written for speed rather than as CS231n writes it: preallocated buffers, in-place
    elementwise work, no first-layer dx. What is left is the two big GEMMs plus the minibatch copy, so it
    is the practical floor of a numpy step: the reference for `Solver.step()`'s target."""

    def __init__(self, model, X_train, y_train, batch_size, learning_rate, rng):
        self.p, self.X, self.y, self.n, self.lr, self.rng = model.params, X_train, y_train, batch_size, learning_rate, rng
        D, H = self.p['W1'].shape
        C = self.p['W2'].shape[1]
        dt = self.p['W1'].dtype
        self.xb = np.empty((batch_size, D), dt)
        self.h = np.empty((batch_size, H), dt)
        self.s = np.empty((batch_size, C), dt)
        self.dh = np.empty((batch_size, H), dt)
        self.dW1 = np.empty((D, H), dt)
        self.dW2 = np.empty((H, C), dt)
        self.rows = np.arange(batch_size)

    def step(self):
        p, n = self.p, self.n
        idx = self.rng.integers(0, self.X.shape[0], n)
        np.take(self.X, idx, axis=0, out=self.xb)
        yb = self.y[idx]
        np.dot(self.xb, p['W1'], out=self.h)
        self.h += p['b1']
        np.maximum(self.h, 0, out=self.h)
        s = np.dot(self.h, p['W2'], out=self.s)
        s += p['b2']
        s -= s.max(axis=1, keepdims=True)
        np.exp(s, out=s)
        s /= s.sum(axis=1, keepdims=True)
        loss = -np.log(s[self.rows, yb]).mean()
        s[self.rows, yb] -= 1
        s /= n
        np.dot(self.h.T, s, out=self.dW2)
        db2 = s.sum(axis=0)
        np.dot(s, p['W2'].T, out=self.dh)
        self.dh *= self.h > 0
        np.dot(self.xb.T, self.dh, out=self.dW1)
        db1 = self.dh.sum(axis=0)
        p['W1'] -= self.lr * self.dW1
        p['b1'] -= self.lr * db1
        p['W2'] -= self.lr * self.dW2
        p['b2'] -= self.lr * db2
        return loss


def openblas_info():
    """Core and threads of the OpenBLAS numpy loaded (numpy's wheels rename its symbols)."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), '..', 'numpy.libs', '*openblas*'))
    for path in libs:
        lib = ctypes.CDLL(path)
        for core_fn, threads_fn in (
            ('scipy_openblas_get_corename64_', 'scipy_openblas_get_num_threads64_'),
            ('openblas_get_corename64_', 'openblas_get_num_threads64_'),
            ('openblas_get_corename', 'openblas_get_num_threads'),
        ):
            if hasattr(lib, core_fn):
                getattr(lib, core_fn).restype = ctypes.c_char_p
                threads = getattr(lib, threads_fn)() if hasattr(lib, threads_fn) else None
                return getattr(lib, core_fn)().decode(), threads
    return None, None


def main():
    n_train = int(os.environ.get('BENCH_N', '49000'))
    batch = int(os.environ.get('BENCH_BATCH', '200'))
    dtype = os.environ.get('BENCH_DTYPE', 'float32')
    rng = np.random.default_rng(0)
    X = (rng.standard_normal((n_train, 3072), dtype=np.float32) * 64).astype(dtype)
    y = rng.integers(0, 10, n_train)
    model = TwoLayerNet(3072, 100, 10, 1e-3, 0.0, dtype, rng)
    style = Solver if os.environ.get('BENCH_STYLE', 'cs231n') == 'cs231n' else LeanStep
    solver = style(model, X, y, batch, 1e-4, rng)
    for _ in range(5):
        solver.step()
    core, threads = openblas_info()
    header = {'numpy': np.__version__, 'dtype': dtype, 'core': core, 'threads': threads}
    print(json.dumps(header), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == 'quit':
            break
        times, cpu = [], []
        for _ in range(int(cmd[1])):
            t0, c0 = time.perf_counter(), time.process_time()
            solver.step()
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        print(json.dumps({'ms': times, 'cpu': cpu}), flush=True)


if __name__ == '__main__':
    main()
