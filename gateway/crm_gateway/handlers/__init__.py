"""One function per use case: load, apply the rules, save, in one transaction."""
