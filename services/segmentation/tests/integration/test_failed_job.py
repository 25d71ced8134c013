"""A scoring job whose batch fails is recorded as failed with its error, not left running for ever."""

import pytest

from crm_devstack.pytest_plugin import eventually
from crm_segmentation.handlers import scoring


@pytest.fixture
def broken_batch(monkeypatch):
    async def run_job(session, job, context):
        raise RuntimeError("the fit did not converge")

    monkeypatch.setattr(scoring, "run_job", run_job)


async def test_a_failing_batch_marks_its_job_failed_with_the_error(client, auth, broken_batch):
    headers = auth(dealers=["D-FAIL"])
    job = await client.post("/api/v1/scoring/jobs", headers=headers, json={"dealer_id": "D-FAIL"})
    assert job.status_code == 202, job.text

    async def finished():
        response = await client.get(f"/api/v1/scoring/jobs/{job.json()['id']}", headers=headers)
        return response.json() if response.json()["status"] not in ("queued", "running") else None

    outcome = await eventually(finished, timeout=30)
    assert outcome["status"] == "failed"
    assert "did not converge" in outcome["error"]
