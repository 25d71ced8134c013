"""Tables and the shapes the API reads and writes."""

from crm_segmentation.models.profiles import (
           OdometerReading,
           Profile,
           ProfilePublic,
           VehicleProfile,
           VehiclePublic,
           Visit,
)
from crm_segmentation.models.scoring import DealerFitRow, DealerSettings, ImportProgress, KpiSnapshot, ScoringJob
from crm_segmentation.models.segments import Segment, SegmentMember

__all__ = ["DealerFitRow", "DealerSettings", "ImportProgress", "KpiSnapshot", "OdometerReading", "Profile",
           "ProfilePublic", "ScoringJob", "Segment", "SegmentMember", "VehicleProfile", "VehiclePublic", "Visit"]
