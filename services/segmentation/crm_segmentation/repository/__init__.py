"""Every query of the segmentation service (nothing else touches the session)."""
