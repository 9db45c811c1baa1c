"""Checks for the exercises of lesson 20 (the error clinic): the learner fixes broken code."""
from __future__ import annotations

import warnings


from . import Hint, LessonChecks, exercise


def _first_part(error: BaseException) -> str:
    """PyTorch's words of an error message (edutorch adds ": <hint>" after them)."""
    return str(error).split(": ")[0]


class Checks(LessonChecks):
    @exercise(1, "a model whose shapes do not fit")
    def ex1(self, SmallCNN):
        torch = self.torch
        torch.manual_seed(0)
        model = SmallCNN()
        self.require(isinstance(model, torch.nn.Module), "SmallCNN() should be an nn.Module.")
        images = torch.randn(4, 1, 28, 28)
        for n in (4, 1, 3):
            batch = images[:n]
            try:
                out = model(batch)
            except RuntimeError as error:
                message = str(error)
                if n != 4:
                    raise Hint(f"the model works for a batch of 4 but not for a batch of {n}: "
                               f"`{_first_part(error)}`. Is the batch size hard-coded (view(4, -1))? Flatten "
                               "with x.flatten(1), which keeps whatever batch size comes in.") from None
                if "mat1 and mat2" in message:
                    raise Hint(f"for a batch of {n}: `{_first_part(error)}`. mat1 holds the flattened "
                               "features, one row per image: its second number is the in_features the Linear "
                               "layer needs (section 1: by the formula 28 → 26 → 13 → 11 → 5, or by a dummy "
                               "forward through the convolutions).") from None
                if "invalid for input of size" in message:
                    raise Hint(f"for a batch of {n}: `{_first_part(error)}`: x.view(-1, k) needs k = the "
                               "number of features of one image. Simpler and safe for any sizes: "
                               "x.flatten(1), which keeps dim 0 (the batch) and joins the rest.") from None
                raise
            self.is_tensor(out, f"SmallCNN()(x) for a batch of {n}")
            self.require(out.dim() == 2 and out.shape[0] == n,
                         f"a batch of {n} images gave an output of shape {tuple(out.shape)}: one row per image is "
                         "needed. The reshape mixed the batch with the features (a hard-coded batch size, or a "
                         "view(-1, k) with the wrong k): flatten with x.flatten(1).")
            self.require(out.shape[1] == 10, f"the output has shape {tuple(out.shape)}: the last Linear layer "
                                             "must give 10 logits per image.")
        model.eval()
        with torch.no_grad():
            together = model(images)
            alone = torch.cat([model(images[i:i + 1]) for i in range(4)])
        self.close(together, alone, "the logits of each image in a batch of 4 (against the image alone)",
                   atol=1e-4, mistakes=())
        return "in_features = 16 * 5 * 5 = 400, and flatten(1) keeps one row per image for any batch size."

    @exercise(2, "a training loop that trains wrongly")
    def ex2(self, train):
        torch, nn = self.torch, self.torch.nn
        X = torch.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, -1.0], [-0.5, 2.0, 0.0], [2.0, 1.0, 1.0],
                          [0.0, -0.5, 0.5], [1.5, 1.5, -2.0]])
        y = X @ torch.tensor([1.0, -2.0, 0.5]) + 0.3               # shape (6,)
        start = (torch.tensor([[0.2, 0.1, -0.3]]), torch.tensor([0.05]))

        def fresh():
            model = nn.Linear(3, 1)
            with torch.no_grad():
                model.weight.copy_(start[0])
                model.bias.copy_(start[1])
            return model

        def flat(model):
            return torch.cat([model.weight.detach().flatten(), model.bias.detach()])

        def reference(zero_grad=True, squeeze=True, zero_before_step=False):
            model = fresh()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for _ in range(5):
                    if zero_grad:
                        optimizer.zero_grad()
                    prediction = model(X)
                    loss = nn.functional.mse_loss(prediction.squeeze(1) if squeeze else prediction, y)
                    loss.backward()
                    if zero_before_step:
                        optimizer.zero_grad()
                    optimizer.step()
            return flat(model)

        model = fresh()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            losses = train(model, X, y, 5, 0.1)
        shapes = [str(w.message) for w in caught if "target size" in str(w.message)]
        self.require(not shapes, "MSELoss warned: `" + shapes[0].split(". This")[0] + "`. The model returns (N, 1), the "
                                 "targets are (N,): broadcasting compares every prediction with every target (an "
                                 "N x N table). Make the shapes equal: prediction.squeeze(1) or y.unsqueeze(1)."
                     if shapes else "")
        self.close(flat(model), reference(), "the weights after 5 epochs", mistakes=[
            (reference(zero_grad=False), "the weights match a loop without optimizer.zero_grad(): backward() adds "
                                         "into .grad, so each step used the sum of all earlier gradients. Call "
                                         "optimizer.zero_grad() once per epoch, before backward()."),
            (reference(zero_before_step=True), "the weights never moved: zero_grad() ran between backward() and "
                                               "step(), so step() saw zero gradients. Zero before backward()."),
            (flat(fresh()), "the weights never moved: call optimizer.step() after backward().")])
        self.require(isinstance(losses, (list, tuple)) and len(losses) == 5,
                     "train should return the list of the 5 epochs' losses (loss.item() of each epoch).")
        self.require(losses[-1] < losses[0], "the returned losses do not decrease.")
        return "equal shapes for MSELoss, and zero_grad() before every backward(): the loss falls every epoch."

    @exercise(3, "an evaluation that changes its mind")
    def ex3(self, accuracy):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 3))
        X = torch.randn(200, 4)
        labels = (X[:, 0] > 0).long() + (X[:, 1] > 0.5).long()
        with torch.no_grad():
            model.eval()
            expected = (model(X).argmax(dim=1) == labels).float().mean().item()
            model.train()
        seen = []
        handle = model[2].register_forward_hook(
            lambda module, inputs, output: seen.append((module.training, torch.is_grad_enabled())))
        try:
            result = accuracy(model, X, labels)
        finally:
            handle.remove()
        self.answered(result)
        self.require(seen, "the model never ran on X: call model(X).")
        self.require(not seen[0][0], "the dropout layer was in training mode: it zeroed random units, so the "
                                     "accuracy changes from call to call. Call model.eval() before predicting.")
        self.require(not seen[0][1], "the forward pass recorded a graph (autograd was on): wrap it in "
                                     "`with torch.no_grad():` — eval() switches dropout and batch norm, but does "
                                     "not stop autograd.")
        self.require(model.training, "the model is still in evaluation mode after accuracy(): call model.train() "
                                     "before returning, or the next epoch trains without dropout.")
        self.require(isinstance(result, float), f"accuracy returned a {type(result).__name__}: return a Python "
                                                "number (.item()).")
        self.close(result, expected, "the accuracy")
        return "eval() + no_grad() for evaluation, train() afterwards: the same accuracy every time."

    @exercise(4, "the loss of a classifier")
    def ex4(self, classification_loss):
        torch, F = self.torch, self.torch.nn.functional
        logits = torch.tensor([[2.0, 0.5, -1.0],
                               [0.1, 1.5, 0.3],
                               [-0.5, 0.2, 2.2],
                               [1.0, 1.2, 0.0]], requires_grad=True)
        labels = torch.tensor([0.0, 2.0, 1.0, 2.0])
        try:
            loss = classification_loss(logits, labels.clone())
        except RuntimeError as error:
            if "target" in str(error) or "Long" in str(error):
                raise Hint(f"`{_first_part(error)}`: class indices must be int64 (Long), and a float target "
                           "would mean class probabilities of the logits' shape. Convert: labels.long() "
                           "(not .int(), which is int32).") from None
            raise
        self.is_tensor(loss, "classification_loss(logits, labels)")
        self.require(loss.dim() == 0, f"the loss has shape {tuple(loss.shape)}: return the mean over the batch, "
                                      "one number (0-d tensor).")
        self.require(loss.requires_grad, "the loss does not require grad, so backward() cannot start from it: "
                                         "return the loss tensor itself (no .item(), no detach()).")
        target = labels.long()
        expected = F.cross_entropy(logits, target)
        self.close(loss, expected, "the loss", mistakes=[
            (F.cross_entropy(logits.softmax(dim=1), target),
             "the loss matches cross-entropy of *softmax probabilities*: CrossEntropyLoss applies log_softmax "
             "itself, so softmax first computes it twice (the loss can no longer reach 0). Pass the logits."),
            (F.cross_entropy(logits, target, reduction="sum"), "that is the sum over the batch: use the mean "
                                                              "(the default reduction)."),
            (F.nll_loss(logits, target), "nll_loss expects log-probabilities: use cross_entropy on the logits.")])
        (grad,) = torch.autograd.grad(loss, logits)
        self.close(grad, torch.autograd.grad(expected, logits)[0], "the gradient of the loss")
        return "CrossEntropyLoss on the logits, with labels.long() as the target."

    @exercise(5, "gradient descent by hand, three errors deep")
    def ex5(self, fit_slope):
        torch = self.torch
        x = torch.tensor([1.0, 2.0, 3.0, 4.0])
        y = torch.tensor([2.4, 5.2, 7.4, 10.1])

        def reference(steps, lr, zero=True, stale=False):
            w = torch.tensor(0.0, requires_grad=True)
            prediction = w * x
            for _ in range(steps):
                if not stale:
                    prediction = w * x
                ((prediction - y) ** 2).mean().backward(retain_graph=stale)
                with torch.no_grad():
                    w -= lr * w.grad
                if zero:
                    w.grad.zero_()
            return w.detach()

        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            try:
                w = fit_slope(x, y, 3, 0.02)
            except RuntimeError as error:
                message = str(error)
                if "leaf Variable" in message:
                    raise Hint("`a leaf Variable that requires grad is being used in an in-place operation`: "
                               "w -= ... changes w while autograd records. The update is not part of the model: "
                               "do it under `with torch.no_grad():`.") from None
                if "second time" in message:
                    raise Hint("`Trying to backward through the graph a second time`: prediction = w * x was "
                               "computed once, before the loop, and the first backward() freed its graph. Compute "
                               "the prediction inside the loop: a fresh forward pass every step.") from None
                raise
            except (AttributeError, TypeError) as error:
                if "NoneType" in str(error):
                    raise Hint(f"`{error}`: w.grad is None because `w = w - ...` made w a new, non-leaf tensor "
                               "(only leaves get .grad). Update w in place, `w -= lr * w.grad`, under "
                               "torch.no_grad().") from None
                raise
        self.is_tensor(w, "fit_slope(x, y, 3, 0.02)")
        self.require(w.is_leaf, "the returned w is not a leaf any more (it has a grad_fn): update it in place "
                                "under torch.no_grad() instead of `w = w - ...`.")
        self.close(w, reference(3, 0.02), "w after 3 steps", mistakes=[
            (reference(3, 0.02, stale=True), "w matches a loop that reuses the prediction made before the loop "
                                             "(retain_graph=True?): every step then sees the gradient at w = 0. "
                                             "Compute the prediction inside the loop."),
            (reference(3, 0.02, zero=False), "w matches a loop that never zeroes w.grad: gradients add up across "
                                             "backward() calls. Keep w.grad.zero_() after the update."),
            (reference(1, 0.02), "w is what one step gives: loop `steps` times.")])
        w = fit_slope(x, y, 200, 0.02)
        best = (x * y).sum() / (x * x).sum()
        self.close(w, best, "w after 200 steps (compared with the least-squares slope)", atol=1e-3)
        return f"w = {float(best):.4f}: no_grad() for the update, a fresh forward every step, zero_() after."
