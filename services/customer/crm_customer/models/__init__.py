"""SQLModel tables and the Create/Update/Public families, one module per aggregate."""

from crm_customer.models.customers import (
    Customer,
    CustomerCreate,
    CustomerMobile,
    CustomerPublic,
    CustomerUpdate,
    MergeRequest,
)
from crm_customer.models.engagement import (
    Consent,
    ConsentChange,
    ConsentCreate,
    ConsentPublic,
    Lead,
    LeadConversion,
    LeadCreate,
    LeadPublic,
    PiiAccess,
    PiiAccessPublic,
)
from crm_customer.models.imports import ImportJob, ImportJobPublic, ImportRow, ImportRowReport
from crm_customer.models.vehicles import (
    OdometerCreate,
    OdometerPublic,
    OdometerReading,
    Ownership,
    OwnershipPublic,
    TransferRequest,
    Vehicle,
    VehicleCreate,
    VehiclePublic,
    VehicleUpdate,
)
from crm_customer.models.visits import Visit, VisitCreate, VisitPublic

__all__ = [
    "Consent", "ConsentChange", "ConsentCreate", "ConsentPublic", "Customer", "CustomerCreate", "CustomerMobile",
    "CustomerPublic", "CustomerUpdate", "ImportJob", "ImportJobPublic", "ImportRow",
    "ImportRowReport", "Lead", "LeadConversion", "LeadCreate", "LeadPublic", "MergeRequest", "OdometerCreate",
    "OdometerPublic", "OdometerReading", "Ownership", "OwnershipPublic", "PiiAccess", "PiiAccessPublic",
    "TransferRequest", "Vehicle", "VehicleCreate", "VehiclePublic", "VehicleUpdate", "Visit", "VisitCreate",
    "VisitPublic",
]
