"""Aggregated tables computed once from SQL, and the renderers and channels that carry them."""
