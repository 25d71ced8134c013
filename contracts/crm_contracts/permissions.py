"""Permission names carried in a token's `scope`: the gateway grants them per role, every service checks them."""

READ_PII = "pii:read"  # see unmasked mobiles and ID numbers (each read is logged)
PII_AUDIT = "pii:audit"  # read the log of unmasked reads (CS information manager)
CUSTOMERS_READ = "customers:read"
CUSTOMERS_WRITE = "customers:write"  # customers, vehicles, visits, leads, consent, imports
CUSTOMERS_MERGE = "customers:merge"
CUSTOMERS_ERASE = "customers:erase"
CUSTOMERS_EXPORT = "customers:export"
PROFILES_READ = "profiles:read"
SEGMENTS_WRITE = "segments:write"
SCORING_RUN = "scoring:run"  # start a rescore job, change scoring settings
KPIS_READ = "kpis:read"
NETWORK_READ = "network:read"  # KPIs and analytics across every dealer (the carmaker)
SURVEYS_READ = "surveys:read"
SURVEYS_MANAGE = "surveys:manage"  # templates, phone follow-ups, dealer survey settings
CARE_READ = "care:read"
CARE_WORK = "care:work"  # work the task queue, handle complaint cases
CARE_MANAGE = "care:manage"  # care plans, message templates, channels
RESCUE_REQUEST = "rescue:request"  # the mobile app asks for roadside rescue
WEBHOOKS_MANAGE = "webhooks:manage"
ADMIN = "admin"  # users, dealers, API clients

# A token whose dealer scope is this reads across every dealer (the carmaker's analysts).
ALL_DEALERS = "*"
