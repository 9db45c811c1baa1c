"""Sequence models, edutorch against PyTorch, one engine per process: an LSTM and a Transformer encoder.

    python benchmarks/sequence.py            # about a minute
    python benchmarks/sequence.py --quick    # 3 rounds, fewer repeats: a smoke run

Cases (forward + backward each, float32):
  lstm         nn.LSTM(64, 128), input (seq 50, batch 32, 64), loss = output.sum()
  transformer  nn.TransformerEncoder of 2 nn.TransformerEncoderLayer(d_model 128, 4 heads, feed-forward 512,
               dropout 0, batch_first), input (batch 32, seq 64, 128), loss = output.sum()

Before timing, both engines build the case from the same seed-independent weights (copied through NumPy)
and the script checks that their losses agree. Timed in fresh processes, one engine each, in alternating
rounds (benchmarks/_runner.py says how); ratio = edutorch / PyTorch, the median of the per-round ratios.
This is a script, not a test.
"""
from __future__ import annotations

import argparse

import numpy as np
from _runner import Case, add_arguments, run_cases, run_in_subprocess


def _load_numpy_weights(lib, module, seed: int) -> None:
    """The same weights in both engines: drawn with NumPy, copied in through load_state_dict."""
    rng = np.random.default_rng(seed)
    state = {}
    for name, value in module.state_dict().items():
        shape = tuple(value.shape)
        scale = 1 / np.sqrt(shape[-1]) if len(shape) > 1 else 0.1
        state[name] = lib.tensor(rng.uniform(-scale, scale, shape).astype(np.float32))
    module.load_state_dict(state)


def _lstm(lib):
    lstm = lib.nn.LSTM(64, 128)
    _load_numpy_weights(lib, lstm, 0)
    x = lib.tensor(np.random.default_rng(1).standard_normal((50, 32, 64), dtype=np.float32), requires_grad=True)
    return lstm, x


def _transformer(lib):
    layer = lib.nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0, batch_first=True)
    model = lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    _load_numpy_weights(lib, model, 0)
    x = lib.tensor(np.random.default_rng(1).standard_normal((32, 64, 128), dtype=np.float32), requires_grad=True)
    return model, x


def build_lstm(lib):
    lstm, x = _lstm(lib)

    def step():
        lstm.zero_grad()
        out, _ = lstm(x)
        loss = out.sum()
        loss.backward()
        return round(float(loss), 2)

    return step


def build_transformer(lib):
    model, x = _transformer(lib)

    def step():
        model.zero_grad()
        loss = model(x).sum()
        loss.backward()
        return round(float(loss), 1)

    return step


def check_same_loss(lib, case: str) -> float:
    """One forward of a case, for the equal-output check (runs in its engine's own process)."""
    model, x = (_lstm if case == "lstm" else _transformer)(lib)
    out = model(x)
    out = out[0] if isinstance(out, tuple) else out
    return float(out.detach().double().sum())


def main() -> None:
    args = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0])).parse_args()
    for case in ("lstm", "transformer"):
        values = [run_in_subprocess(check_same_loss, engine, {"case": case})["value"]
                  for engine in ("edutorch", "torch")]
        if not np.isclose(values[0], values[1], rtol=1e-4):
            raise SystemExit(f"{case}: the engines disagree before timing: {values}")
    repeat = 3 if args.quick else 7
    run_cases([
        Case("lstm: LSTM(64, 128), seq 50, batch 32, forward + backward", build_lstm, repeat=repeat),
        Case("transformer: 2 encoder layers d 128, 4 heads, seq 64, batch 32", build_transformer, repeat=repeat),
    ], args)


if __name__ == "__main__":
    main()
