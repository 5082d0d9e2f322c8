"""Baomi (保密): pre-publication secrecy screening for a Git-based government portal."""

__version__ = "0.1.0"
