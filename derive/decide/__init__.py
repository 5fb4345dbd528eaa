"""Is A = B? Symbolic canonical forms, then high-precision sampling, time-bounded."""
