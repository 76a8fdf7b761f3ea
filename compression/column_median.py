"""Column medians of sampled rows: the prediction of the pedestal-free codec.

:func:`column_base` is a two-pass radix select in numba: the high bytes of each
column's sampled pixels are counted first (rows in memory order, so the frame is read
sequentially), which picks the 256-value bucket holding the median; a second pass
counts the low bytes inside that bucket. No sort, no selection, no transposed copy.
:func:`column_base_reference` is its plain numpy twin (``np.partition``); the tests
require both to agree exactly.
"""

import numba
import numpy as np

__all__ = ["column_base", "column_base_reference"]


def column_base(frame: np.ndarray, row_step: int) -> np.ndarray:
    """Upper median of each column over rows ``0, row_step, 2*row_step, ...``.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols), C-contiguous
    row_step : int >= 1

    Returns
    -------
    ndarray of uint16, shape (1, cols)
    """
    return _upper_medians(frame, row_step)


def column_base_reference(frame: np.ndarray, row_step: int) -> np.ndarray:
    """Same output as :func:`column_base`, with ``np.partition``."""
    sample = np.ascontiguousarray(frame[::row_step].T)
    middle = sample.shape[1] // 2
    return np.partition(sample, middle, axis=1)[:, middle].reshape(1, -1).astype(np.uint16)


@numba.njit(cache=True, nogil=True)
def _upper_medians(frame, row_step):
    rows, cols = frame.shape
    rank = ((rows + row_step - 1) // row_step) // 2  # 0-based rank of the upper median
    high = np.zeros((256, cols), np.int32)  # bin-major: a row of pixels increments a row of bins
    for r in range(0, rows, row_step):
        for c in range(cols):
            high[frame[r, c] >> 8, c] += 1
    bucket = np.zeros(cols, np.int32)
    below = np.zeros(cols, np.int32)
    _find_rank(high, rank, bucket, below)
    low = np.zeros((256, cols), np.int32)
    for r in range(0, rows, row_step):
        for c in range(cols):
            value = frame[r, c]
            if value >> 8 == bucket[c]:
                low[value & 255, c] += 1
    low_bin = np.zeros(cols, np.int32)
    _find_rank(low, rank, low_bin, below)
    out = np.empty((1, cols), np.uint16)
    for c in range(cols):
        out[0, c] = (bucket[c] << 8) | low_bin[c]
    return out


@numba.njit(cache=True, nogil=True)
def _find_rank(counts, rank, found_bin, below):
    """Per column c: the bin of counts[:, c] that holds 0-based ``rank`` once ``below[c]``
    values lie below bin 0, into ``found_bin``; ``below`` becomes the count below that bin."""
    bins, cols = counts.shape
    seen = below.copy()
    done = np.zeros(cols, np.bool_)
    left = cols
    for b in range(bins):
        for c in range(cols):
            if not done[c] and seen[c] + counts[b, c] > rank:
                found_bin[c] = b
                below[c] = seen[c]
                done[c] = True
                left -= 1
            seen[c] += counts[b, c]
        if left == 0:
            return
