"""Curves and layer captures from an engine independent of Workbench's, for testing the diagnosis
(src-shared/diagnose.ts, src-shared/layerDiagnose.ts) on runs whose failure is known by construction.

A CS231n-design trainer in numpy (assignment 2's FullyConnectedNet and Solver: affine - [batchnorm] -
relu layers, softmax loss, L2 reg, sgd / sgd_momentum, a per-epoch learning-rate decay, accuracy checks
after the first iteration and at every epoch end on up to 1,000 training rows and the validation split)
trains on a small synthetic problem: 32-dimensional Gaussian inputs labelled by a random two-layer
"teacher" net, 10 classes. Every run writes what the app stores for a run: metrics.jsonl's events
(iteration {loss}, epoch {trainAcc, valAcc, lr}) and per-layer captures in the LayerCapture format of
src-shared/layerStats.ts (histograms over the same signed-log bins, computed here with numpy), taken at
every accuracy check and every CAPTURE_EVERY iterations in between.

    python3 src-worker/bench/diagnose_numpy.py [out.json]

writes src-worker/bench/fixtures/diagnose-runs.json by default (about a minute on one core). The runs
are deterministic for their seeds; numbers are rounded to 4 significant digits to keep the file small.
"""
import json
import math
import os
import sys
import time

import numpy as np

# ---- the fixed bins of src-shared/layerStats.ts ----
BINS_PER_DECADE = 10
MIN_MAGNITUDE = 1e-8
MAX_MAGNITUDE = 1e4
SIDE_BINS = round(math.log10(MAX_MAGNITUDE / MIN_MAGNITUDE)) * BINS_PER_DECADE
BIN_COUNT = 2 * SIDE_BINS + 1
CENTRE_BIN = SIDE_BINS

CAPTURE_EVERY = 20
NUM_CLASSES = 10
DIM = 16
CLUSTERS = 3
SPREAD = 0.45


def bin_of(values):
    """layerStats.ts's binOf, vectorised (finite values only), edges settled against the edges themselves."""
    a = np.abs(values)
    out = np.full(values.shape, CENTRE_BIN, dtype=np.int64)
    big = a >= MIN_MAGNITUDE
    if not big.any():
        return out
    ab = a[big]
    k = np.floor(np.log10(ab / MIN_MAGNITUDE) * BINS_PER_DECADE).astype(np.int64)
    lo_edge = MIN_MAGNITUDE * np.power(10.0, k / BINS_PER_DECADE)
    hi_edge = MIN_MAGNITUDE * np.power(10.0, (k + 1) / BINS_PER_DECADE)
    down = (k < SIDE_BINS) & (lo_edge > ab)
    up = ~down & (k + 1 < SIDE_BINS) & (hi_edge <= ab)
    k = np.where(down, k - 1, np.where(up, k + 1, k))
    k = np.clip(k, 0, SIDE_BINS - 1)
    out[big] = np.where(values[big] > 0, CENTRE_BIN + 1 + k, CENTRE_BIN - 1 - k)
    return out


def r4(x):
    """4 significant digits, as a JSON-safe float."""
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return 0.0 if x == 0 else x
    return float(f"{x:.4g}")


def summary(v):
    v = np.asarray(v, dtype=np.float64).ravel()
    fin = v[np.isfinite(v)]
    n = int(fin.size)
    if n == 0:
        return dict(mean=0, std=0, min=0, max=0, n=0, nonFinite=int(v.size))
    return dict(
        mean=r4(fin.mean()), std=r4(fin.std()), min=r4(fin.min()), max=r4(fin.max()), n=n,
        nonFinite=int(v.size - n),
    )


def tensor_stats(v):
    v = np.asarray(v, dtype=np.float64).ravel()
    fin = v[np.isfinite(v)]
    full = np.bincount(bin_of(fin), minlength=BIN_COUNT) if fin.size else np.zeros(BIN_COUNT, np.int64)
    nz = np.nonzero(full)[0]
    hist = (
        dict(lo=0, counts=[])
        if nz.size == 0
        else dict(lo=int(nz[0]), counts=[int(c) for c in full[nz[0] : nz[-1] + 1]])
    )
    return dict(summary=summary(v), hist=hist)


# ---- data: a random teacher labels Gaussian inputs ----


def make_data(seed, n_train, n_val, label_noise=0.0, outliers=0.0):
    """Balanced classes, each a mixture of CLUSTERS Gaussian blobs: not linearly separable, easy for a net."""
    r = np.random.RandomState(1000 + seed)
    centres = r.randn(NUM_CLASSES * CLUSTERS, DIM)

    def draw(n):
        y = np.arange(n) % NUM_CLASSES
        r.shuffle(y)
        X = centres[y * CLUSTERS + r.randint(CLUSTERS, size=n)] + SPREAD * r.randn(n, DIM)
        flip = r.rand(n) < label_noise
        y[flip] = r.randint(NUM_CLASSES, size=int(flip.sum()))
        if outliers > 0:
            # Unpreprocessed data: a few rows come at 30x the scale of the rest.
            X = X * np.where(r.rand(n, 1) < outliers, 30.0, 1.0)
        return X, y

    Xtr, ytr = draw(n_train)
    Xva, yva = draw(n_val)
    return Xtr, ytr, Xva, yva


# ---- the net: affine - [batchnorm] - relu x L, affine, softmax ----


class FCNet:
    def __init__(self, hidden, r, weight_scale="he", bias_init=0.0, reg=0.0, batchnorm=False):
        dims = [DIM] + hidden + [NUM_CLASSES]
        self.L = len(dims) - 1
        self.reg = reg
        self.bn = batchnorm
        self.p = {}
        for i in range(self.L):
            scale = math.sqrt(2.0 / dims[i]) if weight_scale == "he" else weight_scale
            self.p[f"W{i + 1}"] = scale * r.randn(dims[i], dims[i + 1])
            self.p[f"b{i + 1}"] = np.full(dims[i + 1], bias_init if i < self.L - 1 else 0.0)
            if batchnorm and i < self.L - 1:
                self.p[f"gamma{i + 1}"] = np.ones(dims[i + 1])
                self.p[f"beta{i + 1}"] = np.zeros(dims[i + 1])
        self.running = {
            i: [np.zeros(dims[i + 1]), np.ones(dims[i + 1])] for i in range(self.L - 1) if batchnorm
        }

    def scores(self, X):
        h = X
        for i in range(self.L - 1):
            a = h @ self.p[f"W{i + 1}"] + self.p[f"b{i + 1}"]
            if self.bn:
                mu, var = self.running[i]
                a = self.p[f"gamma{i + 1}"] * (a - mu) / np.sqrt(var + 1e-5) + self.p[f"beta{i + 1}"]
            h = np.maximum(a, 0)
        return h @ self.p[f"W{self.L}"] + self.p[f"b{self.L}"]

    def loss(self, X, y):
        """Loss, grads and what a capture reads (per hidden layer: input, preact, postact, x_hat)."""
        caches, seen = [], []
        h = X
        for i in range(self.L - 1):
            W, b = self.p[f"W{i + 1}"], self.p[f"b{i + 1}"]
            a = h @ W + b
            bn = None
            if self.bn:
                mu, var = a.mean(0), a.var(0)
                xhat = (a - mu) / np.sqrt(var + 1e-5)
                rm = self.running[i]
                rm[0] = 0.9 * rm[0] + 0.1 * mu
                rm[1] = 0.9 * rm[1] + 0.1 * var
                bn = (xhat, var)
                a = self.p[f"gamma{i + 1}"] * xhat + self.p[f"beta{i + 1}"]
            out = np.maximum(a, 0)
            caches.append((h, a, bn))
            seen.append(dict(preact=a, postact=out, xhat=bn[0] if bn else None))
            h = out
        s = h @ self.p[f"W{self.L}"] + self.p[f"b{self.L}"]
        s = s - s.max(1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(1, keepdims=True))
        N = X.shape[0]
        loss = -logp[np.arange(N), y].mean()
        loss += 0.5 * self.reg * sum(np.sum(self.p[f"W{i + 1}"] ** 2) for i in range(self.L))
        d = np.exp(logp)
        d[np.arange(N), y] -= 1
        d /= N
        g = {}
        g[f"W{self.L}"] = h.T @ d + self.reg * self.p[f"W{self.L}"]
        g[f"b{self.L}"] = d.sum(0)
        dh = d @ self.p[f"W{self.L}"].T
        for i in reversed(range(self.L - 1)):
            hin, a, bn = caches[i]
            da = dh * (a > 0)
            if bn:
                xhat, var = bn
                gamma = self.p[f"gamma{i + 1}"]
                g[f"gamma{i + 1}"] = (da * xhat).sum(0)
                g[f"beta{i + 1}"] = da.sum(0)
                dx = da * gamma
                da = (dx - dx.mean(0) - xhat * (dx * xhat).mean(0)) / np.sqrt(var + 1e-5)
            g[f"W{i + 1}"] = hin.T @ da + self.reg * self.p[f"W{i + 1}"]
            g[f"b{i + 1}"] = da.sum(0)
            dh = da @ self.p[f"W{i + 1}"].T
        return loss, g, seen


def accuracy(net, X, y):
    return float((np.argmax(net.scores(X), 1) == y).mean())


def capture(net, it, epoch, reason, lr, grads, before, seen):
    layers = []
    for i in range(net.L):
        name = f"W{i + 1}"
        W0, W1 = before[name], net.p[name]
        wn = float(np.linalg.norm(W0))
        un = float(np.linalg.norm(W1 - W0))
        rec = dict(
            name=f"layer{i + 1}", kind="affine", param=name, shape=list(W0.shape),
            weight=tensor_stats(W0), grad=tensor_stats(grads[name]),
            weightNorm=r4(wn), gradNorm=r4(np.linalg.norm(grads[name])), updateNorm=r4(un),
            updateRatio=r4(un / wn) if wn > 0 else 0.0,
        )
        if i < net.L - 1:
            s = seen[i]
            rec["preact"] = tensor_stats(s["preact"])
            rec["postact"] = tensor_stats(s["postact"])
            zero = s["postact"] == 0
            rec["deadFraction"] = r4(zero.all(0).mean())
            rec["zeroFraction"] = r4(zero.mean())
            if s["xhat"] is not None:
                mu, var = net.running[i]
                rec["norm"] = dict(
                    gamma=summary(net.p[f"gamma{i + 1}"]), beta=summary(net.p[f"beta{i + 1}"]),
                    runningMean=summary(mu), runningVar=summary(var),
                    saturatedFraction=r4((np.abs(s["xhat"]) > 3).mean()),
                )
        layers.append(rec)
    return dict(iteration=it, epoch=epoch, reason=reason, learningRate=r4(lr), layers=layers)


def train(spec, seed):
    """One run: the spec's net and solver on its data. Returns what the fixture stores for it."""
    r = np.random.RandomState(seed)
    Xtr, ytr, Xva, yva = make_data(
        seed, spec.get("n_train", 2000), 500, spec.get("label_noise", 0.0), spec.get("outliers", 0.0)
    )
    net = FCNet(
        spec["hidden"], r, spec.get("weight_scale", "he"), spec.get("bias_init", 0.0),
        spec.get("reg", 0.0), spec.get("batchnorm", False),
    )
    lr, rule, mom = spec["lr"], spec.get("rule", "sgd"), 0.9
    decay, epochs, B = spec.get("lr_decay", 1.0), spec["epochs"], spec.get("batch", 50)
    freeze = spec.get("freeze")  # {"param": "W2", "from": fraction of the run}: a layer that stops updating
    N = Xtr.shape[0]
    per_epoch = max(N // B, 1)
    total = epochs * per_epoch
    vel = {k: np.zeros_like(v) for k, v in net.p.items()}
    events, captures = [], []
    status, error = "completed", None
    sub = r.choice(N, min(N, 1000), replace=False)
    with np.errstate(all="ignore"):
        for it in range(1, total + 1):
            idx = r.choice(N, B)
            loss, grads, seen = net.loss(Xtr[idx], ytr[idx])
            if not math.isfinite(loss):
                status, error = "failed", dict(reason="diverged", iteration=it)
                break
            events.append(dict(type="iteration", iteration=it, loss=float(f"{loss:.5g}")))
            epoch_end = it % per_epoch == 0
            check = it == 1 or epoch_end
            take = check or it % CAPTURE_EVERY == 0
            before = {k: v.copy() for k, v in net.p.items() if k.startswith("W")} if take else None
            for k, gk in grads.items():
                if freeze and k == freeze["param"] and it > freeze["from"] * total:
                    continue
                if rule == "sgd":
                    net.p[k] -= lr * gk
                else:
                    vel[k] = mom * vel[k] - lr * gk
                    net.p[k] += vel[k]
            epoch = it // per_epoch
            if take:
                captures.append(capture(net, it, epoch, "check" if check else "interval", lr, grads, before, seen))
            if check:
                events.append(
                    dict(
                        type="epoch", epoch=epoch, iteration=it,
                        trainAcc=r4(accuracy(net, Xtr[sub], ytr[sub])), valAcc=r4(accuracy(net, Xva, yva)),
                        lr=lr,
                    )
                )
            if epoch_end:
                lr *= decay
    run = dict(
        name=spec["name"], seed=seed, expect=spec["expect"], numClasses=NUM_CLASSES, status=status,
        allow=spec.get("allow", []), curve=spec.get("curve", False),
        config={k: v for k, v in spec.items() if k not in ("name", "expect", "allow", "curve")},
        events=events, captures=captures,
    )
    if error:
        run["error"] = error
    return run


# Each construction names the findings it must produce (`expect`) and the only others it may get (`allow`:
# ones its construction implies, such as dead units after steps far too big); `curve` marks those whose
# failure the loss and accuracy curves show on their own, without the captures. See diagnose.numpy.test.ts.
RUNS = [
    # Healthy: a working learning rate on a two-layer net, a deep net with and without batchnorm, momentum.
    dict(name="healthy-two-layer", curve=True, expect=["healthy"], hidden=[64], lr=0.05, epochs=10, lr_decay=0.95),
    dict(name="healthy-deep", curve=True, expect=["healthy"], hidden=[64, 64, 64], lr=0.05, epochs=6, lr_decay=0.95),
    dict(name="healthy-deep-bn", curve=True, expect=["healthy"], hidden=[64, 64, 64], batchnorm=True, lr=0.05,
         epochs=6, lr_decay=0.95),
    dict(name="healthy-momentum", curve=True, expect=["healthy"], hidden=[64], rule="sgd_momentum", lr=0.005,
         epochs=10, lr_decay=0.95),
    # Learning rate too high: the loss spikes by orders of magnitude and swings; updates ~1e-1 of the weights.
    dict(name="lr-too-high", expect=["lr-too-high"], allow=["dead-relus"], hidden=[64], lr=6.0, epochs=6),
    # Far too high: the loss overflows to infinity.
    dict(name="diverged", curve=True, expect=["diverged"], hidden=[64], lr=100.0, epochs=6),
    # Far too low (CS231n's small init, so the loss starts at ln 10): nothing moves.
    dict(name="lr-too-low", curve=True, expect=["lr-too-low"], hidden=[64], weight_scale=1e-2, lr=1e-5, epochs=6),
    # Slow: the loss has barely moved from ln(10) while accuracy creeps up (once "still improving").
    dict(name="lr-slow", curve=True, expect=["lr-too-low"], hidden=[64], weight_scale=1e-2, lr=3e-3, epochs=6),
    # Overfitting: a small noisy training set, a big net, no regularisation, many epochs.
    dict(name="overfitting", curve=True, expect=["overfitting"], hidden=[256], n_train=200, label_noise=0.3, lr=0.05,
         epochs=30, batch=25),
    # Underfitting: 2 hidden units, trained until accuracy stops rising.
    dict(name="underfitting", expect=["underfitting"], hidden=[2], reg=0.001, lr=0.05, epochs=12),
    # Still improving: a working rate on noisy labels, stopped after 4 epochs with accuracy still rising.
    dict(name="still-improving", expect=["still-improving"], hidden=[64], lr=0.02, epochs=4, label_noise=0.5),
    # Plateau: a rate too high to settle lower, its loss and validation accuracy flat for the last third.
    dict(name="plateau", curve=True, expect=["plateau"], allow=["lr-too-high"], hidden=[16], lr=1.0, epochs=20,
         batch=100, label_noise=0.2),
    # Dead ReLUs from the init: hidden biases of -5 switch every unit off from the first step.
    dict(name="dead-relu-init", expect=["dead-relus"], hidden=[64], bias_init=-5.0, lr=0.05, epochs=4),
    # Dead ReLUs from the learning rate: big momentum steps knock the second layer's units out.
    dict(name="dead-relu-lr", expect=["dead-relus"], allow=["lr-too-high"], hidden=[64, 64], rule="sgd_momentum", lr=0.3, epochs=4),
    # Vanishing gradients: 5 relu layers initialised with std 1e-2, far below He's sqrt(2 / 64) = 0.18.
    dict(name="vanishing", expect=["vanishing-gradients"], hidden=[64] * 5, weight_scale=1e-2, lr=0.05,
         epochs=4),
    # Exploding: the same depth initialised at 3x He.
    dict(name="exploding", expect=["exploding-gradients"], hidden=[64] * 5, weight_scale=0.53, lr=1e-4,
         epochs=4),
    # Saturated batchnorm: 5% of the rows left unpreprocessed (30x the scale) into a batchnorm net.
    dict(name="saturated-bn", expect=["saturated-batchnorm"], hidden=[64, 64], batchnorm=True,
         outliers=0.05, lr=0.05, epochs=4),
    # A layer that stopped learning: W2 of a three-layer net is no longer updated after 40% of the run.
    dict(name="stopped-learning", expect=["stopped-learning"], hidden=[64, 64], lr=0.05, epochs=6,
         freeze=dict(param="W2", **{"from": 0.4})),
]
SEEDS = [1, 2, 3]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "fixtures", "diagnose-runs.json")
    only = os.environ.get("ONLY")
    t0 = time.time()
    runs = []
    for spec in RUNS:
        if only and spec["name"] not in only.split(","):
            continue
        for seed in SEEDS:
            runs.append(train(spec, seed))
    # Bin spot checks: values and the bins numpy put them in, for the test against layerStats.binOf.
    r = np.random.RandomState(0)
    probe = np.concatenate([r.randn(200) * 10.0 ** r.uniform(-10, 5, 200), [0.0, 1e-8, -1e-8, 1e4, -2e4, 1.0]])
    fixture = dict(
        generator="src-worker/bench/diagnose_numpy.py",
        numpy=np.__version__,
        captureEvery=CAPTURE_EVERY,
        binProbe=dict(values=[float(v) for v in probe], bins=[int(b) for b in bin_of(probe)]),
        runs=runs,
    )
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"{len(runs)} runs in {time.time() - t0:.1f} s -> {out} ({os.path.getsize(out) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
