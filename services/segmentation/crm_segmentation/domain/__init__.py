"""Scores, statuses, filters and KPIs as plain functions: no I/O, no framework."""
