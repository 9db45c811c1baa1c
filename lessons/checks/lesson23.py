"""Checks for the exercises of lesson 23 (milestone: a CNN to 97 % on real MNIST digits)."""
from __future__ import annotations

from . import LessonChecks, exercise


class Checks(LessonChecks):
    @exercise(1, "a confusion matrix in one operation")
    def ex1(self, confusion_matrix):
        torch = self.torch
        target = torch.tensor([0, 0, 1, 2, 2, 2, 1, 0])
        predicted = torch.tensor([0, 1, 1, 2, 0, 2, 2, 0])
        got = confusion_matrix(target, predicted, 3)
        self.is_tensor(got, "confusion_matrix(target, predicted, 3)")
        self.require(tuple(got.shape) == (3, 3), f"the matrix has shape {tuple(got.shape)}, expected (3, 3): "
                                                 f"bincount with minlength=num_classes ** 2, then reshape.")
        self.require(got.dtype == torch.int64, f"the matrix has dtype {got.dtype}: counts are int64 (bincount's).")
        expected = torch.tensor([[2, 1, 0], [0, 1, 1], [1, 0, 2]])
        self.close(got, expected, "the confusion matrix", mistakes=[
            (expected.T, "the matrix is transposed: rows are the true class (target * num_classes + predicted).")])
        got = confusion_matrix(torch.tensor([3, 3]), torch.tensor([3, 3]), 5)
        self.require(tuple(got.shape) == (5, 5), f"for 5 classes where only class 3 occurs the matrix has shape "
                                                 f"{tuple(got.shape)}: pass minlength so absent classes count too.")
        return "rows are the true classes, columns the predictions, one bincount."

    @exercise(2, "recall and precision per class")
    def ex2(self, recall_precision):
        torch = self.torch
        confusion = torch.tensor([[8, 2, 0], [1, 6, 3], [0, 0, 10]])
        result = recall_precision(confusion)
        self.answered(result)
        self.require(isinstance(result, tuple) and len(result) == 2, "return the pair (recall, precision).")
        recall, precision = result
        self.is_tensor(recall, "recall")
        self.require(recall.dtype.is_floating_point, f"recall has dtype {recall.dtype}: integer division truncates "
                                                     f"to 0; divide as floats (.float()).")
        expected_recall = torch.tensor([0.8, 0.6, 1.0])
        expected_precision = torch.tensor([8 / 9, 0.75, 10 / 13])
        self.close(recall, expected_recall, "recall", mistakes=[
            (expected_precision, "recall and precision are swapped: recall divides by the row sums (all true c), "
                                 "precision by the column sums (all predicted c).")])
        self.close(precision, expected_precision, "precision")
        return "recall = diagonal / row sums, precision = diagonal / column sums."

    @exercise(3, "the model as an nn.Module")
    def ex3(self, MnistNet):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(0)
        model = MnistNet()
        names = [name for name, _ in model.named_parameters()]
        expected = ["conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "conv2.weight", "conv2.bias",
                    "bn2.weight", "bn2.bias", "fc.weight", "fc.bias"]
        self.require(sorted(names) == sorted(expected), f"the parameters are {names}; expected {expected} "
                                                        f"(layers named conv1, bn1, conv2, bn2, fc).")
        count = sum(p.numel() for p in model.parameters())
        self.require(count == 20586, f"the model has {count} parameters, expected 20586: conv1 1->16 3x3, conv2 "
                                     f"16->32 3x3 (padding 1), fc 32*7*7 -> 10.")
        reference = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
        state = {f"{k}": v for k, v in zip(
            ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias", "5.weight", "5.bias", "9.weight",
             "9.bias"], [dict(model.named_parameters())[n] for n in expected])}
        reference.load_state_dict(state, strict=False)
        x = torch.randn(3, 1, 28, 28)
        out = model(x)
        self.is_tensor(out, "model(x)")
        self.require(tuple(out.shape) == (3, 10), f"the output has shape {tuple(out.shape)}, expected (3, 10).")
        self.close(out, reference(x), "the output (training mode, same weights as the Sequential)", atol=1e-4)
        return "same layers, same 20,586 parameters, same output as the nn.Sequential of section 3."

    @exercise(4, "shifting a batch")
    def ex4(self, shift):
        torch = self.torch
        images = torch.arange(2 * 1 * 4 * 5, dtype=torch.float32).reshape(2, 1, 4, 5)
        for dy, dx in [(1, 2), (-1, 0), (0, -2), (2, -1), (0, 0)]:
            got = shift(images, dy, dx, -1.0)
            self.is_tensor(got, f"shift(images, {dy}, {dx}, -1.0)")
            self.require(tuple(got.shape) == tuple(images.shape),
                         f"shift(images, {dy}, {dx}, ...) has shape {tuple(got.shape)}: it must keep (N, C, H, W).")
            expected = torch.full_like(images, -1.0)
            h, w = 4, 5
            expected[:, :, max(dy, 0): h + min(dy, 0), max(dx, 0): w + min(dx, 0)] = \
                images[:, :, max(-dy, 0): h - max(dy, 0), max(-dx, 0): w - max(dx, 0)]
            opposite = torch.full_like(images, -1.0)
            opposite[:, :, max(-dy, 0): h + min(-dy, 0), max(-dx, 0): w + min(-dx, 0)] = \
                images[:, :, max(dy, 0): h - max(-dy, 0), max(dx, 0): w - max(-dx, 0)]
            self.close(got, expected, f"shift(images, dy={dy}, dx={dx})", mistakes=[
                (opposite, "the batch moves the wrong way: a positive dy moves the picture *down* (row r goes to "
                           "row r + dy), a positive dx to the right."),
                (images.roll((dy, dx), (2, 3)), "the pixels wrap around (torch.roll): the uncovered rows and "
                                                "columns must be filled with `fill`.")])
        return "shifts in all four directions, uncovered pixels filled."
