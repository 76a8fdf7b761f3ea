"""sink package."""
