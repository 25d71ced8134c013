"""Every event payload, one module per owning service. Importing this package registers them all."""

from crm_contracts.events import customer, segmentation

__all__ = ["customer", "segmentation"]
