"""Streaming per-pixel statistics of a pedestal run: exact integer accumulators.

Frames arrive one at a time (from the DAQ, over minutes); only two int64 maps are
kept, never a stack of frames, so memory is bounded by the frame size. Sums of the
uint16 values and of their squares are exact in int64 (up to 2**31 frames of
65535), so the result is independent of the order of the frames and free of the
cancellation that a float sum-of-squares suffers.
"""

import numpy as np

from .errors import PedestalError

__all__ = ["PedestalAccumulator"]


class PedestalAccumulator:
    """Running per-pixel mean and standard deviation of uint16 frames.

    Parameters
    ----------
    shape : tuple of int, optional
        ``(rows, cols)`` of the frames. If omitted, taken from the first frame.

    Examples
    --------
    >>> acc = PedestalAccumulator()
    >>> for frame in frames:          # doctest: +SKIP
    ...     acc.add(frame)
    >>> mean, sigma = acc.mean_sigma()  # doctest: +SKIP
    """

    def __init__(self, shape=None):
        self._shape = None
        self._sum = None
        self._sum_sq = None
        self.n_frames = 0
        if shape is not None:
            self._allocate(_check_shape(shape))

    @property
    def shape(self):
        """``(rows, cols)`` of the accumulated frames, or None before the first."""
        return self._shape

    def _allocate(self, shape):
        self._shape = shape
        self._sum = np.zeros(shape, dtype=np.int64)
        self._sum_sq = np.zeros(shape, dtype=np.int64)

    def add(self, frame):
        """Accumulate one frame.

        Parameters
        ----------
        frame : ndarray of uint16, shape (rows, cols)
            Must match the shape of the previous frames.
        """
        frame = _check_frame(frame, self.n_frames)
        if self._shape is None:
            self._allocate(frame.shape)
        if frame.shape != self._shape:
            raise PedestalError(
                f"frame {self.n_frames}: shape must be {self._shape}, got {frame.shape}"
            )
        wide = frame.astype(np.int64)
        self._sum += wide
        wide *= wide
        self._sum_sq += wide
        self.n_frames += 1

    def mean_sigma(self):
        """Per-pixel mean and (sample, ddof=1) standard deviation.

        Returns
        -------
        mean, sigma : ndarray of float32, shape (rows, cols)

        Raises
        ------
        PedestalError
            With fewer than 2 frames (a standard deviation needs two).
        """
        n = self.n_frames
        if n < 2:
            raise PedestalError(f"n_frames must be >= 2 to estimate sigma, got {n}")
        # n*sum_sq - sum**2 is exact in int64 for any realistic run length.
        spread = n * self._sum_sq - self._sum * self._sum
        variance = spread.astype(np.float64) / (n * (n - 1))
        mean = (self._sum / n).astype(np.float32)
        sigma = np.sqrt(np.maximum(variance, 0.0)).astype(np.float32)
        return mean, sigma


def _check_shape(shape):
    shape = tuple(int(s) for s in shape)
    if len(shape) != 2 or min(shape) < 1:
        raise PedestalError(f"shape must be (rows, cols) >= 1, got {shape!r}")
    return shape


def _check_frame(frame, index):
    if not isinstance(frame, np.ndarray):
        raise PedestalError(f"frame {index}: must be a numpy array, got {type(frame).__name__}")
    if frame.dtype != np.uint16:
        raise PedestalError(f"frame {index}: dtype must be uint16, got {frame.dtype}")
    if frame.ndim != 2:
        raise PedestalError(f"frame {index}: must be 2-D, got ndim={frame.ndim}")
    return frame
