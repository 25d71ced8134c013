"""Rules about customers, vehicles and visits with no I/O: validation, normalising, masking, encryption.

Every check returns or raises plain values so that the API and the bulk import apply the same rules.
"""

Refusal = tuple[str, str]  # (field, what is wrong with it)
