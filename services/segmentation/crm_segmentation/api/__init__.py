"""HTTP routes of the segmentation service: parse, authorise, call a handler, shape the reply."""

from crm_segmentation.api import kpis, profiles, reports, scoring, segments

routers = [profiles.router, segments.router, kpis.router, scoring.router, reports.router]
