"""Data and protocol shared by the Python references of the epoch benchmark (epochs_numpy.py,
epochs_torch.py), so both read exactly what the engine reads (see epochs.bench.ts):

W1: full Fashion-MNIST from Debian's dataset-fashion-mnist (idx files, gzip), CS231n's split (the first
    59,000 training images train, the next 1,000 validate, the 10,000 test images test), float32 pixels
    minus the training split's mean image.
W2: 49,000 + 1,000 CIFAR-shaped (3072) standard-normal float32 rows with uniform labels over 10 classes.

Protocol: the first stdout line is a JSON header; then stdin `w1 SEED` / `w2 SEED` trains a fresh model
and answers one JSON line {"wall": s, "cpu": s, "epochs": n, "bestVal": a, "test": a | null}; `quit` ends.
"""
import gzip
import json
import os
import struct
import sys
import time

import numpy as np

FASHION = os.environ.get("BENCH_FASHION_DIR", "/usr/share/datasets/fashion-mnist")

# The runs' hyperparameters (the issue's W1 / W2), the same in every engine.
W1 = dict(hidden=100, reg=0.01, weight_scale=1e-3, lr=1e-3, lr_decay=0.95, batch=200, epochs=10)
W2 = dict(hidden=100, reg=0.01, weight_scale=1e-3, lr=1e-3, lr_decay=0.95, batch=200, epochs=1)


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion():
    """(X_train, y_train, X_val, y_val, X_test, y_test) float32 rows of 784, mean-subtracted; or None."""
    if not os.path.isdir(FASHION):
        return None
    xtr = _idx(os.path.join(FASHION, "train-images-idx3-ubyte.gz")).reshape(-1, 784)
    ytr = _idx(os.path.join(FASHION, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    xte = _idx(os.path.join(FASHION, "t10k-images-idx3-ubyte.gz")).reshape(-1, 784)
    yte = _idx(os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    n_train, n_val = 59000, 1000
    x_train = xtr[:n_train].astype(np.float32)
    mean = x_train.mean(axis=0, dtype=np.float64).astype(np.float32)
    x_train -= mean
    x_val = xtr[n_train : n_train + n_val].astype(np.float32) - mean
    x_test = xte.astype(np.float32) - mean
    return x_train, ytr[:n_train], x_val, ytr[n_train : n_train + n_val], x_test, yte


def gaussian():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50000, 3072), dtype=np.float32)
    y = rng.integers(0, 10, 50000)
    return x[:49000], y[:49000], x[49000:], y[49000:], None, None


def serve(header, train):
    """train(workload, data, seed) -> (epochs, best_val, test), test() scoring the best model on the test
    split (outside the timing); data is loaded once per workload."""
    cache = {}
    print(json.dumps(header), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        name, seed = cmd[0], int(cmd[1])
        if name not in cache:
            cache[name] = fashion() if name == "w1" else gaussian()
        data = cache[name]
        if data is None:
            print(json.dumps({"error": f"{FASHION} not found"}), flush=True)
            continue
        c0, t0 = time.process_time(), time.perf_counter()
        epochs, best_val, test = train(W1 if name == "w1" else W2, data, seed)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        test = test() if data[4] is not None else None
        print(
            json.dumps({"wall": wall, "cpu": cpu, "epochs": epochs, "bestVal": best_val, "test": test}),
            flush=True,
        )
