"""Online pedestal tracking from data frames, for triggerless (continuous) running.

The dark offset drifts with the sensor temperature, and in triggerless mode there
are no dedicated pedestal runs. Each data frame updates an exponentially weighted
mean and variance per pixel, leaving out pixels near signal (the zero-suppressed
region, grown by ``guard`` pixels) and any pixel further than ``clip`` sigma from
the current mean (signal the suppression missed, cosmic hits).
"""

import numpy as np

from ._tracker_kernels import near_kernel, update_kernel
from .errors import PedestalError
from .pedestal import Pedestal, check_run
from .sparse_frame import SparseFrame

__all__ = ["PedestalTracker"]


class PedestalTracker:
    """Exponentially weighted per-pixel pedestal, updated from data frames.

    Parameters
    ----------
    pedestal : recon.Pedestal
        Starting point (from the last pedestal run). Its mask is kept.
    alpha : float
        Weight of each new frame, in (0, 1); the memory is about 1/alpha frames.
    guard : int
        Pixels added around the signal region before leaving it out (>= 0).
    clip : float
        Pixels further than ``clip`` sigma from the tracked mean are left out (> 0).
    """

    def __init__(self, pedestal, alpha=0.01, guard=4, clip=5.0):
        if not isinstance(pedestal, Pedestal):
            raise PedestalError(f"pedestal must be a recon.Pedestal, got {type(pedestal).__name__}")
        if not 0 < alpha < 1:
            raise PedestalError(f"alpha must be in (0, 1), got {alpha!r}")
        if isinstance(guard, bool) or not isinstance(guard, (int, np.integer)) or guard < 0:
            raise PedestalError(f"guard must be an int >= 0, got {guard!r}")
        if not clip > 0:
            raise PedestalError(f"clip must be > 0, got {clip!r}")
        self.alpha, self.guard, self.clip = float(alpha), int(guard), float(clip)
        self._mask = pedestal.mask
        self._mean = pedestal.mean.astype(np.float32)  # float32 maps, float64 arithmetic
        self._variance = np.square(pedestal.sigma.astype(np.float64)).astype(np.float32)
        self.n_updates = 0
        self._n_frames = pedestal.n_frames
        self._run = pedestal.run

    @property
    def shape(self):
        """``(rows, cols)`` of the tracked frames."""
        return self._mean.shape

    def update(self, frame, signal=None, run=None):
        """Fold one data frame into the pedestal.

        Parameters
        ----------
        frame : ndarray of uint16, shape (rows, cols)
        signal : SparseFrame or ndarray of bool, shape (rows, cols), optional
            Where the signal is (the zero-suppressed pixels of this frame, or a
            mask). These pixels, grown by ``guard``, are not used.
        run : int, optional
            The frame's run: the tracked pedestal's ``run`` is that of its last update
            (the starting pedestal's until one names a run).

        Returns
        -------
        int
            Number of pixels that were updated.
        """
        frame = self._check_frame(frame)
        run = self._run if run is None else check_run(run)
        near_signal = self._signal_region(signal)
        used = update_kernel(frame, self._mean, self._variance, near_signal, self.alpha, self.clip)
        self.n_updates += 1
        self._run = run
        return int(used)

    @property
    def pedestal(self):
        """The current pedestal (a new :class:`Pedestal`, with a new id)."""
        return Pedestal(self._mean, np.sqrt(self._variance), self._mask,
                        n_frames=self._n_frames + self.n_updates, run=self._run)

    def _signal_region(self, signal):
        """bool (rows, cols): pixels within ``guard`` of the signal (none without a signal)."""
        if signal is None:
            return np.zeros(self.shape, dtype=bool)
        if isinstance(signal, SparseFrame):
            if tuple(signal.shape) != self.shape:
                raise PedestalError(f"signal.shape must be {self.shape}, got {signal.shape}")
            rows, cols = signal.rows, signal.cols
        else:
            region = np.asarray(signal)
            if region.dtype != np.bool_ or region.shape != self.shape:
                raise PedestalError(
                    f"signal must be a SparseFrame or bool {self.shape}, "
                    f"got {region.dtype} {region.shape}"
                )
            rows, cols = np.nonzero(region)
        return near_kernel(np.asarray(rows, np.int64), np.asarray(cols, np.int64), self.shape, self.guard)

    def _check_frame(self, frame):
        if not isinstance(frame, np.ndarray) or frame.dtype != np.uint16:
            raise PedestalError(f"frame must be a uint16 array, got "
                                f"{getattr(frame, 'dtype', type(frame).__name__)}")
        if frame.shape != self.shape:
            raise PedestalError(f"frame.shape must be {self.shape}, got {frame.shape}")
        return frame
