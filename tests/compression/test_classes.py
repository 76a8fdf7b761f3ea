"""Noise classes: exact round trips, chosen automatically only for a broad sigma map."""

import types

import numpy as np
import pytest

import compression
from compression import CodecError
from compression.sigma_classes import class_edges
from tests.compression.conftest import make_frame, make_pedestal


def broad_pedestal(shape, seed=0):
    rng = np.random.default_rng(seed)
    return types.SimpleNamespace(mean=(100 + rng.normal(0, 1.5, shape)).astype(np.float32),
                                 sigma=rng.uniform(1.0, 4.0, shape).astype(np.float32) *
                                 np.where(rng.random(shape) < 0.02, 5, 1).astype(np.float32))


def narrow_pedestal(shape, seed=0):
    rng = np.random.default_rng(seed)
    return types.SimpleNamespace(mean=(100 + rng.normal(0, 1.5, shape)).astype(np.float32),
                                 sigma=(2.2 * np.exp(rng.normal(0, 0.15, shape))).astype(np.float32))


@pytest.mark.parametrize("classes", [2, 3, 4])
@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (37, 61)])
def test_classes_round_trip(classes, shape):
    pedestal = make_pedestal(shape, seed=classes)
    frame = make_frame(pedestal)
    codec = compression.PedestalPairCodec(classes=classes)
    assert np.array_equal(codec.decode(codec.encode(frame, pedestal), pedestal), frame)


def test_class_edges_are_in_the_header():
    pedestal = make_pedestal((40, 50))
    blob = compression.PedestalPairCodec(classes=4).encode(make_frame(pedestal), pedestal)
    assert compression.read_header(blob)["class_edges"] == class_edges(pedestal.sigma, 4)
    assert len(compression.read_header(blob)["sections"]) == 16 + 2


def test_classes_help_on_a_broad_sigma_map():
    pedestal = broad_pedestal((600, 800))
    frame = make_frame(pedestal, spots=0)
    one = compression.PedestalPairCodec(classes=1).encode(frame, pedestal)
    four = compression.PedestalPairCodec(classes=4).encode(frame, pedestal)
    assert len(four) < 0.98 * len(one)


def test_encode_frame_uses_classes_only_when_they_pay():
    shape = (600, 800)
    for pedestal, expected in ((broad_pedestal(shape), 4), (narrow_pedestal(shape), 1)):
        blob = compression.encode_frame(make_frame(pedestal, spots=0), pedestal)
        assert compression.read_header(blob)["codec"]["classes"] == expected


@pytest.mark.parametrize("edges", [None, "x", [3.0, 1.0], [float("nan")], [1.0, 2.0, 3.0, 4.0], [2.0]])
def test_forged_class_edges_raise_codec_error(edges):
    from tests.compression.test_corruption import _forge
    pedestal = make_pedestal((20, 30))
    blob = compression.PedestalPairCodec(classes=4).encode(make_frame(pedestal), pedestal)
    with pytest.raises(CodecError):
        compression.decode_frame(_forge(blob, lambda h: h.update(class_edges=edges)), pedestal)
