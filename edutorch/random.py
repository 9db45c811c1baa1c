"""Random numbers: ``manual_seed``, ``Generator`` and the recipes that turn random bits into samples.

edutorch makes the same random numbers as PyTorch on the CPU: after ``manual_seed(0)``,
``rand(3)`` is ``[0.4963, 0.7682, 0.0885]`` in both. Three layers give that:

1. **The engine** (``_mt19937.py``): a Mersenne Twister that hands out 32-bit words. ``random32(n)``
   is ``n`` words; ``random64(n)`` joins two words per number (the first is the high half).
2. **The generator** (``Generator`` below): an engine plus one cached normal sample (Box–Muller makes
   normals in pairs; the spare one waits for the next call). ``get_state`` packs both into PyTorch's
   5056-byte layout, so states move freely between edutorch and torch.
3. **The recipes** (the ``_sample_*`` functions below): how each distribution turns words into
   values, in the order PyTorch's CPU kernels draw them. The order is the whole secret: every value
   consumes a fixed number of words, so element ``i`` of a sample is a function of word ``i`` (or of
   words ``2i`` and ``2i+1``), and the whole sample is computed with array operations.

Floats from bits: a float32 in [0, 1) is ``(word & (2**24 - 1)) / 2**24`` (24 bits: float32's
precision) and a float64 one is ``(word64 & (2**53 - 1)) / 2**53``. So float32 and float64 samples of
the same seed differ, and a float64 sample uses twice as many words.
"""
from __future__ import annotations

import math
import os

import numpy as np

from ._device import check_device
from ._mt19937 import MT19937

# The seed of a new Generator object, as in PyTorch. The global default generator is seeded from the
# operating system at import (PyTorch 2.x does the same): call manual_seed for repeatable results.
_DEFAULT_SEED = 67280421310721

# PyTorch's ``CPUGeneratorImplState`` (a C struct, copied byte for byte into the state tensor): the
# legacy THGenerator fields (the 624 words are stored widened to 64 bits) and the float normal cache.
_STATE_LAYOUT = np.dtype({
    "names": ["seed", "left", "seeded", "next", "state", "normal_x", "normal_y", "normal_rho",
              "normal_is_valid", "next_float_normal", "next_float_normal_is_valid"],
    "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", 624), "<f8", "<f8", "<f8", "<i4", "<f4", "u1"],
    "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
    "itemsize": 5056,
})


class Generator:
    """A source of random numbers: ``g = torch.Generator().manual_seed(0)``; pass ``generator=g``."""

    def __init__(self, device="cpu"):
        check_device(device)
        self.device = device
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> "Generator":
        """Restart the stream: the engine from ``seed`` (negative seeds wrap to 64 bits), no cached normal."""
        self._engine = MT19937(int(seed) & (2**64 - 1))
        self._next_double_normal = None  # the spare Box–Muller sample (float64 path)
        self._next_float_normal = None   # PyTorch keeps a float one too; its CPU kernels never fill it
        return self

    def seed(self) -> int:
        """Re-seed from the operating system's entropy (53 bits, as PyTorch) and return the new seed."""
        new = int.from_bytes(os.urandom(8), "little") & (2**53 - 1)
        self.manual_seed(new)
        return new

    def initial_seed(self) -> int:
        return self._engine.seed

    # -------------------------------------------------------------------- raw bits
    def random32(self, n: int) -> np.ndarray:
        return self._engine.random32(n)

    def random64(self, n: int) -> np.ndarray:
        return self._engine.random64(n)

    # -------------------------------------------------------------------- state
    def get_state(self):
        """The generator's state as a uint8 tensor of 5056 bytes, in PyTorch's layout."""
        from ._tensor import Tensor

        rec = np.zeros((), dtype=_STATE_LAYOUT)
        rec["seed"], rec["left"], rec["seeded"] = self._engine.seed, self._engine.left, 1
        rec["next"], rec["state"] = self._engine.next, self._engine.state
        if self._next_double_normal is not None:
            rec["normal_y"], rec["normal_is_valid"] = self._next_double_normal, 1
        if self._next_float_normal is not None:
            rec["next_float_normal"], rec["next_float_normal_is_valid"] = self._next_float_normal, 1
        return Tensor._make(np.frombuffer(rec.tobytes(), dtype=np.uint8).copy())

    def set_state(self, new_state) -> "Generator":
        raw = np.ascontiguousarray(np.asarray(new_state.numpy()), dtype=np.uint8)
        if raw.size != _STATE_LAYOUT.itemsize:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_LAYOUT.itemsize} but found "
                               f"the input RNG state size to be {raw.size}")
        rec = np.frombuffer(raw.tobytes(), dtype=_STATE_LAYOUT)[0]
        left, nxt = int(rec["left"]), int(rec["next"]) & 0xFFFFFFFF
        if not (rec["seeded"] and 0 < left <= 624 and nxt <= 624):
            raise RuntimeError("Invalid mt19937 state")
        engine = MT19937.__new__(MT19937)
        engine.seed, engine.left, engine.next = int(rec["seed"]), left, nxt
        engine.state = rec["state"].astype(np.uint32)  # stored widened to 64 bits; the engine keeps 32
        self._engine = engine
        self._next_double_normal = float(rec["normal_y"]) if rec["normal_is_valid"] else None
        self._next_float_normal = (np.float32(rec["next_float_normal"]) if rec["next_float_normal_is_valid"]
                                   else None)
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


def _gen(generator: Generator | None) -> Generator:
    """``generator`` or, when it is None, the global default one."""
    return default_generator if generator is None else generator


# ================================================================================ recipes
# Each recipe returns a flat array of ``n`` values in the order PyTorch's CPU kernel fills memory.

def _uniform01(gen: Generator, n: int, dtype) -> np.ndarray:
    """``n`` uniforms in [0, 1): float32 from 24 bits of one word, float64 from 53 bits of two words."""
    if np.dtype(dtype) == np.float64:
        return (gen.random64(n) & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53
    return (gen.random32(n) & np.uint32(2**24 - 1)).astype(np.float32) * np.float32(2.0**-24)


def _sample_uniform(gen: Generator, n: int, dtype, low: float, high: float) -> np.ndarray:
    """``uniform_(low, high)``: ``u * (high - low) + low``, computed in float64 for float64 samples and in
    float32 otherwise (float16 / bfloat16 too, then rounded, as PyTorch). A value that rounds up to
    ``high`` becomes ``low``, so the interval stays half-open."""
    work = np.float64 if np.dtype(dtype) == np.float64 else np.float32
    lo, hi = work(low), work(high)
    u = _uniform01(gen, n, work)
    if lo == 0 and hi == 1:
        value = u  # rand(): u * 1 + 0 is u exactly
    else:  # u * (hi - lo) + lo with one rounding: the compiled kernel fuses it into an fma
        value = _fma32(u, hi - lo, lo) if work == np.float32 else _fma64(u, hi - lo, lo)
    value = value.astype(dtype, copy=False)
    value[value == np.asarray(high, dtype=dtype)] = np.asarray(low, dtype=dtype)
    return value


def _box_muller_blocks(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Box–Muller on blocks of 16 uniforms: within a block, ``u[j]`` (j < 8) gives the radius and
    ``u[j + 8]`` the angle, and the pair of normals goes back to places j and j + 8::

        r = sqrt(-2 log(1 - u[j])),  theta = 2 pi u[j + 8]
        out[j] = r cos(theta) * std + mean,  out[j + 8] = r sin(theta) * std + mean

    float32 blocks use the same float32 log / sincos approximations as PyTorch's vectorised kernel
    (``_cephes_log32``, ``_cephes_sincos32``), so they agree bit for bit. float64 blocks use NumPy's
    log / cos / sin, which can differ from the C library's (that PyTorch calls) in the last bit.
    """
    blocks = u.reshape(-1, 2, 8)
    if u.dtype == np.float32:
        radius = np.sqrt(np.float32(-2) * _cephes_log32(np.float32(1) - blocks[:, 0]))
        sin, cos = _cephes_sincos32(np.float32(2 * np.pi) * blocks[:, 1])
    else:
        radius = np.sqrt(-2.0 * np.log(1.0 - blocks[:, 0]))
        theta = 2.0 * np.pi * blocks[:, 1]
        cos, sin = np.cos(theta), np.sin(theta)
    pairs = np.stack([radius * cos, radius * sin], axis=1)
    return _fused_scale_shift(pairs, std, mean, u.dtype).reshape(-1)


def _fma32(a, b, c) -> np.ndarray:
    """``a * b + c`` in float32 with a single rounding, as the fused multiply-add instruction computes
    it: the product of two float32 numbers is exact in float64, so compute there and round once."""
    wide = np.multiply(a, b, dtype=np.float64)
    np.add(wide, c, out=wide, dtype=np.float64)
    return wide.astype(np.float32)


def _cephes_log32(x: np.ndarray) -> np.ndarray:
    """Natural log of positive float32 numbers, the Cephes way (PyTorch's ``log256_ps``).

    Split ``x = m * 2**e`` with ``m`` in [sqrt(1/2), sqrt(2)) (read the exponent bits, force the
    exponent of the mantissa to 2**-1, and move one factor 2 across when m < sqrt(1/2)); then
    ``log x = e log 2 + log(1 + t)``, t = m - 1, with ``log(1 + t) = t - t^2/2 + t^3 P(t)`` for a
    degree-8 polynomial P, and log 2 split into 0.693359375 - 2.12194440e-4 to keep the bits of
    ``e log 2``. Each step rounds to float32 where the kernel does (``_fma32`` where it fuses).
    """
    f32 = np.float32
    bits = x.view(np.uint32)
    e = ((bits >> np.uint32(23)).astype(np.int32) - 126).astype(f32)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(f32)  # mantissa in [0.5, 1)
    small = m < f32(0.707106781186547524)
    t = (m - f32(1)) + np.where(small, m, f32(0))  # 2m - 1 when m is small, else m - 1
    e = e - small.astype(f32)
    z = t * t
    y = np.full_like(t, f32(7.0376836292e-2))
    for coef in (-1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1):
        y = _fma32(y, t, f32(coef))
    y = y * t
    y = _fma32(y, z, e * f32(-2.12194440e-4))
    y = y - z * f32(0.5)
    return _fma32(e, f32(0.693359375), t + y)


def _cephes_sincos32(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sin and cos of non-negative float32 angles, the Cephes way (PyTorch's ``sincos256_ps``).

    Reduce the angle to [-pi/4, pi/4]: ``j`` = x / (pi/4) rounded up to even, ``r = x - j pi/4`` (pi/4
    in three pieces, so the subtraction loses no bits). On that interval a short polynomial gives
    sin r and another cos r; ``j mod 8`` says which one is sin x or cos x and with which sign.
    """
    f32 = np.float32
    j = (x * f32(1.27323954473516)).astype(np.int32)  # 4 / pi
    j = (j + 1) & ~1
    y = j.astype(f32)
    r = _fma32(y, f32(-0.78515625), x)
    r = _fma32(y, f32(-2.4187564849853515625e-4), r)
    r = _fma32(y, f32(-3.77489497744594108e-8), r)
    z = r * r
    cos_r = _fma32(_fma32(f32(2.443315711809948e-5), z, f32(-1.388731625493765e-3)), z, f32(4.166664568298827e-2))
    cos_r = _fma32(cos_r * z, z, -(z * f32(0.5))) + f32(1)
    sin_r = _fma32(_fma32(f32(-1.9515295891e-4), z, f32(8.3321608736e-3)), z, f32(-1.6666654611e-1))
    sin_r = _fma32(sin_r * z, r, r)
    swap = (j & 2) != 0  # odd quadrant pair: sin and cos trade places
    sin = np.where(swap, cos_r, sin_r)
    cos = np.where(swap, sin_r, cos_r)
    sin = np.where((j & 4) != 0, -sin, sin)
    cos = np.where(((j - 2) & 4) == 0, -cos, cos)
    return sin, cos


def _fused_scale_shift(x: np.ndarray, std: float, mean: float, dtype) -> np.ndarray:
    """``x * std + mean`` rounded once (PyTorch's kernels use a fused multiply-add), in ``dtype``."""
    if std == 1 and mean == 0:
        return x.astype(dtype, copy=False)
    if np.dtype(dtype) == np.float32:
        return _fma32(x, np.float32(std), np.float32(mean))
    return _fma64(x, std, mean)


def _fma64(a, b, c) -> np.ndarray:
    """``a * b + c`` in float64 with one rounding (what the fma instruction computes), from exact pieces:

    * the product: ``a * b = p + e`` exactly, with ``p`` the rounded product and ``e`` its error
      (Dekker: split each factor into two 26-bit halves, whose partial products are exact);
    * the sum: ``p + c = s + t`` exactly (Knuth's two-sum);
    * so ``a * b + c = s + (t + e)``, and rounding that sum rounds the exact result (all but never
      off: only a tie between two floats in the last step could differ).

    (``math.fma`` does this for one number from Python 3.13; this is the array version.)
    """
    a, b, c = np.asarray(a, np.float64), np.float64(b), np.asarray(c, np.float64)
    # ``a`` is a uniform or a standard normal here; a huge ``b`` or ``c`` would overflow the splitting,
    # so scale them down by a power of two (exact) and the result back up
    k = max(0, math.frexp(max(abs(float(b)), float(np.max(np.abs(c), initial=0.0))))[1] - 900)
    if k:
        return _fma64(a, b * 2.0**-k, c * 2.0**-k) * 2.0**k

    def halves(x):
        big = 134217729.0 * x  # 2**27 + 1
        high = big - (big - x)
        return high, x - high

    p = a * b
    (ah, al), (bh, bl) = halves(a), halves(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    back = s - p
    t = (p - (s - back)) + (c - back)
    return s + (t + e)


def _sample_normal(gen: Generator, n: int, dtype, mean: float = 0.0, std: float = 1.0,
                   contiguous: bool = True) -> np.ndarray:
    """``normal_(mean, std)``. PyTorch's CPU kernel takes one of two paths:

    * **16 or more values, contiguous**: draw all ``n`` uniforms (in the sample's dtype), run
      Box–Muller over each block of 16 (``_box_muller_blocks``); if ``n`` is not a multiple of 16,
      draw 16 fresh uniforms and recompute the *last* 16 values from them. (float16 / bfloat16 work
      in a float32 buffer of 16, so they draw the uniforms of whole blocks only, then the last 16.)
    * **otherwise**: one value at a time from a float64 Box–Muller (``_sample_normal_serial``),
      which makes two normals per pair of uniforms and caches the spare in the generator.
    """
    if n >= 16 and contiguous:
        work = np.float64 if np.dtype(dtype) == np.float64 else np.float32
        whole = n - n % 16
        # float16 / bfloat16 go block by block through a float32 buffer: no uniforms for the partial block
        u = _uniform01(gen, n if np.dtype(dtype) == work else whole, work)
        out = np.empty(n, dtype=work)
        out[:whole] = _box_muller_blocks(u[:whole], mean, std)
        if n % 16:
            out[n - 16:] = _box_muller_blocks(_uniform01(gen, 16, work), mean, std)
        return out.astype(dtype, copy=False)
    return _sample_normal_serial(gen, n, mean, std).astype(dtype)


def _sample_normal_serial(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """``n`` float64 normals from PyTorch's scalar ``normal_distribution<double>``.

    Each call first uses the cached spare, if there is one. Otherwise it draws u1 then u2 (53 bits
    each) and makes ``r = sqrt(-2 log(1 - u2))``, ``theta = 2 pi u1``; it returns ``r cos(theta)`` and
    caches ``r sin(theta)``. So the values are: [spare], cos_0, sin_0, cos_1, sin_1, ... and a final
    unused sine stays cached for the next call. Computed for all pairs at once.
    """
    values = []
    if n and gen._next_double_normal is not None:
        values.append(np.array([gen._next_double_normal]))
        gen._next_double_normal = None
        n -= 1
    pairs = (n + 1) // 2
    if pairs:
        u = _uniform01(gen, 2 * pairs, np.float64).reshape(pairs, 2)
        radius = np.sqrt(-2.0 * _libm(math.log1p, -u[:, 1]))
        theta = 2.0 * np.pi * u[:, 0]
        both = np.stack([radius * _libm(math.cos, theta), radius * _libm(math.sin, theta)], axis=1).reshape(-1)
        if n % 2:
            gen._next_double_normal = float(both[-1])
        values.append(both[:n])
    raw = np.concatenate(values) if values else np.zeros(0)
    return _fused_scale_shift(raw, std, mean, np.float64)


def _libm(fn, x: np.ndarray) -> np.ndarray:
    """``fn`` (from ``math``) on every element: the C library's function, as PyTorch's one-value-at-a-time
    kernels call it. NumPy's own float64 log / sin / cos may differ in the last bit, which would show
    in the numbers (and in the cached normal inside ``get_rng_state``)."""
    return np.fromiter(map(fn, x.tolist()), dtype=np.float64, count=x.size)


def _sample_random_from_to(gen: Generator, n: int, low: int, high: int) -> np.ndarray:
    """``random_(low, high)`` / ``randint``: ``word % (high - low) + low`` (int64). A range of 2**28 or
    more uses 64-bit words (fewer repeats from the modulo), a smaller one 32-bit words."""
    span = high - low
    words = gen.random64(n) if span >= 2**28 else gen.random32(n).astype(np.uint64)
    return (words % np.uint64(span)).astype(np.int64) + np.int64(low)


def _sample_random_full(gen: Generator, n: int, dtype) -> np.ndarray:
    """``random_()`` with no bounds: int64 / float64 use 64-bit words, other types 32-bit words; the value
    is ``word % (max + 1)`` (``max`` = the type's largest integer, ``2**digits`` for floats; bool: word & 1)."""
    dt = np.dtype(dtype)
    wide = dt in (np.int64, np.float64)
    words = gen.random64(n) if wide else gen.random32(n).astype(np.uint64)
    if dt == np.bool_:
        return (words & np.uint64(1)).astype(np.bool_)
    if dt.kind == "f" or dt.name == "bfloat16":
        digits = {2: 11, 4: 24, 8: 53}[dt.itemsize] if dt.name != "bfloat16" else 8
        return (words % np.uint64(2**digits + 1)).astype(dt)
    return (words % np.uint64(int(np.iinfo(dt).max) + 1)).astype(dt)


def _sample_randperm(gen: Generator, n: int) -> np.ndarray:
    """``randperm(n)``: PyTorch's Fisher–Yates shuffle of 0..n-1. Step ``i`` swaps place ``i`` with place
    ``i + word_i % (n - i)``. The n - 1 words come in one draw; the swaps depend on each other, so they
    run as a (short) loop over a Python list."""
    perm = list(range(n))
    if n > 1:
        words = gen.random32(n - 1) if n < (2**32 - 1) // 20 else gen.random64(n - 1)
        steps = np.arange(n - 1, dtype=np.int64)
        targets = (steps + (words.astype(np.uint64) % (n - steps).astype(np.uint64)).astype(np.int64)).tolist()
        for i, j in enumerate(targets):
            perm[i], perm[j] = perm[j], perm[i]
    return np.array(perm, dtype=np.int64)


def _sample_bernoulli(gen: Generator, p: np.ndarray) -> np.ndarray:
    """``bernoulli(p)`` for a tensor of probabilities: ``u < p`` with one uniform per element, float32
    uniforms (24 bits) unless ``p`` is float64 (53 bits). Returns a bool array shaped like ``p``."""
    work = np.float64 if p.dtype == np.float64 else np.float32
    u = _uniform01(gen, p.size, work).reshape(p.shape)
    return u < p.astype(work, copy=False)


def _sample_bernoulli_scalar(gen: Generator, n: int, p: float) -> np.ndarray:
    """``bernoulli_(p)`` for a number ``p`` (dropout's mask): ``u < p`` with float64 uniforms.

    This is PyTorch's portable kernel, the one its CPU build runs on AMD and ARM processors. On Intel
    processors PyTorch's MKL build hands this case to MKL's own generator (an MCG31 stream seeded with
    one 32-bit word), so there the masks differ from these.
    """
    return _uniform01(gen, n, np.float64) < p


def _sample_exponential(gen: Generator, n: int, lambd: float) -> np.ndarray:
    """``exponential_(lambd)``: ``-log(1 - u) / lambd`` with float64 uniforms (computed as log1p(-u))."""
    return -1.0 / lambd * _libm(math.log1p, -_uniform01(gen, n, np.float64))


def _sample_geometric(gen: Generator, n: int, p: float) -> np.ndarray:
    """``geometric_(p)``: the number of trials to the first success, ``ceil(log(u) / log(1 - p))``."""
    with np.errstate(divide="ignore"):
        return np.ceil(_libm(_log_or_minus_inf, _uniform01(gen, n, np.float64)) / math.log1p(-p))


def _sample_cauchy(gen: Generator, n: int, median: float, sigma: float) -> np.ndarray:
    """``cauchy_(median, sigma)``: the inverse CDF, ``median + sigma * tan(pi (u - 1/2))``."""
    return median + sigma * _libm(math.tan, np.pi * (_uniform01(gen, n, np.float64) - 0.5))


def _sample_log_normal(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """``log_normal_(mean, std)``: ``exp`` of the scalar (cached) normal path."""
    return _libm(_exp_or_inf, _sample_normal_serial(gen, n, mean, std))


def _exp_or_inf(x: float) -> float:
    return math.exp(x) if x < 709.8 else math.inf


def _log_or_minus_inf(x: float) -> float:
    return math.log(x) if x > 0 else -math.inf
