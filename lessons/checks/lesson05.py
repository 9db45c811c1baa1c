"""Checks for the exercises of lesson 05 (TensorBoard).

Each check gives the learner's function a fresh temporary folder and reads the event files back with
TensorBoard's own ``EventAccumulator``, which reads what either engine's ``SummaryWriter`` writes.
"""
from __future__ import annotations

import importlib
import os
import tempfile

import numpy as np

from . import Hint, LessonChecks, exercise


def _accumulator(log_dir: str, **size_guidance):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run = EventAccumulator(log_dir, size_guidance={"scalars": 0, "histograms": 0, **size_guidance})
    run.Reload()
    return run


class Checks(LessonChecks):
    def __init__(self, torch):
        super().__init__(torch)
        self.tensorboard = importlib.import_module(torch.__name__ + ".utils.tensorboard")

    def _writer(self, log_dir):
        return self.tensorboard.SummaryWriter(log_dir=log_dir)

    # ------------------------------------------------------------------ 1
    @exercise(1, "log a learning-rate schedule")
    def ex1(self, log_learning_rate):
        epochs = 10
        expected = [0.1 * 0.5 ** (epoch // 3) for epoch in range(epochs)]
        with tempfile.TemporaryDirectory() as log_dir:
            log_learning_rate(log_dir, epochs)
            self.require(any(name.startswith("events.out.tfevents") for name in os.listdir(log_dir)),
                         "there is no event file in log_dir: open the writer with SummaryWriter(log_dir) (without "
                         "log_dir it writes into runs/<date>...).")
            run = _accumulator(log_dir)
            tags = run.Tags()["scalars"]
            self.require("lr" in tags, f"no scalar tagged 'lr' in the file (found {tags}): log "
                         f"optimizer.param_groups[0]['lr'] with add_scalar('lr', ..., epoch), and close the writer.")
            points = run.Scalars("lr")
        steps, values = [p.step for p in points], [p.value for p in points]
        self.require(len(steps) == epochs, f"'lr' has {len(steps)} points, expected one per epoch ({epochs}).")
        self.require(len(set(steps)) > 1, f"every point has step {steps[0]}: pass the epoch as global_step.")
        self.require(steps == list(range(epochs)), f"'lr' has the steps {steps}, expected 0..{epochs - 1}.")
        self.close(values, expected, "the logged learning rates", mistakes=[
            ([0.1 * 0.5 ** ((epoch + 1) // 3) for epoch in range(epochs)],
             "the rates are one epoch early: you logged after scheduler.step(), that is the rate of the *next* "
             "epoch. Log first, then step the scheduler."),
            ([0.1] * epochs, "the rate never changes: call scheduler.step() once per epoch.")])
        return "0.1 for epochs 0-2, 0.05 for 3-5, 0.025 for 6-8, 0.0125 for 9: the rate each epoch trained with."

    # ------------------------------------------------------------------ 2
    @exercise(2, "read back an add_scalars chart")
    def ex2(self, read_scalars_group):
        loss = {"train": [2.0, 1.5, 1.2, 1.0], "val": [2.1, 1.7, 1.5, 1.45]}
        with tempfile.TemporaryDirectory() as log_dir:
            writer = self._writer(log_dir)
            for step in range(4):
                writer.add_scalar("lr", 0.1, step)
                writer.add_scalars("loss", {key: values[step] for key, values in loss.items()}, step * 10)
                writer.add_scalars("accuracy", {"train": 0.5 + 0.1 * step}, step * 10)
            writer.close()
            got = read_scalars_group(log_dir, "loss")
            self.answered(got)
            self.require(isinstance(got, dict), f"read_scalars_group returned a {type(got).__name__}: return a dict "
                         f"{{key: [(step, value), ...]}}.")
            self.require(got, "the dict is empty: add_scalars does not write into log_dir itself but into one "
                         "sub-folder per key, <log_dir>/<main_tag>_<key>, each with the tag main_tag.")
            if set(got) == {"loss_train", "loss_val"}:
                raise Hint("the keys are the folder names: strip the 'loss_' prefix so the keys are the dict keys "
                           "given to add_scalars ('train', 'val').")
            self.require(set(got) == set(loss), f"the keys are {sorted(got)}, expected {sorted(loss)}: only the "
                         f"sub-folders named <main_tag>_<key> belong to this chart.")
            for key, values in loss.items():
                points = list(got[key])
                self.require(all(isinstance(p, (tuple, list)) and len(p) == 2 for p in points),
                             f"got['{key}'] should be a list of (step, value) pairs.")
                self.require([int(s) for s, _ in points] == [0, 10, 20, 30], f"got['{key}'] has the steps "
                             f"{[s for s, _ in points]}, expected [0, 10, 20, 30].")
                self.close([v for _, v in points], values, f"the values of '{key}'")
            other = read_scalars_group(log_dir, "accuracy")
            self.require(set(other) == {"train"}, f"read_scalars_group(log_dir, 'accuracy') has the keys "
                         f"{sorted(other)}, expected ['train']: pick the folders of the main_tag you are given.")
            self.close([v for _, v in other["train"]], [0.5, 0.6, 0.7, 0.8], "the values of accuracy/train")
        return "one run per key, <main_tag>_<key>, each holding the tag main_tag."

    # ------------------------------------------------------------------ 3
    @exercise(3, "read every histogram")
    def ex3(self, histogram_steps):
        torch = self.torch
        steps = [0, 2, 4, 6, 8]
        with tempfile.TemporaryDirectory() as log_dir:
            writer = self._writer(log_dir)
            for step in steps:
                writer.add_histogram("weights", torch.linspace(-1, 1, 50) * (step + 1), step)
                writer.add_scalar("loss", 1.0 / (step + 1), step)
            writer.close()
            got = histogram_steps(log_dir, "weights")
            self.answered(got)
            self.require(got is not None, "histogram_steps returned None: did you forget to `return` the list?")
            got = [int(step) for step in got]
        if got == steps[-1:]:
            raise Hint("only the last step came back: by default EventAccumulator keeps 1 histogram per tag (its "
                       "size_guidance). Pass size_guidance={'histograms': 0} to keep them all.")
        self.require(got == steps, f"got the steps {got}, expected {steps}.")
        return "all five: with size_guidance={'histograms': 0} the reader keeps every histogram."

    # ------------------------------------------------------------------ 4
    @exercise(4, "a training loop that logs")
    def ex4(self, train_and_log):
        torch, nn, F = self.torch, self.torch.nn, self.torch.nn.functional
        data = importlib.import_module(torch.__name__ + ".utils.data")
        rng = np.random.RandomState(0)
        X = torch.from_numpy(rng.randn(24, 4).astype(np.float32))
        y = torch.from_numpy(rng.randint(0, 3, 24).astype(np.int64))
        weight = torch.from_numpy(rng.randn(3, 4).astype(np.float32) * 0.5)
        epochs, batch_size = 3, 8

        def fresh_model():
            model = nn.Linear(4, 3)
            with torch.no_grad():
                model.weight.copy_(weight)
                model.bias.zero_()
            return model

        def reference(zero_grad=True):
            model = fresh_model()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            losses = []
            for _ in range(epochs):
                for i in range(0, len(X), batch_size):
                    loss = F.cross_entropy(model(X[i:i + batch_size]), y[i:i + batch_size])
                    if zero_grad:
                        optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    losses.append(loss.item())
            return losses, model

        losses, trained = reference()
        loader = data.DataLoader(data.TensorDataset(X, y), batch_size=batch_size)
        model = fresh_model()
        with tempfile.TemporaryDirectory() as log_dir:
            writer = self._writer(log_dir)
            train_and_log(model, loader, epochs, writer)
            writer.close()
            run = _accumulator(log_dir)
            tags = run.Tags()
            self.require("train/loss" in tags["scalars"], f"no scalar tagged 'train/loss' (found {tags['scalars']}).")
            self.require("weight" in tags["histograms"], f"no histogram tagged 'weight' (found {tags['histograms']}).")
            points, histograms = run.Scalars("train/loss"), run.Histograms("weight")
        steps = [p.step for p in points]
        n = epochs * len(loader)
        self.require(len(steps) == n, f"'train/loss' has {len(steps)} points, expected one per batch: "
                     f"{epochs} epochs x {len(loader)} batches = {n}.")
        if steps == list(range(len(loader))) * epochs:
            raise Hint(f"the loss steps are {steps}: global_step restarts every epoch, so each epoch's curve is drawn "
                       f"over the previous one. Count the batches over all epochs (a counter you never reset).")
        self.require(steps == list(range(n)), f"the loss steps are {steps}, expected 0..{n - 1}.")
        self.close([p.value for p in points], losses, "the logged losses", mistakes=[
            (reference(zero_grad=False)[0], "the losses match a loop that never calls optimizer.zero_grad(): "
                                            "gradients add up from batch to batch.")])
        hist_steps = [h.step for h in histograms]
        self.require(len(hist_steps) <= epochs, f"{len(hist_steps)} histograms of 'weight': log it once per epoch "
                     f"(after the batch loop), not after every batch.")
        self.require(hist_steps == list(range(epochs)), f"the histograms have the steps {hist_steps}, expected the "
                     f"epochs {list(range(epochs))}.")
        last = histograms[-1].histogram_value
        self.require(int(last.num) == trained.weight.numel(), f"the last histogram counts {int(last.num)} values, "
                     f"expected the {trained.weight.numel()} entries of model.weight.")
        final = self.numpy(trained.weight)
        grad = self.numpy(trained.weight.grad)
        if np.isclose(last.sum, grad.sum(), rtol=1e-4, atol=1e-5) and not np.isclose(last.sum, final.sum(), atol=1e-5):
            raise Hint("the histogram holds the gradients: log model.weight, the weights themselves.")
        self.close([last.min, last.max, last.sum], [final.min(), final.max(), final.sum()],
                   "the last histogram's (min, max, sum)", atol=1e-4)
        return f"{n} loss points at steps 0..{n - 1}, and one histogram of the weights per epoch."
