"""Benchmarks: scripts that build a throwaway database and time one job (`make bench`)."""
