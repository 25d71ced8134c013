"""A handler table names event types by string: one the contracts do not know must stop the service at start."""

from pathlib import Path

import pytest

from crm_contracts import topics
from crm_kit.app import ServiceSpec, create_service_app
from crm_kit.handling import check_handlers
from crm_kit.inbox import EventConsumer
from crm_kit.settings import ServiceSettings


async def remember(session, event) -> None:
    pass


def spec(handlers, consumes) -> ServiceSpec:
    return ServiceSpec(settings=ServiceSettings(), title="probe", description="",
                       migrations=Path("."), consumes=consumes, handlers=handlers)


def test_a_misspelt_event_type_stops_the_service_naming_it():
    table = {"crm.customer.registered.v1": remember, "crm.customer.registred.v1": remember}
    with pytest.raises(ValueError, match=r"crm\.customer\.registred\.v1"):
        create_service_app(spec(table, [topics.CUSTOMER]))
    with pytest.raises(ValueError, match=r"crm\.customer\.registred\.v1"):
        EventConsumer(None, None, service="probe", bootstrap_servers="", topics=[topics.CUSTOMER], handlers=table)


def test_an_event_on_a_topic_the_service_does_not_read_stops_it_too():
    with pytest.raises(ValueError, match=r"crm\.survey\.hot_alert\.raised\.v1"):
        create_service_app(spec({"crm.survey.hot_alert.raised.v1": remember}, [topics.CUSTOMER]))


def test_a_table_of_known_types_on_read_topics_builds_the_service():
    # every service's app is built this way, so its own tests fail at once on a misspelt type of its table
    table = {"crm.customer.registered.v1": remember, "crm.visit.recorded.v1": remember}
    check_handlers(table)
    assert create_service_app(spec(table, [topics.CUSTOMER])).title == "probe"
