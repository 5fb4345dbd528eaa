"""Reading text: the ML-LaTeX reader (its own lark grammar, no eval) and proof files."""
