"""What the console decides without I/O: formatting, which links a role sees, today's work, reason texts."""
