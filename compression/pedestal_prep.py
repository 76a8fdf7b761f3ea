"""A pedestal as the codecs use it: checked once, fingerprinted once, kept for the next frame.

Any object with float arrays ``.mean`` and ``.sigma`` of the frame's shape is a
pedestal (recon's ``Pedestal`` is one; compression never imports recon). Hashing
two 21 MB maps costs tens of milliseconds, so the prepared form is cached per
pedestal *object*: treat a pedestal as immutable once it encodes frames. A
pedestal changed in place is still never silent: blobs carry the pixel checksum.
"""

import threading
from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from .checksum import pedestal_fingerprint
from .errors import CodecError, PedestalMismatchError

__all__ = ["PreparedPedestal", "prepare_pedestal", "check_pedestal_matches", "cached_per_pedestal",
           "mirrored_base", "shifted_base"]

#: The pedestal in force and the one before it (frames in flight at a switch). Each entry
#: keeps its pedestal object alive, with every map derived from it (about 100 MB for a
#: LIME camera), so a longer memory grows the edge by that much per tracked pedestal.
_CACHE_SIZE = 2
_cache = OrderedDict()
_lock = threading.Lock()
#: What the codecs derive from the last few pedestals: the mirrored base (10.6 MB for a LIME
#: frame), class maps (2.6 MB) and edges, the median sigma, the noisy pixels (~9 bytes per
#: noisy pixel) and their split by row band (~8 bytes per noisy pixel): up to 6 entries per
#: pedestal, so 12 keep the pedestal in force and the one before it.
_DERIVED_SIZE = 12
_derived = OrderedDict()
#: Bases shifted by a frame's dark offset (10.6 MB each for a LIME frame), kept apart so
#: they never push out the maps above: while the offset moves from one value to the next,
#: frames flicker between two; two workers may straddle a pedestal switch.
_SHIFTED_SIZE = 4
_shifted = OrderedDict()


class PreparedPedestal(NamedTuple):
    """A checked pedestal plus what the codecs derive from it.

    Attributes
    ----------
    id : str
        ``pedestal_fingerprint(mean, sigma)``: the name blobs carry.
    mean, sigma : ndarray of float32, shape (rows, cols)
    base : ndarray of uint16, shape (rows, cols)
        ``mean`` rounded and clipped to [0, 65535]: the prediction of each pixel.
    """

    id: str
    mean: np.ndarray
    sigma: np.ndarray
    base: np.ndarray


def prepare_pedestal(pedestal, shape=None) -> PreparedPedestal:
    """Check ``pedestal`` (and that it fits ``shape``) and return its prepared form (cached)."""
    if isinstance(pedestal, PreparedPedestal):
        prepared = pedestal
    else:
        prepared = _cached(pedestal)
    if shape is not None and prepared.mean.shape != tuple(shape):
        raise PedestalMismatchError(f"pedestal shape {prepared.mean.shape} does not match the frame "
                                    f"shape {tuple(shape)}")
    return prepared


def check_pedestal_matches(header: dict, pedestal) -> PreparedPedestal | None:
    """The prepared pedestal a blob needs, or :class:`PedestalMismatchError` naming both ids."""
    wanted = header.get("pedestal_id")
    if wanted is None:
        return None
    if pedestal is None:
        raise PedestalMismatchError(f"blob was encoded with pedestal {wanted}; decode it with that "
                                    f"pedestal, got none")
    prepared = prepare_pedestal(pedestal, header["shape"])
    if prepared.id != wanted:
        raise PedestalMismatchError(f"blob was encoded with pedestal {wanted}, got pedestal {prepared.id}")
    return prepared


def _cached(pedestal) -> PreparedPedestal:
    entry = _recall(_cache, id(pedestal))
    if entry is not None and _same_source(entry[0], pedestal):
        return entry[1]
    prepared = _prepare(pedestal)
    _remember(_cache, _CACHE_SIZE, id(pedestal), ((pedestal, pedestal.mean, pedestal.sigma), prepared))
    return prepared


def _recall(cache: OrderedDict, key):
    """``cache[key]`` (now the most recent entry), or None."""
    with _lock:
        value = cache.get(key)
        if value is not None:
            cache.move_to_end(key)
        return value


def _remember(cache: OrderedDict, size: int, key, value) -> None:
    """Store ``value`` as the most recent entry; drop the oldest beyond ``size``."""
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)


def _same_source(source: tuple, pedestal) -> bool:
    owner, mean, sigma = source
    return owner is pedestal and getattr(pedestal, "mean", None) is mean \
        and getattr(pedestal, "sigma", None) is sigma


def _prepare(pedestal) -> PreparedPedestal:
    mean = _float_map(pedestal, "mean")
    sigma = _float_map(pedestal, "sigma")
    if mean.shape != sigma.shape:
        raise CodecError(f"pedestal.mean shape {mean.shape} differs from pedestal.sigma shape {sigma.shape}")
    if not np.isfinite(mean).all():
        raise CodecError("pedestal.mean must be finite everywhere, got NaN or inf")
    if not (np.isfinite(sigma).all() and sigma.min() >= 0):
        raise CodecError(f"pedestal.sigma must be finite and >= 0, got min {np.nanmin(sigma)!r}")
    base = np.clip(np.rint(mean), 0, 65535).astype(np.uint16)
    return PreparedPedestal(pedestal_fingerprint(mean, sigma), mean, sigma, base)


def _float_map(pedestal, name: str) -> np.ndarray:
    if not hasattr(pedestal, name):
        raise CodecError(f"pedestal must have float32 arrays .mean and .sigma, "
                         f"{type(pedestal).__name__} has no .{name}")
    array = np.asarray(getattr(pedestal, name))
    if array.dtype.kind != "f" or array.ndim != 2 or min(array.shape) < 1:
        raise CodecError(f"pedestal.{name} must be a 2-D float array, got {array.dtype} {array.shape}")
    return np.ascontiguousarray(array, dtype=np.float32)


def mirrored_base(prepared: PreparedPedestal) -> np.ndarray:
    """uint16 base of the ``mirror`` mode: ``2 round(mean) - [mean > round(mean)]``, clipped.

    Rounding the mean leaves each pixel's noise centred up to half an ADU off zero, to
    either side: one table over all pixels pays for that spread. In the mirror mode a
    pixel whose mean lies above its rounded value codes its residual negated, so every
    pixel leans the same way (measured: 0.3-0.7 % smaller blobs). The flag rides in the
    base's parity, so the kernels read no more memory (see
    :func:`~compression.residual_bits.residual`). Cached per pedestal.
    """
    def compute():
        rounded = np.rint(prepared.mean)
        return np.clip(2 * rounded - (prepared.mean > rounded), 0, 65535).astype(np.uint16)
    return cached_per_pedestal(("mirrored base", prepared.id), compute)


def shifted_base(prepared: PreparedPedestal, offset: int, mirror: bool = False) -> np.ndarray:
    """The base (:attr:`PreparedPedestal.base`, or the mirrored base) predicting ``offset``
    ADU more, clipped to uint16. A mirrored base holds twice the prediction, so it moves
    by ``2 * offset``, which keeps each pixel's sign bit. Kept for the last few offsets."""
    key = (prepared.id, mirror, int(offset))
    value = _recall(_shifted, key)
    if value is None:
        base = mirrored_base(prepared) if mirror else prepared.base
        step = 2 if mirror else 1
        value = np.clip(base.astype(np.int32) + step * int(offset), 0, 65535).astype(np.uint16)
        _remember(_shifted, _SHIFTED_SIZE, key, value)
    return value


def cached_per_pedestal(key, compute):
    """``compute()``, kept for the last few keys (a key starts with what it is and the pedestal id)."""
    value = _recall(_derived, key)
    if value is None:
        value = compute()
        _remember(_derived, _DERIVED_SIZE, key, value)
    return value
