import json

import numpy as np
import pytest

from compression.checksum import pixel_checksum
from edge.sim import FrameSimulator, SensorModel
from edge.sim.truth_io import (TruthWriter, read_deposits, read_frame, read_run_info, read_truth,
                               run_directory)

SHAPE = (48, 80)


@pytest.fixture(scope="module")
def sim():
    return FrameSimulator(SensorModel(SHAPE, seed=0), seed=1, mix={"fe55": 2.0, "muon": 1.0})


def write_run(sim, out_dir, frames=3, pedestal=False):
    with TruthWriter(out_dir, 12, pedestal, info={"shape": list(SHAPE)}) as writer:
        made = []
        for k in range(frames):
            frame, truth = (sim.pedestal_frame(k), None) if pedestal else sim.data_frame(k)
            # (a pedestal frame may also be written bare, without truth)
            writer.write(k, frame, truth)
            made.append((frame, truth))
    return made


def test_frames_read_back_bit_exact(sim, tmp_path):
    made = write_run(sim, tmp_path)
    for k, (frame, _) in enumerate(made):
        assert np.array_equal(read_frame(run_directory(tmp_path, 12), k), frame)


def test_truth_lines_carry_checksum_and_deposit_summaries(sim, tmp_path):
    made = write_run(sim, tmp_path)
    records = read_truth(run_directory(tmp_path, 12))
    assert [r["frame"] for r in records] == [0, 1, 2]
    for record, (frame, truth) in zip(records, made):
        assert record["checksum"] == pixel_checksum(frame) == truth.checksum
        assert len(record["deposits"]) == len(truth.deposits)
        for saved, deposit in zip(record["deposits"], truth.deposits):
            assert saved["kind"] == deposit.kind and saved["x0"] == deposit.x0
            assert saved["integral"] == pytest.approx(deposit.integral)
            assert saved["n_pixels"] == deposit.n_pixels


def test_deposit_pixels_read_back(sim, tmp_path):
    made = write_run(sim, tmp_path)
    truth = made[1][1]
    loaded = read_deposits(run_directory(tmp_path, 12), 1)
    assert len(loaded) == len(truth.deposits)
    for back, deposit in zip(loaded, truth.deposits):
        assert np.array_equal(back.rows, deposit.rows) and np.array_equal(back.adu, deposit.adu)
        assert back.sigma_px == deposit.sigma_px


def test_run_info_counts_frames(sim, tmp_path):
    write_run(sim, tmp_path, frames=2, pedestal=True)
    info = read_run_info(run_directory(tmp_path, 12))
    assert info["frames"] == 2 and info["pedestal"] is True and info["shape"] == list(SHAPE)
    records = read_truth(run_directory(tmp_path, 12))
    assert all(r["deposits"] == [] and r["index"] is None for r in records)


def test_truth_file_is_json_lines(sim, tmp_path):
    write_run(sim, tmp_path, frames=2)
    lines = (run_directory(tmp_path, 12) / "truth.jsonl").read_text().splitlines()
    assert len(lines) == 2 and all(isinstance(json.loads(line), dict) for line in lines)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="truth.jsonl"):
        read_truth(tmp_path)
    with pytest.raises(FileNotFoundError, match="frame_000004.npy"):
        read_frame(tmp_path, 4)


def test_unknown_frame_is_refused(sim, tmp_path):
    write_run(sim, tmp_path, frames=1)
    with pytest.raises(ValueError, match="frame_number 9"):
        read_deposits(run_directory(tmp_path, 12), 9)
