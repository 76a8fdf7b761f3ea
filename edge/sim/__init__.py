"""Camera and DAQ simulator: sensor noise, physics deposits, frames with truth, DAQ sender."""

from .ack_tracker import AckTracker
from .daq_sender import DEFAULT_ENDPOINT, DaqSender, DaqSendTimeout, RunReport
from .deposits import (ADU_PER_KEV, KINDS, PIXEL_MM, Deposit, alpha, er, fe55, make_deposit,
                       muon, nr)
from .environment import ENVIRONMENT_KEYS, environment_reading
from .frame_stream import frame_stream
from .frames import DEFAULT_MIX, FrameSimulator, FrameTruth, check_mix, digitise
from .pacing import Pacer
from .render import render_points
from .sensor import SensorModel, parse_shape
from .truth_io import (TruthWriter, deposit_record, read_deposits, read_frame, read_run_info,
                       read_truth, run_directory)

__all__ = ["AckTracker", "DEFAULT_ENDPOINT", "DaqSender", "DaqSendTimeout", "RunReport",
           "ADU_PER_KEV", "KINDS", "PIXEL_MM", "Deposit", "alpha", "er", "fe55", "make_deposit",
           "muon", "nr", "ENVIRONMENT_KEYS", "environment_reading", "frame_stream", "DEFAULT_MIX", "FrameSimulator", "FrameTruth",
           "check_mix", "digitise", "Pacer", "render_points", "SensorModel", "parse_shape",
           "TruthWriter", "deposit_record", "read_deposits", "read_frame", "read_run_info",
           "read_truth", "run_directory"]
