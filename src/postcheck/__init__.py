"""postcheck."""
