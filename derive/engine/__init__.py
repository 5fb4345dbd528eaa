"""Deriving: the rule table, built-in models, rule-driven differentiation, the chain rule
through named intermediates, instantiation at concrete sizes."""
