"""Whole camera frames: sensor noise plus deposits, digitised to uint16, with their truth.

Every frame is reproducible on its own from ``(seed, index)``: frame 17 can be
regenerated without frames 0-16.
"""

from dataclasses import dataclass, field

import numpy as np

from compression.checksum import pixel_checksum

from .deposits import KINDS, Deposit, make_deposit
from .sensor import SensorModel

__all__ = ["DEFAULT_MIX", "FrameTruth", "FrameSimulator", "digitise", "check_mix"]

#: Mean number of deposits of each kind per frame (Poisson): about 7 in all.
DEFAULT_MIX = {"fe55": 3.0, "muon": 1.0, "er": 2.0, "nr": 1.0, "alpha": 0.1}

_NOISE_STREAM, _DEPOSIT_STREAM, _PEDESTAL_STREAM = 1, 2, 3


@dataclass(frozen=True, eq=False)
class FrameTruth:
    """What went into one frame: its index, its deposits, the checksum of its pixels and the
    pedestal drift it got (``offset_adu`` added to every pixel, 0 unless ``drift_adu_per_frame``)."""

    index: int
    deposits: list = field(default_factory=list)
    checksum: str = ""
    offset_adu: float = 0.0


def digitise(analog: np.ndarray) -> np.ndarray:
    """Round to the nearest ADU, clip to [0, 65535] and cast to uint16 (``analog`` is overwritten)."""
    np.rint(analog, out=analog)
    np.clip(analog, 0, 65535, out=analog)
    return analog.astype(np.uint16)


def check_mix(mix) -> dict:
    """Validate a ``kind -> mean count`` mapping and return it as a dict of floats."""
    if not isinstance(mix, dict):
        raise ValueError(f"mix must be a dict kind -> mean count, got {mix!r}")
    for kind, mean in mix.items():
        if kind not in KINDS:
            raise ValueError(f"mix kind must be one of {sorted(KINDS)}, got {kind!r}")
        number = (isinstance(mean, (int, float, np.integer, np.floating))
                  and not isinstance(mean, bool))
        if not number or not np.isfinite(mean) or mean < 0:
            raise ValueError(f"mix[{kind!r}] must be a finite number >= 0, got {mean!r}")
    return {kind: float(mean) for kind, mean in mix.items()}


class FrameSimulator:
    """Frames of one camera.

    Parameters
    ----------
    sensor : SensorModel
        The camera (shape, pedestal and noise maps).
    seed : int
        Seed of the frames; frame ``index`` uses ``default_rng([seed, index, stream])``.
    mix : dict of str to float, optional
        Mean deposits per frame by kind (Poisson); default :data:`DEFAULT_MIX`.
    drift_adu_per_frame : float
        Dark-offset drift (sensor temperature): frame ``index`` gets ``index *
        drift_adu_per_frame`` ADU on every pixel, pedestal and data frames alike, so its
        expected pedestal is ``sensor.true_mean + offset_adu``. Default 0 (no drift).
    """

    def __init__(self, sensor: SensorModel, seed: int = 0, mix=None,
                 drift_adu_per_frame: float = 0.0):
        if not isinstance(sensor, SensorModel):
            raise TypeError(f"sensor must be a SensorModel, got {type(sensor).__name__}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be an int >= 0, got {seed!r}")
        self.sensor, self.seed = sensor, int(seed)
        self.shape = sensor.shape
        self.mix = check_mix(DEFAULT_MIX if mix is None else mix)
        if not (isinstance(drift_adu_per_frame, (int, float)) and np.isfinite(drift_adu_per_frame)):
            raise ValueError(f"drift_adu_per_frame must be a finite number, "
                             f"got {drift_adu_per_frame!r}")
        self.drift_adu_per_frame = float(drift_adu_per_frame)

    def offset_adu(self, index: int) -> float:
        """The pedestal drift of frame ``index``, in ADU."""
        return index * self.drift_adu_per_frame

    def pedestal_frame(self, index: int) -> np.ndarray:
        """A frame with no signal (HV off), ndarray of uint16, shape (rows, cols).

        Its noise is independent of ``data_frame(index)``'s, as in a real pedestal run.
        """
        analog = self.sensor.noise_frame(self._rng(index, _PEDESTAL_STREAM))
        return digitise(self._drifted(analog, index))

    def data_frame(self, index: int, mix=None, deposits=None):
        """A frame with deposits.

        Parameters
        ----------
        index : int
            Frame number (>= 0); with the seed it fixes the noise and the random deposits.
        mix : dict, optional
            Overrides the simulator's mix for this frame.
        deposits : list of Deposit, optional
            Exactly these deposits (e.g. from :func:`make_deposit`) instead of random ones.

        Returns
        -------
        frame : ndarray of uint16, shape (rows, cols)
        truth : FrameTruth
        """
        if deposits is None:
            deposits = self.random_deposits(index, mix)
        else:
            deposits = self._checked_deposits(deposits)
        analog = self.sensor.noise_frame(self._rng(index, _NOISE_STREAM))
        for deposit in deposits:
            analog[deposit.rows, deposit.cols] += deposit.adu  # pixels are unique per deposit
        frame = digitise(self._drifted(analog, index))
        return frame, FrameTruth(int(index), list(deposits), pixel_checksum(frame),
                                 self.offset_adu(index))

    def random_deposits(self, index: int, mix=None) -> list:
        """The deposits frame ``index`` gets: Poisson counts per kind, in a fixed kind order."""
        mix = self.mix if mix is None else check_mix(mix)
        rng = self._rng(index, _DEPOSIT_STREAM)
        deposits = []
        for kind in KINDS:
            for _ in range(rng.poisson(mix.get(kind, 0.0))):
                deposits.append(make_deposit(kind, rng, self.shape))
        return deposits

    def signal_image(self, truth: FrameTruth) -> np.ndarray:
        """Noise-free signal of a frame: ndarray of float32, shape (rows, cols), in ADU."""
        image = np.zeros(self.shape, dtype=np.float32)
        for deposit in self._checked_deposits(truth.deposits):
            image[deposit.rows, deposit.cols] += deposit.adu
        return image

    def _drifted(self, analog: np.ndarray, index: int) -> np.ndarray:
        if self.drift_adu_per_frame:
            analog += np.float32(self.offset_adu(index))
        return analog

    def _checked_deposits(self, deposits) -> list:
        deposits = list(deposits)
        for position, deposit in enumerate(deposits):
            if not isinstance(deposit, Deposit):
                raise TypeError(f"deposits[{position}] must be a Deposit, got {type(deposit).__name__}")
            outside = deposit.rows.size and (deposit.rows.max() >= self.shape[0]
                                             or deposit.cols.max() >= self.shape[1])
            if outside:
                raise ValueError(f"deposits[{position}] ({deposit.kind}) reaches outside the "
                                 f"frame shape {self.shape}")
        return deposits

    def _rng(self, index, stream: int) -> np.random.Generator:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or index < 0:
            raise ValueError(f"index must be an int >= 0, got {index!r}")
        return np.random.default_rng([self.seed, int(index), stream])
