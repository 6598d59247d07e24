"""Small reusable widgets (Textual)."""
