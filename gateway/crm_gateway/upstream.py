"""The proxy's HTTP client, behind one small interface so the two candidates can be measured in one run.

bench/gateway_proxy.py measures both (aiohttp and httpx) and `GATEWAY_PROXY_CLIENT` picks one; aiohttp is
the default because it measured faster (httpx's pool serialises under concurrency, encode/httpx#3215).
"""

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import httpx

from crm_gateway.settings import GatewaySettings

Body = bytes | AsyncIterator[bytes] | None


class UpstreamUnavailable(Exception):
    """The service could not be reached or the connection broke before an answer."""


class UpstreamTimeout(Exception):
    """The service did not answer in time."""


@dataclass
class UpstreamResponse:
    """Read either whole (`read`) or as `chunks`, then `close` in both cases."""

    status: int
    headers: list[tuple[bytes, bytes]]
    length: int | None
    read: Callable[[], Awaitable[bytes]]
    chunks: AsyncIterator[bytes]
    close: Callable[[], Awaitable[None]]


class Upstream(Protocol):
    async def send(self, method: str, url: str, headers: list[tuple[str, str]], body: Body) -> UpstreamResponse: ...

    async def close(self) -> None: ...


class AiohttpUpstream:
    def __init__(self, settings: GatewaySettings):
        connector = aiohttp.TCPConnector(limit=settings.upstream_connections, limit_per_host=0,
                                         ttl_dns_cache=300, keepalive_timeout=30)
        timeout = aiohttp.ClientTimeout(total=settings.upstream_timeout_seconds,
                                        connect=settings.upstream_connect_timeout_seconds)
        # No cookie jar: one session serves every caller, so a cookie one caller's answer set must not travel
        # with the next caller's request (it would also be work on every request).
        self.session = aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False,
                                             cookie_jar=aiohttp.DummyCookieJar(),
                                             skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept",
                                                                "Content-Type"))

    async def send(self, method: str, url: str, headers: list[tuple[str, str]], body: Body) -> UpstreamResponse:
        try:
            response = await self.session.request(method, url, headers=headers, data=body, allow_redirects=False)
        except TimeoutError as error:
            raise UpstreamTimeout(str(error)) from error
        except (aiohttp.ClientError, OSError) as error:
            raise UpstreamUnavailable(repr(error)) from error
        return UpstreamResponse(response.status, list(response.raw_headers), response.content_length,
                                _aiohttp_read(response), _aiohttp_chunks(response), _released(response))

    async def close(self) -> None:
        await self.session.close()


def _released(response: aiohttp.ClientResponse) -> Callable[[], Awaitable[None]]:
    async def release() -> None:
        response.release()

    return release


def _aiohttp_read(response: aiohttp.ClientResponse) -> Callable[[], Awaitable[bytes]]:
    async def read() -> bytes:
        try:
            return await response.read()
        except TimeoutError as error:
            raise UpstreamTimeout(str(error)) from error
        except aiohttp.ClientError as error:
            raise UpstreamUnavailable(repr(error)) from error

    return read


async def _aiohttp_chunks(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.content.iter_any():
            yield chunk
    except TimeoutError as error:
        raise UpstreamTimeout(str(error)) from error
    except aiohttp.ClientError as error:
        raise UpstreamUnavailable(repr(error)) from error


class HttpxUpstream:
    def __init__(self, settings: GatewaySettings):
        limits = httpx.Limits(max_connections=settings.upstream_connections,
                              max_keepalive_connections=settings.upstream_connections)
        timeout = httpx.Timeout(settings.upstream_timeout_seconds, connect=settings.upstream_connect_timeout_seconds)
        self.client = httpx.AsyncClient(timeout=timeout, limits=limits)

    async def send(self, method: str, url: str, headers: list[tuple[str, str]], body: Body) -> UpstreamResponse:
        request = self.client.build_request(method, url, headers=headers, content=body)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException as error:
            raise UpstreamTimeout(str(error)) from error
        except httpx.TransportError as error:
            raise UpstreamUnavailable(repr(error)) from error
        length = response.headers.get("content-length")
        chunks = _httpx_chunks(response)
        return UpstreamResponse(response.status_code, list(response.headers.raw),
                                int(length) if length and length.isdigit() else None,
                                lambda: _joined(chunks), chunks, response.aclose)

    async def close(self) -> None:
        await self.client.aclose()


async def _httpx_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except httpx.TimeoutException as error:
        raise UpstreamTimeout(str(error)) from error
    except httpx.TransportError as error:
        raise UpstreamUnavailable(repr(error)) from error


async def _joined(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in chunks])


def upstream_for(settings: GatewaySettings) -> Upstream:
    return AiohttpUpstream(settings) if settings.proxy_client == "aiohttp" else HttpxUpstream(settings)


@contextlib.asynccontextmanager
async def opened(app):
    """The app's resource: one upstream client for the proxy, one plain client for docs and webhooks."""
    settings: GatewaySettings = app.state.settings
    app.state.upstream = upstream_for(settings)
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds) as client:
        app.state.http = client
        try:
            yield
        finally:
            await app.state.upstream.close()
