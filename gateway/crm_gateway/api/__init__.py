"""The gateway's own routes: tokens and keys, administration, partner webhooks."""

from crm_gateway.api import admin, auth, webhooks

ROUTERS = [auth.router, admin.router, webhooks.router]
