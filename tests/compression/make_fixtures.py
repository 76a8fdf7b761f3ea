"""Writes the frozen format-1 fixtures (run once; the committed files must never change).

    /opt/cygno-venv/bin/python -m tests.compression.make_fixtures
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
        "frame_lossy_q2_v1.bin": compression.encode_frame(frame, pedestal, lossy_q=2),
        "sparse_v1.bin": compression.encode_sparse(sparse),
        "sparse_pedestal_v1.bin": compression.encode_sparse(sparse, make_pedestal((40, 50), seed=24)),
    }
    for name, blob in blobs.items():
        (FIXTURES / name).write_bytes(blob)
    np.savez(FIXTURES / "expected_v1.npz", frame=frame, pedestal_mean=pedestal.mean,
             pedestal_sigma=pedestal.sigma,
             lossy=compression.decode_frame(blobs["frame_lossy_q2_v1.bin"], pedestal),
             sparse_rows=sparse.rows, sparse_cols=sparse.cols, sparse_values=sparse.values,
             sparse_pedestal_mean=make_pedestal((40, 50), seed=24).mean,
             sparse_pedestal_sigma=make_pedestal((40, 50), seed=24).sigma)


if __name__ == "__main__":
    main()
