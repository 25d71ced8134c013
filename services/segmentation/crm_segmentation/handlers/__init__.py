"""Use cases: load, apply the domain, save state and its events in one transaction."""
