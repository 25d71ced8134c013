"""HTTP routes under /api/v1/care: parse, authorise, call a handler, shape the reply."""

from crm_care.api import cases, club, messages, notifications, plans, rescue, tasks

ROUTERS = [plans.router, tasks.router, messages.router, cases.router, rescue.router, club.router,
           notifications.router]
