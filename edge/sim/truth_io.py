"""Simulated runs on disk: frames as ``.npy``, truth as JSON lines, deposit pixels as ``.npz``.

Layout of one run directory (``<out_dir>/run00012/``)::

    run.json             run number, pedestal flag, shape, seeds, mix, energy scale, frame count
    truth.jsonl          one line per frame: frame, index, checksum, file, offset_adu (pedestal
                         drift), deposits (no pixels)
    frame_000000.npy     the uint16 frame
    pixels_000000.npz    per deposit i: rows_i, cols_i, adu_i (data runs, if pixels=True)
"""

import json
from pathlib import Path

import numpy as np

from compression.checksum import CHECKSUM_ALGORITHM, pixel_checksum

from .deposits import ADU_PER_KEV, Deposit

__all__ = ["TruthWriter", "run_directory", "read_run_info", "read_truth", "read_frame",
           "read_deposits", "deposit_record"]

_GEOMETRY = ("x", "y", "x0", "y0", "x1", "y1", "length_px", "sigma_px")


def run_directory(out_dir, run: int) -> Path:
    """``<out_dir>/run%05d``."""
    return Path(out_dir) / f"run{int(run):05d}"


def deposit_record(deposit: Deposit) -> dict:
    """The JSON form of a deposit's truth (everything but its pixel list)."""
    record = {"kind": deposit.kind, "energy_kev": deposit.energy_kev}
    record.update({name: getattr(deposit, name) for name in _GEOMETRY})
    record.update(integral=deposit.integral, n_pixels=deposit.n_pixels)
    return record


class TruthWriter:
    """Writes one run's frames and truth; use as a context manager.

    Parameters
    ----------
    out_dir : path
        Parent directory; the run goes to ``run_directory(out_dir, run)``, created if missing.
    run : int
    pedestal : bool
    info : dict, optional
        Extra run facts stored in ``run.json`` (shape, seeds, mix...).
    pixels : bool
        Also store each deposit's pixel list (``pixels_%06d.npz``).
    """

    def __init__(self, out_dir, run: int, pedestal: bool = False, info=None, pixels: bool = True):
        self.directory = run_directory(out_dir, run)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.pixels = pixels
        self.frames = 0
        self._info = {"run": int(run), "pedestal": bool(pedestal), "adu_per_kev": ADU_PER_KEV,
                      "checksum_algorithm": CHECKSUM_ALGORITHM, **(info or {})}
        self._truth = open(self.directory / "truth.jsonl", "w", encoding="utf-8")

    def write(self, frame_number: int, frame: np.ndarray, truth=None) -> None:
        """Store one frame with its FrameTruth (``truth`` may be None for a bare frame)."""
        name = f"frame_{int(frame_number):06d}.npy"
        np.save(self.directory / name, frame, allow_pickle=False)
        deposits = [] if truth is None else truth.deposits
        record = {"frame": int(frame_number), "index": None if truth is None else truth.index,
                  "checksum": pixel_checksum(frame), "file": name,
                  "offset_adu": 0.0 if truth is None else truth.offset_adu,
                  "deposits": [deposit_record(d) for d in deposits]}
        self._truth.write(json.dumps(record, separators=(",", ":")) + "\n")
        if self.pixels and deposits:
            self._write_pixels(frame_number, deposits)
        self.frames += 1

    def _write_pixels(self, frame_number: int, deposits) -> None:
        arrays = {}
        for i, deposit in enumerate(deposits):
            arrays.update({f"rows_{i}": deposit.rows, f"cols_{i}": deposit.cols,
                           f"adu_{i}": deposit.adu})
        np.savez_compressed(self.directory / f"pixels_{int(frame_number):06d}.npz", **arrays)

    def close(self) -> None:
        """Flush the truth and write ``run.json`` with the frame count."""
        if self._truth.closed:
            return
        self._truth.close()
        info = {**self._info, "frames": self.frames}
        (self.directory / "run.json").write_text(json.dumps(info, indent=1), encoding="utf-8")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_run_info(run_dir) -> dict:
    """The contents of ``run.json``."""
    return json.loads(_existing(Path(run_dir) / "run.json").read_text(encoding="utf-8"))


def read_truth(run_dir) -> list:
    """All frame records of ``truth.jsonl``, in frame order."""
    path = _existing(Path(run_dir) / "truth.jsonl")
    with open(path, encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    return sorted(records, key=lambda record: record["frame"])


def read_frame(run_dir, frame_number: int) -> np.ndarray:
    """One stored frame (uint16, shape (rows, cols))."""
    return np.load(_existing(Path(run_dir) / f"frame_{int(frame_number):06d}.npy"),
                   allow_pickle=False)


def read_deposits(run_dir, frame_number: int) -> list:
    """The deposits of one frame as :class:`Deposit` objects, pixel lists included."""
    record = next((r for r in read_truth(run_dir) if r["frame"] == frame_number), None)
    if record is None:
        raise ValueError(f"frame_number {frame_number!r} is not in {run_dir}/truth.jsonl")
    if not record["deposits"]:
        return []
    path = _existing(Path(run_dir) / f"pixels_{int(frame_number):06d}.npz")
    with np.load(path, allow_pickle=False) as pixels:
        return [Deposit(d["kind"], d["energy_kev"], pixels[f"rows_{i}"], pixels[f"cols_{i}"],
                        pixels[f"adu_{i}"], *(d[name] for name in _GEOMETRY))
                for i, d in enumerate(record["deposits"])]


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"simulated run file {str(path)!r} does not exist")
    return path
