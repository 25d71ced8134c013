"""HTTP routes by screen: parse, call the gateway through fetch/, render one template. Nothing else."""

from crm_console.routes import account, customers, health, home

ROUTERS = [health.router, account.router, home.router, customers.router]
