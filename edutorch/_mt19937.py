"""The Mersenne Twister MT19937: the engine behind every CPU random number in PyTorch (and edutorch).

Think of the generator as one long sequence of 32-bit words ``x[0], x[1], ...``. The first 624 come
from the seed; every later word is made from three earlier ones:

    x[k + 624] = x[k + 397] ^ twist(x[k], x[k + 1])
    twist(u, v) = ((u & 0x80000000 | v & 0x7fffffff) >> 1) ^ (0x9908b0df if v is odd else 0)

The state is the latest 624 words. The engine hands the words out one by one after a **tempering**
step that spreads their bits,

    y ^= y >> 11;  y ^= (y << 7) & 0x9d2c5680;  y ^= (y << 15) & 0xefc60000;  y ^= y >> 18

and when all 624 have been handed out it makes the next 624 (the "twist").

Vectorising: a new word needs words 227 places back (``x[k + 397]`` is 624 - 397 = 227 before
``x[k + 624]``) and further, so any 227 consecutive new words depend only on words that already
exist: ``extend`` makes them in chunks of 227 with one array expression each (three chunks per
block of 624). Tempering is element-wise, so it is one expression for the whole output.

Seeding fills the first 624 words from one 32-bit number with ``x[j] = 1812433253 * (x[j-1] ^
(x[j-1] >> 30)) + j`` (modulo 2**32): each word needs the one before, so that loop is sequential,
but it runs once per ``manual_seed``.

Speed: the chunks above cost one Python step per 227 words, so a million words take ~0.1 s. NumPy
ships the same generator compiled (``np.random.MT19937``), so by default (``USE_COMPILED``) the
engine hands its state to that one and reads the words and the new state back: the same words,
about 10x faster. Set ``USE_COMPILED = False`` to run the NumPy version written here; the tests
check that both give the same words and states.

The bookkeeping follows PyTorch's ``at::mt19937`` exactly, so a state saved by either loads in the
other: ``next`` is the index of the next word to hand out and ``left`` counts down to the next twist
(a freshly seeded engine has ``left == 1``, ``next == 0``: its first draw twists).
"""
from __future__ import annotations

import numpy as np

N, M = 624, 397
USE_COMPILED = True  # draw the words with np.random.MT19937 (same algorithm, compiled); False: ``extend``
MATRIX_A = np.uint32(0x9908B0DF)
UPPER_MASK = np.uint32(0x80000000)
LOWER_MASK = np.uint32(0x7FFFFFFF)


def _twist(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The upper bit of ``u`` joined to the lower 31 bits of ``v``, shifted, and xor-ed with A if v is odd."""
    mixed = (u & UPPER_MASK) | (v & LOWER_MASK)
    return (mixed >> np.uint32(1)) ^ ((v & np.uint32(1)) * MATRIX_A)


def extend(state: np.ndarray, blocks: int) -> np.ndarray:
    """The next ``blocks * 624`` words after ``state``, by ``x[k + 624] = x[k + 397] ^ twist(x[k], x[k + 1])``
    in chunks of 227 (each chunk only reads words made before it)."""
    x = np.empty(N + blocks * N, dtype=np.uint32)
    x[:N] = state
    for start in range(N, len(x), N - M):
        stop = min(start + N - M, len(x))
        x[start:stop] = x[start - (N - M):stop - (N - M)] ^ _twist(x[start - N:stop - N], x[start - N + 1:stop - N + 1])
    return x[N:]


def temper(y: np.ndarray) -> np.ndarray:
    """Scramble raw state words into output words (element-wise, so vectorised)."""
    y = y ^ (y >> np.uint32(11))
    y = y ^ ((y << np.uint32(7)) & np.uint32(0x9D2C5680))
    y = y ^ ((y << np.uint32(15)) & np.uint32(0xEFC60000))
    return y ^ (y >> np.uint32(18))


class MT19937:
    """PyTorch's ``at::mt19937``: ``seed`` (up to 64 bits kept, the low 32 used), ``left``, ``next``, ``state``."""

    def __init__(self, seed: int = 5489):
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        self.seed = int(seed) & (2**64 - 1)
        words = [self.seed & 0xFFFFFFFF]
        for j in range(1, N):
            prev = words[-1]
            words.append((1812433253 * (prev ^ (prev >> 30)) + j) & 0xFFFFFFFF)
        self.state = np.array(words, dtype=np.uint32)
        self.left, self.next = 1, 0

    def random32(self, n: int) -> np.ndarray:
        """The next ``n`` 32-bit outputs, as one uint32 array (what n calls of ``engine()`` return)."""
        if USE_COMPILED:
            return self._random32_compiled(n)
        # first the words still waiting in the current block (none right after seeding) ...
        take = min(n, self.left - 1)
        words = self.state[self.next:self.next + take]
        self.next += take
        self.left -= take
        # ... then whole new blocks, of which the last may be used only in part
        rest = n - take
        if rest > 0:
            blocks = -(-rest // N)
            new = extend(self.state, blocks)
            self.state = new[-N:]
            self.next = rest - (blocks - 1) * N
            self.left = N + 1 - self.next
            words = np.concatenate([words, new[:rest]])
        return temper(words)

    def _random32_compiled(self, n: int) -> np.ndarray:
        """``random32`` by NumPy's compiled MT19937. Its state is our 624 words plus ``pos``, the index of
        the next word (624: twist first), so ``pos = next``, or 624 right after seeding (``left == 1``)."""
        if n == 0:
            return np.zeros(0, dtype=np.uint32)
        bits = np.random.MT19937()
        pos = N if self.left == 1 else self.next
        bits.state = {"bit_generator": "MT19937", "state": {"key": self.state, "pos": pos}}
        # integers over the full 32-bit range are the raw tempered words, unchanged
        words = np.random.Generator(bits).integers(0, 2**32, size=n, dtype=np.uint32)
        state = bits.state["state"]
        self.state, self.next = state["key"].astype(np.uint32), int(state["pos"])
        self.left = N + 1 - self.next
        return words

    def random64(self, n: int) -> np.ndarray:
        """``n`` 64-bit numbers, each made of two consecutive 32-bit outputs: the first is the high half."""
        pairs = self.random32(2 * n).astype(np.uint64).reshape(n, 2)
        return (pairs[:, 0] << np.uint64(32)) | pairs[:, 1]
