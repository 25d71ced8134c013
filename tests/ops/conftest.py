import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


@pytest.fixture(scope="session")
def promtool() -> str:
    """promtool from Debian's prometheus package, installed by the project's own script when missing."""
    if shutil.which("promtool") is None:
        subprocess.run(["bash", str(DEPLOY / "prometheus" / "install-promtool.sh")], check=True, timeout=600)
    return shutil.which("promtool")
