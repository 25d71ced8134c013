"""Every query of the survey service, one module per topic; nothing else touches the session."""
