"""Which service owns which public path. The gateway routes by prefix and never rewrites a path."""

from crm_gateway.settings import GatewaySettings

OWNERS = {
    "customer": ("/api/v1/customers", "/api/v1/vehicles", "/api/v1/visits", "/api/v1/leads", "/api/v1/imports",
                 "/api/v1/exports", "/api/v1/pii-access-log"),
    "segmentation": ("/api/v1/segments", "/api/v1/profiles", "/api/v1/kpis", "/api/v1/scoring",
                     "/api/v1/reports"),
    "survey": ("/api/v1/surveys", "/s/"),
    "care": ("/api/v1/care",),
    # Not an API: the staff console's pages, on the API's origin so its cookies never leave it.
    "console": ("/console",),
}
_PREFIXES = [(prefix.rstrip("/"), service) for service, prefixes in OWNERS.items() for prefix in prefixes]


def upstreams(settings: GatewaySettings) -> dict[str, str]:
    return {service: getattr(settings, f"{service}_url").rstrip("/") for service in OWNERS}


def owner_of(path: str) -> str | None:
    for prefix, service in _PREFIXES:
        if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
            return service
    return None
