"""HTTP routes under /api/v1/care: parse, authorise, call a handler, shape the reply."""

from crm_care.api import cases, club, messages, notifications, plans, previews, rescue, tasks

ROUTERS = [plans.router, tasks.router, messages.router, previews.router, cases.router, rescue.router, club.router,
           notifications.router]
