"""Checks for the exercises of lesson 04 (transforms)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from . import Hint, LessonChecks, exercise

TEXTURES = Path(__file__).resolve().parents[2] / "data" / "textures" / "train"


class Checks(LessonChecks):
    def _textures(self):
        """The texture training photos as (ToTensor-like tensor, label) pairs, read with PIL and NumPy."""
        torch = self.torch
        classes = sorted(p.name for p in TEXTURES.iterdir() if p.is_dir())
        return [(torch.from_numpy(np.asarray(Image.open(path).convert("RGB"), dtype=np.float32).transpose(2, 0, 1)
                                  / np.float32(255)), label)
                for label, name in enumerate(classes) for path in sorted((TEXTURES / name).glob("*.png"))]

    # ------------------------------------------------------------------ 1
    @exercise(1, "ToTensor by hand")
    def ex1(self, to_tensor):
        torch = self.torch
        rng = np.random.RandomState(0)
        rgb = rng.randint(0, 256, (5, 7, 3)).astype(np.uint8)          # height 5, width 7
        grey = rng.randint(0, 256, (6, 4)).astype(np.uint8)
        for name, pixels in (("the RGB image", rgb), ("the grey image", grey)):
            hwc = pixels if pixels.ndim == 3 else pixels[:, :, None]
            expected = hwc.transpose(2, 0, 1) / 255.0
            got = to_tensor(Image.fromarray(pixels))
            self.is_tensor(got, f"to_tensor({name})")
            shape, h, w, c = tuple(got.shape), hwc.shape[0], hwc.shape[1], hwc.shape[2]
            self.require(shape != (h, w), f"{name} came out {shape}: a grey image needs a channel axis too, "
                         f"(1, {h}, {w}) — add it (pixels[:, :, None] or unsqueeze(0)).")
            self.require(shape != (h, w, c), f"{name} came out {shape}, that is (H, W, C): move the channels first "
                         f"with permute(2, 0, 1) (or NumPy's transpose).")
            self.require(shape != (c, w, h), f"{name} came out {shape}, that is (C, W, H): permute(2, 1, 0) also swaps "
                         f"height and width; use permute(2, 0, 1).")
            self.require(shape == (c, h, w), f"{name} came out {shape}, expected {(c, h, w)}.")
            self.require(got.dtype != torch.float64, f"{name} is float64: NumPy's `/ 255` makes float64; "
                         f"convert to float32 (`.float()`, or divide a float32 array).")
            self.require(got.dtype == torch.float32, f"{name} has dtype {got.dtype}, expected float32.")
            self.close(got, expected, name, mistakes=[
                (hwc.transpose(2, 0, 1), "the values are still 0..255: divide by 255."),
                (hwc.transpose(2, 0, 1) / 256.0, "you divided by 256: the largest byte is 255, which must become 1.0.")])
        return "(C, H, W) float32 in [0, 1] — exactly ToTensor, grey images included."

    # ------------------------------------------------------------------ 2
    @exercise(2, "a transform class")
    def ex2(self, AddGaussianNoise):
        torch = self.torch
        torch.manual_seed(0)
        x = torch.full((3, 64, 64), 0.5)
        original = x.clone()
        for std in (0.05, 0.2):
            transform = AddGaussianNoise(std)
            y = transform(x)
            self.is_tensor(y, f"AddGaussianNoise({std})(x)")
            self.require(torch.equal(x, original), "the input tensor changed: don't add in place (`x += ...`, "
                         "`x.add_`): return a new tensor, `x + noise`; a transform must not modify its input.")
            self.require(tuple(y.shape) == tuple(x.shape) and y.dtype == x.dtype,
                         f"the output is {tuple(y.shape)} {y.dtype}, expected the input's {tuple(x.shape)} {x.dtype}.")
            noise = self.numpy(y - x)
            self.require(abs(noise.mean() + 0.5) > 0.1, "the output is the noise alone: add it to the input, "
                         "`x + self.std * torch.randn_like(x)`.")
            self.require(noise.min() < 0, "the noise is never negative: torch.rand is uniform on [0, 1); Gaussian "
                         "noise comes from torch.randn / torch.randn_like.")
            # the mean of n draws with spread s wanders by about s / sqrt(n): 5 of those is "about 0"
            self.require(abs(noise.mean()) < 5 * noise.std() / np.sqrt(noise.size),
                         f"the noise has mean {noise.mean():.4f}, expected about 0.")
            if abs(noise.std() - np.sqrt(std)) < 0.03 * np.sqrt(std):
                raise Hint(f"the noise has standard deviation {noise.std():.3f} = sqrt({std}): `std` is the standard "
                           f"deviation already, multiply the standard normal noise by it (not by its square root).")
            self.require(abs(noise.std() - std) < 0.03 * std, f"AddGaussianNoise({std}) gives noise with standard "
                         f"deviation {noise.std():.4f}, expected {std}: multiply standard normal noise by self.std.")
        self.require(not torch.equal(transform(x), transform(x)), "two calls gave the same noise: draw new noise "
                     "on every call (inside __call__, not once in __init__).")
        text = repr(AddGaussianNoise(0.05))
        self.require(" object at 0x" not in text, "repr() is Python's default: define __repr__ to return "
                     "'AddGaussianNoise(std=0.05)'.")
        self.require(text == "AddGaussianNoise(std=0.05)", f"repr() is {text!r}, expected 'AddGaussianNoise(std=0.05)' "
                     f"(f\"{{type(self).__name__}}(std={{self.std}})\").")
        return "new Gaussian noise of the right size on every call, input untouched, and a readable repr."

    # ------------------------------------------------------------------ 3
    @exercise(3, "the statistics for Normalize")
    def ex3(self, channel_stats):
        torch = self.torch
        # two one-colour images: channel 0 is 0 in one and 1 in the other (std 0.5), channel 1 is 0.5 in both
        a = torch.stack([torch.zeros(4, 4), torch.full((4, 4), 0.5), torch.ones(4, 4)])
        b = torch.stack([torch.ones(4, 4), torch.full((4, 4), 0.5), torch.zeros(4, 4)])
        result = channel_stats([(a, 0), (b, 1)])
        self.answered(result)
        self.require(isinstance(result, (tuple, list)) and len(result) == 2, "return (mean, std).")
        mean, std = result
        self.is_tensor(mean, "mean")
        self.is_tensor(std, "std")
        self.require(tuple(mean.shape) == (3,) and tuple(std.shape) == (3,), f"mean and std have shapes "
                     f"{tuple(mean.shape)} and {tuple(std.shape)}, expected (3,) each: reduce over the images, the "
                     f"height and the width — dims (0, 2, 3) of the stacked (N, 3, H, W) batch.")
        self.close(mean, [0.5, 0.5, 0.5], "the mean of the two one-colour images")
        self.close(std, [0.5, 0.0, 0.5], "the std of the two one-colour images", atol=0.02, mistakes=[
            ([0.0, 0.0, 0.0], "the std is 0: you averaged each image's own std (each image is one colour), but "
                              "the images differ from each other. Take the std of all pixels of all images together.")])
        samples = self._textures()
        stacked = np.stack([self.numpy(image) for image, _ in samples])        # (36, 3, 64, 64)
        expected_mean, expected_std = stacked.mean(axis=(0, 2, 3)), stacked.std(axis=(0, 2, 3))
        per_image_std = stacked.std(axis=(2, 3)).mean(axis=0)
        mean, std = channel_stats(samples)
        self.close(mean, expected_mean, "the mean of the texture photos", atol=1e-4)
        self.close(std, expected_std, "the std of the texture photos", atol=1e-3, mistakes=[
            (per_image_std, "that is the average of each photo's std: it misses how much the photos differ from each "
                            "other. Take the std over all pixels of all photos together.")])
        fmt = lambda v: "[" + ", ".join(f"{float(x):.3f}" for x in self.numpy(v)) + "]"  # noqa: E731
        return f"the texture photos have mean {fmt(mean)} and std {fmt(std)} — use these in Normalize."

    # ------------------------------------------------------------------ 4
    @exercise(4, "training and evaluation pipelines")
    def ex4(self, make_pipelines):
        torch = self.torch
        mean, std = [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]
        result = make_pipelines(mean, std)
        self.answered(result)
        self.require(isinstance(result, (tuple, list)) and len(result) == 2, "return (train_transform, eval_transform).")
        train, evaluate = result
        for name, pipeline in (("train_transform", train), ("eval_transform", evaluate)):
            self.require(callable(pipeline), f"{name} is not callable: build it with transforms.Compose([...]).")
            steps = [type(t).__name__ for t in getattr(pipeline, "transforms", [])]
            if "Normalize" in steps and "ToTensor" in steps:
                self.require(steps.index("ToTensor") < steps.index("Normalize"), f"{name} normalises before "
                             f"ToTensor: Normalize works on tensors, so ToTensor comes first.")
            if name == "eval_transform":
                random = [s for s in steps if s.startswith("Random")]
                self.require(not random, f"eval_transform contains {', '.join(random)}: evaluation must be "
                             f"deterministic (Resize + CenterCrop), or the same image gets different scores.")
        colour = (200, 100, 50)
        flat = Image.fromarray(np.full((70, 90, 3), colour, np.uint8))            # one colour, 90 x 70
        value = (np.array(colour) / 255.0 - np.array(mean)) / np.array(std)
        torch.manual_seed(0)
        for name, pipeline in (("train_transform", train), ("eval_transform", evaluate)):
            out = pipeline(flat)
            self.is_tensor(out, f"{name}(image)")
            self.require(tuple(out.shape) == (3, 48, 48), f"{name} gives shape {tuple(out.shape)}, expected "
                         f"(3, 48, 48): the crop should be size x size.")
            self.require(out.dtype == torch.float32, f"{name} gives dtype {out.dtype}, expected float32.")
            pixel = self.numpy(out[:, 24, 24])
            self.close(pixel, value, f"{name} of a one-colour image", atol=1e-4, mistakes=[
                (np.array(colour) / 255.0, f"{name} is not normalised: end with Normalize(mean, std)."),
                ((np.array(colour) / 255.0 - np.array(std)) / np.array(mean), f"{name}: mean and std are swapped "
                                                                              f"— Normalize(mean, std)."),
                ((np.array(colour) / 255.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225]),
                 f"{name} uses the ImageNet statistics: use the mean and std passed to make_pipelines.")])
        noisy = Image.fromarray(np.random.RandomState(0).randint(0, 256, (70, 90, 3)).astype(np.uint8))
        self.require(torch.equal(evaluate(noisy), evaluate(noisy)), "eval_transform gives different results for "
                     "the same image: evaluation must be deterministic.")
        self.require(not torch.equal(train(noisy), train(noisy)), "train_transform gives the same tensor every "
                     "time: the training pipeline should be random (RandomResizedCrop, RandomHorizontalFlip).")
        # a 54 x 60 image: Resize(54) leaves it as it is, CenterCrop(48) keeps rows 6..53 and columns 3..50
        full = Image.fromarray(np.random.RandomState(1).randint(0, 256, (60, 54, 3)).astype(np.uint8))
        expected_full = (np.asarray(full).transpose(2, 0, 1)[:, 6:54, 3:51] / 255.0
                         - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
        self.close(evaluate(full), expected_full, "eval_transform of a 54 x 60 image (Resize(54) of the shorter side "
                   "leaves it as it is, then CenterCrop(48))", atol=1e-4)
        # the texture photos, normalised with their own statistics
        samples = self._textures()
        stacked = np.stack([self.numpy(image) for image, _ in samples])
        stats = stacked.mean(axis=(0, 2, 3)).tolist(), stacked.std(axis=(0, 2, 3)).tolist()
        texture_eval = make_pipelines(*stats)[1]
        classes = sorted(p.name for p in TEXTURES.iterdir() if p.is_dir())
        batch = np.stack([self.numpy(texture_eval(Image.open(path).convert("RGB")))
                          for name in classes for path in sorted((TEXTURES / name).glob("*.png"))])
        m, s = batch.mean(axis=(0, 2, 3)), batch.std(axis=(0, 2, 3))
        self.require(np.all(abs(m) < 0.1) and np.all(abs(s - 1) < 0.15), f"with the textures' own statistics the "
                     f"evaluation batch has mean {m.round(2)} and std {s.round(2)}, expected about 0 and 1.")
        return (f"random views for training, one fixed view for evaluation; with the textures' own statistics the "
                f"evaluation batch has mean {np.round(m, 2).tolist()} and std {np.round(s, 2).tolist()} (a little "
                f"below 1: shrinking 64 to 54 pixels averages neighbours, which smooths the photos).")

    # ------------------------------------------------------------------ 5
    @exercise(5, "test-time augmentation with FiveCrop")
    def ex5(self, five_crop_predict):
        torch = self.torch
        rng = np.random.RandomState(0)
        image = torch.from_numpy(rng.rand(3, 10, 12).astype(np.float32))
        weight = torch.from_numpy(rng.randn(3, 4).astype(np.float32) * 8)
        calls = []

        def model(batch):
            calls.append(tuple(batch.shape))
            return batch.mean(dim=(2, 3)) @ weight                       # (N, 3) -> (N, 4) logits

        s, H, W = 6, 10, 12
        top, left = int(round((H - s) / 2.0)), int(round((W - s) / 2.0))
        crops = [image[:, :s, :s], image[:, :s, W - s:], image[:, H - s:, :s], image[:, H - s:, W - s:],
                 image[:, top:top + s, left:left + s]]
        logits = torch.stack([c.mean(dim=(1, 2)) for c in crops]) @ weight
        probabilities = torch.softmax(logits, dim=1)
        got = five_crop_predict(model, image, s)
        self.is_tensor(got, "five_crop_predict(model, image, 6)")
        self.require(calls, "the model was never called.")
        self.require(sum(shape[0] for shape in calls) == 5 and all(shape[1:] == (3, s, s) for shape in calls),
                     f"the model saw batches of shapes {calls}: give it the five crops, (5, 3, 6, 6) in all.")
        self.require(tuple(got.shape) == (4,), f"the result has shape {tuple(got.shape)}, expected (4,): average over "
                     f"the crops (dim 0) only.")
        self.close(got, probabilities.mean(dim=0), "the averaged probabilities", mistakes=[
            (torch.softmax(logits.mean(dim=0), dim=0), "you averaged the logits, then took softmax: take the softmax "
                                                        "of each crop's logits, then average the probabilities."),
            (logits.mean(dim=0), "these are averaged logits: apply softmax (dim=1) to each crop's logits first."),
            (probabilities[4], "this is the centre crop alone: average over all five crops."),
            (probabilities[0], "this is the top-left crop alone: average over all five crops.")])
        return "five views, one batch, the probabilities averaged (they still sum to 1)."
