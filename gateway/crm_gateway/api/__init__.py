"""The gateway's own routes: tokens and keys, the user's own account, administration, partner webhooks."""

from crm_gateway.api import admin, auth, dealers, me, webhooks

ROUTERS = [auth.router, me.router, admin.router, dealers.router, webhooks.router]
