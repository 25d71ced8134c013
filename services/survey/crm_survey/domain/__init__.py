"""Survey rules with no I/O: template definitions, answer checks, scoring, triggers and analytics."""
