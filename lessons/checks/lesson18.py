"""Checks for the exercises of lesson 18 (generative adversarial networks)."""
from __future__ import annotations

import math

import numpy as np

from . import Hint, LessonChecks, exercise


class Checks(LessonChecks):
    # ------------------------------------------------------------------ helpers
    def _pair(self, seed: int):
        """A small generator (3 noise numbers -> 2-D samples) and discriminator, the same for a seed."""
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(seed)
        G = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2))
        D = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
        return G, D

    def _weights(self, module) -> np.ndarray:
        return np.concatenate([self.numpy(p).ravel() for p in module.parameters()])

    @staticmethod
    def _leftovers(module, value: float) -> None:
        """Fill every .grad with `value`: what a previous step's backward() leaves behind."""
        for p in module.parameters():
            p.grad = p.detach() * 0 + value

    def _same(self, a, b) -> bool:
        return bool(np.allclose(a, b, atol=1e-6, rtol=1e-5))

    # ------------------------------------------------------------------ exercise 1
    @exercise(1, "the discriminator step")
    def ex1(self, d_step):
        torch = self.torch
        bce = torch.nn.BCEWithLogitsLoss()
        torch.manual_seed(1)
        real = torch.randn(16, 2) + 2.0
        z = torch.randn(16, 3)
        ones, zeros = torch.ones(16, 1), torch.zeros(16, 1)

        def variant(loss_of, zero_grad=True):
            """D's weights after one SGD step on loss_of(D, fake), and the loss, on fresh copies."""
            G, D = self._pair(0)
            self._leftovers(D, 0.5)
            opt = torch.optim.SGD(D.parameters(), lr=0.1)
            if zero_grad:
                opt.zero_grad()
            loss = loss_of(D, G(z).detach())
            loss.backward()
            opt.step()
            return self._weights(D), loss.item()

        right = variant(lambda D, fake: bce(D(real), ones) + bce(D(fake), zeros))
        swapped = variant(lambda D, fake: bce(D(real), zeros) + bce(D(fake), ones))
        averaged = variant(lambda D, fake: (bce(D(real), ones) + bce(D(fake), zeros)) / 2)
        sigmoid = variant(lambda D, fake: bce(torch.sigmoid(D(real)), ones) + bce(torch.sigmoid(D(fake)), zeros))
        real_only = variant(lambda D, fake: bce(D(real), ones))
        accumulated = variant(lambda D, fake: bce(D(real), ones) + bce(D(fake), zeros), zero_grad=False)

        G, D = self._pair(0)
        self._leftovers(D, 0.5)
        before = self._weights(D)
        g_before = self._weights(G)
        opt_D = torch.optim.SGD(D.parameters(), lr=0.1)
        loss = d_step(D, G, opt_D, real, z)
        self.answered(loss)
        self.require(loss is not None, "d_step returned None: return the discriminator's loss.")
        after = self._weights(D)

        self.require(self._same(self._weights(G), g_before), "G's weights changed: the discriminator step updates D only.")
        leaked = [p for p in G.parameters() if p.grad is not None and float(self.numpy(p.grad).__abs__().sum()) > 0]
        self.require(not leaked, "G's parameters got gradients: the discriminator's loss reached into G. Detach the "
                                 "fakes (`G(z).detach()`) so the graph stops at the fake samples.")
        if self._same(after, before):
            raise Hint("D's weights did not change: call opt_D.step() after loss.backward().")
        if self._same(after, accumulated[0]):
            raise Hint("D's step used the leftover gradients too: call opt_D.zero_grad() before backward() (the "
                       "generator step's backward() fills D's .grad).")
        if self._same(after, swapped[0]):
            raise Hint("the labels are swapped: real samples are labelled 1 (torch.ones), fakes 0 (torch.zeros).")
        if self._same(after, averaged[0]):
            raise Hint("you averaged the two losses: add them, as in the lesson (averaging halves D's step).")
        if self._same(after, sigmoid[0]):
            raise Hint("D's logits went through a sigmoid before BCEWithLogitsLoss, which applies the sigmoid "
                       "itself: pass the logits.")
        if self._same(after, real_only[0]):
            raise Hint("only the real samples were used: add the loss of the fakes, labelled 0.")
        self.require(self._same(after, right[0]), "D's new weights are not those of one step on "
                     "bce(D(real), 1) + bce(D(G(z).detach()), 0).")
        self.close(loss, right[1], "the returned loss")
        return "real → 1, fakes detached → 0, D updated from fresh gradients, G untouched."

    # ------------------------------------------------------------------ exercise 2
    def _confident_pair(self, seed: int):
        """A pair whose D rejects G's samples with confidence: D(G(z)) ≈ 0.01."""
        torch = self.torch
        G, D = self._pair(seed)
        with torch.no_grad():
            D[0].weight.mul_(0.1)
            D[2].bias.fill_(-4.5)
        return G, D

    @exercise(2, "the generator step, non-saturating")
    def ex2(self, g_step):
        torch = self.torch
        bce = torch.nn.BCEWithLogitsLoss()
        torch.manual_seed(2)
        z = torch.randn(16, 3)
        ones, zeros = torch.ones(16, 1), torch.zeros(16, 1)

        def variant(loss_of, zero_grad=True):
            G, D = self._confident_pair(0)
            self._leftovers(G, 0.5)
            opt = torch.optim.SGD(G.parameters(), lr=0.1)
            if zero_grad:
                opt.zero_grad()
            loss = loss_of(D(G(z)))
            loss.backward()
            opt.step()
            return self._weights(G), loss.item()

        right = variant(lambda logits: bce(logits, ones))
        fake_label = variant(lambda logits: bce(logits, zeros))
        saturating = variant(lambda logits: -bce(logits, zeros))
        saturating_log = variant(lambda logits: torch.log(1 - torch.sigmoid(logits)).mean())
        accumulated = variant(lambda logits: bce(logits, ones), zero_grad=False)

        G, D = self._confident_pair(0)
        self._leftovers(G, 0.5)
        before, d_before = self._weights(G), self._weights(D)
        opt_G = torch.optim.SGD(G.parameters(), lr=0.1)
        loss = g_step(D, G, opt_G, z)
        self.answered(loss)
        self.require(loss is not None, "g_step returned None: return the generator's loss.")
        after = self._weights(G)
        self.require(self._same(self._weights(D), d_before), "D's weights changed: the generator step updates G only.")
        if self._same(after, before):
            raise Hint("G's weights did not change: the fakes must stay connected to G (no detach() in the "
                       "generator step), and call opt_G.step() after backward().")
        if self._same(after, accumulated[0]):
            raise Hint("G's step used the leftover gradients too: call opt_G.zero_grad() before backward().")
        if self._same(after, fake_label[0]):
            raise Hint("the fakes are labelled 0: that trains G to make D say 'fake'. G wants D to answer "
                       "'real': label 1 (torch.ones).")
        if self._same(after, saturating[0]) or self._same(after, saturating_log[0]):
            raise Hint("that is the saturating (minimax) loss log(1 - D(G(z))): here D(G(z)) ≈ 0.01 and its "
                       "gradient is about 100 times too small. Use the non-saturating loss bce(D(G(z)), 1).")
        self.require(self._same(after, right[0]), "G's new weights are not those of one step on bce(D(G(z)), 1).")
        self.close(loss, right[1], "the returned loss", rtol=1e-4, atol=1e-5)
        return (f"the non-saturating loss ({right[1]:.2f} here: D rejects the fakes) gives G a full-size "
                "gradient even though D(G(z)) ≈ 0.01.")

    # ------------------------------------------------------------------ exercise 3
    @exercise(3, "a DCGAN generator")
    def ex3(self, Generator):
        torch, nn = self.torch, self.torch.nn

        def expected_parameters(noise):
            return (noise * 128 + 128) + 2 * 32 + (32 * 16 * 16 + 16) + 2 * 16 + (16 * 1 * 16 + 1)

        torch.manual_seed(0)
        G = Generator(16)
        self.require(isinstance(G, nn.Module), "Generator(16) should be an nn.Module (subclass nn.Module and "
                                               "call super().__init__()).")
        count = sum(p.numel() for p in G.parameters())
        self.require(count > 0, "Generator(16) has no parameters: layers kept in a plain Python list (or a local "
                                "variable) are not registered. Assign each to self, or use nn.Sequential / "
                                "nn.ModuleList.")
        G.train()
        out = G(torch.randn(6, 16))
        self.is_tensor(out, "Generator(16)(z)")
        if tuple(out.shape) != (6, 1, 8, 8):
            raise Hint(f"G(z) for z of shape (6, 16) has shape {tuple(out.shape)}, expected (6, 1, 8, 8). A "
                       "ConvTranspose2d(kernel 4, stride 2, padding 1) doubles the size: (H-1)*2 - 2*1 + 4 = 2H, "
                       "so reshape to (N, 32, 2, 2) and use two of them.")
        self.require(sum(isinstance(m, nn.ConvTranspose2d) for m in G.modules()) == 2,
                     "use two nn.ConvTranspose2d layers to grow 2×2 to 4×4 to 8×8.")
        self.require(sum(isinstance(m, nn.BatchNorm2d) for m in G.modules()) == 2,
                     "use two nn.BatchNorm2d layers (32 and 16 channels), before each ReLU.")
        self.require(float(out.detach().abs().max()) <= 1.0 and any(isinstance(m, nn.Tanh) for m in G.modules()),
                     "the images must lie in [-1, 1], like the scaled data: end with nn.Tanh().")
        self.require(count == expected_parameters(16),
                     f"Generator(16) has {count} parameters, expected {expected_parameters(16)}: check the layer "
                     "sizes (Linear(noise, 32*2*2), channels 32 -> 16 -> 1, kernels 4).")
        out.sum().backward()
        first = next(m for m in G.modules() if isinstance(m, nn.Linear))
        self.require(first.weight.grad is not None and float(self.numpy(first.weight.grad).__abs__().sum()) > 0,
                     "no gradient reaches the first nn.Linear: keep everything in torch operations (no numpy, "
                     "no detach) from the noise to the image.")
        small = Generator(5)
        self.require(sum(p.numel() for p in small.parameters()) == expected_parameters(5),
                     "Generator(5) has the wrong number of parameters: use the `noise` argument for the input "
                     "size of the first nn.Linear, not a fixed 16.")
        small.eval()
        with torch.no_grad():
            one = small(torch.randn(1, 5))
        self.require(tuple(one.shape) == (1, 1, 8, 8), f"in eval mode, one noise vector gave shape "
                                                       f"{tuple(one.shape)}, expected (1, 1, 8, 8).")
        return f"(N, noise) → (N, 1, 8, 8) in [-1, 1], {count} parameters, gradients reach the first layer."

    # ------------------------------------------------------------------ exercise 4
    @exercise(4, "the optimal discriminator")
    def ex4(self, optimal_discriminator):
        torch = self.torch
        x = torch.linspace(-2.0, 10.0, 25)
        grid = np.linspace(-2.0, 10.0, 25)

        def density(mean, std, normalised=True, variance=True):
            spread = 2 * std ** 2 if variance else 2 * std
            value = np.exp(-(grid - mean) ** 2 / spread)
            return value / (std * math.sqrt(2 * math.pi)) if normalised else value

        for mean_g, std_g in [(4.0, 0.8), (5.5, 1.25), (3.0, 2.0)]:
            p_d, p_g = density(4.0, 1.25), density(mean_g, std_g)
            got = optimal_discriminator(x, 4.0, 1.25, mean_g, std_g)
            self.is_tensor(got, "optimal_discriminator(x, ...)")
            plain_d, plain_g = density(4.0, 1.25, normalised=False), density(mean_g, std_g, normalised=False)
            var_d, var_g = density(4.0, 1.25, variance=False), density(mean_g, std_g, variance=False)
            self.close(got, p_d / (p_d + p_g), f"D*(x) for a generator N({mean_g}, {std_g}²)", rtol=1e-3, atol=1e-5,
                       mistakes=[
                           (p_g / (p_d + p_g), "that is p_g / (p_data + p_g), the probability of *fake*: D* is "
                                               "p_data / (p_data + p_g)."),
                           (p_d / p_g, "that is the ratio p_data / p_g, not a probability: divide by the sum "
                                       "p_data + p_g."),
                           (plain_d / (plain_d + plain_g), "the densities lack their factor 1/(σ√(2π)): when the "
                                                           "two σ differ it does not cancel."),
                           (var_d / (var_d + var_g), "the exponent divides by 2σ instead of 2σ²."),
                       ])
        half = optimal_discriminator(x, 4.0, 1.25, 4.0, 1.25)
        self.close(half, torch.full((25,), 0.5), "D*(x) when the generator matches the data")
        return "D*(x) = p_data / (p_data + p_g); when G matches the data, D* = 1/2 everywhere (and D's loss is 2 ln 2)."

    # ------------------------------------------------------------------ exercise 5
    @exercise(5, "nearest training image")
    def ex5(self, nearest_labels):
        torch = self.torch
        torch.manual_seed(5)
        brightness = torch.linspace(0.15, 1.0, 12).reshape(12, 1, 1, 1)
        images = (torch.rand(12, 1, 8, 8) * 2 - 1) * brightness        # very different norms
        labels = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8])
        samples = images[torch.tensor([0, 2, 4, 6, 8, 10, 11, 1])] * 0.9 + 0.2 * torch.randn(8, 1, 8, 8)
        samples = torch.cat([samples, torch.full((2, 1, 8, 8), 0.1), torch.rand(3, 1, 8, 8) * 2 - 1])

        a = self.numpy(samples).reshape(len(samples), -1)
        b = self.numpy(images).reshape(len(images), -1)
        distance = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        nearest = distance.argmin(1)
        lab = self.numpy(labels).astype(np.int64)
        expected = lab[nearest]

        got = nearest_labels(samples, images, labels)
        self.is_tensor(got, "nearest_labels(samples, images, labels)")
        self.require(tuple(got.shape) == (len(samples),), f"the result has shape {tuple(got.shape)}, expected "
                                                          f"({len(samples)},): one label per sample.")
        self.require(not got.is_floating_point(), "the result should hold integer labels (index `labels` with "
                                                  "the argmin).")
        self.close(got, expected, "the nearest labels", mistakes=[
            (nearest, "those are the indices of the nearest images: return their labels (labels[index])."),
            (lab[(a @ b.T).argmax(1)], "that is the image with the largest dot product, which favours bright images: "
                                       "use the Euclidean distance (smallest ‖a − b‖²)."),
            (lab[distance.argmax(1)], "that is the *farthest* image: take the argmin of the distance."),
        ])
        return "each sample's label comes from its nearest training image; torch.bincount of them shows the coverage."
