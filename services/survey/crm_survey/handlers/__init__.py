"""Use cases, one module per topic: load, apply the domain rules, save state and its events together."""
