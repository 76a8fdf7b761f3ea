"""Camera and DAQ simulator: sensor noise, physics deposits, frames with truth, DAQ sender."""

from .deposits import (ADU_PER_KEV, KINDS, PIXEL_MM, Deposit, alpha, er, fe55, make_deposit,
                       muon, nr)
from .frames import DEFAULT_MIX, FrameSimulator, FrameTruth, check_mix, digitise
from .render import render_points
from .sensor import SensorModel, parse_shape

__all__ = ["ADU_PER_KEV", "KINDS", "PIXEL_MM", "Deposit", "alpha", "er", "fe55", "make_deposit",
           "muon", "nr", "DEFAULT_MIX", "FrameSimulator", "FrameTruth", "check_mix", "digitise",
           "render_points", "SensorModel", "parse_shape"]
