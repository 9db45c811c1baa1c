"""Products of vectors, matrices and batches: dot, mv, mm, bmm, outer, matmul (``@``) and einsum.

Every one of them is a sum of products, so every gradient is again a product with the *other*
operand. For C = A @ B (A: m x k, B: k x p) and the gradient G = dL/dC (m x p):

    dL/dA = G @ B^T      (m x p) @ (p x k) -> m x k
    dL/dB = A^T @ G      (k x m) @ (m x p) -> k x p

Check the shapes and the formula writes itself. The backwards below use only ``@``, ``*``, ``reshape``
and ``_mT`` (swap the last two dimensions), which mean the same on NumPy arrays and on edutorch
tensors, so ``create_graph=True`` runs the same code on tensors and differentiates it again
(``double_backward = True``).

Unlike elementwise ops, PyTorch does not promote dtypes here: ``float32 @ float64`` is an error, and
``int64 @ int64`` stays int64. Arrays stay in their dtype and contiguous so NumPy hands them to BLAS.
"""
from __future__ import annotations

import string

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import NumpyFunction


# --------------------------------------------------------------------------------------- helpers
def _mT(x):
    """Swap the last two dimensions (the matrix transpose, batched) of an array or a tensor."""
    return x.transpose(-1, -2) if isinstance(x, Tensor) else x.swapaxes(-1, -2)


# The C++ type names PyTorch prints in "expected m1 and m2 to have the same dtype" messages.
_C_TYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
           "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool"}


def _type_name(t: Tensor) -> str:
    return t.dtype._c_name


def _check_tensors(op: str, **args) -> None:
    """PyTorch's TypeError for an argument that is not a tensor (a list, an array, a number)."""
    for position, (name, value) in enumerate(args.items(), start=1):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{op}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}"
            )


def _check_not_bool(op: str, *tensors: Tensor) -> None:
    if any(t.dtype is _dtype.bool_ for t in tensors):
        raise NotImplementedError(
            f'"{op}" not implemented for \'Bool\' (convert with .int() or .float() first)')


def _check_m1_m2_dtype(a: Tensor, b: Tensor) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_C_TYPE[a.dtype._name]} != "
            f"{_C_TYPE[b.dtype._name]} (matrix products do not promote dtypes: convert one operand, "
            "e.g. with .float() or .double())"
        )


def _shape_str(shape) -> str:
    return "x".join(str(n) for n in shape)


# ------------------------------------------------------------------------------ dot, mv, mm, bmm
class Dot(NumpyFunction):
    """out = sum_i a_i b_i (two vectors of length n -> a 0-d tensor).

    d/da = grad * b,  d/db = grad * a  (grad is 0-d, so this is a scalar times a vector).
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        return np.dot(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * b if ctx.needs_input_grad[0] else None,
                grad * a if ctx.needs_input_grad[1] else None)


class Mv(NumpyFunction):
    """out = A @ v: matrix (n x m) times vector (m) -> vector (n), out_i = sum_j A_ij v_j.

    d/dA = outer(grad, v)  (n x m),   d/dv = A^T @ grad = grad @ A  (m).
    """

    double_backward = True

    @staticmethod
    def forward(ctx, mat, vec):
        ctx.save_for_backward(mat if ctx.needs_input_grad[1] else None,
                              vec if ctx.needs_input_grad[0] else None)
        return (mat @ vec).astype(mat.dtype, copy=False)  # bfloat16: ml_dtypes' product is float32

    @staticmethod
    def backward(ctx, grad):
        mat, vec = ctx.saved_tensors
        # A column (n x 1) times a row (m) broadcasts to the outer product (n x m).
        return (grad.reshape(-1, 1) * vec if ctx.needs_input_grad[0] else None,
                grad @ mat if ctx.needs_input_grad[1] else None)


class Mm(NumpyFunction):
    """out = A @ B: (m x k) @ (k x p) -> (m x p), out_ij = sum_l A_il B_lj.

    d/dA = grad @ B^T  (m x p)(p x k),   d/dB = A^T @ grad  (k x m)(m x p).
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        return (a @ b).astype(a.dtype, copy=False)  # bfloat16 @ bfloat16 gives float32 in ml_dtypes: round back

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad @ _mT(b) if ctx.needs_input_grad[0] else None,
                _mT(a) @ grad if ctx.needs_input_grad[1] else None)


class Bmm(Mm):
    """out[n] = A[n] @ B[n] for each of the N matrices of a batch: (N, m, k) @ (N, k, p) -> (N, m, p).

    The same formulas as mm, one matrix at a time: ``@`` and ``_mT`` already act on the last two
    dimensions, so Mm's backward is reused unchanged.
    """


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """Inner product of two 1-D tensors of the same length and dtype; returns a 0-d tensor."""
    _check_tensors("dot", input=input, tensor=tensor)
    if input.dim() != 1 or tensor.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {tensor.dim()}D tensors")
    if input.dtype is not tensor.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {_type_name(input)} and "
            f"{_type_name(tensor)}"
        )
    _check_not_bool("dot", input)
    if input.shape[0] != tensor.shape[0]:
        n, m = input.shape[0], tensor.shape[0]
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number of "
            f"elements, but got {n} and {m} elements respectively"
        )
    return Dot.apply(input, tensor)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix (n x m) times vector (m) -> vector (n)."""
    _check_tensors("mv", input=input, vec=vec)
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected: mv needs a 2-D matrix and a 1-D vector, but got "
            f"{input.dim()}-D and {vec.dim()}-D tensors of shapes {list(input.shape)} and {list(vec.shape)}"
        )
    if input.dtype is not vec.dtype:
        raise RuntimeError(
            f"mv: expected the matrix and the vector to have the same dtype, but got {_type_name(input)} "
            f"and {_type_name(vec)} (convert one, e.g. with .float() or .double())"
        )
    _check_not_bool("mv", input)
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({input.shape[0]}), mat ({_shape_str(input.shape)}), "
            f"vec ({vec.shape[0]})"
        )
    return Mv.apply(input, vec)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Matrix product of two 2-D tensors (no broadcasting; use ``matmul`` for batches)."""
    _check_tensors("mm", input=input, mat2=mat2)
    for name, t in (("self", input), ("mat2", mat2)):
        if t.dim() != 2:
            raise RuntimeError(
                f"{name} must be a matrix, but got a {t.dim()}-D tensor of shape {list(t.shape)} "
                "(torch.mm takes 2-D tensors only; use torch.matmul or @ for vectors and batches)"
            )
    _check_m1_m2_dtype(input, mat2)
    _check_not_bool("mm", input)
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(input.shape)} and "
            f"{_shape_str(mat2.shape)})"
        )
    return Mm.apply(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of two 3-D tensors with the same batch size (no broadcasting)."""
    _check_tensors("bmm", input=input, mat2=mat2)
    for name, t in (("batch1", input), ("batch2", mat2)):
        if t.dim() != 3:
            raise RuntimeError(
                f"{name} must be a 3D tensor, but got a {t.dim()}-D tensor of shape {list(t.shape)} "
                "(use torch.matmul or @ to broadcast batch dimensions)"
            )
    if input.dtype is not mat2.dtype:
        raise RuntimeError(
            f"expected scalar type {_type_name(input)} but found {_type_name(mat2)} "
            "(bmm needs batch1 and batch2 in the same dtype)"
        )
    _check_not_bool("bmm", input)
    n, _, k = input.shape
    if tuple(mat2.shape[:2]) != (n, k):
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k}] but got: "
            f"{list(mat2.shape[:2])} (batch1 is {list(input.shape)}, batch2 is {list(mat2.shape)})."
        )
    return Bmm.apply(input, mat2)


# ------------------------------------------------------------------------------------------ outer
class Outer(NumpyFunction):
    """out_ij = a_i b_j: vectors (n) and (m) -> matrix (n x m).

    d/da = grad @ b  (sum_j grad_ij b_j),   d/db = a @ grad  (sum_i a_i grad_ij).
    Named ``MulBackward0`` because PyTorch computes outer as ``a.reshape(n, 1) * b``; like a product
    it promotes dtypes (outer(int, float) is float), so ``outer`` casts before calling this.
    """

    node_name = "MulBackward0"
    double_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        return a[:, None] * b[None, :]  # a column times a row broadcasts to the n x m table

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad @ b if ctx.needs_input_grad[0] else None,
                a @ grad if ctx.needs_input_grad[1] else None)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]``."""
    _check_tensors("outer", input=input, vec2=vec2)
    for name, t in (("self", input), ("vec2", vec2)):
        if t.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.dim()}-D")
    return Outer.apply(*_cast_all([input, vec2], _dtype.result_type(input, vec2)))


class Addmm(NumpyFunction):
    """out = bias + x @ wt  (x: (N, in), wt: (in, out) = weight.t(), bias: (out,) or broadcastable).

        grad_bias = g   (the engine sums it over the batch rows)
        grad_x    = g @ wt.T          (N, out) @ (out, in) -> (N, in)
        grad_wt   = x.T @ g           (in, N) @ (N, out)   -> (in, out)
    One fused node, as PyTorch's AddmmBackward0, instead of a matmul node and an add node.
    """

    @staticmethod
    def forward(ctx, bias, x, wt):
        # each is needed only for the other's gradient (PyTorch saves them the same way)
        ctx.save_for_backward(x if ctx.needs_input_grad[2] else None, wt if ctx.needs_input_grad[1] else None)
        out = x @ wt
        out += bias  # bias broadcasts over the rows
        return out.astype(x.dtype, copy=False)  # bfloat16: ml_dtypes' product is float32, round once

    @staticmethod
    def backward(ctx, grad):
        x, wt = ctx.saved_tensors
        grad_x = grad @ wt.T if ctx.needs_input_grad[1] else None
        grad_wt = x.T @ grad if ctx.needs_input_grad[2] else None
        return grad, grad_x, grad_wt


def _cast_all(tensors: list, dtype: _dtype.dtype) -> list:
    """Tensors of a mixed-dtype product cast to the promoted dtype: a recorded cast (ToCopy), so
    gradients, second ones included, flow back to each operand in its own dtype."""
    return [t if t.dtype is dtype else t.to(dtype) for t in tensors]


# ----------------------------------------------------------------------------------------- matmul
class Matmul(NumpyFunction):
    """out = a @ b with NumPy's (= PyTorch's) matmul rules, for every case but 1-D@1-D, 2-D@1-D and
    2-D@2-D (those are Dot, Mv and Mm).

    - A 1-D ``a`` (k) acts as a row (1 x k), a 1-D ``b`` (k) as a column (k x 1); the added
      dimension is removed from the result again.
    - Dimensions before the last two are batch dimensions and broadcast: (2, 1, 3, 4) @ (5, 4, 2)
      -> (2, 5, 3, 2).

    Backward, with a2 and b2 the operands as (batched) matrices and g the gradient as (..., m, p):

        d/da = g @ b2^T   (..., m, k),     d/db = a2^T @ g   (..., k, p)

    each summed over the batch dimensions its operand was broadcast along -- the engine does that
    sum (``_unbroadcast``), as for any broadcasting op. A 1-D operand's gradient drops the 1 it was
    given, (..., 1, k) -> (..., k), and the same sum brings it back to (k).

    Why one node: PyTorch builds matmul from views around mm/bmm, so its graph is a chain such as
    UnsafeViewBackward0 -> BmmBackward0 -> ViewBackward0 -> ExpandBackward0. edutorch does the whole
    product with one ``np.matmul`` and records one node, named after the *top* node of PyTorch's
    chain so ``(a @ b).grad_fn`` prints the same name: ``UnsafeViewBackward0`` here, and in the
    subclasses below the names PyTorch gives the other shapes of chain. Its ``next_functions`` lead
    straight to the inputs, where PyTorch's lead down the rest of the chain: a full chain of view
    nodes would be faithful but hard to read, and slower.
    """

    node_name = "UnsafeViewBackward0"
    double_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        ctx.a_ndim, ctx.b_ndim, ctx.k = a.ndim, b.ndim, a.shape[-1]
        # The output shape as if 1-D operands were matrices: the gradient is viewed in this shape.
        a_rows = a.shape[-2] if a.ndim > 1 else 1
        b_cols = b.shape[-1] if b.ndim > 1 else 1
        ctx.matrix_out_shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a_rows, b_cols)
        if a.ndim > 2 and b.ndim <= 2:
            return _batch_times_matrix(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        g = grad.reshape(ctx.matrix_out_shape)  # puts back the 1s that 1-D operands added
        # A batch times one shared matrix (a Linear layer on a batch of sequences): fold the batch
        # into the rows, so each gradient is one BLAS product instead of one per batch item.
        shared_b = ctx.b_ndim <= 2 and len(g.shape) > 2
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            b2 = b.reshape(-1, 1) if ctx.b_ndim == 1 else b
            grad_a = _batch_times_matrix(g, _mT(b2)) if shared_b else g @ _mT(b2)  # (..., m, k)
            if ctx.a_ndim == 1:
                grad_a = grad_a.reshape(tuple(grad_a.shape[:-2]) + (ctx.k,))  # drop the row's 1
        if ctx.needs_input_grad[1]:
            a2 = a.reshape(1, -1) if ctx.a_ndim == 1 else a
            if shared_b:  # the sum over the batch of a^T g is (all rows of a)^T @ (all rows of g)
                grad_b = _mT(_rows(a2)) @ _rows(g)  # (k, p), no (B, k, p) intermediate to sum
            else:
                grad_b = _mT(a2) @ g  # (..., k, p)
            if ctx.b_ndim == 1:
                grad_b = grad_b.reshape(tuple(grad_b.shape[:-1]))  # drop the column's 1: (..., k)
        return grad_a, grad_b


class MatmulVecMat(Matmul):
    """1-D @ 2-D: PyTorch computes ``a.unsqueeze(0).mm(b).squeeze(0)``, so its top node is a squeeze."""

    node_name = "SqueezeBackward4"


class MatmulTransposedFold(Matmul):
    """2-D @ batch when the 2-D operand requires grad: PyTorch computes ``(b^T @ a^T)^T`` with one
    mm over the folded batch, then ``.contiguous()``, so its top node is a clone..."""

    node_name = "CloneBackward0"


class MatmulTransposedFoldNoCopy(Matmul):
    """...or, when the result has a dimension of size 1, the transpose is already contiguous and no
    clone is needed: the top node is then the transpose."""

    node_name = "TransposeBackward0"


def _rows(x):
    """(..., n) -> (rows, n): stack all the rows of a batch into one matrix (array or tensor)."""
    rows = int(np.prod(x.shape[:-1]))  # spelled out: -1 is ambiguous when a size is 0
    return x.reshape(rows, x.shape[-1])


def _batch_times_matrix(x, w):
    """x (..., m, k) @ w (k, p) or (k,) as ONE matrix product: fold the batch into the rows.

    np.matmul would run one small product per batch item; (B*m, k) @ (k, p) is a single BLAS call
    (several times faster for a Linear layer on a batch of sequences: benchmarks/README.md).
    """
    out = (_rows(x) @ w).reshape(tuple(x.shape[:-1]) + tuple(w.shape[1:]))
    if isinstance(out, np.ndarray):  # (double backward passes tensors)
        out = out.astype(x.dtype, copy=False)  # bfloat16: ml_dtypes' product is float32, round back
    return out


def _broadcast_batch(a: Tensor, b: Tensor) -> None:
    """PyTorch's error when the batch dimensions (all but the last two) cannot broadcast."""
    batch_a, batch_b = tuple(a.shape[:-2]), tuple(b.shape[:-2])
    n = max(len(batch_a), len(batch_b))
    for offset in range(1, n + 1):
        size_a = batch_a[-offset] if offset <= len(batch_a) else 1
        size_b = batch_b[-offset] if offset <= len(batch_b) else 1
        if size_a != size_b and size_a != 1 and size_b != 1:
            raise RuntimeError(
                f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) at "
                f"non-singleton dimension {n - offset} (matmul broadcasts the batch dimensions "
                f"{list(batch_a)} of input and {list(batch_b)} of other)"
            )


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with broadcasting, as ``input @ other``:

    1-D @ 1-D -> dot (0-d),  2-D @ 1-D -> mv,  1-D @ 2-D -> vector-matrix,  2-D @ 2-D -> mm,
    anything with more dimensions -> a batch of matrix products, batch dimensions broadcast.
    """
    _check_tensors("matmul", input=input, other=other)
    da, db = input.dim(), other.dim()
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D "
            "(use * to multiply by a scalar)"
        )
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 2 and db == 2:
        return mm(input, other)
    _check_m1_m2_dtype(input, other)
    _check_not_bool("matmul", input)
    k_a = input.shape[-1]
    k_b = other.shape[-2] if db > 1 else other.shape[0]
    if k_a != k_b:
        if da == 1 and db == 2:  # PyTorch's message for vector @ matrix names the row it made
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied (1x{k_a} and {_shape_str(other.shape)})")
        raise RuntimeError(
            f"matmul: input and other shapes cannot be multiplied ({list(input.shape)} and "
            f"{list(other.shape)}): the last dimension of input ({k_a}) must equal the "
            f"{'only' if db == 1 else 'second-to-last'} dimension of other ({k_b})"
        )
    _broadcast_batch(input, other)
    return _matmul_node_class(input, other).apply(input, other)


def _matmul_node_class(a: Tensor, b: Tensor) -> type:
    """The Matmul class named like the top node of the chain PyTorch's matmul would build here.

    PyTorch multiplies a 2-D ``a`` that requires grad by a batch ``b`` as (b^T @ a^T)^T, so that
    a's gradient is one folded mm rather than a batch to sum; and it first squeezes a batch of one
    out of a 3-D operand that requires grad when the other batch is larger.
    """
    if a.dim() == 1 and b.dim() == 2:
        return MatmulVecMat
    a_dim = a.dim()
    if a_dim == 3 and b.dim() == 3 and a.shape[0] != b.shape[0] and a.shape[0] == 1 and a.requires_grad:
        a_dim = 2  # a.squeeze(0) @ b
    if a_dim == 2 and b.dim() >= 3 and a.requires_grad:
        # The result's final .contiguous() copies unless a size-1 dimension makes the transpose free.
        return MatmulTransposedFold if a.shape[-2] > 1 and b.shape[-1] > 1 else MatmulTransposedFoldNoCopy
    return Matmul


# ----------------------------------------------------------------------------------------- einsum
_LETTERS = string.ascii_letters


class Einsum(NumpyFunction):
    """out = einsum(equation, *operands): multiply the operands along equal subscripts and sum over
    the subscripts missing from the output.  E.g. 'ij,jk->ik' is A @ B, 'ii->' the trace.

    Gradient: the output is linear in each operand, and the gradient of operand k is again an
    einsum -- of the output gradient with all the *other* operands, written to k's subscripts:

        'ij,jk->ik':  dA = einsum('ik,jk->ij', grad, B),   dB = einsum('ik,ij->jk', grad, A)

    Two cases need help, because an einsum output cannot repeat a subscript nor invent one:
    - a subscript repeated in operand k ('ii->i' reads the diagonal): the gradient lives on the
      diagonal, so write the second i as a fresh subscript j and multiply by the identity eye_ij;
    - a subscript only in operand k ('ij->i' sums j away): every j got the same gradient, so
      multiply by a vector of ones along j.
    Both are just extra operands of the same einsum.

    Broadcasting (size-1 subscripts and '...') is done by expanding operands in forward; the engine
    sums each gradient back to its operand's shape. Equations arrive here already checked and
    written out with explicit letters (see ``_parse_einsum``). PyTorch builds einsum from
    permute/mul/bmm/sum, so the top node's name depends on the equation: this class is named for a
    contraction (``ViewBackward0``: bmm then view), the subclasses below for the other cases.
    """

    node_name = "ViewBackward0"
    double_backward = True  # backward is itself an einsum, which records on tensors

    @staticmethod
    def forward(ctx, spec, *operands):
        inputs, output, sizes = spec
        ctx.save_for_backward(*operands)
        ctx.spec = spec
        return _contract(inputs, output, sizes, operands, operands[0].dtype)

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        inputs, output, sizes = ctx.spec
        grads = []
        for k in range(len(inputs)):
            if not ctx.needs_input_grad[k + 1]:
                grads.append(None)
                continue
            terms, target, helpers, grad_sizes = _einsum_grad_equation(k, inputs, output, sizes)
            others = [op for j, op in enumerate(operands) if j != k]
            constants = [_constant(np.eye(n) if kind == "eye" else np.ones(n), grad) for kind, n in helpers]
            tensors = [grad, *others, *constants]
            if isinstance(grad, Tensor):  # double backward: record this einsum too
                grads.append(einsum(",".join(terms) + "->" + target, *tensors))
            else:
                grads.append(_contract(terms, target, grad_sizes, tensors, grad.dtype))
        return (None, *grads)


def _einsum_grad_equation(k: int, inputs: list, output: str, sizes: dict):
    """The einsum that gives the gradient of operand k: 'out,<other operands>,<helpers>-><k>'.

    Returns the input terms, the target subscripts, the helper operands as ("eye" | "ones", size)
    and the sizes of all letters: a repeated subscript of operand k becomes a fresh letter tied to
    the first by an identity matrix, and a subscript found nowhere else gets a vector of ones (see
    the Einsum docstring).
    """
    terms = [output] + [s for j, s in enumerate(inputs) if j != k]
    helpers, target, sizes = [], "", dict(sizes)
    fresh = iter(c for c in _LETTERS if c not in sizes)
    for letter in inputs[k]:
        if letter in target:  # repeated: the gradient sits on the diagonal
            new = next(fresh)
            sizes[new] = sizes[letter]
            terms.append(letter + new)
            helpers.append(("eye", sizes[letter]))
            target += new
        else:
            target += letter
    for letter in dict.fromkeys(inputs[k]):
        if not any(letter in t for t in terms):  # summed inside operand k only
            terms.append(letter)
            helpers.append(("ones", sizes[letter]))
    return terms, target, helpers, sizes


class EinsumProduct(Einsum):
    """Several operands and no subscript summed: PyTorch's last step is an elementwise mul."""

    node_name = "MulBackward0"


class EinsumSum(Einsum):
    """One operand with subscripts summed away (trace 'ii->', 'ij->i'): PyTorch's last step is a sum."""

    node_name = "SumBackward1"


class EinsumPermute(Einsum):
    """One operand, nothing summed ('ij->ji', 'ii->i'): PyTorch returns a permuted (diagonal) view.

    Differs from PyTorch: edutorch returns a copy, not a view sharing the operand's storage.
    """

    node_name = "PermuteBackward0"


def _constant(array: np.ndarray, like):
    """An eye/ones helper operand in the gradient's dtype (a constant tensor in double backward)."""
    if isinstance(like, Tensor):
        return Tensor._make(array.astype(like.dtype.to_numpy()))
    return array.astype(like.dtype)


def _contract(inputs: list, output: str, sizes: dict, operands: list, dtype) -> np.ndarray:
    """np.einsum on explicit subscripts, size-1 dimensions first expanded to the common sizes."""
    expanded = []
    for subscripts, op in zip(inputs, operands):
        shape = tuple(sizes[c] for c in subscripts)
        expanded.append(op if op.shape == shape else np.broadcast_to(op, shape))
    # optimize=True lets NumPy order the contractions and use BLAS (tensordot) for two or more.
    out = np.einsum(",".join(inputs) + "->" + output, *expanded, optimize=len(expanded) > 1)
    out = np.asarray(out, dtype=dtype, order="C")  # contiguous (a transposed result is copied)
    # One operand may come back as a view of it ('ij->ji'); the output must own its storage.
    if any(np.may_share_memory(out, op) for op in operands):
        out = out.copy()
    return out


def _parse_einsum(equation: str, operands: list):
    """Check the equation against the operands; return explicit subscripts and sizes.

    Returns (inputs, output, sizes): one string of letters per operand with '...' replaced by fresh
    letters (right-aligned across operands, so ellipsis dimensions broadcast like NumPy shapes),
    the output letters (the implicit output, without '->', is '...' then the letters used exactly
    once, sorted), and the size of every letter after broadcasting size-1 dimensions.
    """
    arrow_at = equation.find("->")
    for i, c in enumerate(equation):
        if not (c in _LETTERS or c in "., " or (arrow_at >= 0 and i in (arrow_at, arrow_at + 1))):
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {i} in the equation string, subscripts "
                "must be in [a-zA-Z]")
    lhs, arrow, rhs = equation.replace(" ", "").partition("->")
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")

    def split_ellipsis(term: str, where: str):
        if term.count("...") > 1:
            raise RuntimeError(f"einsum(): found '.' for {where} for which an ellipsis was already found")
        letters = term.replace("...", "")
        if "." in letters:
            raise RuntimeError(f"einsum(): found '.' for {where} that is not part of any ellipsis")
        return letters, "..." in term

    parsed = [split_ellipsis(t, f"operand {i}") for i, t in enumerate(terms)]
    ell_ndim = 0
    for i, ((letters, has_ell), op) in enumerate(zip(parsed, operands)):
        if not has_ell and len(letters) != op.dim():
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(letters)}) does not match the "
                f"number of dimensions ({op.dim()}) for operand {i} and no ellipsis was given")
        if has_ell and len(letters) > op.dim():
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(letters)}) is more than the "
                f"number of dimensions ({op.dim()}) for operand {i}")
        if has_ell:
            ell_ndim = max(ell_ndim, op.dim() - len(letters))
    unused = [c for c in _LETTERS if c not in equation]
    if ell_ndim > len(unused):
        raise RuntimeError(f"einsum(): '...' covers {ell_ndim} dimensions but only {len(unused)} of the 52 "
                           "subscript letters are left to name them")
    ell_letters = "".join(unused[:ell_ndim])

    inputs, sizes = [], {}
    for i, ((letters, has_ell), op) in enumerate(zip(parsed, operands)):
        n_ell = op.dim() - len(letters) if has_ell else 0
        if has_ell:
            before, after = terms[i].split("...")
            letters = before + ell_letters[ell_ndim - n_ell:] + after
        own = {}
        for c, size in zip(letters, op.shape):
            if c in own and own[c] != size:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't match, "
                    f"{own[c]} != {size}")
            own[c] = size
            seen = sizes.get(c, 1)
            if size != seen and size != 1 and seen != 1:
                if c in ell_letters:
                    dim = ell_letters.index(c) - (ell_ndim - n_ell)
                    raise RuntimeError(
                        f"einsum(): dimension {dim} covered by ellipsis in operand {i} has size {size} "
                        f"which does not broadcast with previously seen ellipsis with size {seen} for "
                        "the respective dimension")
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {size} for operand {i} which does not broadcast "
                    f"with previously seen size {seen}")
            if seen == 1:  # a size-1 dimension broadcasts to the other operands' size
                sizes[c] = size
        inputs.append(letters)

    if not arrow:
        counts = "".join(inputs)
        output = ell_letters + "".join(sorted(c for c in set(counts) if counts.count(c) == 1
                                              and c not in ell_letters))
    else:
        letters, has_ell = split_ellipsis(rhs, "the output")
        for c in letters:
            if c not in sizes:
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any input operand")
            if letters.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
        output = rhs.replace("...", ell_letters) if has_ell else letters
    return inputs, output, sizes


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``.

    Each operand gets one letter per dimension; equal letters are multiplied together, letters
    absent from the output (after ``->``) are summed. '...' stands for the leading dimensions, which
    broadcast. Operands may be passed as arguments or as one list. (PyTorch's other calling form,
    ``einsum(op, [0, 1], op2, [1, 2])``, is not supported.)
    """
    if not isinstance(equation, str):
        raise TypeError(
            "einsum(): the first argument must be the equation string, e.g. einsum('ij,jk->ik', a, b) "
            "(the sublist format einsum(a, [0, 1], b, [1, 2]) is not supported in edutorch)")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at least one "
            "operand and its subscripts list")
    for i, op in enumerate(operands):
        if not isinstance(op, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(op).__name__}")
    inputs, output, sizes = _parse_einsum(equation, list(operands))

    summed = set("".join(inputs)) - set(output)
    dtypes = {op.dtype for op in operands}
    if len(operands) > 1 and summed:
        if len(dtypes) > 1:
            names = ", ".join(f"operand {i} is {_type_name(op)}" for i, op in enumerate(operands))
            raise RuntimeError(
                f"einsum(): expected all operands to have the same dtype (contractions do not promote "
                f"dtypes), but {names}")
        _check_not_bool("einsum", *operands)
        cls, dtype = Einsum, operands[0].dtype
    elif len(operands) > 1:
        cls, dtype = EinsumProduct, _dtype.result_type(*operands)  # a product: promotes like *
    elif summed:
        # A sum over an integer (or bool) tensor is int64, as torch.sum gives.
        cls, dtype = EinsumSum, operands[0].dtype if operands[0].dtype.is_floating_point else _dtype.int64
    else:
        cls, dtype = EinsumPermute, operands[0].dtype
    return cls.apply((inputs, output, sizes), *_cast_all(list(operands), dtype))
