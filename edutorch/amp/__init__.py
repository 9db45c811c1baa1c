"""torch.amp: automatic mixed precision. ``autocast`` (a region in lower precision; in edutorch it casts
nothing and warns once, see autocast_mode.py) and ``GradScaler`` (loss scaling, as PyTorch's)."""
from .autocast_mode import autocast, get_autocast_dtype, is_autocast_enabled
from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "get_autocast_dtype", "is_autocast_enabled"]
