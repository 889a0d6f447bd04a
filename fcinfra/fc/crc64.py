"""CRC-64/ECMA-182 as FC and OSS report it (``codeChecksum``: the CRC as a decimal string).

Reflected polynomial 0xC96C5795D7870F42, initial value and final xor all ones (a.k.a. CRC-64/XZ);
``crc64(b"123456789") == 0x995DC9BBDF1939FA``.
"""

from __future__ import annotations

_POLY = 0xC96C5795D7870F42
_MASK = 0xFFFFFFFFFFFFFFFF


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


def crc64(data: bytes, crc: int = 0) -> int:
    """CRC-64 of ``data``; pass a previous result as ``crc`` to continue over several chunks."""
    crc ^= _MASK
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ _MASK


def checksum(data: bytes) -> str:
    """FC's ``codeChecksum`` for a code package."""
    return str(crc64(data))
