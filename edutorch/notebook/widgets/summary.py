"""``summary(model, input_size)``: a table of layers, output shapes, parameters and mult-adds.

Like torchinfo's ``summary``: the model runs once (eval mode, no grad, on zeros, so neither running
statistics nor the random number stream change) with forward hooks on every submodule; each call
becomes a row. Totals count every parameter once.

Mult-adds (one multiply followed by one add) per row, by hand:

- Linear:       positions * (in_features * out_features + out_features),  positions = output.numel() / out_features
                (each weight and bias is used once per output position, as torchinfo counts);
- ConvNd:       N * prod(output spatial size) * (weight.numel() + bias.numel());
- ConvTransposeNd: N * prod(input spatial size) * weight.numel() + N * prod(output spatial) * bias.numel()
                (each input pixel is multiplied by the whole kernel);
- BatchNorm, LayerNorm, GroupNorm, InstanceNorm: output.numel() (y = x * scale + shift per element);
- anything else (activations, pooling, dropout, containers): 0, shown as "--".

Memory estimate (bytes, shown in MB = 1e6 bytes as torchinfo does): the inputs; the forward/backward
pass, 2 x the outputs of the leaf layers (kept for backward, plus a gradient of the same size); the
parameters.

Works on PyTorch models too (``summary(torch_model, (1, 3, 32, 32))``): the zeros, ``no_grad`` and the
layer types of the formulas come from the model's own library (see ``_engine.py``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ._engine import engine_of

_RULE = "=" * 100


@dataclass
class SummaryRow:
    """One call of one module: where it sits, what it returned, what it holds and costs."""

    name: str                 # qualified name ('' for the model itself)
    class_name: str
    depth: int
    depth_index: int
    output_shape: list | None  # None when the output is not a tensor
    params: int               # parameters of this module and its children
    own_params: int           # parameters registered directly on this module
    trainable: int
    mult_adds: int
    output_bytes: int
    is_leaf: bool
    recursive: bool = False   # a module called a second time (its parameters are already counted)
    module: object = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return self.class_name if self.depth == 0 else f"{self.class_name}: {self.depth}-{self.depth_index}"


class ModelSummary:
    """What ``summary`` returns: ``str()`` / ``repr()`` is the table; the numbers are attributes."""

    def __init__(self, rows: list, max_depth: int, total_params: int, trainable_params: int,
                 input_bytes: int, params_bytes: int):
        self.rows = rows
        self.max_depth = max_depth
        self.total_params = total_params
        self.trainable_params = trainable_params
        self.non_trainable_params = total_params - trainable_params
        self.total_mult_adds = sum(r.mult_adds for r in rows)
        self.input_bytes = input_bytes
        self.forward_backward_bytes = 2 * sum(r.output_bytes for r in rows if r.is_leaf)
        self.params_bytes = params_bytes
        self.total_bytes = self.input_bytes + self.forward_backward_bytes + self.params_bytes

    def shown_rows(self) -> list:
        return [r for r in self.rows if r.depth <= self.max_depth]

    def _param_cell(self, row: SummaryRow) -> str:
        if row.recursive:
            return "(recursive)"
        children_shown = not row.is_leaf and row.depth < self.max_depth
        count = row.own_params if children_shown else row.params
        return f"{count:,}" if count else "--"

    def __str__(self) -> str:
        head = f"{'Layer (type:depth-idx)':<40}{'Output Shape':<25}{'Param #':>15}{'Mult-Adds':>20}"
        lines = [_RULE, head, _RULE]
        for row in self.shown_rows():
            prefix = "" if row.depth == 0 else ("├─" if row.depth == 1 else "│    " * (row.depth - 1) + "└─")
            shape = "--" if row.output_shape is None else str(row.output_shape)
            # mult-adds of hidden children are shown on the deepest visible row
            macs = row.mult_adds if row.depth < self.max_depth or row.is_leaf else sum(
                r.mult_adds for r in self._subtree(row))
            lines.append(f"{prefix + row.label:<40}{shape:<25}{self._param_cell(row):>15}"
                         f"{(f'{macs:,}' if macs else '--'):>20}")
        unit, scale = ("G", 1e9) if self.total_mult_adds >= 1e9 else ("M", 1e6)
        lines += [
            _RULE,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.non_trainable_params:,}",
            f"Total mult-adds ({unit}): {self.total_mult_adds / scale:.2f}",
            _RULE,
            f"Input size (MB): {self.input_bytes / 1e6:.2f}",
            f"Forward/backward pass size (MB): {self.forward_backward_bytes / 1e6:.2f}",
            f"Params size (MB): {self.params_bytes / 1e6:.2f}",
            f"Estimated Total Size (MB): {self.total_bytes / 1e6:.2f}",
            _RULE,
        ]
        return "\n".join(lines)

    def _subtree(self, row: SummaryRow) -> list:
        prefix = row.name + "." if row.name else ""
        return [r for r in self.rows if r is row or r.name.startswith(prefix)]

    __repr__ = __str__

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def _mult_adds(module, inputs, output, nn=None) -> int:
    """The hand formulas of the module docstring (``nn``: the model's library's nn, default edutorch's)."""
    if nn is None:
        from ... import nn

    if not hasattr(output, "shape"):
        return 0
    out = tuple(output.shape)
    weight, bias = getattr(module, "weight", None), getattr(module, "bias", None)
    n_bias = bias.numel() if bias is not None else 0
    if isinstance(module, nn.Linear):
        positions = math.prod(out[:-1])
        return positions * (weight.numel() + n_bias)
    conv_types = tuple(getattr(nn, n) for n in ("ConvTranspose1d", "ConvTranspose2d") if hasattr(nn, n))
    if conv_types and isinstance(module, conv_types):
        k = len(module.kernel_size)
        x = inputs[0]
        batch = math.prod(tuple(x.shape)[:-k - 1])  # 1 for an unbatched input
        spatial_in = math.prod(tuple(x.shape)[-k:])
        return batch * spatial_in * weight.numel() + batch * math.prod(out[-k:]) * n_bias
    conv_types = tuple(getattr(nn, n) for n in ("Conv1d", "Conv2d") if hasattr(nn, n))
    if isinstance(module, conv_types):
        k = len(module.kernel_size)
        positions = math.prod(out[:-k - 1]) * math.prod(out[-k:])
        return positions * (weight.numel() + n_bias)
    norm_types = tuple(getattr(nn, n) for n in ("BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm",
                                                 "InstanceNorm1d", "InstanceNorm2d") if hasattr(nn, n))
    if isinstance(module, norm_types):
        return math.prod(out)
    return 0


def _make_inputs(input_size, dtypes, engine=None):
    if engine is None:
        import edutorch as engine

    sizes = [input_size] if input_size and isinstance(input_size[0], int) else list(input_size)
    dtypes = list(dtypes) if dtypes is not None else [engine.float32] * len(sizes)
    if len(dtypes) != len(sizes):
        raise ValueError(f"summary: {len(sizes)} input sizes but {len(dtypes)} dtypes")
    return [engine.zeros(tuple(s), dtype=d) for s, d in zip(sizes, dtypes)]


def summary(model, input_size=None, dtypes=None, depth: int = 3, input_data=None) -> ModelSummary:
    """Run ``model`` once on zeros of ``input_size`` and tabulate every submodule call.

    Args:
        model: an ``nn.Module`` (edutorch's or PyTorch's).
        input_size: the shape of the input, batch included, e.g. ``(1, 3, 32, 32)``; a list of shapes
            for several inputs.
        dtypes: one dtype per input (default float32; use ``torch.long`` for token ids).
        depth: rows deeper than this are hidden (their parameters and mult-adds still count).
        input_data: a tensor or list of tensors to use instead of zeros.

    Returns a ``ModelSummary``: printing it shows the table; ``.total_params``,
    ``.trainable_params``, ``.non_trainable_params``, ``.total_mult_adds``, ``.rows`` and the byte
    counts are there for code.
    """
    engine = engine_of(model)  # edutorch, or torch for a PyTorch model

    if input_data is not None:
        inputs = list(input_data) if isinstance(input_data, (list, tuple)) else [input_data]
    elif input_size is not None:
        inputs = _make_inputs(tuple(input_size) if isinstance(input_size[0], int) else input_size, dtypes,
                              engine)
    else:
        raise ValueError("summary needs input_size (e.g. (1, 3, 32, 32)) or input_data")

    names = {id(m): n for n, m in model.named_modules()}
    rows: list = []
    seen: set = set()
    counters: dict = {}
    stack: list = []
    handles = []

    def pre_hook(module, args):
        name = names.get(id(module), "?")
        depth = 0 if name == "" else name.count(".") + 1
        counters[depth] = counters.get(depth, 0) + 1
        own = sum(p.numel() for p in module.parameters(recurse=False))
        total = sum(p.numel() for p in module.parameters())
        trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
        row = SummaryRow(name=name, class_name=type(module).__name__, depth=depth, depth_index=counters[depth],
                         output_shape=None, params=total, own_params=own, trainable=trainable, mult_adds=0,
                         output_bytes=0, is_leaf=not any(True for _ in module.children()),
                         recursive=id(module) in seen, module=module)
        seen.add(id(module))
        rows.append(row)
        stack.append(row)

    def post_hook(module, args, output):
        row = stack.pop()
        tensor = output[0] if isinstance(output, (tuple, list)) and output and hasattr(output[0], "shape") \
            else output
        if hasattr(tensor, "shape"):
            row.output_shape = list(tensor.shape)
            row.output_bytes = tensor.numel() * tensor.element_size()
        row.mult_adds = _mult_adds(module, args, tensor, engine.nn)

    modes = {id(m): m.training for m in model.modules()}
    try:
        for module in model.modules():
            handles.append(module.register_forward_pre_hook(pre_hook))
            handles.append(module.register_forward_hook(post_hook))
        model.eval()
        with engine.no_grad():
            model(*inputs)
    finally:
        for h in handles:
            h.remove()
        for m in model.modules():
            m.training = modes[id(m)]

    params = list(model.parameters())
    return ModelSummary(rows, depth, total_params=sum(p.numel() for p in params),
                        trainable_params=sum(p.numel() for p in params if p.requires_grad),
                        input_bytes=sum(t.numel() * t.element_size() for t in inputs),
                        params_bytes=sum(p.numel() * p.element_size() for p in params))
