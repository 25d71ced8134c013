"""What a wording of each purpose may use, with a sample customer's values, for a preview before saving.

The names are those the sender fills (`name` always, the rest from the occasion the rule found), so a
wording that previews cleanly also sends cleanly; one naming anything else fails here first.
"""

from typing import Any

from crm_care.domain import calendar

_ZH_SAMPLE_NAME = "王先生"
_EN_SAMPLE_NAME = "Mr Wang"

# purpose -> the occasion's variables beside `name`, sample values in the shape the scan stores them
_OCCASION_SAMPLES: dict[str, dict[str, Any]] = {
    "first_service_due": {"due_on": "2026-12-20"},
    "maintenance_due": {"due_on": "2026-12-20", "basis": "2026-06-18"},
    "insurance_renewal": {"due_on": "2027-01-15", "days_left": 30},
    "warranty_expiry": {"due_on": "2027-01-15", "days_left": 30},
    "annual_inspection": {"due_on": "2027-03-01"},
    "birthday": {"lunar": False},
    "festival": {"festival": "spring_festival", "festival_name": calendar.FESTIVALS["spring_festival"],
                 "festival_name_en": calendar.FESTIVALS_EN["spring_festival"]},
    "purchase_anniversary": {"years": 3},
    "survey_invitation": {"link": "https://crm.example.cn/s/Xy7kQ2"},
}
PURPOSES = tuple(_OCCASION_SAMPLES)


def sample_variables(purpose: str, language: str) -> dict[str, Any]:
    """A sample customer's values for a wording of `purpose` (an unknown purpose gets the name only)."""
    name = _EN_SAMPLE_NAME if language == "en" else _ZH_SAMPLE_NAME
    return {"name": name, **_OCCASION_SAMPLES.get(purpose, {})}
