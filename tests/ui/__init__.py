"""Pilot tests of the Textual app."""
