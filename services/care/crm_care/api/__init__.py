"""HTTP routes under /api/v1/care: parse, authorise, call a handler, shape the reply."""

from crm_care.api import cases, messages, plans, tasks

ROUTERS = [plans.router, tasks.router, messages.router, cases.router, cases.rescue_router, cases.club_router]
