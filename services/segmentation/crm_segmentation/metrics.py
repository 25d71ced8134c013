"""The segmentation service's domain figures on /metrics (module-level: Prometheus' registry is process-wide)."""

from prometheus_client import Gauge

# Set by each dealer's scoring batch from the same figures as its monthly snapshot: the replica that ran
# the latest batch holds the freshest value, so dashboards aggregate with max/avg across replicas.
GRASP_RATE = Gauge("crm_segmentation_grasp_rate", "Customer grasp rate by vehicle age in years",
                   ["dealer", "vehicle_age"])
