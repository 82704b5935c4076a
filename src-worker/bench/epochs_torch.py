"""The epoch benchmark's PyTorch reference (Debian python3-torch under /usr/bin/python3, CPU, one thread):
the same two-layer net, minibatch SGD with L2 in the loss, learning-rate decay and CS231n's accuracy
checks, written the way a PyTorch user writes it (tensors with requires_grad, autograd, an in-place
update under no_grad). float32; the input does not require a gradient, so autograd skips the first
layer's dx as the engine does.
"""
import torch
import torch.nn.functional as F

from bench_data import serve

torch.set_num_threads(1)


def train(w, data, seed):
    g = torch.Generator().manual_seed(seed)
    X_train, y_train, X_val, y_val, X_test, y_test = (
        None if a is None else torch.from_numpy(a) for a in data
    )
    D, H, C = X_train.shape[1], w["hidden"], 10
    ws, reg, lr = w["weight_scale"], w["reg"], w["lr"]
    params = {
        "W1": (ws * torch.randn(D, H, generator=g)).requires_grad_(),
        "b1": torch.zeros(H, requires_grad=True),
        "W2": (ws * torch.randn(H, C, generator=g)).requires_grad_(),
        "b2": torch.zeros(C, requires_grad=True),
    }

    def scores(X):
        h = torch.relu(X @ params["W1"] + params["b1"])
        return h @ params["W2"] + params["b2"]

    def check_accuracy(X, y, num_samples=None, batch_size=100):
        if num_samples is not None and X.shape[0] > num_samples:
            idx = torch.randint(0, X.shape[0], (num_samples,), generator=g)
            X, y = X[idx], y[idx]
        with torch.no_grad():
            pred = torch.cat([scores(X[i : i + batch_size]).argmax(1) for i in range(0, X.shape[0], batch_size)])
        return (pred == y).double().mean().item()

    n = X_train.shape[0]
    per_epoch = max(n // w["batch"], 1)
    iterations = w["epochs"] * per_epoch
    best_val, best, losses = 0.0, None, []
    for t in range(iterations):
        idx = torch.randint(0, n, (w["batch"],), generator=g)
        loss = F.cross_entropy(scores(X_train[idx]), y_train[idx])
        loss = loss + 0.5 * reg * (params["W1"].pow(2).sum() + params["W2"].pow(2).sum())
        for p in params.values():
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params.values():
                p.sub_(lr * p.grad)
        losses.append(loss.item())
        epoch_end = (t + 1) % per_epoch == 0
        if epoch_end:
            lr *= w["lr_decay"]
        if t == 0 or t == iterations - 1 or epoch_end:
            check_accuracy(X_train, y_train, 1000)
            val = check_accuracy(X_val, y_val)
            if val > best_val or best is None:
                best_val = val
                best = {k: v.detach().clone() for k, v in params.items()}
    with torch.no_grad():
        for k, v in params.items():
            v.copy_(best[k])

    def test():
        return check_accuracy(X_test, y_test)

    return w["epochs"], best_val, test


if __name__ == "__main__":
    serve({"torch": torch.__version__, "threads": torch.get_num_threads()}, train)
