"""Agreements: drafting settlement agreements and reading their terms back."""
