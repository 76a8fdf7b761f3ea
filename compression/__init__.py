"""Lossless (and explicitly lossy) codecs for CYGNO camera frames and zero-suppressed frames.

Pure library: arrays and bytes in, arrays and bytes out.
"""

from .checksum import pedestal_fingerprint, pixel_checksum
from .codec_column import ColumnPairCodec
from .codec_dither import DitherQuantizeCodec
from .codec_pedestal import PedestalPairCodec
from .codec_planes import ResidualPlanesCodec
from .codec_sparse import SparsePixelCodec, SparsePixels
from .container import FORMAT_VERSION, MAX_PIXELS, read_header
from .errors import CodecError, PedestalMismatchError
from .frame_api import decode_frame, decode_sparse, encode_frame, encode_sparse
from .pedestal_prep import PreparedPedestal, prepare_pedestal
from .registry import CODECS, get_codec

__all__ = [
    "encode_frame", "decode_frame", "encode_sparse", "decode_sparse", "read_header", "get_codec",
    "CodecError", "PedestalMismatchError", "pixel_checksum", "pedestal_fingerprint",
    "PedestalPairCodec", "ColumnPairCodec", "ResidualPlanesCodec", "DitherQuantizeCodec", "SparsePixelCodec",
    "SparsePixels", "PreparedPedestal", "prepare_pedestal", "CODECS", "FORMAT_VERSION",
    "MAX_PIXELS",
]
