"""The facts layer's exceptions, drawn as a tree (DESIGN.md: one small hierarchy per package):

    InspectorError
    └── ExtractionError            extract/pieces.py: a file that cannot be read (further)
        ├── Unscannable            begun, and not all of it could be read (attachment.unscannable)
        │   └── LimitReached       a limit stopped the reading; names the Limits field
        ├── Unsupported            a format with text no reader here knows (attachment.unsupported)
        └── Encrypted              password-protected (attachment.encrypted)

None of them leaves an inspector: an ExtractionError becomes a finding with its `code` (fail
closed), and an inspector never raises on purpose. Private control flow stays private
(`_Stop` in extract/mapi.py, `_OutOfTime` in extract/extraction.py).
"""

from __future__ import annotations


class InspectorError(Exception):
    """The root of the inspectors package's errors."""
