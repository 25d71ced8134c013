"""Events the segmentation service publishes on crm.segmentation.v1."""
