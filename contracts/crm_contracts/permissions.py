"""Permission names carried in a token's `scope`: the gateway grants them per role, every service checks them."""

READ_PII = "pii:read"
CUSTOMERS_READ = "customers:read"
CUSTOMERS_WRITE = "customers:write"
PROFILES_READ = "profiles:read"
SEGMENTS_WRITE = "segments:write"
KPIS_READ = "kpis:read"
NETWORK_READ = "network:read"
SURVEYS_READ = "surveys:read"
SURVEYS_MANAGE = "surveys:manage"
CARE_READ = "care:read"
CARE_WORK = "care:work"
CARE_MANAGE = "care:manage"
ADMIN = "admin"

# A token whose dealer scope is this reads across every dealer (the carmaker's analysts).
ALL_DEALERS = "*"
