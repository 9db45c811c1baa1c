"""Checks for the exercises of lesson 13 (hooks, feature maps and class activation maps)."""
from __future__ import annotations

import numpy as np

from . import Hint, LessonChecks, exercise

LEFT_BEHIND = ("hooks were left on the model after your function returned: keep every handle that "
               "register_*_hook returns and call handle.remove() on each (in a finally: block).")


class Checks(LessonChecks):
    def hooks_left(self, model, kind):
        """Number of hooks of a kind ('_forward_hooks', '_backward_hooks') still on the model's modules.
        Both engines keep them in these dictionaries."""
        return sum(len(getattr(m, kind, {}) or {}) for m in model.modules())

    def shapes_model(self):
        nn = self.torch.nn
        self.torch.manual_seed(0)
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Sequential(nn.Conv2d(4, 8, 3), nn.ReLU()), nn.Flatten(), nn.Linear(8, 3))

    @exercise(1, "a shape recorder")
    def ex1(self, record_shapes):
        torch, nn = self.torch, self.torch.nn
        model = self.shapes_model()

        def expected(n):
            return {"0": (n, 4, 6, 6), "1": (n, 4, 6, 6), "2": (n, 4, 3, 3), "3.0": (n, 8, 1, 1),
                    "3.1": (n, 8, 1, 1), "4": (n, 8), "5": (n, 3)}

        def inputs(n):
            return {"0": (n, 1, 6, 6), "1": (n, 4, 6, 6), "2": (n, 4, 6, 6), "3.0": (n, 4, 3, 3),
                    "3.1": (n, 8, 1, 1), "4": (n, 8, 1, 1), "5": (n, 8)}

        got = record_shapes(model, torch.randn(2, 1, 6, 6))
        self.answered(got)
        self.require(got is not None, "record_shapes returned None: did you forget to `return shapes`?")
        self.require(isinstance(got, dict), f"record_shapes should return a dict, not a {type(got).__name__}.")
        self.require(all(isinstance(k, str) for k in got),
                     "the keys should be the layer names of model.named_modules() ('0', '3.0', ...), not modules.")
        self.require(self.hooks_left(model, "_forward_hooks") == 0, LEFT_BEHIND)
        self.require("" not in got and "3" not in got,
                     "you hooked the containers too (the model itself, named '', and the inner Sequential '3'): "
                     "keep only the leaf modules, those with no children (`not list(m.children())`).")
        missing = sorted(set(expected(2)) - set(got))
        self.require(not missing, f"the layers {missing} are missing: hook every leaf module of named_modules(), "
                                  f"including those inside the nested Sequential.")
        shapes = {k: tuple(v) for k, v in got.items()}
        self.require(shapes != inputs(2), "those are the input shapes: a forward hook gets (module, inputs, output); "
                                          "record tuple(output.shape).")
        for name, shape in expected(2).items():
            self.require(shapes[name] == shape, f"the shape recorded for layer {name!r} is {shapes[name]}, "
                                                f"expected {shape} (the shape of its output).")
        first = dict(shapes)
        again = record_shapes(model, torch.randn(5, 1, 6, 6))
        self.require({k: tuple(v) for k, v in got.items()} == first,
                     "the dict returned by the first call changed during the second call: its hooks were still "
                     "on the model. " + LEFT_BEHIND)
        self.require({k: tuple(v) for k, v in (again or {}).items()} == expected(5),
                     "a second call with a batch of 5 did not record shapes starting with 5: start from a fresh "
                     "dict on each call.")
        broken = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(5, 2))   # 2*4*4 != 5 features
        try:
            record_shapes(broken, torch.randn(1, 1, 6, 6))
        except Exception:
            pass
        self.require(self.hooks_left(broken, "_forward_hooks") == 0,
                     "when the forward pass raised (a model whose shapes do not fit), your hooks stayed on the model: "
                     "remove them in a `finally:` block so that they go even after an error.")
        return "one output shape per leaf layer, and no hook left behind, even after an error."

    @exercise(2, "gradient norms per layer")
    def ex2(self, gradient_norms):
        torch, nn, F = self.torch, self.torch.nn, self.torch.nn.functional

        def model_and_data():
            torch.manual_seed(0)
            model = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 5),
                                  nn.Tanh(), nn.Linear(5, 4))
            x = torch.randn(6, 1, 6, 6).requires_grad_()     # so that the first layer has a grad_input too
            return model, x, torch.tensor([0, 1, 2, 3, 1, 0])

        model, x, y = model_and_data()
        names = ["0", "3", "5"]
        outputs, inputs = {}, {}

        def keep(name):
            def hook(module, args, output):
                outputs[name], inputs[name] = output, args[0]
            return hook

        handles = [model.get_submodule(n).register_forward_hook(keep(n)) for n in names]
        loss = F.cross_entropy(model(x), y)
        for h in handles:
            h.remove()
        grads = torch.autograd.grad(loss, [outputs[n] for n in names] + [inputs["3"], inputs["5"]],
                                    retain_graph=True)
        right = [g.norm().item() for g in grads[:3]]
        grad_in = {"3": grads[3].norm().item(), "5": grads[4].norm().item()}
        w_grads = torch.autograd.grad(loss, [model.get_submodule(n).weight for n in names])
        weight_norms = [g.norm().item() for g in w_grads]

        model, x, y = model_and_data()
        got = gradient_norms(model, x, y)
        self.answered(got)
        self.require(got is not None, "gradient_norms returned None: did you forget to `return norms`?")
        self.require(isinstance(got, dict), f"gradient_norms should return a dict, not a {type(got).__name__}.")
        self.require(self.hooks_left(model, "_backward_hooks") == 0, LEFT_BEHIND)
        self.require(set(got) == set(names), f"the dict has the keys {sorted(got)}, expected {names}: the names "
                                             f"(from named_modules()) of the Conv2d and Linear layers only.")
        values = [float(got[n]) for n in names]
        if np.allclose(values[1:], [grad_in["3"], grad_in["5"]], rtol=1e-4):
            raise Hint("those are the norms of grad_input, the gradient with respect to each layer's *input*: "
                       "record grad_output[0], the gradient with respect to its output.")
        self.close(values, right, "the gradient norms (conv, linear, linear)", mistakes=[
            (weight_norms, "those are the norms of the weights' gradients (m.weight.grad): the exercise asks for "
                           "the gradient reaching the layer's output, grad_output[0] in a full backward hook."),
            ([v ** 2 for v in right], "those are squared norms: use tensor.norm() (the square root of the sum of "
                                      "squares).")])
        return "the norm of dLoss/d(output) per layer, as autograd.grad computes it."

    @exercise(3, "a hook-based feature extractor")
    def ex3(self, FeatureExtractor):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                              nn.Sequential(nn.Conv2d(4, 4, 3), nn.ReLU()), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))
        layers = ["1", "2.0", "4"]
        extractor = FeatureExtractor(model, layers)
        self.require(isinstance(extractor, nn.Module), "FeatureExtractor should subclass nn.Module.")
        self.require(len(list(extractor.parameters())) == len(list(model.parameters())),
                     "the extractor has no parameters: keep the model as an attribute (self.model = model), so "
                     "that nn.Module registers it and its parameters.")
        x = torch.randn(2, 1, 6, 6)
        out = extractor(x)
        self.answered(out)
        self.require(out is not None, "forward returned None: return the dict of features.")
        self.require(isinstance(out, dict), f"forward should return a dict {{name: output}}, not a "
                                            f"{type(out).__name__} (the model's own output is not wanted).")
        self.require(sorted(out) == sorted(layers), f"the dict has the keys {sorted(out)}, expected {layers}.")
        h1 = model[1](model[0](x))
        h2 = model[2][0](h1)
        expected = {"1": h1, "2.0": h2, "4": model(x)}
        for name in layers:
            self.close(out[name], expected[name], f"the features of layer {name!r}")
        self.require(out["2.0"].requires_grad,
                     "the features do not require grad: you detached them, so no gradient can flow back through "
                     "them into the model. Store the output itself in the hook.")
        model.zero_grad()
        out["2.0"].pow(2).mean().backward()
        got_grad = model[0].weight.grad
        self.require(got_grad is not None, "no gradient reached the first convolution through the features.")
        (reference,) = torch.autograd.grad(model[2][0](model[1](model[0](x))).pow(2).mean(), [model[0].weight])
        self.close(got_grad, reference, "the gradient of the first convolution's weight")
        x2 = torch.randn(3, 1, 6, 6)
        out2 = extractor(x2)
        self.close(out2["4"], model(x2), "the features of a second call")
        self.require(len(getattr(model.get_submodule("1"), "_forward_hooks", {}) or {}) <= 1,
                     "after two calls, layer '1' carries several hooks: register them once, in __init__, not on "
                     "every forward.")
        return "the outputs of the chosen layers, fresh on every call, with the gradient flowing through them."

    @exercise(4, "a CAM by hand")
    def ex4(self, cam_of):
        torch, nn = self.torch, self.torch.nn

        class Tiny(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(nn.Conv2d(1, 5, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                self.pool = nn.AdaptiveAvgPool2d(1)
                self.fc = nn.Linear(5, 4)

            def forward(self, x):
                return self.fc(torch.flatten(self.pool(self.features(x)), 1))

        torch.manual_seed(0)
        model = Tiny().eval()
        image = torch.randn(1, 6, 6)
        with torch.no_grad():
            maps = model.features(image.unsqueeze(0))[0]                  # (5, 3, 3)
            scores = model(image.unsqueeze(0))[0]
        for c in range(4):
            got = cam_of(model, image, c)
            self.is_tensor(got, f"cam_of(model, image, {c})")
            self.require(self.hooks_left(model, "_forward_hooks") == 0, LEFT_BEHIND)
            weights = model.fc.weight[c].detach()
            right = (weights.view(-1, 1, 1) * maps).sum(dim=0)
            if got.dim() == 3 and tuple(got.shape[1:]) == (3, 3) and got.shape[0] == 1:
                raise Hint(f"the CAM has shape {tuple(got.shape)}: drop the batch dimension (the map is (h, w)).")
            self.close(got, right, f"the CAM of class {c}", mistakes=[
                (maps.mean(dim=0), "that is the plain mean of the feature maps: weight map k by "
                                   "model.fc.weight[class_idx, k] before summing over the channels."),
                (maps.sum(dim=0), "that is the plain sum of the feature maps: weight map k by "
                                  "model.fc.weight[class_idx, k] before summing."),
                ((weights.view(-1, 1, 1) * maps).mean(dim=0),
                 "you averaged over the channels: CAM_c is the weighted *sum* over k, not the mean."),
                (right + model.fc.bias[c].detach(), "you added the bias to every pixel: leave it out; "
                                                     "mean(CAM) + bias is the score."),
                (torch.relu(right), "you applied a ReLU: keep the negative votes; the check needs the raw map."),
                (right / right.abs().max(), "you normalised the map: return it as it is (for display you may "
                                            "normalise a copy)."),
                ((right - right.min()) / (right.max() - right.min()),
                 "you normalised the map to [0, 1]: return it as it is.")])
            self.close(got.mean() + model.fc.bias[c], scores[c], f"mean(CAM) + bias of class {c}")
        return "mean(CAM_c) + b_c equals the score of class c for every class."
