"""Care rules as plain functions: dates, occasions, contact policy, case states. No I/O here."""
