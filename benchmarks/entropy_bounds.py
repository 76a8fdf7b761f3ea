"""Entropy bounds printed by ``benchmarks/compression.py``: the per-pixel Gaussian limit,
and what a coder of independent pixels can reach at best with and without the pedestal."""

import numpy as np

import compression

__all__ = ["entropy_limit_bits", "empirical_entropy_bits", "print_bounds"]


def entropy_limit_bits(sigma: np.ndarray) -> float:
    """Mean over pixels of log2(sigma_i sqrt(2 pi e)), sigma floored at 0.1 ADU."""
    return float(np.mean(np.log2(np.maximum(sigma.astype(np.float64), 0.1) * np.sqrt(2 * np.pi * np.e))))


def empirical_entropy_bits(residuals: np.ndarray) -> float:
    """Zeroth-order entropy (bits per value) of an integer array."""
    _, counts = np.unique(residuals.ravel(), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def print_bounds(pedestal, frames, results):
    """What a coder of independent pixels can reach at best, with and without the pedestal."""
    frame = frames[0].astype(np.int64)
    base = np.clip(np.rint(pedestal.mean), 0, 65535).astype(np.int64)
    columns = compression.ColumnPairCodec().params["row_step"]
    column_base = np.partition(frames[0][::columns].T, frames[0][::columns].shape[0] // 2, axis=1)
    column_base = column_base[:, frames[0][::columns].shape[0] // 2].astype(np.int64)
    with_pedestal = empirical_entropy_bits(frame - base)
    residual = np.clip(frame - column_base[None, :], -64, 64)
    without = empirical_entropy_bits(residual)
    context = np.clip(np.abs(residual[:-1, 1:]) + np.abs(residual[1:, :-1]), 0, 15)
    joint = context * 1000 + residual[1:, 1:]
    with_context = empirical_entropy_bits(joint) - empirical_entropy_bits(context)
    blosc_bits = 8 * results["blosc2 zstd+shuffle c1"]["bytes"] / sum(f.size for f in frames)
    print()
    print(f"zeroth-order entropy of frame 0 - round(pedestal mean): {with_pedestal:.3f} bits/pixel")
    print(f"zeroth-order entropy of frame 0 - column medians: {without:.3f} bits/pixel, so a coder of "
          f"independent pixels without a pedestal reaches at most {blosc_bits / without:.3f} x the "
          f"blosc2 zstd+shuffle c1 ratio")
    print(f"  the same given the up+left neighbours' magnitude (context 0-15): {with_context:.4f} "
          f"bits/pixel: neighbours carry no information about a pixel's residual")
