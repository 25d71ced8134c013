"""The demo dealer `make run` loads through the public API, so every screen has something to show."""

import random

import httpx

DEMO_DEALER = "D-DEMO-001"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"]


def demo_customers(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    prefixes = ["138", "139", "150", "158", "186", "189", "135", "137"]
    customers = []
    for index in range(count):
        mobile = f"{rng.choice(prefixes)}{index:04d}{rng.randrange(10_000):04d}"
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        customers.append({"name": name, "mobile": mobile, "dealer_id": DEMO_DEALER})
    return customers


def load_demo(gateway: str, username: str, password: str, count: int = 50) -> int:
    """Register the demo customers; a re-run finds them there already (409) and adds nothing."""
    with httpx.Client(base_url=gateway, timeout=30) as client:
        token = client.post("/auth/token", data={"grant_type": "password", "username": username,
                                                 "password": password}).raise_for_status().json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        created = 0
        for customer in demo_customers(count):
            response = client.post("/api/v1/customers", json=customer, headers=headers)
            if response.status_code == 201:
                created += 1
            elif response.status_code != 409:
                response.raise_for_status()
    print(f"Demo dealer {DEMO_DEALER}: {created} customers registered ({count - created} were there already).")
    return created
