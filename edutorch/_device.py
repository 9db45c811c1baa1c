"""Devices. edutorch computes with NumPy on the CPU; other devices are names it can hold but not use."""
from __future__ import annotations

_KNOWN = ("cpu", "cuda", "mps", "xpu", "meta")


class device:
    """``device('cpu')``, ``device('cuda', 0)`` or ``device('cuda:0')``, as in PyTorch.

    Any device can be named (so ``device = 'cuda' if torch.cuda.is_available() else 'cpu'`` code runs),
    but only the CPU can hold tensors.
    """

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int):
            type, index = "cuda", type
        elif ":" in type:
            type, _, idx = type.partition(":")
            index = int(idx)
        if type not in _KNOWN:
            raise RuntimeError(
                f"Expected one of cpu, cuda, mps, xpu, meta device type at start of device string: {type}"
            )
        self.type = type
        self.index = index

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


CPU = device("cpu")


def check_device(dev) -> None:
    """Raise PyTorch's CPU-only-build error for any device but the CPU, with the portable idiom."""
    if dev is None:
        return
    dev = device(dev)
    if dev.type == "cpu":
        return
    hint = (
        " edutorch runs on the CPU only (NumPy). Write device-agnostic code instead: "
        "device = 'cuda' if torch.cuda.is_available() else 'cpu'; x = x.to(device)"
    )
    if dev.type == "cuda":
        # A CPU-only PyTorch build raises AssertionError here; we keep the type so code behaves alike.
        raise AssertionError("Torch not compiled with CUDA enabled." + hint)
    raise RuntimeError(f"PyTorch is not linked with support for {dev.type} devices." + hint)


def set_default_device(device) -> None:
    """Choose where factory functions (``zeros``, ``tensor``, ...) put tensors when no ``device`` is given.

    Tutorials write ``torch.set_default_device(device)`` after picking ``device`` with
    ``torch.accelerator.is_available()``; on edutorch that picks ``'cpu'``, which is accepted (and so is
    ``None``, PyTorch's "back to the CPU"). Any other device raises what a CPU-only PyTorch raises when
    it is asked for one (``AssertionError`` for CUDA), here at once rather than at the next tensor.
    """
    if isinstance(device, int) and not isinstance(device, bool):
        # A bare index means "this accelerator", and a CPU-only PyTorch has none.
        raise RuntimeError("Cannot access accelerator device when none is available.")
    check_device(device)


def get_default_device() -> device:
    """Where new tensors go: always ``device(type='cpu')`` in edutorch."""
    return CPU
