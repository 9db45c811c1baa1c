"""Checks for the exercises of lesson 15 (pretrained models and fine-tuning)."""
from __future__ import annotations

from . import Hint, LessonChecks, exercise


class Checks(LessonChecks):
    # ------------------------------------------------------------------ a small "pretrained" network
    def _net(self, num_classes=10):
        """A LeNet-shaped network: `features` (convolutions), `classifier` (an nn.Sequential ending in a
        Linear head), with fixed non-random weights so every check sees the same numbers."""
        torch, nn = self.torch, self.torch.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                                              nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten())
                self.classifier = nn.Sequential(nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, num_classes))

            def forward(self, x):
                return self.classifier(self.features(x))

        net = Net()
        with torch.no_grad():
            for i, p in enumerate(net.parameters()):
                n = p.numel()
                p.copy_((torch.arange(n, dtype=torch.float32).reshape(p.shape) * (0.37 + 0.11 * i)).sin() * 0.5)
        return net

    def _images(self, n=6):
        torch = self.torch
        return (torch.arange(n * 64, dtype=torch.float32).reshape(n, 1, 8, 8) * 0.731).sin()

    @staticmethod
    def _module(model, what):
        if model is None:
            raise Hint(f"{what} returned None: did you forget to `return model`?")

    # ------------------------------------------------------------------ exercises
    @exercise(1, "freeze the backbone, replace the head")
    def ex1(self, freeze_and_replace_head):
        torch, nn = self.torch, self.torch.nn
        net = self._net()
        before = {name: p.detach().clone() for name, p in net.named_parameters()}
        model = freeze_and_replace_head(net, 3)
        self._module(model, "freeze_and_replace_head(model, 3)")
        self.require(isinstance(model, nn.Module), f"return the model (an nn.Module), not a {type(model).__name__}.")
        head = model.classifier[-1]
        self.require(isinstance(head, nn.Linear),
                     f"model.classifier[-1] is a {type(head).__name__}: replace the last layer with an nn.Linear.")
        self.require(head.out_features != 10,
                     "the head still has 10 outputs (the old task's classes): put a new nn.Linear(in_features, "
                     "num_classes) in its place.")
        self.require(head.in_features == 12,
                     f"the new head takes {head.in_features} inputs, but the layer before it gives 12: use the "
                     "old head's in_features (model.classifier[-1].in_features) for the new one.")
        self.require(head.out_features == 3,
                     f"the new head has {head.out_features} outputs; the new task has num_classes = 3.")
        frozen = [name for name, p in model.named_parameters() if not name.startswith("classifier.2")]
        trainable = {name for name, p in model.named_parameters() if p.requires_grad}
        self.require(trainable, "nothing is trainable, not even the new head: you froze after replacing it. "
                                "Freeze first (model.requires_grad_(False)), then put the new layer in: a new "
                                "layer's parameters require grad.")
        self.require(not trainable & set(frozen),
                     "nothing is frozen: the pretrained layers still require grad "
                     f"({', '.join(sorted(trainable & set(frozen)))}). Call model.requires_grad_(False) "
                     "before you replace the head.")
        self.require(trainable == {"classifier.2.weight", "classifier.2.bias"},
                     f"the trainable parameters should be the new head's weight and bias, not {sorted(trainable)}.")
        for name in frozen:
            self.require(torch.equal(dict(model.named_parameters())[name].detach(), before[name]),
                         f"{name} changed: keep the pretrained weights, only replace the head.")
        out = model(self._images())
        self.require(tuple(out.shape) == (6, 3), f"the model's output has shape {tuple(out.shape)}, expected (6, 3).")
        return "only the new 12 -> 3 head trains; the pretrained layers are frozen and unchanged."

    @exercise(2, "count trainable parameters")
    def ex2(self, count_trainable):
        net = self._net()
        net.features.requires_grad_(False)
        total = sum(p.numel() for p in net.parameters())
        expected = sum(p.numel() for p in net.parameters() if p.requires_grad)
        got = count_trainable(net)
        self.answered(got)
        self.require(got is not None, "count_trainable returned None: did you forget to `return` the count?")
        tensors = sum(1 for p in net.parameters() if p.requires_grad)
        self.close(got, expected, "count_trainable(model with frozen features)", atol=0, rtol=0, mistakes=[
            (total, f"{got} counts the frozen parameters too: keep only those with p.requires_grad."),
            (tensors, f"{got} is the number of parameter *tensors*: add up p.numel(), the number of elements "
                      "of each.")])
        net.requires_grad_(False)
        self.close(count_trainable(net), 0, "count_trainable(fully frozen model)", atol=0, rtol=0)
        net.requires_grad_(True)
        self.close(count_trainable(net), total, "count_trainable(model with nothing frozen)", atol=0, rtol=0)
        return f"{expected} of {total} parameters train once the features are frozen."

    @exercise(3, "parameter groups for fine-tuning")
    def ex3(self, finetune_optimizer):
        torch = self.torch
        net = self._net()
        try:
            optimizer = finetune_optimizer(net, 1e-4, 1e-2)
        except ValueError as error:
            if "more than one parameter group" in str(error):
                raise Hint("the head's parameters are in both groups (PyTorch refuses: " + str(error) + "). "
                           "The backbone group must leave out the head: e.g. the parameters whose name does "
                           "not start with 'classifier.2'.") from None
            raise
        self.answered(optimizer)
        self.require(optimizer is not None, "finetune_optimizer returned None: did you forget to `return` it?")
        self.require(isinstance(optimizer, torch.optim.Adam),
                     f"return a torch.optim.Adam, not a {type(optimizer).__name__}.")
        groups = optimizer.param_groups
        head = {id(p) for p in net.classifier[-1].parameters()}
        backbone = {id(p) for name, p in net.named_parameters() if not name.startswith("classifier.2")}
        placed = [id(p) for g in groups for p in g["params"]]
        self.require(len(groups) != 1 or not set(placed) >= backbone | head,
                     "one parameter group for everything: the backbone and the head get the same learning "
                     "rate. Pass a list of two dicts, [{'params': backbone, 'lr': backbone_lr}, "
                     "{'params': head, 'lr': head_lr}].")
        self.require(set(placed) >= head, "the new head is not in the optimizer: it is the layer that most needs "
                                          "training.")
        self.require(set(placed) >= backbone,
                     "the backbone is not in the optimizer: fine-tuning trains it too, only with a smaller "
                     "learning rate (feature extraction is what leaves it out).")
        self.require(len(groups) == 2, f"use two parameter groups (backbone, head), not {len(groups)}.")
        lr_of = {pid: g["lr"] for g in groups for pid in map(id, g["params"])}
        head_lrs = {lr_of[pid] for pid in head}
        backbone_lrs = {lr_of[pid] for pid in backbone}
        self.require(not (head_lrs == {1e-4} and backbone_lrs == {1e-2}),
                     "the learning rates are swapped: the pretrained backbone gets the *small* one "
                     "(backbone_lr), the new head the large one (head_lr).")
        self.require(head_lrs == {1e-2}, f"the head's learning rate is {sorted(head_lrs)}, expected head_lr = 0.01.")
        self.require(backbone_lrs == {1e-4},
                     f"the backbone's learning rate is {sorted(backbone_lrs)}, expected backbone_lr = 0.0001.")
        return "two groups: the backbone at 1e-4, the new head at 1e-2, each parameter exactly once."

    @exercise(4, "train only the head")
    def ex4(self, train_head):
        torch, nn, F = self.torch, self.torch.nn, self.torch.nn.functional
        images = self._images(8)
        labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])

        def frozen_net():
            net = self._net()
            net.requires_grad_(False)
            net.classifier[2] = nn.Linear(12, 3)
            with torch.no_grad():
                net.classifier[2].weight.copy_((torch.arange(36.0).reshape(3, 12) * 0.41).cos() * 0.3)
                net.classifier[2].bias.zero_()
            return net

        def reference(steps, lr, zero_grad=True):
            net = frozen_net()
            optimizer = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=lr)
            losses = []
            for _ in range(steps):
                loss = F.cross_entropy(net(images), labels)
                if zero_grad:
                    optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            return losses

        model = frozen_net()
        before = {name: p.detach().clone() for name, p in model.named_parameters()}
        answer = train_head(model, images, labels, 5, 0.5)
        self.answered(answer)
        self.require(isinstance(answer, tuple) and len(answer) == 2,
                     "return two things: `return optimizer, losses`.")
        optimizer, losses = answer
        self.require(isinstance(optimizer, torch.optim.SGD),
                     f"the first value returned should be the torch.optim.SGD you trained with, not a "
                     f"{type(optimizer).__name__}.")
        held = {id(p) for g in optimizer.param_groups for p in g["params"]}
        trainable = {id(p) for p in model.parameters() if p.requires_grad}
        frozen = {id(p) for p in model.parameters() if not p.requires_grad}
        self.require(not held & frozen,
                     "the optimizer still holds the frozen parameters. It runs (a frozen parameter gets no .grad, "
                     "so step() skips it), but it hides what trains, and if you unfreeze later they are updated "
                     "with the head's learning rate. Give it only [p for p in model.parameters() if "
                     "p.requires_grad].")
        self.require(held == trainable, "the optimizer should hold exactly the trainable parameters (the head).")
        self.require(isinstance(losses, (list, tuple)) and len(losses) == 5,
                     "losses should be a list with one loss per step (5 here): append loss.item() each step.")
        self.require(all(isinstance(v, float) for v in losses),
                     "store plain numbers in losses (loss.item()), not tensors: a tensor keeps its whole graph.")
        for name, p in model.named_parameters():
            if not name.startswith("classifier.2"):
                self.require(torch.equal(p.detach(), before[name]), f"{name} changed: the backbone must stay frozen.")
        self.close(losses, reference(5, 0.5), "the losses of 5 SGD steps (lr 0.5)", atol=1e-4, mistakes=[
            (reference(5, 0.5, zero_grad=False), "your losses match a loop without optimizer.zero_grad(): "
                                                 "backward() adds into .grad, so each step used the sum of all "
                                                 "earlier gradients."),
            (reference(5, 0.5)[:1] * 5, "the loss never changes: call optimizer.step() after backward()."),
            (reference(6, 0.5)[1:], "your losses are one step ahead: record the loss computed *before* the step.")])
        self.require(losses[-1] < losses[0], "the loss did not go down.")
        return f"the head alone trained: loss {losses[0]:.3f} -> {losses[-1]:.3f}, the backbone untouched."
