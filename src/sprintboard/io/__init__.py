"""Import and export formats; headless (no Textual)."""
