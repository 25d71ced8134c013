"""The survey service on the real PostgreSQL and Kafka. The customer and care services are played by a
real producer that publishes their events, built from the contracts, onto their real topics."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaProducer

from crm_contracts import Envelope, new_event, permissions, topics
from crm_contracts.events.care import ComplaintResolved
from crm_contracts.events.customer import ConsentChanged, CustomerErased, CustomerRegistered, VisitRecorded
from crm_devstack.pytest_plugin import eventually, running, skip_backlog
from crm_kit.db import create_engine
from crm_survey.main import create_app
from crm_survey.settings import SurveySettings

STAFF = [permissions.SURVEYS_READ, permissions.SURVEYS_MANAGE]


@pytest.fixture
async def client(settings_for, kafka):
    settings = settings_for(SurveySettings, scheduler_poll_seconds=0.05)
    await skip_backlog(kafka, "crm-survey", [topics.CUSTOMER, topics.CARE])
    async with running(create_app(settings)) as client:
        yield client


@pytest.fixture
async def database(database_url):
    """Direct SQL, only to make time pass (move a send or expiry time into the past) and to count rows."""
    engine = create_engine(database_url, pool_size=2)

    async def run(statement: str, **params):
        async with engine.begin() as connection:
            result = await connection.execute(sa.text(statement), params)
            return result.all() if result.returns_rows else None

    yield run
    await engine.dispose()


@pytest.fixture
def auth(mint):
    def auth(dealers=("D1",), scope=STAFF, subject="cs-owner-1"):
        return {"Authorization": f"Bearer {mint(scope=list(scope), dealers=list(dealers), subject=subject)}"}

    return auth


class Upstream:
    """Publishes what the customer and care services would, exactly as they would."""

    def __init__(self, producer: AIOKafkaProducer):
        self.producer = producer

    async def send(self, payload, service: str, customer_id: uuid.UUID, dealer_id: str) -> Envelope:
        event = new_event(payload, service=service, subject=str(customer_id), dealer_id=dealer_id)
        topic = topics.CARE if service == "care" else topics.CUSTOMER
        await self.producer.send_and_wait(topic, event.to_json(), key=str(customer_id).encode())
        return event

    async def resend(self, event: Envelope) -> None:
        topic = topics.CARE if event.source == "/crm/care" else topics.CUSTOMER
        await self.producer.send_and_wait(topic, event.to_json(), key=event.subject.encode())

    async def customer(self, dealer="D1", language="zh-CN", consent=True) -> uuid.UUID:
        customer_id = uuid.uuid4()
        await self.send(CustomerRegistered(customer_id=customer_id, dealer_id=dealer, kind="person",
                                           status="customer", language=language, registered_at=datetime.now(UTC)),
                        "customer", customer_id, dealer)
        if consent:
            await self.consent(customer_id, dealer, granted=True)
        return customer_id

    async def consent(self, customer_id, dealer="D1", granted=True, channel="sms"):
        await self.send(ConsentChanged(customer_id=customer_id, dealer_id=dealer, purpose="survey", channel=channel,
                                       granted=granted, changed_at=datetime.now(UTC), source="counter form"),
                        "customer", customer_id, dealer)

    async def visit(self, customer_id, dealer="D1", kind="service", visited_on=None, closed=True,
                    advisor_id="SA-01", visit_id=None) -> Envelope:
        visit = VisitRecorded(
            visit_id=visit_id or uuid.uuid4(), customer_id=customer_id, dealer_id=dealer, kind=kind,
            subkind="maintenance" if kind == "service" else "new_car", visited_on=visited_on or date.today(),
            amount=Decimal("680.00"), advisor_id=advisor_id, order_number=f"RO-{uuid.uuid4().hex[:8]}",
            closed=closed, recorded_at=datetime.now(UTC))
        return await self.send(visit, "customer", customer_id, dealer)

    async def erase(self, customer_id, dealer="D1"):
        await self.send(CustomerErased(customer_id=customer_id, dealer_id=dealer, erased_at=datetime.now(UTC)),
                        "customer", customer_id, dealer)

    async def resolve(self, customer_id, alert_id, dealer="D1", resolved_at=None) -> uuid.UUID:
        case_id = uuid.uuid4()
        await self.send(ComplaintResolved(case_id=case_id, customer_id=customer_id, dealer_id=dealer,
                                          alert_id=alert_id, resolved_at=resolved_at or datetime.now(UTC)),
                        "care", customer_id, dealer)
        return case_id


@pytest.fixture
async def upstream(kafka):
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, enable_idempotence=True)
    await producer.start()
    yield Upstream(producer)
    await producer.stop()


@pytest.fixture
async def survey_events(topic_reader):
    """survey_events(customer_id, count=n) -> what the survey service published about that customer."""
    reader = await topic_reader(topics.SURVEY)

    async def read(customer_id, count: int) -> list[Envelope]:
        return await reader.about(customer_id, count=count, timeout=30)

    return read


async def csi_at_once(client, headers, dealer="D1", **overrides):
    body = {"csi_delay_hours": 0, **overrides}
    path = f"/api/v1/surveys/settings/{dealer}"
    current = await client.get(path, headers=headers)
    response = await client.put(path, headers={**headers, "If-Match": current.headers["ETag"]}, json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def invitations_of(client, headers, customer_id, count=1, status=None):
    async def listed():
        params = {"customer_id": str(customer_id), **({"status": status} if status else {})}
        items = (await client.get("/api/v1/surveys/invitations", headers=headers, params=params)).json()["items"]
        return items if len(items) >= count else None

    return await eventually(listed, timeout=30)


def good_csi(**overrides):
    answers = {"fixed_first_time": 9, "work_thoroughness": 8, "ready_on_time": 7, "charges_explained": 7,
               "lounge_comfort": 10, "facility_clean": 8, "advisor_courtesy": 6, "advisor_explained": 8,
               "appointment_ease": 9, "reception_speed": 9, "recommend": 9}
    return {**answers, **overrides}
