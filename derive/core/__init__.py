"""The foundation: errors, primitive functions, domains, budgets, the symbol table,
entrywise arrays, presentation algebra and the immutable step records."""
