"""The dmkg version, in one place (the wheel, the CLI, the cache key and the store manifest)."""

__version__ = "0.1.0"

__all__ = ["__version__"]
