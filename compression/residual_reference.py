"""Plain-numpy twins of :func:`compression.residual_bits.residual` and ``restore``.

Written from the definition, without the kernels' bit tricks: with ``mirror``, a
base value ``B`` stands for the prediction ``c = ceil(B / 2)`` and the sign
``-1`` if ``B`` is odd (else ``+1``); the residual is ``sign * (x - c)``.
"""

import numpy as np

__all__ = ["residual_reference", "restore_reference"]


def _prediction_and_sign(base, mirror: bool) -> tuple:
    base = np.asarray(base, dtype=np.int64)
    if not mirror:
        return base, np.ones_like(base)
    return (base + 1) // 2, np.where(base % 2 == 1, -1, 1)


def residual_reference(x, base, mirror: bool) -> np.ndarray:
    """int64 residuals of pixels ``x`` to ``base`` (same shapes, or broadcastable)."""
    prediction, sign = _prediction_and_sign(base, mirror)
    return sign * (np.asarray(x, dtype=np.int64) - prediction)


def restore_reference(d, base, mirror: bool) -> np.ndarray:
    """int64 pixels of residuals ``d`` and ``base``: the inverse of :func:`residual_reference`."""
    prediction, sign = _prediction_and_sign(base, mirror)
    return prediction + sign * np.asarray(d, dtype=np.int64)
