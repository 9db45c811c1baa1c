"""``torch.testing``: ``assert_close`` (compare results with tolerances that suit their dtype) and
``make_tensor`` (random test inputs of a given shape and dtype).

    torch.testing.assert_close(model(x), expected)          # float32: rtol 1.3e-6, atol 1e-5
    x = torch.testing.make_tensor(2, 3, dtype=torch.float32, device="cpu", low=-1, high=1)
"""
from __future__ import annotations

from ._comparison import assert_close
from ._creation import make_tensor

__all__ = ["assert_close", "make_tensor"]
