"""``add_graph``: a model's graph for TensorBoard's Graphs tab, from one forward pass.

PyTorch traces the model with TorchScript. We have something simpler and just as telling: the
autograd graph that the forward pass records. We run the model once on a copy of the input that
requires grad (so every op that touches the input is recorded), then walk ``grad_fn`` nodes from the
outputs back to the leaves. Each node becomes a ``NodeDef``:

- its op is the forward op's name, from the node's name: ``AddmmBackward0`` -> ``aten::addmm``;
- its inputs are the nodes in ``next_functions``; leaves are the model's parameters (named by their
  place in the module tree) and the input;
- ``_output_shapes`` holds the shapes of its outputs;
- its name is put in the scope of the module that ran it, ``Net/Linear[fc1]/addmm``, as PyTorch does.
  To know which module created which node we use forward pre-hooks and hooks: every node carries an
  increasing sequence number, so the nodes created while a module ran are those numbered between its
  pre-hook and its hook; the innermost module wins.
"""
from __future__ import annotations

import inspect
import re

from . import _proto


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def op_name(node_name: str) -> str:
    """``AddmmBackward0`` -> ``aten::addmm``; ``NativeBatchNormBackward0`` -> ``aten::native_batch_norm``."""
    return "aten::" + _snake(re.sub(r"Backward\d*$", "", node_name))


def _flatten(obj) -> list:
    """The tensors inside a model output (a tensor, or tuples/lists/dicts of them)."""
    if isinstance(obj, (list, tuple)):
        return [t for item in obj for t in _flatten(item)]
    if isinstance(obj, dict):
        return [t for item in obj.values() for t in _flatten(item)]
    return [obj] if hasattr(obj, "grad_fn") else []


def _scope_names(model) -> dict:
    """id(module) -> "Net/Sequential[features]/Conv2d[0]" for every module in the tree."""
    by_name = {"": type(model).__name__}
    scopes = {}
    for name, module in model.named_modules():  # parents come before their children
        if name:
            parent, _, last = name.rpartition(".")
            by_name[name] = f"{by_name[parent]}/{type(module).__name__}[{last}]"
        scopes.setdefault(id(module), by_name[name])
    return scopes


def build_graph(model, input_to_model, verbose: bool = False) -> tuple[bytes, bytes]:
    """Run ``model`` once and return ``(GraphDef bytes, RunMetadata bytes)``."""
    import edutorch
    from edutorch.autograd.graph import Node

    inputs = input_to_model if isinstance(input_to_model, (list, tuple)) else (input_to_model,)
    # A copy that requires grad, so ops on the input are recorded (integer inputs cannot: left as is).
    traced_inputs = []
    for x in inputs:
        if isinstance(x, edutorch.Tensor) and x.is_floating_point():
            x = x.detach().requires_grad_(True)
        traced_inputs.append(x)

    scopes = _scope_names(model)
    intervals = []  # (first sequence number, last, scope), one per module call
    stack = []

    def marker() -> int:
        return Node()._sequence_nr  # the counter every new grad_fn node draws from

    def pre_hook(module, args):
        stack.append(marker())

    def post_hook(module, args, output):
        intervals.append((stack.pop(), marker(), scopes[id(module)]))

    modules = [m for _, m in model.named_modules()]
    handles = [m.register_forward_pre_hook(pre_hook) for m in modules]
    handles += [m.register_forward_hook(post_hook) for m in modules]
    was_training = model.training
    model.train(False)  # as PyTorch: the graph of eval mode (dropout off, batch-norm running stats)
    try:
        with edutorch.enable_grad():
            output = model(*traced_inputs)
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()

    root_scope = scopes[id(model)]
    param_names = {id(p): name for name, p in model.named_parameters()}
    module_of_param = {}
    for mod_name, module in model.named_modules():
        for p_name, p in module.named_parameters(recurse=False):
            module_of_param[id(p)] = (scopes[id(module)], p_name)
    try:
        arg_names = [n for n, p in inspect.signature(model.forward).parameters.items()
                     if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        arg_names = []
    input_names = {}
    for i, x in enumerate(traced_inputs):
        if hasattr(x, "grad_fn"):
            input_names[id(x)] = "input/" + (arg_names[i] if i < len(arg_names) else f"input.{i}")

    nodes: list[dict] = []
    names: dict = {}  # id(autograd node) -> NodeDef name
    used: set = set()

    def unique(name: str) -> str:
        candidate, k = name, 0
        while candidate in used:
            k += 1
            candidate = f"{name}_{k}"
        used.add(candidate)
        return candidate

    def shapes_attr(shapes) -> dict:
        return {"list": {"shape": [{"dim": [{"size": int(d)} for d in s]} for s in shapes]}}

    def scope_of(seq: int) -> str:
        best = None
        for first, last, scope in intervals:
            if first < seq < last and (best is None or first > best[0]):
                best = (first, scope)
        return best[1] if best else root_scope

    def leaf_name(tensor) -> str:
        key = id(tensor)
        if key in names:
            return names[key]
        if key in input_names:
            name, op = input_names[key], "IO Node"
        elif key in module_of_param:
            scope, p_name = module_of_param[key]
            name, op = f"{scope}/{p_name}", "Parameter"
        else:
            name, op = f"{root_scope}/tensor", "Constant"
        name = unique(name)
        names[key] = name
        label = f"{{ name : {param_names[key]} }}" if key in param_names else ""
        nodes.append({"name": name, "op": op, "input": [],
                      "attr": {"_output_shapes": shapes_attr([tuple(tensor.shape)]),
                               "attr": {"s": label.encode()}}})
        return name

    # Walk from the outputs, then emit nodes inputs-first (creation order = sequence numbers).
    seen, order, todo = set(), [], [t.grad_fn for t in _flatten(output) if t.grad_fn is not None]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        for nxt, _ in node.next_functions:
            if nxt is not None and not hasattr(nxt, "variable"):
                todo.append(nxt)
    for node in sorted(order, key=lambda n: n._sequence_nr):
        inputs_ = []
        for nxt, index in node.next_functions:
            if nxt is None:
                continue
            if hasattr(nxt, "variable"):  # AccumulateGrad: a leaf (parameter or input)
                inputs_.append(leaf_name(nxt.variable))
            elif id(nxt) in names:
                inputs_.append(names[id(nxt)] + (f":{index}" if index else ""))
        short = op_name(node.name())
        name = unique(f"{scope_of(node._sequence_nr)}/{short.split('::')[-1]}")
        names[id(node)] = name
        nodes.append({"name": name, "op": short, "input": inputs_,
                      "attr": {"_output_shapes": shapes_attr([tuple(s) for s, _ in node._output_meta]),
                               "attr": {"s": f"{{ grad_fn : {node.name()} }}".encode()}}})
    for i, t in enumerate(_flatten(output)):
        if t.grad_fn is not None:
            source = names[id(t.grad_fn)] + (f":{t._output_nr}" if getattr(t, "_output_nr", 0) else "")
        elif id(t) in input_names or id(t) in module_of_param:
            source = leaf_name(t)
        else:
            continue
        nodes.append({"name": f"output/output.{i + 1}", "op": "IO Node", "input": [source],
                      "attr": {"_output_shapes": shapes_attr([tuple(t.shape)]), "attr": {"s": b""}}})
    if verbose:
        for n in nodes:
            print(n["name"], n["op"], n["input"])
    graph = _proto.encode(_proto.GRAPH_DEF, {"node": nodes, "versions": {"producer": 22}})
    run_metadata = _proto.encode(_proto.RUN_METADATA, {"step_stats": {"dev_stats": [{"device": "/device:CPU:0"}]}})
    return graph, run_metadata

