"""Checks for the exercises of lesson 11 (the training loop)."""
from __future__ import annotations

import importlib

import numpy as np

from . import Hint, LessonChecks, exercise


class Checks(LessonChecks):
    # ------------------------------------------------------------------ small, fixed problems
    @property
    def data(self):
        """torch.utils.data of the engine the notebook uses."""
        return importlib.import_module(self.torch.__name__ + ".utils.data")

    def fixed_weights(self, model, seed):
        """Fill the model's parameters from NumPy, so that both engines start from the same weights."""
        torch = self.torch
        rng = np.random.default_rng(seed)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.tensor(rng.normal(0, 0.5, tuple(p.shape)).astype(np.float32)))
        return model

    def bn_problem(self):
        """A model with batch norm (it behaves differently in train and eval mode), 10 samples in
        batches of 4, 4 and 2 (so that a plain mean of the batch losses is wrong)."""
        torch, nn = self.torch, self.torch.nn
        from_data = self.data
        rng = np.random.default_rng(3)
        X = torch.tensor(rng.normal(size=(10, 3)).astype(np.float32))
        y = torch.tensor(rng.integers(0, 3, size=10))
        model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
        self.fixed_weights(model, 4)
        loader = from_data.DataLoader(from_data.TensorDataset(X, y), batch_size=4)
        return model, loader

    def flat(self, model):
        return np.concatenate([self.numpy(p).ravel() for p in model.parameters()])

    def reference_epoch(self, *, zero_grad=True, train_mode=True, step=True, average="samples"):
        """The right training epoch, or one with a known mistake. Returns (loss, acc, parameters)."""
        torch, nn = self.torch, self.torch.nn
        model, loader = self.bn_problem()
        model.eval()
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        if train_mode:
            model.train()
        losses, sizes, correct = [], [], 0
        for images, labels in loader:
            outputs = model(images)
            loss = criterion(outputs, labels)
            if zero_grad:
                optimizer.zero_grad()
            loss.backward()
            if step:
                optimizer.step()
            losses.append(loss.item())
            sizes.append(len(labels))
            correct += (outputs.argmax(dim=1) == labels).sum().item()
        n = sum(sizes)
        if average == "samples":
            mean = sum(loss * size for loss, size in zip(losses, sizes)) / n
        elif average == "batches":
            mean = sum(losses) / len(losses)
        else:  # the sum of the batch means divided by the number of samples
            mean = sum(losses) / n
        return mean, correct / n, self.flat(model)

    def reference_eval(self, model, loader):
        """Loss and accuracy in eval mode, without touching the model's mode or statistics."""
        torch, nn = self.torch, self.torch.nn
        criterion = nn.CrossEntropyLoss(reduction="sum")
        was_training = model.training
        model.eval()
        total, correct, n, batch_means = 0.0, 0, 0, []
        with torch.no_grad():
            for images, labels in loader:
                outputs = model(images)
                total += criterion(outputs, labels).item()
                batch_means.append(criterion(outputs, labels).item() / len(labels))
                correct += (outputs.argmax(dim=1) == labels).sum().item()
                n += len(labels)
        model.train(was_training)
        return total / n, correct / n, batch_means

    def pair(self, result, what):
        self.answered(result)
        self.require(result is not None, f"{what} returned None: return (mean loss, accuracy).")
        self.require(isinstance(result, (tuple, list)) and len(result) == 2,
                     f"{what} should return a pair (mean loss, accuracy), not {type(result).__name__}.")
        loss, acc = result
        self.answered(loss)
        self.answered(acc)
        return float(loss), float(acc)

    # ------------------------------------------------------------------ exercises
    @exercise(1, "accuracy from logits")
    def ex1(self, accuracy):
        torch = self.torch
        logits = torch.tensor([[2.0, 0.5, -1.0, 0.0], [0.1, 0.3, 0.2, 0.0], [-1.0, -2.0, -0.5, 1.0],
                               [0.0, 3.0, 1.0, 0.5]])
        labels = torch.tensor([0, 2, 3, 1])
        got = accuracy(logits, labels)
        self.answered(got)
        self.require(got is not None, "accuracy returned None: did you forget to `return`?")
        if hasattr(got, "numel"):
            self.require(got.numel() == 1, f"accuracy returned a tensor of shape {tuple(got.shape)}: reduce it to "
                                           f"one number (the fraction of correct predictions).")
        self.close(float(got), 0.75, "the accuracy", mistakes=[
            (3.0, "that is the number of correct predictions: divide by the number of samples."),
            (0.25, "that is the error rate (1 - accuracy): count the predictions that *equal* the labels."),
            (0.5, "argmax over dim=0 picks, for each class, the sample with the highest score: take the argmax "
                  "over the classes, dim=1."),
            (75.0, "that is a percentage: return a fraction between 0 and 1.")])
        self.close(float(accuracy(logits[:2], labels[:2])), 0.5, "the accuracy of the first two samples")
        return "argmax over the classes, compared with the labels, averaged."

    @exercise(2, "train one epoch")
    def ex2(self, train_one_epoch):
        torch, nn = self.torch, self.torch.nn
        model, loader = self.bn_problem()
        model.eval()                              # the loop must switch to training mode itself
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        result = train_one_epoch(model, loader, nn.CrossEntropyLoss(), optimizer)
        loss, acc = self.pair(result, "train_one_epoch")
        params = self.flat(model)
        right_loss, right_acc, right = self.reference_epoch()
        if not np.allclose(params, right, atol=1e-5):
            for wrong, hint in [
                (self.reference_epoch(step=False)[2],
                 "the weights did not change: call optimizer.step() after loss.backward()."),
                (self.reference_epoch(zero_grad=False)[2],
                 "the weights match a loop without optimizer.zero_grad(): gradients accumulate (lesson 02), so "
                 "every step used the sum of all earlier gradients. Zero them before each backward()."),
                (self.reference_epoch(train_mode=False)[2],
                 "the weights match a loop run in evaluation mode: call model.train() at the start (the check "
                 "hands you a model in eval mode, and batch norm behaves differently in the two modes)."),
                (self.reference_epoch(train_mode=False, zero_grad=False)[2],
                 "two mistakes: call model.train() at the start, and optimizer.zero_grad() before each backward()."),
            ]:
                self.require(not np.allclose(params, wrong, atol=1e-5), hint)
            raise Hint("the weights after one epoch are not right: for each batch, forward, loss, zero_grad, "
                       "backward, step, in training mode, with the optimizer you are given.")
        self.require(model.training, "the model is not in training mode after your epoch: call model.train().")
        self.close(loss, right_loss, "the mean training loss", mistakes=[
            (self.reference_epoch(average="batches")[0],
             "that is the mean of the three batch losses, but the last batch has only 2 samples: weight each "
             "batch's loss by its size (loss.item() * len(labels)), then divide by the number of samples."),
            (self.reference_epoch(average="sum")[0],
             "you divided the sum of the batch *means* by the number of samples: multiply each batch's mean "
             "loss by the batch size first (loss.item() * len(labels))."),
            (right_loss * 10, "that is the total loss over the 10 samples: divide by the number of samples.")])
        self.close(acc, right_acc, "the training accuracy", mistakes=[
            (right_acc * 10, "that is the number of correct predictions: divide by the number of samples.")])
        return "train mode, zero_grad → backward → step per batch, and a loss averaged over samples."

    @exercise(3, "evaluate")
    def ex3(self, evaluate):
        torch, nn = self.torch, self.torch.nn
        model, loader = self.bn_problem()
        model.train()                             # evaluate must switch to evaluation mode itself
        right_loss, right_acc, batch_means = self.reference_eval(model, loader)
        before = self.flat(model)
        stats_before = self.numpy(model[1].running_mean).copy()
        grad_modes = []
        handle = model.register_forward_hook(lambda m, i, o: grad_modes.append(torch.is_grad_enabled()))
        try:
            result = evaluate(model, loader, nn.CrossEntropyLoss())
        finally:
            handle.remove()
        loss, acc = self.pair(result, "evaluate")
        self.require(np.allclose(self.numpy(model[1].running_mean), stats_before),
                     "the batch-norm running statistics changed: the model was in training mode. Call model.eval() "
                     "before evaluating.")
        self.require(not model.training, "the model is still in training mode: call model.eval().")
        self.require(np.array_equal(self.flat(model), before),
                     "evaluate changed the weights: no backward() and no optimizer step while evaluating.")
        self.require(all(p.grad is None for p in model.parameters()),
                     "evaluate computed gradients: no backward() while evaluating.")
        self.require(grad_modes, "evaluate never called the model.")
        self.require(not any(grad_modes),
                     "the forward passes ran with gradient recording on: wrap the loop in `with torch.no_grad():`, "
                     "so that no graph is built (it saves memory and time).")
        self.close(loss, right_loss, "the mean loss", mistakes=[
            (sum(batch_means) / len(batch_means),
             "that is the mean of the three batch losses, but the last batch has only 2 samples: weight each "
             "batch's loss by its size (loss.item() * len(labels)), then divide by the number of samples."),
            (sum(batch_means) / 10,
             "you divided the sum of the batch *means* by the number of samples: multiply each batch's mean "
             "loss by the batch size first.")])
        self.close(acc, right_acc, "the accuracy")
        return "eval mode, no graph, no update, and the loss averaged over samples."

    @exercise(4, "a confusion matrix")
    def ex4(self, confusion_matrix):
        torch = self.torch
        targets = torch.tensor([0, 0, 1, 1, 1, 2, 2, 0, 1, 2])
        predictions = torch.tensor([0, 1, 1, 1, 2, 2, 0, 0, 1, 1])
        right = torch.zeros(4, 4, dtype=torch.int64)            # class 3 never occurs
        for t, p in zip(targets.tolist(), predictions.tolist()):
            right[t, p] += 1
        got = confusion_matrix(predictions, targets, 4)
        self.is_tensor(got, "confusion_matrix(predictions, targets, 4)")
        self.require(tuple(got.shape) != (3, 3), "the matrix is 3 × 3, but there are 4 classes: class 3 never "
                                                 "occurs here, and its row and column must still be there "
                                                 "(bincount(..., minlength=num_classes ** 2)).")
        self.require(tuple(got.shape) == (4, 4), f"the matrix has shape {tuple(got.shape)}, expected (4, 4).")
        self.close(got, right, "the confusion matrix", mistakes=[
            (right.T, "the matrix is transposed: row t, column p counts the samples of *true* class t that were "
                      "*predicted* as p (pair number t * num_classes + p)."),
            (right / 10, "the entries are fractions: count the samples (integers)."),
            (right.T / 10, "the entries are fractions, and the matrix is transposed.")])
        self.require(got.sum().item() == len(targets), "the entries do not add up to the number of samples.")
        return "rows are the true classes, columns the predictions; the diagonal counts the correct ones."

    # ------------------------------------------------------------------ exercise 5
    def fit_problem(self):
        """Three noisy blobs; with SGD + momentum the validation accuracy peaks at epoch 1 of 6,
        the training accuracy at epoch 5 (the same on both engines)."""
        torch, nn = self.torch, self.torch.nn
        data = self.data
        rng = np.random.default_rng(1)
        centers = np.array([[0, 0], [2, 0], [0, 2]], dtype=np.float32)
        y_train, y_valid = rng.integers(0, 3, 24), rng.integers(0, 3, 24)
        X_train = centers[y_train] + rng.normal(0, 1.0, (24, 2)).astype(np.float32)
        X_valid = centers[y_valid] + rng.normal(0, 1.0, (24, 2)).astype(np.float32)
        model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.tensor(rng.normal(0, 0.5, tuple(p.shape)).astype(np.float32)))
        train_loader = data.DataLoader(data.TensorDataset(torch.tensor(X_train), torch.tensor(y_train)), batch_size=8)
        valid_loader = data.DataLoader(data.TensorDataset(torch.tensor(X_valid), torch.tensor(y_valid)), batch_size=8)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
        return model, train_loader, valid_loader, optimizer

    def fit_history(self, epochs):
        """Weights, validation and training accuracy after every epoch of the right loop."""
        nn = self.torch.nn
        model, train_loader, valid_loader, optimizer = self.fit_problem()
        criterion = nn.CrossEntropyLoss()
        states, valid, train = [], [], []
        for _ in range(epochs):
            model.train()
            for x, y in train_loader:
                loss = criterion(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            states.append(self.flat(model))
            valid.append(self.reference_eval(model, valid_loader)[1])
            train.append(self.reference_eval(model, train_loader)[1])
        return states, valid, train

    @exercise(5, "fit: choose the epoch on validation")
    def ex5(self, fit):
        nn = self.torch.nn
        epochs = 6
        states, valid, train = self.fit_history(epochs)
        model, train_loader, valid_loader, optimizer = self.fit_problem()
        result = fit(model, train_loader, valid_loader, nn.CrossEntropyLoss(), optimizer, epochs)
        self.answered(result)
        self.require(result is not None, "fit returned None: return (best_epoch, best_valid_acc).")
        self.require(isinstance(result, (tuple, list)) and len(result) == 2,
                     "fit should return a pair (best_epoch, best_valid_acc).")
        best_epoch, best_acc = int(result[0]), float(result[1])
        best = max(valid)
        params = self.flat(model)
        self.close(best_acc, best, "the best validation accuracy", mistakes=[
            (max(train), "that is the best *training* accuracy: choose by the accuracy on valid_loader.")])
        self.require(best_epoch != int(np.argmax(train)) or valid[best_epoch] == best,
                     f"you returned epoch {best_epoch}, the best by *training* accuracy: choose by the validation "
                     f"accuracy (evaluate on valid_loader).")
        if np.allclose(params, states[-1], atol=1e-5) and valid[-1] < best:
            raise Hint("the model ends with the weights of the *last* epoch. If you kept `model.state_dict()` "
                       "without copying it: a state_dict holds references to the live tensors, which the optimizer "
                       "keeps changing. Keep copy.deepcopy(model.state_dict()) and load it back with "
                       "model.load_state_dict(...) at the end.")
        winners = [e for e, a in enumerate(valid) if a == best]
        self.require(best_epoch in winners, f"epoch {best_epoch} is not the best: the validation accuracy peaked at "
                                            f"epoch {winners[0]} (counting from 0).")
        self.require(np.allclose(params, states[best_epoch], atol=1e-5),
                     f"the model does not hold the weights of epoch {best_epoch}: load the best state back into the "
                     f"model at the end (model.load_state_dict(best_state)).")
        return (f"the validation accuracy peaked at epoch {best_epoch} of {epochs}, and the model holds that "
                f"epoch's weights.")
