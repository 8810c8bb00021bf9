"""Facts about a message: parsing, text extraction and detectors.

This package imports nothing from the rest of the project (DESIGN.md: the dependencies
point one way, inspectors <- rules <- quarantine <- proxy).
"""
