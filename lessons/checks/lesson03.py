"""Checks for the exercises of lesson 03 (data: Dataset, DataLoader, samplers, collate)."""
from __future__ import annotations

import importlib
import math

import numpy as np

from . import DIGITS_RAW, Hint, LessonChecks, exercise, read_idx


class Checks(LessonChecks):
    def __init__(self, torch):
        super().__init__(torch)
        self.data = importlib.import_module(torch.__name__ + ".utils.data")

    # ------------------------------------------------------------------ 1
    @exercise(1, "a Dataset over the IDX files")
    def ex1(self, DigitFiles):
        torch = self.torch
        for split, prefix in (("training", "train"), ("test", "t10k")):
            images_file, labels_file = DIGITS_RAW / f"{prefix}-images-idx3-ubyte", DIGITS_RAW / f"{prefix}-labels-idx1-ubyte"
            pixels, labels = read_idx(images_file), read_idx(labels_file)
            ds = DigitFiles(str(images_file), str(labels_file))
            self.require(isinstance(ds, self.data.Dataset), "DigitFiles should subclass Dataset.")
            n = len(ds)
            self.require(n == len(labels), f"len() of the {split} files is {n}, expected {len(labels)}: the number "
                         f"of samples is the first size in the header (or the length of the parsed labels), not "
                         f"a count of bytes.")
            for i in (0, 1, 7, n // 2, n - 1):
                sample = ds[i]
                self.require(isinstance(sample, tuple) and len(sample) == 2,
                             f"ds[{i}] should be a pair (image, label), but it is {type(sample).__name__}.")
                image, label = sample
                self.is_tensor(image, f"the image of ds[{i}]")
                self.require(tuple(image.shape) != (8, 8), "the image has shape (8, 8): ToTensor gives grey images "
                             "a channel axis, (1, 8, 8); add it with unsqueeze(0).")
                self.require(tuple(image.shape) == (1, 8, 8), f"the image has shape {tuple(image.shape)}, expected "
                             f"(1, 8, 8).")
                self.require(image.dtype == torch.float32, f"the image has dtype {image.dtype}, expected float32: "
                             f"convert with .float() and divide by 255.")
                expected = pixels[i][None] / 255.0
                self.close(image, expected, f"the image of ds[{i}]", mistakes=[
                    (pixels[i][None], "the pixels are still 0..255: divide by 255 so they lie in [0, 1], as "
                                      "ToTensor does.")])
                self.require(not hasattr(label, "shape") or tuple(label.shape) == (),
                             f"the label of ds[{i}] has shape {tuple(getattr(label, 'shape', ()))}: return one "
                             f"number, `int(labels[i])`.")
                if i + 8 < len(labels) and int(label) == labels[i + 8] and int(label) != labels[i]:
                    raise Hint("the labels are shifted by 8: the labels file has one dimension, so its header is "
                               "4 + 4 * 1 = 8 bytes, not 16.")
                self.require(int(label) == labels[i], f"the label of ds[{i}] is {int(label)}, expected {labels[i]}.")
                self.require(isinstance(label, int), f"the label of ds[{i}] is a {type(label).__name__}: return a "
                             f"Python int (`int(...)`), as datasets.MNIST does.")
        images, labels = next(iter(self.data.DataLoader(ds, batch_size=5)))
        self.require(tuple(images.shape) == (5, 1, 8, 8) and labels.dtype == torch.int64,
                     f"a DataLoader batch is {tuple(images.shape)} / {labels.dtype}, expected (5, 1, 8, 8) / int64.")
        return "your parser reads both splits exactly as datasets.MNIST + ToTensor does, and batches fine."

    # ------------------------------------------------------------------ 2
    @exercise(2, "loader arithmetic")
    def ex2(self, loader_numbers):
        cases = [(81, 8, False, 3), (81, 8, True, 3), (1437, 64, False, 10), (1437, 64, True, 10),
                 (128, 64, False, 2), (128, 64, True, 2), (50, 64, False, 5), (50, 64, True, 5)]
        for n, batch_size, drop_last, epochs in cases:
            got = loader_numbers(n, batch_size, drop_last, epochs)
            self.answered(got)
            self.require(isinstance(got, tuple) and len(got) == 3, "return three numbers: (iterations per epoch, "
                         "size of the last batch, total steps).")
            for value in got:
                self.answered(value)
            sizes = [len(b) for b in self.data.DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)]
            expected = (len(sizes), sizes[-1] if sizes else 0, epochs * len(sizes))
            iterations, last, total = (int(v) for v in got)
            case = f"n={n}, batch_size={batch_size}, drop_last={drop_last}, epochs={epochs}"
            if iterations != expected[0]:
                if drop_last and iterations == math.ceil(n / batch_size):
                    raise Hint(f"{case}: {iterations} iterations, but drop_last=True skips the last, smaller batch: "
                               f"floor(n / batch_size) = {n // batch_size}.")
                if not drop_last and iterations == n // batch_size:
                    raise Hint(f"{case}: {iterations} iterations, but without drop_last the last, smaller batch "
                               f"still counts: ceil(n / batch_size) = {math.ceil(n / batch_size)}.")
                raise Hint(f"{case}: {iterations} iterations per epoch, expected {expected[0]}.")
            if last != expected[1]:
                if n % batch_size == 0 and last == 0 and expected[1]:
                    raise Hint(f"{case}: the last batch has size 0? When n is a multiple of batch_size, n % "
                               f"batch_size is 0 but the last batch is full ({batch_size}).")
                if drop_last and expected[1] and last == n % batch_size:
                    raise Hint(f"{case}: with drop_last=True every remaining batch is full: the last one has "
                               f"{batch_size} samples, not n % batch_size.")
                if expected[0] == 0:
                    raise Hint(f"{case}: n < batch_size and drop_last=True: the only batch is incomplete and dropped, "
                               f"so an epoch has no batch at all (last_batch_size 0). A training loop over this "
                               f"loader silently does nothing!")
                raise Hint(f"{case}: the last batch has {last} samples, expected {expected[1]}.")
            if total != expected[2]:
                if total == expected[0]:
                    raise Hint(f"{case}: total_steps equals one epoch's iterations: multiply by the number of epochs.")
                raise Hint(f"{case}: {total} steps in all, expected {expected[2]}.")
        return "ceil without drop_last, floor with it (and possibly zero batches), as the loaders say."

    # ------------------------------------------------------------------ 3
    @exercise(3, "a padding collate_fn")
    def ex3(self, sequence_collate):
        torch = self.torch
        samples = [(torch.tensor([3, 1, 4]), 1), (torch.tensor([1, 5]), 0), (torch.tensor([9, 2, 6, 5, 3]), 1),
                   (torch.tensor([5]), 2), (torch.tensor([8, 9]), 0)]
        loader = self.data.DataLoader(samples, batch_size=3, collate_fn=sequence_collate)
        batches = list(loader)
        self.require(len(batches) == 2, f"the loader gave {len(batches)} batches, expected 2.")
        for number, (batch, start) in enumerate(zip(batches, (0, 3)), 1):
            part = samples[start:start + 3]
            self.require(isinstance(batch, dict), f"batch {number} is a {type(batch).__name__}: return a dict "
                         f"{{'tokens': ..., 'lengths': ..., 'labels': ...}}.")
            self.require(set(batch) == {"tokens", "lengths", "labels"}, f"the dict has keys {sorted(batch)}, "
                         f"expected ['labels', 'lengths', 'tokens'].")
            for key in ("tokens", "lengths", "labels"):
                self.is_tensor(batch[key], f"batch['{key}']")
                self.require(batch[key].dtype == torch.int64, f"batch['{key}'] has dtype {batch[key].dtype}, "
                             f"expected int64.")
            longest = max(len(seq) for seq, _ in part)
            expected = np.zeros((len(part), longest))
            front = np.zeros((len(part), longest))
            for row, (seq, _) in enumerate(part):
                expected[row, :len(seq)] = seq.numpy()
                front[row, longest - len(seq):] = seq.numpy()
            if tuple(batch["tokens"].shape) == (len(part), 5) and longest < 5:
                raise Hint("batch 2 is padded to length 5, the longest sequence of the whole data set: pad each "
                           "batch only to its own longest sequence (less wasted computation).")
            self.close(batch["tokens"], expected, f"batch {number}['tokens']", mistakes=[
                (front, "the sequences are padded at the front: put each at the start of its row, zeros after it.")])
            self.close(batch["lengths"], [len(seq) for seq, _ in part], f"batch {number}['lengths']", mistakes=[
                ([longest] * len(part), "the lengths are all the padded length: give each sequence's true length.")])
            self.close(batch["labels"], [label for _, label in part], f"batch {number}['labels']")
        return "sequences of different lengths become one padded int64 batch, with their lengths and labels."

    # ------------------------------------------------------------------ 4
    @exercise(4, "a balanced batch sampler")
    def ex4(self, BalancedBatchSampler):
        torch = self.torch
        counts = [10, 4, 5]                      # class 0 is big; class 1 is the smallest
        labels = torch.tensor([c for c, k in enumerate(counts) for _ in range(k)])[
            torch.randperm(sum(counts), generator=torch.Generator().manual_seed(3))]
        label_list = labels.tolist()
        per_class = 2
        torch.manual_seed(0)
        sampler = BalancedBatchSampler(labels, per_class)
        self.require(isinstance(sampler, self.data.Sampler), "BalancedBatchSampler should subclass Sampler.")
        expected_len = min(counts) // per_class
        epochs, used_big = [], set()
        for _ in range(20):
            batches = [[int(i) for i in batch] for batch in sampler]
            self.require(len(batches) == expected_len, f"one epoch yielded {len(batches)} batches, expected "
                         f"{expected_len}: stop when the smallest class ({min(counts)} samples) cannot fill "
                         f"{per_class} more.")
            seen = [i for batch in batches for i in batch]
            self.require(len(seen) == len(set(seen)), "an index appears twice in one epoch: take each class's indices "
                         "from one permutation, `per_class` at a time, instead of drawing them anew for each batch.")
            for batch in batches:
                per = np.bincount([label_list[i] for i in batch], minlength=len(counts)).tolist()
                self.require(per == [per_class] * len(counts), f"a batch has {per} samples of the classes "
                             f"0, 1, 2; expected {per_class} of each.")
            used_big |= {i for i in seen if label_list[i] == 0}
            epochs.append(batches)
        self.require(any(e != epochs[0] for e in epochs), "every epoch yields the same batches: draw a fresh "
                     "torch.randperm inside __iter__, so each epoch has a new order.")
        self.require(len(used_big) > per_class * expected_len, "every epoch uses the same samples of the big "
                     "class (0): shuffle each class's indices in __iter__, not only the order of the batches, so "
                     "all its samples get their turn.")
        self.require(len(sampler) == expected_len, f"len(sampler) is {len(sampler)}, but it yields {expected_len} "
                     f"batches: __len__ is (size of the smallest class) // per_class, not N // batch size.")
        dataset = self.data.TensorDataset(torch.arange(len(labels)), labels)
        for _, batch_labels in self.data.DataLoader(dataset, batch_sampler=sampler):
            self.require(torch.bincount(batch_labels, minlength=3).tolist() == [per_class] * 3,
                         "inside a DataLoader the batches are not balanced.")
        return "every batch has 2 of each class, no repeats within an epoch, a new draw every epoch."

    # ------------------------------------------------------------------ 5
    @exercise(5, "a seeded train/validation split")
    def ex5(self, train_val_split):
        torch = self.torch
        n, n_val = 100, 20
        labels = torch.arange(n) // 10                        # sorted by class: 0 x 10, 1 x 10, ..., 9 x 10
        dataset = self.data.TensorDataset(torch.arange(n), labels)

        def ids(subset):
            self.answered(subset)
            self.require(subset is not None and hasattr(subset, "__len__") and hasattr(subset, "__getitem__"),
                         f"the split returned {type(subset).__name__}: return two Subsets (or lists of samples).")
            return [int(subset[i][0]) for i in range(len(subset))]

        result = train_val_split(dataset, 0.2, 0)
        self.answered(result)
        self.require(isinstance(result, (tuple, list)) and len(result) == 2, "return (train_subset, val_subset).")
        train, val = (ids(part) for part in result)
        if len(train) == n_val and len(val) == n - n_val:
            raise Hint("the validation set has 80 samples and the training set 20: return (train, val) in that order.")
        self.require(len(val) == n_val, f"the validation set has {len(val)} samples, expected "
                     f"int(0.2 * 100) = {n_val}.")
        self.require(len(train) == n - n_val, f"the training set has {len(train)} samples, expected {n - n_val}.")
        self.require(not set(train) & set(val), f"{len(set(train) & set(val))} samples are in both sets: a validation "
                     f"sample must never be trained on.")
        self.require(sorted(train + val) == list(range(n)), "together the two sets should cover every sample once.")
        self.require(sorted(val) not in (list(range(n - n_val, n)), list(range(n_val))),
                     f"the validation set is the {'last' if max(val) == n - 1 else 'first'} {n_val} samples: on data "
                     f"sorted by class it holds only the classes {sorted({int(labels[i]) for i in val})}. Shuffle "
                     f"the indices first (torch.randperm with a seeded generator).")
        classes = {int(labels[i]) for i in val}
        self.require(len(classes) >= 5, f"the validation set holds only the classes {sorted(classes)}: choose its "
                     f"samples at random from the whole data set.")
        again = ids(train_val_split(dataset, 0.2, 0)[1])
        self.require(again == val, "the same seed gave a different split: seed a generator with it, "
                     "`torch.Generator().manual_seed(seed)`, and pass it to randperm / random_split.")
        other = ids(train_val_split(dataset, 0.2, 1)[1])
        self.require(sorted(other) != sorted(val), "seed 1 gives the same validation set as seed 0: use the seed.")
        return "a random, reproducible split: 80 to train on, 20 to validate, none in both."
