"""Writes the frozen format-1 fixtures that do not exist yet; never overwrites one.

    /opt/cygno-venv/bin/python -m tests.compression.make_fixtures

The committed files must never change: a blob that stops decoding is a broken format.
"""

from pathlib import Path

import numpy as np

import compression
from tests.compression.conftest import make_frame, make_pedestal
from tests.compression.test_sparse import clustered_sparse

FIXTURES = Path(__file__).parent / "fixtures"


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    pedestal = make_pedestal((13, 22), seed=21)
    frame = make_frame(pedestal, seed=22, spots=1)
    sparse = clustered_sparse((40, 50), 3, seed=23)
    blobs = {
        "frame_pedestal_v1.bin": compression.encode_frame(frame, pedestal),
        "frame_column_v1.bin": compression.encode_frame(frame),
        "frame_pedestal_classes4_v1.bin": compression.PedestalPairCodec(classes=4).encode(frame, pedestal),
        "frame_pedestal_noisy2_v1.bin": compression.PedestalPairCodec(noisy_factor=2.0).encode(frame, pedestal),
        "frame_pedestal_mirror_noisy2_v1.bin": compression.PedestalPairCodec(
            noisy_factor=2.0, mirror=True).encode(frame, pedestal),
        "frame_pedestal_mirror_offset_v1.bin": compression.PedestalPairCodec(
            noisy_factor=2.0, mirror=True, dark_offsets=True).encode(frame, pedestal, dark_offset=-3),
        "frame_lossy_q2_v1.bin": compression.encode_frame(frame, pedestal, lossy_q=2),
        "frame_lossy_q2_offset_v1.bin": compression.DitherQuantizeCodec(
            q=2, dark_offsets=True).encode(frame, pedestal, dark_offset=-3),
        "frame_column_low_bits_v1.bin": compression.ColumnPairCodec(low_bit_plane=True).encode(frame),
        "frame_planes_v1.bin": compression.ResidualPlanesCodec().encode(frame, pedestal),
        "frame_planes_column_v1.bin": compression.ResidualPlanesCodec().encode(frame),
        "sparse_v1.bin": compression.encode_sparse(sparse),
        "sparse_pedestal_v1.bin": compression.encode_sparse(sparse, make_pedestal((40, 50), seed=24)),
    }
    for name, blob in blobs.items():
        _write_once(name, lambda path, blob=blob: path.write_bytes(blob))
    _write_once("frame_lossy_q2_v1.npy", lambda path: np.save(
        path, compression.decode_frame(blobs["frame_lossy_q2_v1.bin"], pedestal)))
    _write_once("frame_lossy_q2_offset_v1.npy", lambda path: np.save(
        path, compression.decode_frame(blobs["frame_lossy_q2_offset_v1.bin"], pedestal)))
    _write_once("expected_v1.npz", lambda path: np.savez(
        path, frame=frame, pedestal_mean=pedestal.mean, pedestal_sigma=pedestal.sigma,
        sparse_rows=sparse.rows, sparse_cols=sparse.cols, sparse_values=sparse.values,
        sparse_pedestal_mean=make_pedestal((40, 50), seed=24).mean,
        sparse_pedestal_sigma=make_pedestal((40, 50), seed=24).sigma))


def _write_once(name: str, write) -> None:
    path = FIXTURES / name
    if path.exists():
        print(f"kept {path} (frozen)")
        return
    write(path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
