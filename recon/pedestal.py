"""The pedestal of a camera: per-pixel dark offset, noise, and bad-pixel mask."""

import numpy as np

from compression.checksum import pedestal_fingerprint

from .bad_pixels import find_bad_pixels
from .errors import PedestalError
from .pedestal_accumulator import PedestalAccumulator
from . import pedestal_io

__all__ = ["Pedestal", "check_run"]


class Pedestal:
    """Per-pixel mean and sigma of a camera's dark frames, plus a bad-pixel mask.

    Immutable: the arrays are read-only, and ``id`` (a content hash of ``mean`` and
    ``sigma``, :func:`compression.checksum.pedestal_fingerprint`) names it everywhere
    (frame metadata, codec blobs, object keys).

    Parameters
    ----------
    mean, sigma : array_like of float, shape (rows, cols)
        Dark offset and temporal noise per pixel, in ADU. Finite; sigma >= 0.
    mask : array_like of bool, shape (rows, cols), optional
        True for hot, noisy or dead pixels. Default: :func:`find_bad_pixels`.
    n_frames : int
        Number of frames the maps were estimated from (0 if unknown).
    run : int
        The run the maps were estimated from: the pedestal run, or for a tracked
        pedestal the data run of its last update; -1 if unknown. Provenance, like
        ``n_frames``: not part of ``id``. Reconstruction reports it as ``pedestal_run``.
    """

    def __init__(self, mean, sigma, mask=None, n_frames=0, run=-1):
        self._mean = _frozen(_check_map("mean", mean).astype(np.float32))
        self._sigma = _frozen(_check_map("sigma", sigma).astype(np.float32))
        if self._mean.shape != self._sigma.shape:
            raise PedestalError(
                f"sigma.shape must equal mean.shape {self._mean.shape}, got {self._sigma.shape}"
            )
        if np.any(self._sigma < 0):
            raise PedestalError(f"sigma must be >= 0, got min {float(self._sigma.min())!r}")
        if mask is None:
            mask = find_bad_pixels(self._mean, self._sigma)
        mask = np.asarray(mask)
        if mask.shape != self._mean.shape or mask.dtype != np.bool_:
            raise PedestalError(
                f"mask must be bool of shape {self._mean.shape}, got {mask.dtype} {mask.shape}"
            )
        self._mask = _frozen(mask.copy())
        self.n_frames = int(n_frames)
        self.run = check_run(run)
        self._id = pedestal_fingerprint(self._mean, self._sigma)
        self._weight = None
        self._inv_sigma = None
        self._block_norms = {}
        self._block_weights = {}
        self._window_norms = {}

    @classmethod
    def from_frames(cls, frames, run=-1, **mask_options):
        """Estimate a pedestal from dark frames in one streaming pass.

        Parameters
        ----------
        frames : iterable of ndarray of uint16, shape (rows, cols)
            Any iterable (a generator is fine); frames are accumulated one at a
            time, so memory does not grow with their number. At least 2.
        run : int
            The run the frames come from (-1 if unknown).
        **mask_options
            Passed to :func:`recon.bad_pixels.find_bad_pixels`.

        Returns
        -------
        Pedestal
        """
        accumulator = PedestalAccumulator()
        for frame in frames:
            accumulator.add(frame)
        mean, sigma = accumulator.mean_sigma()
        mask = find_bad_pixels(mean, sigma, **mask_options)
        return cls(mean, sigma, mask, n_frames=accumulator.n_frames, run=run)

    mean = property(lambda self: self._mean, doc="float32 (rows, cols): dark offset, ADU.")
    sigma = property(lambda self: self._sigma, doc="float32 (rows, cols): noise rms, ADU.")
    mask = property(lambda self: self._mask, doc="bool (rows, cols): hot, noisy or dead.")
    id = property(lambda self: self._id, doc="32 hex digits: content hash of mean, sigma.")
    shape = property(lambda self: self._mean.shape, doc="(rows, cols) of the frames.")

    @property
    def weight(self):
        """float32 (rows, cols): 1/sigma**2, 0 where masked or sigma == 0 (zero suppression)."""
        if self._weight is None:
            usable = (~self._mask) & (self._sigma > 0)
            weight = np.zeros(self.shape, dtype=np.float32)
            np.divide(1.0, np.square(self._sigma, dtype=np.float32), out=weight, where=usable)
            self._weight = _frozen(weight)
        return self._weight

    @property
    def inv_sigma(self):
        """float32 (rows, cols): 1/sigma, 0 where masked or sigma == 0 (zero suppression)."""
        if self._inv_sigma is None:
            usable = (~self._mask) & (self._sigma > 0)
            inv_sigma = np.zeros(self.shape, dtype=np.float32)
            np.divide(1.0, self._sigma, out=inv_sigma, where=usable)
            self._inv_sigma = _frozen(inv_sigma)
        return self._inv_sigma

    def block_weight(self, block):
        """float64 (ceil(rows/block), ceil(cols/block)): sum of ``weight`` per block."""
        if block not in self._block_weights:
            self._block_weights[block] = _frozen(_block_sum(self.weight.astype(np.float64), block))
        return self._block_weights[block]

    def block_norm(self, block):
        """float64 (ceil(rows/block), ceil(cols/block)): 1/sqrt(sum of weight) per block.

        Scales a block's weighted sum of pedestal-subtracted values to unit
        variance under noise; 0 for blocks whose pixels are all masked.
        """
        return self.window_norm(block, 1)[1]

    def window_norm(self, block, span):
        """Weight and norm of every ``span`` x ``span`` window of blocks (top-left index).

        Returns
        -------
        weight, norm : ndarray of float64, shape (ceil(rows/block), ceil(cols/block))
            Sum of ``weight`` over the window's blocks (fewer at the bottom and right
            edges), and 1/sqrt of it (0 where the window is all masked).
        """
        key = (block, span)
        if key not in self._window_norms:
            weight = _window_sum(self.block_weight(block), span)
            norm = np.zeros_like(weight)
            np.divide(1.0, np.sqrt(weight), out=norm, where=weight > 0)
            self._window_norms[key] = (_frozen(weight), _frozen(norm))
        return self._window_norms[key]

    def to_bytes(self):
        """Self-describing serialisation (versioned ``.npz``); see :meth:`from_bytes`."""
        return pedestal_io.to_bytes(self)

    @classmethod
    def from_bytes(cls, blob):
        """Inverse of :meth:`to_bytes`; raises :class:`PedestalError` on garbage."""
        return pedestal_io.from_bytes(cls, blob)

    def save(self, path_or_file):
        """Write :meth:`to_bytes` to a path or a binary file object."""
        pedestal_io.save(self, path_or_file)

    @classmethod
    def load(cls, path_or_file):
        """Read a pedestal written by :meth:`save`."""
        return pedestal_io.load(cls, path_or_file)

    def __repr__(self):
        return (f"Pedestal(shape={self.shape}, n_frames={self.n_frames}, run={self.run}, "
                f"masked={int(self._mask.sum())}, id={self._id[:12]}...)")


def check_run(run) -> int:
    """A pedestal's ``run``: an int >= -1 (-1: unknown), else PedestalError."""
    if isinstance(run, bool) or not isinstance(run, (int, np.integer)) or run < -1:
        raise PedestalError(f"run must be an int >= -1 (-1: unknown), got {run!r}")
    return int(run)


def _block_sum(values, block):
    """Sum of ``values`` over ``block`` x ``block`` tiles (edge tiles partial)."""
    rows, cols = values.shape
    padded = np.zeros((-(-rows // block) * block, -(-cols // block) * block), values.dtype)
    padded[:rows, :cols] = values
    return padded.reshape(padded.shape[0] // block, block, -1, block).sum(axis=(1, 3))


def _window_sum(values, span):
    """Sum over every ``span`` x ``span`` window (top-left index; edge windows partial)."""
    out = values.copy()
    for a in range(span):
        for b in range(span):
            if a or b:
                out[: out.shape[0] - a, : out.shape[1] - b] += values[a:, b:]
    return out


def _check_map(name, values):
    array = np.asarray(values)
    if array.ndim != 2 or min(array.shape) < 1:
        raise PedestalError(f"{name} must be 2-D and non-empty, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.number):
        raise PedestalError(f"{name} must be numeric, got dtype {array.dtype}")
    if not np.all(np.isfinite(array)):
        raise PedestalError(f"{name} must be finite, got {int((~np.isfinite(array)).sum())} "
                            "non-finite values")
    return array


def _frozen(array):
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array
