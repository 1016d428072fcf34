"""Playrunner: self-hosted, Totango-compatible SuccessPlay automation."""

__version__ = "0.1.0"
