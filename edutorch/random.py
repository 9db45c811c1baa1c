"""Random numbers: ``manual_seed``, ``Generator`` and the global default generator.

Each ``Generator`` wraps a NumPy ``Generator`` (PCG64). Seeding makes every random op reproducible in
edutorch; the numbers differ from PyTorch's (which uses a Mersenne Twister), so lessons compare shapes
and statistics with PyTorch, never the random values themselves.
"""
from __future__ import annotations

import json

import numpy as np

from ._device import check_device

# The seed of a new Generator object, as in PyTorch. The global default generator is seeded from the
# operating system at import (PyTorch 2.x does the same): call manual_seed for repeatable results.
_DEFAULT_SEED = 67280421310721


class Generator:
    """A source of random numbers: ``g = torch.Generator().manual_seed(0)``; pass ``generator=g``."""

    def __init__(self, device="cpu"):
        check_device(device)
        self.device = device
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> "Generator":
        seed = int(seed)
        self._seed = seed
        self._np = np.random.Generator(np.random.PCG64(seed & (2**64 - 1)))
        return self

    def seed(self) -> int:
        """Re-seed from the operating system's entropy and return the new seed."""
        new = int(np.random.SeedSequence().entropy) & (2**63 - 1)
        self.manual_seed(new)
        return new

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor (PyTorch returns a ByteTensor too)."""
        from ._tensor import Tensor

        state = {"seed": self._seed, "bit_generator": self._np.bit_generator.state}
        raw = np.frombuffer(json.dumps(state).encode(), dtype=np.uint8).copy()
        return Tensor._make(raw)

    def set_state(self, new_state) -> "Generator":
        state = json.loads(bytes(np.asarray(new_state.numpy(), dtype=np.uint8)).decode())
        self._seed = state["seed"]
        self._np = np.random.Generator(np.random.PCG64())
        self._np.bit_generator.state = state["bit_generator"]
        return self

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {hex(id(self))}>"


default_generator = Generator()
default_generator.seed()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator so every random op afterwards repeats exactly."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


def _numpy_rng(generator: Generator | None) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (or the default one)."""
    return (generator or default_generator)._np
