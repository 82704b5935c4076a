"""The epoch benchmark's numpy reference: CS231n's TwoLayerNet and Solver as the assignment writes them
(layers.py, layer_utils.py, fc_net.py, optim.py, solver.py: the layer functions are step_numpy.py's),
training W1 or W2 (bench_data.py) including the solver's accuracy checks. float32, one BLAS thread.
"""
import numpy as np

from bench_data import serve
from step_numpy import (
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
    openblas_info,
    sgd,
    softmax_loss,
)


class TwoLayerNet:
    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale, reg, dtype):
        self.reg = reg
        self.params = {
            "W1": (weight_scale * np.random.randn(input_dim, hidden_dim)).astype(dtype),
            "b1": np.zeros(hidden_dim, dtype=dtype),
            "W2": (weight_scale * np.random.randn(hidden_dim, num_classes)).astype(dtype),
            "b2": np.zeros(num_classes, dtype=dtype),
        }

    def loss(self, X, y=None):
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        h, cache1 = affine_relu_forward(X, W1, b1)
        scores, cache2 = affine_forward(h, W2, b2)
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        grads = {}
        dh, grads["W2"], grads["b2"] = affine_backward(dscores, cache2)
        _, grads["W1"], grads["b1"] = affine_relu_backward(dh, cache1)
        grads["W2"] += self.reg * W2
        grads["W1"] += self.reg * W1
        return loss, grads


class Solver:
    """solver.py's Solver, minus checkpointing and printing."""

    def __init__(self, model, data, lr, lr_decay, batch_size, num_epochs, num_train_samples=1000):
        self.model = model
        self.X_train, self.y_train, self.X_val, self.y_val = data
        self.lr_decay, self.batch_size, self.num_epochs = lr_decay, batch_size, num_epochs
        self.num_train_samples = num_train_samples
        self.optim_configs = {p: {"learning_rate": lr} for p in model.params}
        self.best_val_acc, self.best_params = 0, {}
        self.loss_history, self.train_acc_history, self.val_acc_history = [], [], []
        self.epoch = 0

    def _step(self):
        num_train = self.X_train.shape[0]
        batch_mask = np.random.choice(num_train, self.batch_size)
        X_batch, y_batch = self.X_train[batch_mask], self.y_train[batch_mask]
        loss, grads = self.model.loss(X_batch, y_batch)
        self.loss_history.append(loss)
        for p, w in self.model.params.items():
            next_w, next_config = sgd(w, grads[p], self.optim_configs[p])
            self.model.params[p] = next_w
            self.optim_configs[p] = next_config

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = np.random.choice(N, num_samples)
            N, X, y = num_samples, X[mask], y[mask]
        num_batches = N // batch_size + (N % batch_size != 0)
        y_pred = []
        for i in range(num_batches):
            scores = self.model.loss(X[i * batch_size : (i + 1) * batch_size])
            y_pred.append(np.argmax(scores, axis=1))
        return np.mean(np.hstack(y_pred) == y)

    def train(self):
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        for t in range(num_iterations):
            self._step()
            epoch_end = (t + 1) % iterations_per_epoch == 0
            if epoch_end:
                self.epoch += 1
                for k in self.optim_configs:
                    self.optim_configs[k]["learning_rate"] *= self.lr_decay
            if t == 0 or t == num_iterations - 1 or epoch_end:
                train_acc = self.check_accuracy(self.X_train, self.y_train, num_samples=self.num_train_samples)
                val_acc = self.check_accuracy(self.X_val, self.y_val)
                self.train_acc_history.append(train_acc)
                self.val_acc_history.append(val_acc)
                if val_acc > self.best_val_acc:
                    self.best_val_acc = val_acc
                    self.best_params = {k: v.copy() for k, v in self.model.params.items()}
        self.model.params = self.best_params


def train(w, data, seed):
    np.random.seed(seed)
    X_train, y_train, X_val, y_val, X_test, y_test = data
    model = TwoLayerNet(X_train.shape[1], w["hidden"], 10, w["weight_scale"], w["reg"], np.float32)
    solver = Solver(
        model, (X_train, y_train, X_val, y_val), w["lr"], w["lr_decay"], w["batch"], w["epochs"]
    )
    solver.train()

    def test():
        return float(solver.check_accuracy(X_test, y_test))

    return w["epochs"], float(solver.best_val_acc), test


if __name__ == "__main__":
    core, threads = openblas_info()
    serve({"numpy": np.__version__, "core": core, "threads": threads}, train)
