import pytest

from .support import new_fault_stack


@pytest.fixture(scope="package")
def fault_stack(tmp_path_factory):
    """One stack for the reliability suites: each test leaves it whole (processes up, broker up)."""
    stack = new_fault_stack(tmp_path_factory.mktemp("fault-stack"))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
