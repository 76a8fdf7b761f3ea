"""What ``encode_frame`` asks of a frame before coding it against a pedestal.

One histogram of the residuals ``frame - round(mean)`` of sampled rows answers two
questions:

* **the frame's dark offset.** The dark level of an sCMOS camera follows the sensor
  temperature, so frames taken long after the pedestal run sit a few ADU above or
  below its mean and all residuals lean one way. At 4 ADU a quarter of them overflow
  the pair coders' nibble alphabet (encoding a LIME frame took 11.6 ms instead of 7.2);
  at 6 ADU the frame went to the slower planes codec (measured with
  ``benchmarks/compression_extremes.py``). :meth:`ResidualSurvey.offset` is the median
  residual (robust to the positive signal on top); :func:`~compression.pedestal_prep.shifted_base`
  moves the prediction by it, so the coders see centred residuals again.
* **which coder the frame wants:** :meth:`ResidualSurvey.clipped_share`, the share of
  residuals that would overflow the pair coders' alphabet around that offset.

:func:`survey_residuals_reference` is the numpy twin of the numba histogram.
"""

import numba
import numpy as np

from .errors import CodecError

__all__ = ["ResidualSurvey", "survey_residuals", "survey_residuals_reference", "check_dark_offset",
           "dark_offset_field", "read_dark_offset", "SURVEY_REACH"]

#: Residuals are histogrammed in [-SURVEY_REACH, SURVEY_REACH]; beyond, they count in one
#: bin at either edge.
SURVEY_REACH = 255


class ResidualSurvey:
    """Counts of sampled residuals: ``counts[SURVEY_REACH + 1 + d]`` residuals equal to ``d``.

    ``counts[0]`` and ``counts[-1]`` hold every residual below / above the reach.
    """

    def __init__(self, counts: np.ndarray):
        self.counts = counts

    def offset(self) -> int:
        """Lower median residual, in [-SURVEY_REACH - 1, SURVEY_REACH + 1] (the edges mean beyond)."""
        rank = (int(self.counts.sum()) - 1) // 2
        return int(np.searchsorted(np.cumsum(self.counts), rank, side="right")) - SURVEY_REACH - 1

    def clipped_share(self, reach: int, offset: int = 0) -> float:
        """Share of residuals ``d`` with ``|d - offset| > reach``; those beyond the survey's
        reach always count."""
        low = max(offset - reach + SURVEY_REACH + 1, 1)
        high = min(offset + reach + SURVEY_REACH + 1, self.counts.size - 2)
        within = int(self.counts[low:high + 1].sum()) if low <= high else 0
        return 1.0 - within / int(self.counts.sum())


def survey_residuals(frame: np.ndarray, base: np.ndarray, row_step: int) -> ResidualSurvey:
    """Histogram of ``frame - base`` over rows ``0, row_step, ...``.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols), C-contiguous
    base : ndarray of uint16, shape (rows, cols), C-contiguous
        The rounded pedestal mean.
    row_step : int >= 1
    """
    return ResidualSurvey(_histogram(frame, base, row_step, SURVEY_REACH))


def survey_residuals_reference(frame: np.ndarray, base: np.ndarray, row_step: int) -> ResidualSurvey:
    """numpy twin of :func:`survey_residuals`."""
    residuals = frame[::row_step].astype(np.int64) - base[::row_step].astype(np.int64)
    clamped = np.clip(residuals, -SURVEY_REACH - 1, SURVEY_REACH + 1).reshape(-1)
    return ResidualSurvey(np.bincount(clamped + SURVEY_REACH + 1, minlength=2 * SURVEY_REACH + 3))


def check_dark_offset(value, allowed: bool = True) -> int:
    """A frame's dark offset: an int in [-SURVEY_REACH - 1, SURVEY_REACH + 1], and 0 unless
    ``allowed`` (the codec's ``dark_offsets``); CodecError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or not -SURVEY_REACH - 1 <= value <= SURVEY_REACH + 1:
        raise CodecError(f"dark_offset must be an int in [{-SURVEY_REACH - 1}, {SURVEY_REACH + 1}], "
                         f"got {value!r}")
    if value and not allowed:
        raise CodecError(f"dark_offset={value} needs a codec with dark_offsets=True")
    return int(value)


def dark_offset_field(dark_offset: int, recorded: bool) -> dict:
    """The header entry of a codec whose ``dark_offsets`` is ``recorded``: ``{"dark_offset": d}`` or none."""
    return {"dark_offset": dark_offset} if recorded else {}


def read_dark_offset(header: dict, recorded: bool) -> int:
    """The checked ``dark_offset`` of a blob's header, or 0 for a codec that records none."""
    return check_dark_offset(header.get("dark_offset")) if recorded else 0


@numba.njit(cache=True, nogil=True)
def _histogram(frame, base, row_step, reach):
    counts = np.zeros(2 * reach + 3, np.int64)
    for r in range(0, frame.shape[0], row_step):
        x, b = frame[r], base[r]
        for c in range(x.size):
            d = min(max(np.int32(x[c]) - np.int32(b[c]), -reach - 1), reach + 1)
            counts[d + reach + 1] += 1
    return counts
