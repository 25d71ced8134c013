"""The staff web console (see console/README.md)."""
