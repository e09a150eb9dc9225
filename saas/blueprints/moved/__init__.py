"""Old addresses of pages that moved, answered with a permanent redirect."""
