"""HTTP layer: one Flask blueprint per xAPI resource."""
