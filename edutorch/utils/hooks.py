"""``RemovableHandle``: what every ``register_*hook`` returns, so a hook can be taken off again."""
from __future__ import annotations

import itertools


class RemovableHandle:
    """Removes the hook it was made for from its dict on ``remove()`` (or on leaving a ``with``)."""

    _ids = itertools.count()

    def __init__(self, hooks_dict: dict, *, extra_dict=None):
        self.hooks_dict = hooks_dict
        self.id = next(RemovableHandle._ids)
        # Dicts of per-hook flags (a Module's "with_kwargs" ids) that are cleaned up with the hook.
        if extra_dict is None:
            extra_dict = []
        self.extra_dicts = list(extra_dict) if isinstance(extra_dict, list) else [extra_dict]

    def remove(self) -> None:
        self.hooks_dict.pop(self.id, None)
        for d in self.extra_dicts:
            d.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
