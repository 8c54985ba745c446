"""Screens: the main reading-list screen and the modal dialogs it opens."""
