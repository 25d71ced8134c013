"""The async database engine and sessions, built by the app factory (never at import time)."""

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, TypeVar

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import registry
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.main import SQLModelMetaclass

Sessions = async_sessionmaker[AsyncSession]
T = TypeVar("T")

# SQLSTATE prefixes meaning "the server is not reachable right now": connection exceptions, insufficient
# resources, and admin/crash shutdown or "cannot connect now" while it restarts.
_UNAVAILABLE_STATES = ("08", "53", "57P")


def _sqlstate(error: BaseException) -> str:
    return getattr(getattr(error, "orig", None), "sqlstate", None) or ""


def unstorable(error: BaseException) -> bool:
    """A value PostgreSQL cannot hold (SQLSTATE class 22), or asyncpg cannot encode (a number beyond int4)."""
    cause = getattr(getattr(error, "orig", None), "__cause__", None)
    return _sqlstate(error).startswith("22") or isinstance(cause, asyncpg.exceptions.DataError)


def unavailable(error: BaseException) -> bool:
    """The database is down or restarting: worth retrying, never the client's fault nor a poison message."""
    if isinstance(error, OSError) or isinstance(getattr(getattr(error, "orig", None), "__cause__", None), OSError):
        return True
    if not isinstance(error, DBAPIError) or unstorable(error):
        return False
    return (error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
            or _sqlstate(error).startswith(_UNAVAILABLE_STATES))


def model_base(name: str) -> type[SQLModel]:
    """A SQLModel base with a registry (and so a MetaData) of its own, one per service.

    SQLModel's default registry is process-wide: two services that both have a `visits` table
    clash as soon as one process imports both, as the test suite does.
    """
    return SQLModelMetaclass(name, (SQLModel,), {"__module__": __name__}, registry=registry())


# A pre-ping costs a round trip on every checkout (9 % of a read's time under load). Without it a connection
# the server dropped fails on first use instead: SQLAlchemy then invalidates the whole pool, `reading` retries
# a read once on a fresh connection, and a write answers 503 with Retry-After (the client retries). Recycling
# bounds how long an idle connection is trusted (server and firewall idle timeouts).
POOL_RECYCLE_SECONDS = 600


def create_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    # At most twice `pool_size` connections, as before, but all of them kept: an overflow connection is closed
    # when it is given back, so under load every burst paid a new connection (a server process fork each).
    return create_async_engine(url, pool_size=2 * pool_size, max_overflow=0, pool_pre_ping=False,
                               pool_recycle=POOL_RECYCLE_SECONDS)


async def reading(session: AsyncSession, read: Callable[[], Awaitable[T]]) -> T:
    """Run a read with no transaction around it (a lone SELECT needs no BEGIN and ROLLBACK: two round trips),
    retried once on a connection the server had dropped (a restart): the pool was invalidated, so the retry
    gets a new one. The session is left with no transaction, so the caller may `begin()` a write after it."""
    try:
        found = await _unwrapped(session, read)
    except DBAPIError as error:
        await session.rollback()
        if not error.connection_invalidated:
            raise
        found = await _unwrapped(session, read)
    await session.commit()  # nothing to commit, so no round trip: it only gives the connection back
    return found


async def _unwrapped(session: AsyncSession, read: Callable[[], Awaitable[T]]) -> T:
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return await read()


def session_factory(engine: AsyncEngine) -> Sessions:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def connect(url: str, database: str | None = None) -> asyncpg.Connection:
    """A plain asyncpg connection outside the pool (e.g. one that LISTENs for as long as the process lives)."""
    parsed = make_url(url)
    params = {
        "user": parsed.username,
        "password": parsed.password,
        "host": parsed.query.get("host") or parsed.host,
        "port": parsed.port,
        "database": database or parsed.database,
    }
    return await asyncpg.connect(**{k: v for k, v in params.items() if v is not None})


async def ensure_database(url: str) -> None:
    """Create the service's database when the server lacks it (one database per service)."""
    name = make_url(url).database
    connection = await connect(url, "postgres")
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # another replica was first
                await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
