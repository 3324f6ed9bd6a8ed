"""One Textual screen (or modal) per module."""
