"""Python rules: one module per rule, discovered automatically."""
