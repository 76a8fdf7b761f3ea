"""The zero-suppressed frame: the kept pixels of one image, and the level it removed."""

from dataclasses import dataclass

import numpy as np

from .errors import ReconError

__all__ = ["SparseFrame"]


@dataclass(frozen=True)
class SparseFrame:
    """Pixels kept by zero suppression.

    Attributes
    ----------
    rows, cols : ndarray of int32, shape (n,)
        Coordinates of the kept pixels, sorted row-major (by row, then column).
    values : ndarray of uint16, shape (n,)
        Raw ADU of the kept pixels, exactly as in the camera frame.
    shape : tuple of int
        ``(rows, cols)`` of the full frame.
    level : float or None
        The frame's common level over its pedestal, ADU, as zero suppression measured
        and removed it (the mean of its per-row offsets plus the frame offset): it
        follows a drift of the dark level, and jumps with a glow over the whole frame
        (a spark) that leaves no pixel above the noise. None where not measured (zero
        suppression without ``adapt``, or of a frame under about 90 x 90 pixels; a frame
        rebuilt from a sparse blob).
    """

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    shape: tuple
    level: float | None = None

    def __post_init__(self):
        if len(self.shape) != 2 or min(self.shape) < 1:
            raise ReconError(f"SparseFrame.shape must be (rows, cols) >= 1, got {self.shape!r}")
        n = len(self.values)
        if len(self.rows) != n or len(self.cols) != n:
            raise ReconError(
                f"SparseFrame rows/cols/values lengths differ: "
                f"{len(self.rows)}/{len(self.cols)}/{n}"
            )
        if self.level is not None and not np.isfinite(self.level):
            raise ReconError(f"SparseFrame.level must be finite or None, got {self.level!r}")

    @property
    def n_pixels(self) -> int:
        """Number of kept pixels."""
        return len(self.values)

    @property
    def area_fraction(self) -> float:
        """Kept pixels over all pixels of the frame."""
        return self.n_pixels / (self.shape[0] * self.shape[1])

    def to_dense(self, fill: int = 0) -> np.ndarray:
        """Frame of ``shape`` with kept pixels at their raw value, ``fill`` elsewhere."""
        dense = np.full(self.shape, fill, dtype=np.uint16)
        dense[self.rows, self.cols] = self.values
        return dense
