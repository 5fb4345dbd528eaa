"""Output: text, LaTeX and Markdown printers, the HTML page, generated NumPy code."""
