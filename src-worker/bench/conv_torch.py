"""The conv benchmark's reference: one training step of CS231n's ThreeLayerConvNet in PyTorch on the CPU,
one thread: conv 7x7 (pad 3) - relu - 2x2 max pool - affine - relu - affine - softmax loss, backward,
then a plain sgd update of W1..W3, b1..b3. The input does not require a gradient (as in the engine, whose
first layer skips dx). A minibatch is drawn with replacement from a float32 training set each step, as
the engine's Solver does.

Protocol (line-based, so the TypeScript benchmark can interleave rounds with its own in one run):
  stdin  `run K`  -> stdout one JSON line {"ms": [per-step times of K steps]}
  stdin  `quit`
First stdout line: JSON with torch's version, threads and whether oneDNN (mkldnn) is available.
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
N_TRAIN = int(os.environ.get("BENCH_N", "1000"))
BATCH = int(os.environ.get("BENCH_BATCH", "50"))


def main():
    g = torch.Generator().manual_seed(0)
    X = torch.randint(0, 256, (N_TRAIN, 3, 32, 32), generator=g).float() - 128
    y = torch.randint(0, 10, (N_TRAIN,), generator=g)
    ws = 1e-3
    params = [
        (ws * torch.randn(32, 3, 7, 7, generator=g)).requires_grad_(),
        torch.zeros(32, requires_grad=True),
        (ws * torch.randn(32 * 16 * 16, 100, generator=g)).requires_grad_(),
        torch.zeros(100, requires_grad=True),
        (ws * torch.randn(100, 10, generator=g)).requires_grad_(),
        torch.zeros(10, requires_grad=True),
    ]
    W1, b1, W2, b2, W3, b3 = params
    lr = 1e-6

    def step():
        idx = torch.randint(0, N_TRAIN, (BATCH,), generator=g)
        xb, yb = X[idx], y[idx]
        h = F.max_pool2d(F.relu(F.conv2d(xb, W1, b1, stride=1, padding=3)), 2, 2)
        h = F.relu(h.reshape(BATCH, -1) @ W2 + b2)
        loss = F.cross_entropy(h @ W3 + b3, yb)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-lr)
        return loss.item()

    for _ in range(3):
        step()
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "mkldnn": torch.backends.mkldnn.is_available(),
            }
        ),
        flush=True,
    )
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != "run":
            break
        ms, cpu = [], []
        for _ in range(int(parts[1])):
            t0, c0 = time.perf_counter(), time.process_time()
            step()
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        print(json.dumps({"ms": ms, "cpu": cpu}), flush=True)


if __name__ == "__main__":
    main()
