"""Checks for the exercises of lesson 06 (modules)."""
from __future__ import annotations

import numpy as np

from . import Hint, LessonChecks, exercise

NO_INIT = ("your __init__ did not call super().__init__() before assigning to self: nn.Module.__init__ creates "
           "the dictionaries (_parameters, _buffers, _modules) that registration fills, so call it first.")


class Checks(LessonChecks):
    def build(self, cls, *args):
        """cls(*args), with a hint for the classic AttributeError of a missing super().__init__()."""
        try:
            module = cls(*args)
        except AttributeError as error:
            text = str(error)
            if "Module.__init__" in text or "has no attribute '_" in text:
                raise Hint(NO_INIT) from None
            raise
        self.require(isinstance(module, self.torch.nn.Module),
                     f"{cls.__name__}(...) should be an nn.Module: write `class {cls.__name__}(nn.Module):`.")
        self.require("_parameters" in vars(module), NO_INIT)
        return module

    def call(self, module, *args):
        try:
            return module(*args)
        except AttributeError as error:
            if "has no attribute '_" in str(error):
                raise Hint(NO_INIT) from None
            raise

    @exercise(1, "an MLP in a ModuleList")
    def ex1(self, MLP):
        torch, nn = self.torch, self.torch.nn
        for sizes in ([4, 16, 16, 3], [2, 5, 1], [3, 2]):
            model = self.build(MLP, sizes)
            layers = getattr(model, "layers", None)
            self.require(not isinstance(layers, list),
                         "self.layers is a plain Python list: nn.Module does not look inside lists, so the Linear "
                         "layers are not registered (parameters() and state_dict() do not see them and an optimizer "
                         "would never train them). Wrap the list: nn.ModuleList([...]).")
            self.require(layers is not None, "the model has no attribute `layers`: keep the Linear layers in "
                                             "self.layers = nn.ModuleList([...]).")
            self.require(isinstance(layers, nn.ModuleList),
                         f"self.layers is a {type(layers).__name__}; the exercise asks for an nn.ModuleList.")
            n_layers = len(sizes) - 1
            self.require(list(model.parameters()), "the model has no parameters: were the layers registered?")
            others = sorted({type(m).__name__ for m in layers if not isinstance(m, nn.Linear)})
            self.require(not others, f"self.layers holds {', '.join(others)} modules too: keep only the Linear "
                                     f"layers in it (their names are then layers.0, layers.1, ...) and apply the "
                                     f"ReLU in forward with torch.relu.")
            count = sum(p.numel() for p in model.parameters())
            right = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
            no_bias = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
            self.require(count != no_bias, f"MLP({sizes}) has {count} parameters, expected {right}: the weights are "
                                           f"all there but the biases are missing (keep bias=True, the default).")
            self.require(count == right,
                         f"MLP({sizes}) has {count} parameters, expected {right}: Linear(a, b) has a * b weights "
                         f"and b biases, one layer for each pair (a, b) of consecutive sizes ({n_layers} here).")
            keys = list(model.state_dict())
            expected = [f"layers.{i}.{name}" for i in range(n_layers) for name in ("weight", "bias")]
            self.require(keys == expected,
                         f"MLP({sizes}).state_dict() has the keys {keys}, expected {expected}: keep the Linear "
                         f"layers, and nothing else, in self.layers = nn.ModuleList([...]).")
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
                shape = tuple(layers[i].weight.shape)
                self.require(shape == (b, a), f"layers[{i}].weight has shape {shape}, expected {(b, a)}: layer "
                                              f"{i} maps sizes[{i}] = {a} features to sizes[{i + 1}] = {b}.")

            torch.manual_seed(1)
            x = torch.randn(6, sizes[0])
            out = self.call(model, x)
            self.is_tensor(out, f"MLP({sizes})(x)")
            with torch.no_grad():
                def reference(relu_last=False, relu=True):
                    h = x
                    for i, layer in enumerate(layers):
                        h = h @ layer.weight.T + layer.bias
                        if relu and (i < n_layers - 1 or relu_last):
                            h = torch.relu(h)
                    return h
                self.close(out, reference(), f"MLP({sizes})(x)", mistakes=[
                    (reference(relu_last=True), "the output went through a ReLU too: the last layer gives class "
                                                "scores, which may be negative; apply ReLU after every layer but "
                                                "the last."),
                    (reference(relu=False), "there is no ReLU between the layers: without a nonlinearity the "
                                            "stack of Linear layers is a single linear map.")])
        return "layers registered in a ModuleList, named layers.0, layers.1, ..., with ReLUs in between."

    @exercise(2, "a module with buffers")
    def ex2(self, Standardize):
        torch = self.torch
        mean, std = torch.tensor([1.0, -2.0, 0.5]), torch.tensor([2.0, 0.5, 4.0])
        s = self.build(Standardize, mean.clone(), std.clone())
        params = [name for name, _ in s.named_parameters()]
        self.require(not params, f"Standardize has the parameters {params}: nn.Parameter makes mean and std "
                                 f"learnable, so an optimizer would change them. Register them as buffers: "
                                 f"self.register_buffer('mean', mean).")
        buffers = sorted(name for name, _ in s.named_buffers())
        if not buffers and isinstance(vars(s).get("mean"), torch.Tensor):
            raise Hint("mean and std are plain attributes: they are not buffers, so state_dict() does not save "
                       "them and .to() would not move them. Use self.register_buffer('mean', mean).")
        self.require(buffers == ["mean", "std"], f"the buffers are {buffers}, expected ['mean', 'std'] "
                                                 f"(self.register_buffer(name, tensor)).")
        keys = sorted(s.state_dict())
        self.require(keys == ["mean", "std"], f"state_dict() has the keys {keys}, expected ['mean', 'std']: "
                                              f"register the buffers as persistent (the default), so they are saved.")
        x = torch.tensor([[3.0, -1.0, 4.5], [1.0, -2.0, 0.5], [0.0, 0.0, 0.0]])
        expected = (x - mean) / std
        mistakes = [((x - mean) * std, "you multiplied by std: standardizing divides, (x - mean) / std."),
                    (x * std + mean, "x * std + mean undoes a standardization; the exercise asks for (x - mean) / std."),
                    (x / std - mean, "x / std - mean: subtract the mean first, then divide, (x - mean) / std.")]
        self.close(self.call(s, x), expected, "Standardize(mean, std)(x)", mistakes=mistakes)
        other = self.build(Standardize, torch.zeros(3), torch.ones(3))
        other.load_state_dict(s.state_dict())
        self.close(self.call(other, x), expected, "the output after load_state_dict", mistakes=[
            (x, "after load_state_dict the module still uses its old mean and std: forward must read the "
                "registered buffers (self.mean, self.std), not a copy kept elsewhere.")])
        return "mean and std are buffers: saved and loaded with the state_dict, invisible to optimizers."

    @exercise(3, "a NaN guard pre-hook")
    def ex3(self, nan_guard):
        torch, nn = self.torch, self.torch.nn

        class Add(nn.Module):
            def forward(self, a, b):
                return a + b

        nan = float("nan")
        torch.manual_seed(0)
        layer, add = nn.Linear(3, 2), Add()
        handles = [layer.register_forward_pre_hook(nan_guard), add.register_forward_pre_hook(nan_guard)]
        try:
            clean = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]])
            try:
                out = layer(clean)
            except ValueError as error:
                raise Hint(f"the hook raised on an input without NaN ({error}): raise only when "
                           f"torch.isnan(a).any() is true.") from None
            with torch.no_grad():
                expected = clean @ layer.weight.T + layer.bias
            changed = ("the output changed when your hook was registered: a pre-hook that returns a value "
                       "replaces the inputs. When there is no NaN, return nothing (None).")
            self.require(out is not None and np.allclose(self.numpy(out), self.numpy(expected)), changed)
            both = add(clean, clean)
            self.require(both is not None and np.allclose(self.numpy(both), self.numpy(2 * clean)), changed)

            def error_of(module, *args):
                try:
                    module(*args)
                except Exception as error:  # the learner's hook may raise anything
                    return error
                return None

            error = error_of(layer, torch.tensor([[1.0, nan, 3.0]]))
            self.require(error is not None, "the Linear ran on an input with a NaN: the hook must raise a ValueError "
                                            "when torch.isnan(a).any() is true for an input a.")
            self.require(isinstance(error, ValueError), f"the hook raised {type(error).__name__}, not ValueError: "
                                                        f"write `raise ValueError(...)`.")
            self.require("Linear" in str(error), f"the message {str(error)!r} does not name the module: put "
                                                 f"type(module).__name__ (here 'Linear') in it.")
            error = error_of(add, clean, torch.tensor([[nan, 0.0, 0.0], [0.0, 0.0, 0.0]]))
            self.require(isinstance(error, ValueError),
                         "Add()(a, b) ran with a NaN in its second input b: a pre-hook receives *every* input in "
                         "the tuple args; check each of them, not only args[0].")
            self.require("Add" in str(error), f"the message {str(error)!r} does not name the module: put "
                                              f"type(module).__name__ (here 'Add') in it.")
        finally:
            for handle in handles:
                handle.remove()
        return "NaN inputs are stopped before forward runs, with the module's name in the error."

    @exercise(4, "gradient norms with backward hooks")
    def ex4(self, grad_norms):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                              nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
        x = torch.randn(64, 10, requires_grad=True)

        # the reference, without hooks: the gradient of the loss at each Linear's output and input
        inputs, outputs, h = [], [], x
        for module in model:
            if isinstance(module, nn.Linear):
                inputs.append(h)
            h = module(h)
            if isinstance(module, nn.Linear):
                outputs.append(h)
        grads = torch.autograd.grad(h.sum(), outputs + inputs)
        names = ["0", "2", "4", "6"]
        expected = {n: g.norm().item() for n, g in zip(names, grads[:4])}
        at_inputs = {n: g.norm().item() for n, g in zip(names, grads[4:])}

        norms = grad_norms(model, x)
        self.answered(norms)
        self.require(isinstance(norms, dict), f"grad_norms returned a {type(norms).__name__}, expected a dict "
                                              f"{{name: norm}}" + (" (did you forget to `return` it?)" if norms is None else "."))
        self.require(sorted(norms) == names, f"the keys are {sorted(norms)}, expected the names of the Linear "
                                             f"layers as named_modules() gives them: {names}.")
        got = [float(norms[n]) for n in names]
        self.close(got, [expected[n] for n in names], "the norms (in the order of the layers)", mistakes=[
            ([at_inputs[n] for n in names], "these are the norms of grad_input[0], the gradient at each Linear's "
                                            "input; the exercise asks for grad_output[0], at its output.")])
        before = dict(norms)
        model(2 * x).sum().backward()
        self.require(all(float(norms[n]) == float(before[n]) for n in names),
                     "after grad_norms returned, another backward pass changed your dict: the hooks are still "
                     "registered. Keep the handles that register_full_backward_hook returns and call "
                     "handle.remove() on each before returning.")
        smallest = min(names, key=lambda n: expected[n])
        why = (", the first: on the way back every weight matrix and every Tanh (derivative at most 1) shrinks it"
               if smallest == "0" else "")
        return f"one hook per Linear, removed afterwards; the smallest gradient reaches layer {smallest!r}{why}."
