"""Rules read from the source, not from running it: tests take no fixed ports (so `make test` passes while
`make run` or anything else holds one), and no hand-written module outgrows a reader's patience."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST_DIRS = ["tests", "services/*/tests", "gateway/tests", "console/tests", "kit/tests", "deploy/devstack/tests",
             "contracts/tests", "cli/tests"]
LOOPBACK = r"(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[?::1\]?)"
# Each finds a port number in group 1; port 0 (the system picks) is always fine.
PORT_LITERALS = [
    re.compile(LOOPBACK + r":(\d+)"),  # 127.0.0.1:8001, localhost:5432
    re.compile(r"[\"']" + LOOPBACK + r"[\"']\s*,\s*(\d+)"),  # ("127.0.0.1", 9092)
    re.compile(r"://[^\s/\"'{}]*:(\d+)"),  # any URL with a port: http://gateway:8000, postgresql://u:p@db:5432
    re.compile(r"\b(?:\w+_)?port\s*=\s*(\d+)"),  # port=9092, kafka_port=9092
    re.compile(r"[\"'](?:\w+_)?port[\"']\s*:\s*(\d+)"),  # {"port": 8000}
    re.compile(r"[\"']--(?:\w+-)?port[\"']\s*,\s*[\"']?(\d+)"),  # ["--port", "8000"]
]
# Literals that look like ports but name none on this machine; each says why it may stay.
ALLOWED = {
    # A browser's Origin header, compared with the gateway's default CORS setting; nothing connects to it.
    ("gateway/tests/integration/test_proxy.py", "localhost:5173"),
    # A database URL that a settings check must accept as a production value; the host "db" is never dialled.
    ("services/customer/tests/unit/test_settings.py", "//crm:s3cret@db:5432"),
}
MAX_LINES = 300
NOT_HAND_WRITTEN = ("migrations/versions/",)


def _test_files() -> list[Path]:
    files = {path for pattern in TEST_DIRS for folder in REPO.glob(pattern) for path in folder.rglob("*.py")}
    return sorted(files - {Path(__file__).resolve()})


def _allowed(relative: str, line: str) -> bool:
    return any(path == relative and literal in line for path, literal in ALLOWED)


def test_no_test_takes_a_fixed_port():
    found = []
    for path in _test_files():
        relative = path.relative_to(REPO).as_posix()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            for pattern in PORT_LITERALS:
                if any(int(port) != 0 for port in pattern.findall(line)) and not _allowed(relative, line):
                    found.append(f"{relative}:{number}: {line.strip()}")
                    break
    assert found == [], ("fixed ports in tests; take crm_devstack.ports.free_port() instead (and close it "
                         "when an unreachable address is wanted):\n" + "\n".join(found))


def test_the_port_rule_sees_the_usual_shapes():
    shapes = ['"http://127.0.0.1:8001/readyz"', "connect(('localhost', 5432))", "KafkaBroker(d, port=9092)",
              'f"http://gateway:8000{path}"', '["--kafka-port", "9092"]', '{"port": 8004}']
    assert all(any(int(p) for pattern in PORT_LITERALS for p in pattern.findall(shape)) for shape in shapes)
    fine = ['f"http://127.0.0.1:{free_port()}"', 's.bind(("127.0.0.1", 0))', "port=free_port()"]
    assert not any(int(p) for shape in fine for pattern in PORT_LITERALS for p in pattern.findall(shape))


def _hand_written_modules() -> list[Path]:
    modules = []
    for path in REPO.rglob("*.py"):
        parts = path.relative_to(REPO).parts
        if parts[0].startswith(".") or parts[0] == "bench" or "tests" in parts or "node_modules" in parts:
            continue
        if any(marker in path.relative_to(REPO).as_posix() for marker in NOT_HAND_WRITTEN):
            continue
        modules.append(path)
    return modules


def test_no_hand_written_module_is_over_300_lines():
    modules = _hand_written_modules()
    assert len(modules) > 50, "the walk found the source"
    long = {path.relative_to(REPO).as_posix(): n for path in modules
            if (n := len(path.read_text(errors="replace").splitlines())) > MAX_LINES}
    assert long == {}, f"split these by concern (at most {MAX_LINES} lines each): {long}"
