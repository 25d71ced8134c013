"""HTTP routes by screen: parse, call the gateway through fetch/, render one template. Nothing else."""

from crm_console.routes import access_log, account, customers, health, home, imports, kpis

ROUTERS = [health.router, account.router, home.router, customers.router]
ROUTERS += [imports.router, kpis.router, access_log.router]
from crm_console.routes import surveys  # noqa: E402

ROUTERS += [surveys.router]
from crm_console.routes import segments  # noqa: E402

ROUTERS += [segments.router]
from crm_console.routes import cases, tasks  # noqa: E402

ROUTERS += [tasks.router, cases.router]
from crm_console.routes import admin  # noqa: E402

ROUTERS += [admin.router]
from crm_console.routes import admin_clients, admin_users, admin_webhooks  # noqa: E402

ROUTERS += [admin_users.router, admin_clients.router, admin_webhooks.router]
from crm_console.routes import notifications  # noqa: E402

ROUTERS += [notifications.router]
from crm_console.routes import care_setup, care_templates  # noqa: E402

ROUTERS += [care_setup.router, care_templates.router]
