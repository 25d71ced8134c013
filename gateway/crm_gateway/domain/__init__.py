"""The gateway's rules as plain functions: roles, login throttling, circuit breaking, rate limits, signatures."""
