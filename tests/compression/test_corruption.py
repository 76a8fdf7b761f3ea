"""Flipped bytes, truncations and forged headers always raise CodecError, never crash."""

import json
import struct

import numpy as np
import pytest
import xxhash
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

import compression
from compression import CodecError
from tests.compression.conftest import make_frame, make_pedestal

PEDESTAL = make_pedestal((20, 27), seed=4)
FRAME = make_frame(PEDESTAL)
BLOBS = {"pedestal": compression.encode_frame(FRAME, PEDESTAL), "column": compression.encode_frame(FRAME),
         "lossy": compression.encode_frame(FRAME, PEDESTAL, lossy_q=2),
         "planes": compression.ResidualPlanesCodec().encode(FRAME, PEDESTAL),
         "planes, column": compression.ResidualPlanesCodec().encode(FRAME),
         "pedestal, offset": compression.encode_frame(FRAME + np.uint16(5), PEDESTAL),
         "lossy, offset": compression.encode_frame(FRAME + np.uint16(5), PEDESTAL, lossy_q=2),
         "column, low bits": compression.ColumnPairCodec(low_bit_plane=True).encode(FRAME),
         "column, low bits, nibbles": compression.ColumnPairCodec(low_bit_plane=True).encode(FRAME[:, :16])}


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(BLOBS)), data=st.data())
def test_random_byte_flips_raise_codec_error(kind, data):
    blob = bytearray(BLOBS[kind])
    position = data.draw(st.integers(0, len(blob) - 1))
    blob[position] ^= data.draw(st.integers(1, 255))
    with pytest.raises(CodecError):
        compression.decode_frame(bytes(blob), PEDESTAL)


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from(sorted(BLOBS)), data=st.data())
def test_truncations_raise_codec_error(kind, data):
    blob = BLOBS[kind]
    with pytest.raises(CodecError):
        compression.decode_frame(blob[:data.draw(st.integers(0, len(blob) - 1))], PEDESTAL)


@settings(max_examples=100, deadline=None)
@given(garbage=st.binary(max_size=300))
def test_garbage_raises_codec_error(garbage):
    with pytest.raises(CodecError):
        compression.decode_frame(garbage)
    with pytest.raises(CodecError):
        compression.read_header(b"CYGC\x01" + garbage)


def _forge(blob: bytes, edit) -> bytes:
    """Rewrite a blob's header with ``edit`` and recompute the trailer (a forger's blob)."""
    (length,) = struct.unpack_from("<I", blob, 5)
    header = json.loads(blob[9:9 + length])
    edit(header)
    text = json.dumps(header).encode()
    body = blob[:5] + struct.pack("<I", len(text)) + text + blob[9 + length:-8]
    return body + struct.pack("<Q", xxhash.xxh3_64_intdigest(body))


@pytest.mark.parametrize("edit", [
    lambda h: h.update(shape=[100000, 100000]),
    lambda h: h.update(shape=[20, 28]),
    lambda h: h.update(shape=[0, 5]),
    lambda h: h.update(shape="big"),
    lambda h: h["sections"][0].__setitem__(1, 1 << 40),
    lambda h: h["sections"][1].__setitem__(1, 3),
    lambda h: h["sections"].append([0, 0]),
    lambda h: h.update(checksum="0" * 16),
    lambda h: h.update(codec={"id": "cygno_column_pairs"}),
    lambda h: h.update(codec={"id": "cygno_pedestal_pairs", "alphabet": 3}),
    lambda h: h.update(dark_offset=4),
    lambda h: h.update(dark_offset=100000),
    lambda h: h.update(dark_offset="2"),
    lambda h: h.pop("dark_offset"),
    lambda h: h["codec"].update(dark_offsets="yes"),
    lambda h: h.update(kind="sparse"),
    lambda h: h.update(pedestal_id=None),
    lambda h: h.pop("dtype"),
])
def test_forged_headers_raise_codec_error(edit):
    with pytest.raises(CodecError):
        compression.decode_frame(_forge(BLOBS["pedestal"], edit), PEDESTAL)


def test_forged_blob_is_detected_by_the_pixel_checksum():
    blob = _forge(BLOBS["column"], lambda h: None)
    assert np.array_equal(compression.decode_frame(blob), FRAME)
    tampered = bytearray(BLOBS["column"])
    with pytest.raises(CodecError):
        compression.decode_frame(_forge(bytes(tampered), lambda h: h.update(checksum="1" * 16)))


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(sorted(BLOBS)), data=st.data())
def test_forged_sections_with_valid_framing_raise_codec_error(kind, data):
    """A forger re-packs random section contents with correct sizes and trailer: no crash."""
    from compression.container import pack_blob, unpack_blob
    from compression.zstd_sections import compress_section

    header, sections = unpack_blob(BLOBS[kind])
    target = data.draw(st.integers(0, len(sections) - 1))
    size = header["sections"][target][1]
    noise = np.frombuffer(data.draw(st.binary(min_size=size, max_size=size)), np.uint8)
    rebuilt = [(bytes(s), header["sections"][i][1]) for i, s in enumerate(sections)]
    rebuilt[target] = compress_section(noise, 1)
    forged = pack_blob({k: v for k, v in header.items() if k != "sections"}, rebuilt)
    original = zstandard.ZstdDecompressor().decompress(bytes(sections[target])) if size else b""
    if bytes(noise) == original:
        return
    with pytest.raises(CodecError):
        compression.decode_frame(forged, PEDESTAL)
