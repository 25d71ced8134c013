"""The roles of DOMAIN.md and the permissions each grants. A token carries both; services check permissions."""

from crm_contracts import permissions as p

EVERY_PERMISSION = frozenset(v for k, v in vars(p).items() if k.isupper() and k != "ALL_DEALERS")

ROLES: dict[str, frozenset[str]] = {
    # CS信息管理担当: data quality, analysis and value reports; the one who audits PII access
    "cs_information_manager": frozenset({
        p.CUSTOMERS_READ, p.CUSTOMERS_WRITE, p.CUSTOMERS_MERGE, p.CUSTOMERS_ERASE, p.CUSTOMERS_EXPORT,
        p.READ_PII, p.PII_AUDIT, p.PROFILES_READ, p.SCORING_RUN, p.KPIS_READ, p.SURVEYS_READ, p.CARE_READ}),
    # CS企划担当: plans campaigns, defines segments and care plans; works on profiles, not on phone numbers
    "cs_planner": frozenset({
        p.CUSTOMERS_READ, p.PROFILES_READ, p.SEGMENTS_WRITE, p.SCORING_RUN, p.KPIS_READ, p.SURVEYS_READ,
        p.CARE_READ, p.CARE_MANAGE}),
    # CR活动担当: runs care activities and works the call/visit queue, so it must see whom to call
    "cr_activity_owner": frozenset({
        p.CUSTOMERS_READ, p.READ_PII, p.PROFILES_READ, p.KPIS_READ, p.CARE_READ, p.CARE_WORK, p.RESCUE_REQUEST}),
    # CS调查和培训担当: surveys, follow-up calls, weakness analysis
    "cs_survey_training_owner": frozenset({
        p.CUSTOMERS_READ, p.READ_PII, p.PROFILES_READ, p.KPIS_READ, p.SURVEYS_READ, p.SURVEYS_MANAGE,
        p.CARE_READ, p.CARE_WORK}),
    # Runs one dealer: its staff accounts, channels and partner hooks; erasure requests under PIPL
    "dealer_admin": frozenset({
        p.CUSTOMERS_READ, p.CUSTOMERS_WRITE, p.CUSTOMERS_ERASE, p.CUSTOMERS_EXPORT, p.PROFILES_READ, p.KPIS_READ,
        p.SURVEYS_READ, p.SURVEYS_MANAGE, p.CARE_READ, p.CARE_MANAGE, p.WEBHOOKS_MANAGE, p.ADMIN}),
    # Sales and service advisors record customers, cars and visits and call their own customers
    "advisor": frozenset({
        p.CUSTOMERS_READ, p.CUSTOMERS_WRITE, p.READ_PII, p.PROFILES_READ, p.SURVEYS_READ, p.CARE_READ, p.CARE_WORK,
        p.RESCUE_REQUEST}),
    # The carmaker's headquarters reads figures across the network, never personal data
    "carmaker_analyst": frozenset({p.PROFILES_READ, p.KPIS_READ, p.NETWORK_READ, p.SURVEYS_READ}),
    "system_admin": EVERY_PERMISSION,
}

ROLE_TITLES = {
    "cs_information_manager": "CS information manager (CS信息管理担当)",
    "cs_planner": "CS planner (CS企划担当)",
    "cr_activity_owner": "CR activity owner (CR活动担当)",
    "cs_survey_training_owner": "CS survey & training owner (CS调查和培训担当)",
    "dealer_admin": "Dealer administrator",
    "advisor": "Sales/service advisor",
    "carmaker_analyst": "Carmaker (OEM headquarters) analyst",
    "system_admin": "System administrator",
}

# Roles only someone who sees every dealer may hand out: they read across dealers or run the system.
NETWORK_ROLES = frozenset({"carmaker_analyst", "system_admin"})


def permissions_of(roles: list[str] | frozenset[str]) -> list[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLES[role]
    return sorted(granted)


def unknown_roles(roles: list[str]) -> list[str]:
    return [role for role in roles if role not in ROLES]
