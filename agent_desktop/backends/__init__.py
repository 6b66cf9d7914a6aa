"""REST adapters behind one Backend protocol."""
