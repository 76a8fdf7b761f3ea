"""Illustrative slow-control readings sent with every simulated image.

The DAQ may put slow-control readings in the image header (docs/daq-protocol.md: extra
keys travel as metadata). The simulator sends the environment values that the
collaboration's reconstruction stores as ROOT branches, under the same names:
``Lime_pressure``, ``Atm_pressure`` (mbar), ``Lime_temperature``, ``Atm_temperature``
(deg C) and ``Humidity`` (%). The levels are plausible for an underground hall about
950 m above sea level, not measured values; they drift slowly and smoothly with the
frame index and are deterministic in ``(seed, index)``.
"""

import math

import numpy as np

from recon import ENVIRONMENT_BRANCHES as ENVIRONMENT_KEYS

__all__ = ["ENVIRONMENT_KEYS", "environment_reading"]

# level, drift amplitude, drift period in frames, reading noise (rms)
_ATM_PRESSURE = (905.0, 4.0, 20_000, 0.05)
_OVERPRESSURE_MBAR = 3.0
_ATM_TEMPERATURE = (18.0, 0.8, 7_000, 0.02)
_LIME_TEMPERATURE_LAG = 0.5  # the detector follows the hall's temperature, damped
_HUMIDITY = (60.0, 8.0, 11_000, 0.2)
_STREAM = 0xE4F


def environment_reading(seed: int, index: int) -> dict:
    """Environment readings for frame ``index`` of a simulator seeded ``seed``.

    Returns
    -------
    dict of str to float
        The :data:`ENVIRONMENT_KEYS`, rounded as a slow-control system would report them.
    """
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or index < 0:
        raise ValueError(f"index must be an int >= 0, got {index!r}")
    noise = np.random.default_rng([int(seed), int(index), _STREAM]).standard_normal(5).tolist()
    phase = np.random.default_rng([int(seed), _STREAM]).uniform(0, 2 * math.pi, 3).tolist()
    atm_pressure = _drift(_ATM_PRESSURE, index, phase[0], noise[0])
    atm_temperature = _drift(_ATM_TEMPERATURE, index, phase[1], noise[1])
    level, amplitude, period, rms = _ATM_TEMPERATURE
    lime_temperature = _drift((level + 1.0, amplitude * _LIME_TEMPERATURE_LAG, period, rms),
                              index, phase[1] - 0.5, noise[2])
    return {
        "Lime_pressure": round(atm_pressure + _OVERPRESSURE_MBAR + 0.05 * noise[3], 2),
        "Atm_pressure": round(atm_pressure, 2),
        "Lime_temperature": round(lime_temperature, 2),
        "Atm_temperature": round(atm_temperature, 2),
        "Humidity": round(_drift(_HUMIDITY, index, phase[2], noise[4]), 1),
    }


def _drift(parameters, index: int, phase: float, noise: float) -> float:
    level, amplitude, period, rms = parameters
    return level + amplitude * math.sin(2 * math.pi * index / period + phase) + rms * noise
