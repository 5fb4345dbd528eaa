"""Verdicts on claims: matrix claims, index notation, whole derivations, and the diagnosis
of a refuted step."""
