"""Screens of the sprintboard app (Textual)."""
