"""Use cases: load, apply the domain rules, save state and its event in one transaction."""
