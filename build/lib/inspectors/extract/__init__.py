"""Text and tables out of every format a message carries, one module per format.

Each reader is a function `extract(data: bytes, limits: Limits) -> Iterator[Piece]`; which
one runs is decided by content (kind.py), never by file name (extraction.py).
"""
