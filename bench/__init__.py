"""Benchmarks with their data generators. ``python -m bench`` (``make bench``) runs every module
here that defines ``main(argv: list[str] | None = None) -> int``, each in its own process."""
