"""The care service's tables, split by topic, and the Create/Update/Public families its API speaks."""

from crm_care.models.base import TZ, metadata
from crm_care.models.cases import case_actions, cases, rescues
from crm_care.models.club import club_activities, club_members, club_signups
from crm_care.models.facts import consents, customers, vehicles
from crm_care.models.messages import contacts, messages, templates
from crm_care.models.plans import actions, dealers, plans
from crm_care.models.tasks import tasks

__all__ = [
    "TZ",
    "actions",
    "case_actions",
    "cases",
    "club_activities",
    "club_members",
    "club_signups",
    "consents",
    "contacts",
    "customers",
    "dealers",
    "messages",
    "metadata",
    "plans",
    "rescues",
    "tasks",
    "templates",
    "vehicles",
]
