"""Checks for the exercises of lesson 24 (milestone: fine-tuning a digits CNN on real textures)."""
from __future__ import annotations

from . import LessonChecks, exercise


class Checks(LessonChecks):
    # ------------------------------------------------------------------ a small DigitCNN-shaped network
    def _net(self):
        """`features` (conv-BN-ReLU-pool, conv-BN-ReLU), `avgpool`, `fc`, with fixed non-random weights and
        non-trivial batch-norm running statistics, so that train and eval mode give different features."""
        torch, nn = self.torch, self.torch.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(
                    nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
                self.avgpool = nn.AdaptiveAvgPool2d(1)
                self.fc = nn.Linear(8, 3)

            def forward(self, x):
                return self.fc(torch.flatten(self.avgpool(self.features(x)), 1))

        net = Net()
        with torch.no_grad():
            for i, p in enumerate(net.parameters()):
                p.copy_((torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape) * (0.37 + 0.11 * i)).sin() * 0.5)
            for i, bn in enumerate((net.features[1], net.features[5])):
                n = bn.num_features
                bn.running_mean.copy_(torch.linspace(-0.3, 0.4, n) * (i + 1))
                bn.running_var.copy_(torch.linspace(0.5, 2.0, n))
        return net.train()

    def _images(self, n=5, size=12):
        torch = self.torch
        return (torch.arange(n * size * size, dtype=torch.float32).reshape(n, 1, size, size) * 0.731).sin() * 2

    # ------------------------------------------------------------------ exercises
    @exercise(1, "five crops")
    def ex1(self, five_crops):
        torch = self.torch
        images = torch.arange(2 * 1 * 6 * 7, dtype=torch.float32).reshape(2, 1, 6, 7)   # H = 6, W = 7
        size = 3
        got = five_crops(images, size)
        self.is_tensor(got, "five_crops(images, 3)")
        tl, tr = images[..., :3, :3], images[..., :3, 4:]
        bl, br = images[..., 3:, :3], images[..., 3:, 4:]
        center = images[..., 1:4, 2:5]                          # (6 - 3) // 2 = 1, (7 - 3) // 2 = 2
        if tuple(got.shape) == (10, 1, 3, 3):
            self.require(False, "the result has shape (10, 1, 3, 3): the five crops were concatenated (torch.cat); "
                                "stack them on a new first axis (torch.stack) to get (5, N, C, size, size).")
        self.require(tuple(got.shape) == (5, 2, 1, 3, 3), f"the result has shape {tuple(got.shape)}, expected "
                                                          f"(5, 2, 1, 3, 3) for 2 images and size 3.")
        self.close(got, torch.stack([tl, tr, bl, br, center]), "the five crops", mistakes=[
            (torch.stack([tl, bl, tr, br, center]),
             "top-right and bottom-left are swapped: top-right is rows 0..size and the last `size` columns "
             "(images[..., :size, W - size:]); rows come first in (N, C, H, W)."),
            (torch.stack([tl, tr, bl, br, images[..., 2:5, 2:5]]),
             "the centre window is off: it starts at row (H - size) // 2 and column (W - size) // 2 "
             "(here row 1, column 2), not at H // 2 - size // 2."),
            (torch.stack([tl, tr, bl, br, images[..., 1:4, 1:4]]),
             "the centre window uses H for the columns too: the column offset is (W - size) // 2, and here "
             "W = 7 differs from H = 6.")])
        return "tl, tr, bl, br, centre, stacked: (5, N, C, size, size), as torchvision's FiveCrop orders them."

    @exercise(2, "the best epoch")
    def ex2(self, best_epoch):
        val_acc = [0.5, 1.0, 0.75, 1.0, 0.75, 1.0, 0.9]
        val_loss = [0.9, 0.4, 0.1, 0.2, 0.5, 0.3, 0.6]
        got = best_epoch(val_acc, val_loss)
        self.answered(got)
        self.require(got is not None, "best_epoch returned None: did you forget to `return` it?")
        try:
            got = int(got)
        except (TypeError, ValueError):
            self.require(False, f"return the epoch's index as an int, not a {type(got).__name__}.")
        hints = {
            1: "that is the *first* epoch with the top accuracy (100 %): among equal accuracies keep the one "
               "with the lowest validation loss (epochs 1, 3 and 5 tie on accuracy).",
            5: "that is the *last* epoch with the top accuracy: among equal accuracies keep the one with the "
               "lowest validation loss.",
            4: "epochs are counted from 0 here (an index into the lists): return the index, not index + 1.",
            2: "epoch 2 has the lowest loss but only 75 % accuracy: accuracy comes first, the loss only breaks ties.",
        }
        self.require(got == 3 or got not in hints, hints.get(got, ""))
        self.require(got == 3, f"best_epoch gave {got}; expected 3 (accuracy 100 %, and the lowest loss, 0.2, of "
                               f"the three epochs with 100 %).")
        self.require(int(best_epoch([0.7], [1.3])) == 0, "with a single epoch, the answer is 0.")
        self.require(int(best_epoch([0.2, 0.4, 0.3], [2.0, 2.5, 1.0])) == 1,
                     "best_epoch([0.2, 0.4, 0.3], [2.0, 2.5, 1.0]) should be 1: the highest accuracy wins even "
                     "with a higher loss.")
        return "accuracy first, the loss breaks ties: the rule of section 4."

    @exercise(3, "features of a frozen backbone")
    def ex3(self, extract_features):
        torch = self.torch
        net = self._net()
        images = self._images()
        before = {name: t.clone() for name, t in net.state_dict().items()}
        got = extract_features(net, images)
        self.is_tensor(got, "extract_features(model, images)")
        changed = [name for name, t in net.state_dict().items() if not torch.equal(t, before[name])]
        self.require(not changed, f"the model changed ({', '.join(changed[:3])}): in train mode batch normalisation "
                                  f"normalises with the batch's own statistics and updates its running statistics. "
                                  f"Call model.eval() first.")
        shape = tuple(got.shape)
        self.require(shape != (5, 3), "the result has 3 columns: that is the head's output. Stop before model.fc: "
                                      "the features are what goes *into* the head.")
        self.require(len(shape) != 4, f"the result has shape {shape}: "
                                      + ("flatten the pooled maps to (N, channels) (torch.flatten(x, 1))."
                                         if shape[2:] == (1, 1) else
                                         "pool each feature map to one number (model.avgpool), then flatten."))
        self.require(shape == (5, 8), f"the result has shape {shape}, expected (5, 8) for this small model "
                                      f"(8 channels; (N, 64) for a DigitCNN).")
        self.require(not got.requires_grad, "the features carry a graph (requires_grad=True): compute them inside "
                                            "`with torch.no_grad():`, since nothing will be trained through them.")
        net.eval()
        with torch.no_grad():
            expected = torch.flatten(net.avgpool(net.features(images)), 1)
        self.close(got, expected, "the features", atol=1e-4)
        return "eval mode, no graph, features -> global average pooling -> flatten; the model is unchanged."

    @exercise(4, "train a head on features")
    def ex4(self, train_head):
        torch, nn, F = self.torch, self.torch.nn, self.torch.nn.functional
        features = (torch.arange(30 * 6, dtype=torch.float32).reshape(30, 6) * 0.37).sin()
        labels = torch.arange(30) % 3
        features = features + torch.eye(3)[labels].repeat(1, 2)          # make the classes learnable
        steps, lr = 25, 0.05

        def reference(zero_grad=True):
            torch.manual_seed(0)
            head = nn.Linear(6, 3)
            optimizer = torch.optim.Adam(head.parameters(), lr=lr)
            losses = []
            for _ in range(steps):
                loss = F.cross_entropy(head(features), labels)
                if zero_grad:
                    optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            return head, losses

        torch.manual_seed(0)
        result = train_head(features, labels, 3, steps, lr)
        self.answered(result)
        self.require(isinstance(result, tuple) and len(result) == 2, "return the pair (head, losses).")
        head, losses = result
        self.require(isinstance(head, nn.Linear), f"the head should be an nn.Linear, not a {type(head).__name__}.")
        self.require((head.in_features, head.out_features) == (6, 3),
                     f"the head is Linear({head.in_features}, {head.out_features}); expected Linear(6, 3): "
                     f"features.shape[1] inputs, num_classes outputs.")
        self.require(isinstance(losses, list) and len(losses) == steps,
                     f"losses should be a list of {steps} numbers (one loss.item() per step); got "
                     f"{len(losses) if isinstance(losses, list) else type(losses).__name__}.")
        self.require(all(isinstance(v, float) for v in losses), "store numbers (loss.item()), not tensors, in losses.")
        expected_head, expected = reference()
        self.close(losses, expected, "the losses", atol=1e-4, mistakes=[
            (reference(zero_grad=False)[1], "the gradients accumulate from step to step: call optimizer.zero_grad() "
                                            "before loss.backward() in every step.")])
        self.close(head.weight, expected_head.weight, "the trained head's weight", atol=1e-4)
        return "same losses as the reference loop; the head trains on features computed once."
