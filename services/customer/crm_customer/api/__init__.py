"""HTTP routes of the customer service: parse, authorise, call a handler, shape the reply."""

from crm_customer.api import customers, engagement, imports, records

ROUTERS = [customers.router, records.vehicles, records.visits, engagement.leads, engagement.access_log,
           imports.imports, imports.exports]
