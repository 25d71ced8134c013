"""HTTP routes: parse, authorise, call a handler, shape the reply."""

from crm_survey.api import analytics, history, public, staff, templates

ROUTERS = [templates.router, staff.router, history.router, analytics.router, public.router]
