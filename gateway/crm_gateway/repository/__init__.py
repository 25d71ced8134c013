"""Every query of the gateway; nothing else touches the session."""
