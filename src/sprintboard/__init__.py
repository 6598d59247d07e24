"""sprintboard: keyboard-first sprint planning across the teams of an e-commerce organisation."""

__version__ = "0.1.0"
