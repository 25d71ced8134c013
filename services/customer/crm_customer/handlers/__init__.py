"""Use cases: load, apply the domain rules, save the state and its events in one transaction."""
