"""The .xlsx zip, read the way a careful reader must: every member's real unpacked bytes counted
(the sizes a zip declares are whatever its author wrote), and no room for two zip readers to see
two different archives in one file (python-calamine's Rust zip reader and Python's zipfile).

Python's zipfile is used for the central directory only. It would also decompress, but it stops
at the *declared* size of a member, while the Rust reader inflates to the end of the deflate
stream: a member declaring 100 bytes that inflates to 10 GB looks harmless to one and not to the
other. So each member's data is located from its local header and inflated here with zlib,
counting what comes out."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from gongxin.core.spreadsheets.limits import damaged, unpacks_too_large, unusual_packing

END_RECORD = b"PK\x05\x06"
END_LOCATOR_64 = b"PK\x06\x07"
LOCAL_HEADER = b"PK\x03\x04"
MAX_MEMBERS = 10_000  # Excel writes a few dozen parts; each costs memory in both zip readers
READ_BYTES = 256 * 1024
OUT_BYTES = 1024 * 1024  # unpacked bytes handed out at a time: memory stays flat whatever the size
STORED, DEFLATED = 0, 8  # the methods Excel uses, and the only ones the Rust reader is built with


class Budget:
    """The unpacked bytes an inspection may still read; past it the workbook is refused."""

    def __init__(self, limit: int):
        self.limit, self.used = limit, 0

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise unpacks_too_large(self.limit)


def members(fh: BinaryIO) -> list[zipfile.ZipInfo]:
    """The archive's members, once it is certain every zip reader finds the same ones: one end
    record at the very end (no comment, no ZIP64), the central directory right before it, as
    many entries as it announces, and no two names equal but for case (calamine looks names up
    ignoring case)."""
    fh.seek(0, 2)
    size = fh.tell()
    if size < 22:
        raise damaged()
    fh.seek(size - 22)
    end = fh.read(22)
    if end[:4] != END_RECORD:
        raise damaged()
    disk, cd_disk, on_disk, total, cd_size, cd_offset, comment = struct.unpack("<HHHHIIH", end[4:])
    if comment or disk or cd_disk or on_disk != total or total > MAX_MEMBERS:
        raise damaged()
    if cd_offset + cd_size != size - 22:  # data between the directory and the end record, or ZIP64
        raise damaged()
    if size >= 42:
        fh.seek(size - 42)
        if fh.read(4) == END_LOCATOR_64:
            raise damaged()
    fh.seek(0)
    try:
        infos = zipfile.ZipFile(fh).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise damaged() from None
    if len(infos) != total:
        raise damaged()
    folded = {info.filename.encode("utf-8", "surrogateescape").lower() for info in infos}
    if len(folded) != len(infos):
        raise damaged()
    return infos


def unpacked(fh: BinaryIO, info: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
    """The member's unpacked bytes, a chunk at a time, every byte counted against ``budget``."""
    if info.flag_bits & 0x1 or info.compress_type not in (STORED, DEFLATED):
        raise unusual_packing()
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) < 30 or head[:4] != LOCAL_HEADER:
        raise damaged()
    flags, method = struct.unpack("<HH", head[6:10])
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    if method != info.compress_type or (flags & 0x1):
        raise damaged()
    name = fh.read(name_len)
    if name.decode("utf-8" if flags & 0x800 else "cp437", "replace") != info.orig_filename:
        raise damaged()
    position = info.header_offset + 30 + name_len + extra_len
    left = info.compress_size

    def read(n: int) -> bytes:
        # Seek every time: the caller may read other members between two chunks of this one.
        nonlocal position, left
        fh.seek(position)
        data = fh.read(min(n, left))
        position += len(data)
        left -= len(data)
        return data

    if method == STORED:
        while left > 0:
            data = read(OUT_BYTES)
            if not data:
                return
            budget.take(len(data))
            yield data
        return
    inflate = zlib.decompressobj(-15)
    pending, full = b"", False
    while not inflate.eof:
        if not pending and not full:  # more input needed (a full output may still have more to give)
            if left <= 0:
                break
            pending = read(READ_BYTES)
            if not pending:
                break
        try:
            out = inflate.decompress(pending, OUT_BYTES)
        except zlib.error:
            raise damaged() from None
        pending, full = inflate.unconsumed_tail, len(out) == OUT_BYTES
        if out:
            budget.take(len(out))
            yield out
    if not inflate.eof:  # the input ran out first: what zlib still holds is a few hundred bytes at most
        rest = inflate.flush()
        if rest:
            budget.take(len(rest))
            yield rest


MAX_RUN = 8 * 1024 * 1024  # bytes without a "<": a cell text is at most 32,767 characters


def pieces(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks cut again so that each piece ends just before a ``<``: a tag, and any
    attribute in it, is then whole in one piece (an attribute value that holds a ``<`` has its
    own attributes after that ``<``), so the scans need no overlap between pieces. A run of
    MAX_RUN bytes without a ``<`` is no worksheet (it would have to be held whole): refused."""
    carry = bytearray()
    for chunk in chunks:
        cut = chunk.rfind(b"<")
        if cut < 0:
            carry += chunk
            if len(carry) > MAX_RUN:
                raise damaged()
            continue
        if carry:
            carry += chunk[:cut]
            if len(carry) > MAX_RUN + OUT_BYTES:
                raise damaged()
            piece = bytes(carry)
            carry = bytearray(chunk[cut:])
        else:
            piece, carry = chunk[:cut], bytearray(chunk[cut:])
        if piece:
            yield piece
    if carry:
        yield bytes(carry)
