"""HTTP routes: parse, authorise, call a handler, shape the reply."""

from crm_survey.api import analytics, public, staff, templates

ROUTERS = [templates.router, staff.router, analytics.router, public.router]
