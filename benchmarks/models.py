"""Inference of resnet18 and vgg16 at batch 1, 224x224: edutorch against PyTorch, one engine per process.

    python benchmarks/models.py            # about two minutes
    python benchmarks/models.py --quick    # 3 rounds, fewer repeats: a smoke run

torchvision cannot be assumed beside PyTorch, so the PyTorch side is the same architecture written
with ``torch.nn`` in benchmarks/_torch_models.py (torchvision's module names). Before timing, an
edutorch process builds each model (seed 0) and saves its state_dict to a temporary .npz file and its
logits for a fixed input; a torch process loads the weights into the twin and reports the largest
difference of the logits, relative to the largest logit. The timed processes of both engines then
load the same weights. Forward only, eval mode, under ``no_grad``; timed in fresh processes, one
engine each, in alternating rounds (benchmarks/_runner.py says how); ratio = edutorch / PyTorch,
the median of the per-round ratios. Not a test.
"""
from __future__ import annotations

import argparse
import importlib
import tempfile
from pathlib import Path

import numpy as np
from _runner import Case, add_arguments, run_cases, run_in_subprocess

MODELS = ("resnet18", "vgg16")


def _input(lib):
    return lib.from_numpy(np.random.default_rng(0).standard_normal((1, 3, 224, 224), dtype=np.float32))


def _model(lib, name: str, weights: str):
    """edutorch's model or PyTorch's twin, in eval mode, with the weights saved in ``weights``."""
    if lib.__name__ == "edutorch":
        model = importlib.import_module("edutorch.vision.models").get_model(name, weights=None)
    else:
        from _torch_models import TWINS
        model = TWINS[name]()
    with np.load(weights) as saved:
        model.load_state_dict({key: lib.from_numpy(saved[key]) for key in saved.files})
    return model.eval()


def save_weights(lib, name: str, directory: str) -> None:
    """(edutorch process) Build ``name`` with seed 0; save its state_dict and its logits for the input."""
    lib.manual_seed(0)
    model = importlib.import_module("edutorch.vision.models").get_model(name, weights=None).eval()
    np.savez(Path(directory) / f"{name}.npz",
             **{key: value.detach().numpy() for key, value in model.state_dict().items()})
    with lib.no_grad():
        np.save(Path(directory) / f"{name}_logits.npy", model(_input(lib)).numpy())


def check_twin(lib, name: str, directory: str) -> float:
    """(torch process) The twin's logits against edutorch's: max |difference| / max |logit|."""
    model = _model(lib, name, str(Path(directory) / f"{name}.npz"))
    with lib.no_grad():
        theirs = model(_input(lib)).numpy()
    ours = np.load(Path(directory) / f"{name}_logits.npy")
    return float(np.abs(ours - theirs).max() / np.abs(theirs).max())


def build_forward(lib, name: str, weights: str):
    """One forward pass of the model at batch 1, under no_grad, as a closure."""
    model, x = _model(lib, name, weights), _input(lib)

    def forward():
        with lib.no_grad():
            model(x)

    return forward


def main() -> None:
    parser = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    args = parser.parse_args()
    warmup, repeat = (1, 3) if args.quick else (2, 5)
    with tempfile.TemporaryDirectory(prefix="edutorch-bench-") as directory:
        for name in MODELS:
            run_in_subprocess(save_weights, "edutorch", {"name": name, "directory": directory})
            diff = run_in_subprocess(check_twin, "torch", {"name": name, "directory": directory})["value"]
            print(f"{name}: same weights in both engines, logits max rel diff {diff:.1e}")
        print()
        cases = [Case(name, build_forward, warmup, repeat, 1,
                      {"name": name, "weights": str(Path(directory) / f"{name}.npz")}) for name in MODELS]
        run_cases(cases, args, title="model (batch 1, 3x224x224, eval, no_grad)", label_width=44)


if __name__ == "__main__":
    main()
