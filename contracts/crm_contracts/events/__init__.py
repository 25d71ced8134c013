"""Every event payload, one module per owning service. Importing this package registers them all."""

from crm_contracts.events import care, customer, segmentation, survey

__all__ = ["care", "customer", "segmentation", "survey"]
