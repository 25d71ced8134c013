"""Analytics for a generated dealer, checked against a direct computation from the answers given."""

import asyncio
import random
from statistics import mean

import pytest

from crm_devstack.pytest_plugin import eventually
from crm_survey.domain.defaults import SHIPPED

from .conftest import csi_at_once, invitations_of

pytestmark = pytest.mark.timeout(300)

WEIGHTS = {f["id"]: f["weight"] for f in SHIPPED["csi"]["factors"]}
FACTOR_OF = {q["id"]: q["factor"] for q in SHIPPED["csi"]["questions"] if q.get("factor")}


def random_answers(rng: random.Random, generous: bool) -> dict:
    low = 6 if generous else 3
    answers = {question: rng.randint(low, 10) for question in FACTOR_OF}
    answers["recommend"] = rng.randint(0, 10)
    answers["expectation_vs_experience"] = {"expectation": rng.randint(5, 10), "experience": rng.randint(3, 10)}
    return answers


def factor_means(answers: dict) -> dict[str, float]:
    return {f: mean(v for q, v in answers.items() if FACTOR_OF.get(q) == f) for f in WEIGHTS}


def index_of(answers: dict) -> float:
    return sum(WEIGHTS[f] * m for f, m in factor_means(answers).items()) * 100


def nps_of(answers: list[dict]) -> float:
    ratings = [a["recommend"] for a in answers]
    return (sum(r >= 9 for r in ratings) - sum(r <= 6 for r in ratings)) / len(ratings) * 100


async def survey_dealer(client, headers, upstream, dealer, customers, rng, generous):
    """Every customer gets a CSI; about three in four answer. Returns {advisor: [answers]}, invitations sent."""
    await csi_at_once(client, headers, dealer=dealer)
    answered: dict[str, list[dict]] = {}
    people = []
    for n in range(customers):
        customer = await upstream.customer(dealer=dealer)
        advisor = f"SA-{n % 2 + 1}"
        await upstream.visit(customer, dealer=dealer, advisor_id=advisor)
        people.append((customer, advisor))
    for customer, advisor in people:
        [invitation] = await invitations_of(client, headers, customer, status="sent")
        if rng.random() < 0.75:
            answers = random_answers(rng, generous)
            response = await client.post(invitation["link_path"], json={"answers": answers})
            assert response.status_code == 201, response.text
            answered.setdefault(advisor, []).append(answers)
    return answered, customers


async def test_dealer_figures_weaknesses_and_ranking_match_a_direct_computation(client, auth, upstream):
    rng = random.Random(20261123)
    headers = auth(dealers=["DA", "DB"])
    by_advisor, sent = await survey_dealer(client, headers, upstream, "DA", 16, rng, generous=False)
    peer, _ = await survey_dealer(client, headers, upstream, "DB", 8, rng, generous=True)
    dealer_answers = [a for answers in by_advisor.values() for a in answers]
    network_answers = dealer_answers + [a for answers in peer.values() for a in answers]

    overview = (await client.get("/api/v1/surveys/analytics/dealers/DA", headers=headers,
                                 params={"kind": "csi"})).json()
    assert overview["responses"] == len(dealer_answers) and overview["invitations_sent"] == sent
    assert overview["response_rate"] == pytest.approx(len(dealer_answers) / sent, abs=1e-4)
    assert overview["index"] == pytest.approx(mean(index_of(a) for a in dealer_answers), abs=0.06)
    for factor, score in overview["factor_scores"].items():
        assert score == pytest.approx(mean(factor_means(a)[factor] for a in dealer_answers), abs=1e-3)
    assert overview["nps"] == pytest.approx(nps_of(dealer_answers), abs=0.06)
    ratios = [a["expectation_vs_experience"]["experience"] / a["expectation_vs_experience"]["expectation"]
              for a in dealer_answers]
    assert overview["satisfaction_ratio"] == pytest.approx(mean(ratios), abs=1e-3)
    [month] = overview["trend"]
    assert month["responses"] == len(dealer_answers) and month["index"] == overview["index"]
    advisors = {a["advisor_id"]: a for a in overview["advisors"]}
    for advisor, answers in by_advisor.items():
        assert advisors[advisor]["index"] == pytest.approx(mean(index_of(a) for a in answers), abs=0.06)
        assert advisors[advisor]["responses"] == len(answers)
    one = (await client.get("/api/v1/surveys/analytics/dealers/DA", headers=headers,
                            params={"advisor_id": "SA-1"})).json()
    assert one["responses"] == len(by_advisor["SA-1"])

    found = (await client.get("/api/v1/surveys/analytics/dealers/DA/weaknesses", headers=headers)).json()
    expected = []
    for factor, weight in WEIGHTS.items():
        gap = mean(factor_means(a)[factor] for a in dealer_answers) - mean(
            factor_means(a)[factor] for a in network_answers)
        if gap < 0:
            expected.append((factor, round(weight * gap * 100, 1)))
    factors = [(w["id"], round(w["index_impact"], 1)) for w in found["weaknesses"] if w["level"] == "factor"]
    assert [f for f, _ in sorted(factors)] == [f for f, _ in sorted(expected)]
    assert [i for _, i in sorted(factors)] == pytest.approx([i for _, i in sorted(expected)], abs=0.1)
    impacts = [w["index_impact"] for w in found["weaknesses"]]
    assert impacts == sorted(impacts) and all(i < 0 for i in impacts)
    question = next(w for w in found["weaknesses"] if w["level"] == "question")
    assert question["network_score"] == pytest.approx(mean(a[question["id"]] for a in network_answers), abs=1e-3)

    carmaker = auth(dealers=["*"], scope=["network:read"])
    ranking = (await client.get("/api/v1/surveys/analytics/network", headers=carmaker)).json()
    by_index = sorted([("DA", mean(index_of(a) for a in dealer_answers)),
                       ("DB", mean(index_of(a) for a in network_answers[len(dealer_answers):]))],
                      key=lambda item: -item[1])
    assert [(d["rank"], d["dealer_id"]) for d in ranking["dealers"]] == [(1, by_index[0][0]), (2, by_index[1][0])]
    assert ranking["network"]["responses"] == len(network_answers)
    assert (await client.get("/api/v1/surveys/analytics/network", headers=headers)).status_code == 403
    assert (await client.get("/api/v1/surveys/analytics/dealers/DC", headers=headers)).status_code == 404
    bad = await client.get("/api/v1/surveys/analytics/dealers/DA", headers=headers,
                           params={"from": "2026-13", "to": "May"})
    assert {e["name"] for e in bad.json()["errors"]} == {"from", "to"}


async def test_answers_given_at_once_for_one_dealer_all_count_before_and_after_they_are_folded(
        client, auth, upstream, database):
    rng = random.Random(20261128)
    headers = auth(dealers=["DC"])
    await csi_at_once(client, headers, dealer="DC")
    customers = [await upstream.customer(dealer="DC") for _ in range(24)]
    for n, customer in enumerate(customers):
        await upstream.visit(customer, dealer="DC", advisor_id=f"SA-{n % 3 + 1}")
    links = [(await invitations_of(client, headers, c, status="sent"))[0]["link_path"] for c in customers]
    given = [random_answers(rng, generous=n % 2 == 0) for n in range(len(links))]

    replies = await asyncio.gather(*(client.post(link, json={"answers": answers})
                                     for link, answers in zip(links, given, strict=True)))
    assert [r.status_code for r in replies] == [201] * len(links)

    async def overview():
        return (await client.get("/api/v1/surveys/analytics/dealers/DC", headers=headers,
                                 params={"kind": "csi"})).json()

    at_once = await overview()
    assert at_once["responses"] == len(given) and at_once["invitations_sent"] == len(given)
    assert at_once["index"] == pytest.approx(mean(index_of(a) for a in given), abs=0.06)
    assert at_once["nps"] == pytest.approx(nps_of(given), abs=0.06)
    assert sum(a["responses"] for a in at_once["advisors"]) == len(given)

    async def folded():
        [(waiting,)] = await database("SELECT count(*) FROM score_rollup_increments WHERE dealer_id = 'DC'")
        return waiting == 0 or None

    await eventually(folded, timeout=30)
    assert await overview() == at_once
