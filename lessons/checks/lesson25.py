"""Checks for lesson 25 (recurrent networks: RNN, LSTM, GRU and a character-level language model)."""
from __future__ import annotations

import math

from . import Hint, LessonChecks, exercise


class Checks(LessonChecks):
    # ------------------------------------------------------------------ 1. one RNN step
    @exercise(1, "one RNN step")
    def ex1(self, rnn_step):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(0)
        cell = nn.RNNCell(3, 4)
        x = torch.randn(5, 2, 3)
        h = mine = torch.zeros(2, 4)
        for t in range(5):
            with torch.no_grad():
                expected = cell(x[t], h)
                no_bias = torch.tanh(x[t] @ cell.weight_ih.T + h @ cell.weight_hh.T)
                no_tanh = x[t] @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
                untransposed = None
                if cell.weight_hh.shape[0] == cell.weight_hh.shape[1]:
                    untransposed = torch.tanh(x[t] @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh
                                              + cell.bias_hh)
            mine = rnn_step(x[t], h, cell)
            self.is_tensor(mine, "rnn_step(x, h, cell)")
            self.require(tuple(mine.shape) == (2, 4), f"rnn_step returned shape {tuple(mine.shape)}, expected "
                                                       f"(N, H) = (2, 4): x @ weight_ih.T is (N, H).")
            mistakes = [(no_bias, "the biases are missing: add cell.bias_ih and cell.bias_hh."),
                        (no_tanh, "the tanh is missing: h_t = tanh(...).")]
            if t > 0:
                mistakes.append((untransposed, "W_hh is applied untransposed: h @ cell.weight_hh.T (PyTorch stores "
                                               "weights as (out, in))."))
            self.close(mine, expected, f"the hidden state at step {t}", mistakes=mistakes)
            h = expected
        return "equal to nn.RNNCell for 5 steps."

    # ------------------------------------------------------------------ 2. GRU step
    @exercise(2, "a GRU cell from its equations")
    def ex2(self, gru_step):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(1)
        cell = nn.GRUCell(3, 4).double()
        x = torch.randn(2, 3, dtype=torch.float64)
        h = torch.randn(2, 4, dtype=torch.float64, requires_grad=True)
        mine = gru_step(x, h, cell)
        self.is_tensor(mine, "gru_step(x, h, cell)")
        self.require(tuple(mine.shape) == (2, 4), f"gru_step returned shape {tuple(mine.shape)}, expected (N, H) = "
                                                   f"(2, 4).")
        expected = cell(x, h)
        with torch.no_grad():
            gi = x @ cell.weight_ih.T + cell.bias_ih
            gh = h @ cell.weight_hh.T + cell.bias_hh
            i_r, i_z, i_n = gi.chunk(3, 1)
            h_r, h_z, h_n = gh.chunk(3, 1)
            r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
            n = torch.tanh(i_n + r * h_n)
            n_bias_outside = torch.tanh(i_n + r * (h @ cell.weight_hh[8:].T) + cell.bias_hh[8:])
            swapped = z * n + (1 - z) * h
            rz_swapped = (1 - r) * torch.tanh(i_n + z * h_n) + r * h
            no_reset = (1 - z) * torch.tanh(i_n + h_n) + z * h
        self.close(mine, expected, "the new hidden state", mistakes=[
            ((1 - z) * n_bias_outside + z * h, "the reset gate multiplies W_hn h without its bias: in PyTorch "
                                               "n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), bias included."),
            (swapped, "z and 1 - z are swapped: PyTorch's h' = (1 - z) * n + z * h (z = 1 keeps the old state)."),
            (rz_swapped, "r and z are swapped: the gates are stacked in the order r, z, n."),
            (no_reset, "the reset gate is not used: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).")])
        g = torch.randn(2, 4, dtype=torch.float64)
        (grad_mine,) = torch.autograd.grad(mine, h, g)
        (grad_ref,) = torch.autograd.grad(expected, h, g)
        self.close(grad_mine, grad_ref, "the gradient for h (backward through your step)")
        return "equal to nn.GRUCell, values and gradient."

    # ------------------------------------------------------------------ 3. pack and final states
    @exercise(3, "pad, pack, final states")
    def ex3(self, final_states):
        torch, nn = self.torch, self.torch.nn
        pad_sequence = torch.nn.utils.rnn.pad_sequence
        torch.manual_seed(2)
        rnn = nn.GRU(3, 5, batch_first=True)
        sequences = [torch.randn(n, 3) for n in (3, 6, 1, 4)]       # not sorted by length
        with torch.no_grad():
            mine = final_states(rnn, sequences)
            self.is_tensor(mine, "final_states(rnn, sequences)")
            expected = torch.cat([rnn(s.unsqueeze(0))[1][-1] for s in sequences])
            padded = pad_sequence(sequences, batch_first=True)
            _, h_padded = rnn(padded)
            order = sorted(range(4), key=lambda i: -len(sequences[i]))
        self.require(tuple(mine.shape) == (4, 5), f"final_states returned shape {tuple(mine.shape)}, expected "
                                                   f"(N, H) = (4, 5): take h_n[-1] (the last layer's state).")
        self.close(mine, expected, "the final states", mistakes=[
            (h_padded[-1], "h_n ran over the padding: without pack_padded_sequence the short sequences keep "
                           "stepping through the zeros. Pack with the lengths first."),
            (expected[order], "the states are in sorted order (longest first): return them in the order of "
                              "`sequences` (enforce_sorted=False does that for h_n, or use unsorted_indices).")])
        return "each sequence's state after its own last step, in the input order."

    # ------------------------------------------------------------------ 4. sampling
    def _tiny_model(self):
        torch, nn = self.torch, self.torch.nn

        class Tiny(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(7, 4)
                self.rnn = nn.GRU(4, 8, batch_first=True)
                self.head = nn.Linear(8, 7)

            def forward(self, x, state=None):
                out, state = self.rnn(self.embed(x), state)
                return self.head(out) * 3, state

        torch.manual_seed(3)
        return Tiny()

    def _reference_sample(self, model, prompt_ids, length, temperature, generator, carry=True, times=False):
        torch, F = self.torch, self.torch.nn.functional
        with torch.no_grad():
            logits, state = model(torch.tensor([prompt_ids]))
            ids = []
            for _ in range(length):
                z = logits[0, -1] * temperature if times else logits[0, -1] / temperature
                nxt = torch.multinomial(F.softmax(z, dim=-1), 1, generator=generator)
                ids.append(int(nxt.item()))
                logits, state = model(nxt.reshape(1, 1), state if carry else None)
        return ids

    @exercise(4, "sampling with a temperature")
    def ex4(self, sample):
        torch = self.torch
        model = self._tiny_model()
        prompt = [1, 2, 3]
        for temperature in (0.7, 2.0):
            with torch.no_grad():
                mine = sample(model, prompt, 30, temperature, torch.Generator().manual_seed(0))
            self.answered(mine)
            self.require(mine is not None, "sample returned None: return the list of drawn ids.")
            mine = [int(i) for i in (mine.tolist() if hasattr(mine, "tolist") else mine)]
            self.require(len(mine) == 30, f"sample returned {len(mine)} ids, expected `length` = 30 (the new ids "
                                          f"only, not the prompt).")
            expected = self._reference_sample(model, prompt, 30, temperature, torch.Generator().manual_seed(0))
            if mine == expected:
                continue
            gen = torch.Generator
            if mine == self._reference_sample(model, prompt, 30, temperature, gen().manual_seed(0), times=True):
                raise Hint("the logits are multiplied by the temperature: divide them (logits / temperature), so "
                           "a low temperature sharpens the distribution.")
            if mine == self._reference_sample(model, prompt, 30, temperature, gen().manual_seed(0), carry=False):
                raise Hint("the state is not carried: feed each new id back in with the state the model returned, "
                           "or the model forgets everything but the last character.")
            if mine == self._reference_sample(model, prompt, 30, 1.0, gen().manual_seed(0)):
                raise Hint("the temperature is ignored: divide the logits by it before the softmax.")
            raise Hint(f"with temperature {temperature} the ids differ from the expected ones (first expected: "
                       f"{expected[:5]}, yours: {mine[:5]}). Draw each id with torch.multinomial(probs, 1, "
                       f"generator=generator) from softmax(logits[0, -1] / temperature).")
        with torch.no_grad():
            cold = sample(model, prompt, 10, 1e-3, torch.Generator().manual_seed(5))
            greedy, (logits, state) = [], model(torch.tensor([prompt]))
            for _ in range(10):
                nxt = logits[0, -1].argmax()
                greedy.append(int(nxt.item()))
                logits, state = model(nxt.reshape(1, 1), state)
        cold = [int(i) for i in (cold.tolist() if hasattr(cold, "tolist") else cold)]
        self.require(cold == greedy, "with a temperature near 0 the samples should be the most likely ids (greedy).")
        return "the same ids as the reference, and greedy at temperature 0.001."

    # ------------------------------------------------------------------ 5. bits per character
    @exercise(5, "bits per character")
    def ex5(self, bits_per_char):
        torch, F = self.torch, self.torch.nn.functional
        model = self._tiny_model()
        torch.manual_seed(4)
        ids = torch.randint(0, 7, (50,))
        with torch.no_grad():
            mine = bits_per_char(model, ids)
            logits, _ = model(ids[:-1].unsqueeze(0))
            nats = F.cross_entropy(logits[0], ids[1:]).item()
            same_position = F.cross_entropy(logits[0], ids[:-1]).item()
            logits_all, _ = model(ids.unsqueeze(0))
        self.answered(mine)
        self.require(mine is not None, "bits_per_char returned None: return the number.")
        if hasattr(mine, "shape") and mine.numel() != 1:
            raise Hint(f"bits_per_char returned a tensor of shape {tuple(mine.shape)}: return one number, the mean.")
        value = float(mine)
        expected = nats / math.log(2)
        self.close(value, expected, "the bits per character", mistakes=[
            (nats, "that is the cross-entropy in nats (natural log): divide by ln 2 = math.log(2) for bits."),
            (nats / math.log(10), "you divided by ln 10: bits are log base 2, divide by math.log(2)."),
            (same_position / math.log(2), "the targets are the inputs themselves: each position must predict the "
                                          "NEXT character, targets = ids[1:] for inputs ids[:-1]."),
            (2 ** expected, "that is the perplexity (2 ** bpc), not the bits per character."),
            (F.cross_entropy(logits_all[0, :-1], ids[1:]).item() / math.log(2) * 49 / 50,
             "the mean is over len(ids) predictions: there are only len(ids) - 1 (the last character has no "
             "next one).")])
        return f"{value:.4f} bits per character (the uniform guess would be log2(7) = {math.log2(7):.4f})."
