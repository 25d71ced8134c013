"""Failed sign-ins are throttled per account and source address, and per address: a guesser elsewhere
cannot lock the owner out. Two loopback addresses: 127.0.0.2 attacks, 127.0.0.1 is the owner."""

import contextlib

import httpx

from crm_devstack.pytest_plugin import running
from crm_gateway.main import create_app

from .conftest import ADMIN_PASSWORD


@contextlib.asynccontextmanager
async def from_address(gateway, address: str):
    transport = httpx.ASGITransport(app=gateway.app, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


async def sign_in(client, username: str, password: str) -> httpx.Response:
    return await client.post("/auth/token", data={"grant_type": "password", "username": username,
                                                  "password": password})


async def test_an_attacker_blocks_admin_only_from_its_own_address_and_the_owner_signs_in_at_once(gateway):
    async with from_address(gateway, "127.0.0.2") as attacker, from_address(gateway, "127.0.0.1") as owner:
        tries = [(await sign_in(attacker, "admin", f"guess {n}")).status_code for n in range(6)]
        assert tries == [400] * 5 + [429]
        assert (await sign_in(owner, "admin", ADMIN_PASSWORD)).status_code == 200
        still = await sign_in(attacker, "admin", ADMIN_PASSWORD)  # the right password, from the blocked address
        assert still.status_code == 429 and int(still.headers["retry-after"]) >= 1
        assert (await sign_in(owner, "admin", ADMIN_PASSWORD)).status_code == 200


async def test_many_accounts_tried_from_one_address_hit_the_per_address_limit(gateway_settings):
    app = create_app(gateway_settings(login_address_max_failures=8))
    async with running(app) as gateway:
        gateway.app = app
        async with from_address(gateway, "127.0.0.3") as sprayer, from_address(gateway, "127.0.0.1") as owner:
            # One guess per account stays under the per-account limit; the address's count does not.
            tries = [(await sign_in(sprayer, f"user{n}", "Spring2026!")).status_code for n in range(9)]
            assert tries == [400] * 8 + [429]
            assert (await sign_in(sprayer, "admin", ADMIN_PASSWORD)).status_code == 429
            assert (await sign_in(owner, "admin", ADMIN_PASSWORD)).status_code == 200
