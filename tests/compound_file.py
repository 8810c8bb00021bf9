"""OLE compound files for tests: the writer that exports a .msg's embedded messages
(inspectors/extract/compound.py), for the .msg files of tests/msg_file.py."""

from inspectors.extract.compound import Tree, compound_file

__all__ = ["Tree", "compound_file"]
