"""The import boundaries of `.importlinter` hold for the house and catch each kind of crossing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = {
    "The services, the gateway and the console never import one another",
    "The kit and the contracts import no service, gateway or console",
    "Domain code imports no framework or I/O library",
    "The console is a client of the public API: it imports no service package",
}

# A stand-in house with one crossing of each boundary; its packages shadow ours on PYTHONPATH.
CROSSINGS = {
    "crm_contracts/__init__.py": "",
    "crm_kit/__init__.py": "",
    "crm_kit/outbox.py": "from crm_customer import models\n",
    "crm_customer/__init__.py": "",
    "crm_customer/models.py": "",
    "crm_customer/domain/__init__.py": "",
    "crm_customer/domain/identity.py": "import sqlalchemy\n",
    "crm_segmentation/__init__.py": "",
    "crm_segmentation/consumers.py": "from crm_survey import scoring\n",
    "crm_survey/__init__.py": "",
    "crm_survey/scoring.py": "",
    "crm_survey/domain.py": "import fastapi\nimport starlette\nimport sqlmodel\nimport asyncpg\nimport aiokafka\n",
    "crm_care/__init__.py": "",
    "crm_care/domain.py": "import httpx\nimport aiohttp\n",
    "crm_gateway/__init__.py": "",
    "crm_gateway/domain.py": "",
    "crm_console/__init__.py": "",
    "crm_console/routes.py": "import crm_care.domain\n",
    "crm_console/domain.py": "",
    "crm_segmentation/domain.py": "",
}


def lint_imports(cwd: Path, python_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(python_path)} if python_path else dict(os.environ)
    return subprocess.run([str(LINT_IMPORTS), "--no-logo", "--no-cache", str(ROOT / ".importlinter")],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_house_keeps_every_boundary():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for contract in CONTRACTS:
        assert f"{contract} KEPT" in result.stdout


def test_each_kind_of_crossing_breaks_its_contract(tmp_path):
    for name, source in CROSSINGS.items():
        module = tmp_path / name
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text(source)
    result = lint_imports(tmp_path, python_path=tmp_path)
    report = result.stdout
    assert result.returncode == 1, report + result.stderr
    for contract in CONTRACTS:
        assert f"{contract} BROKEN" in report
    for crossing in ("crm_kit.outbox -> crm_customer.models",
                     "crm_segmentation.consumers -> crm_survey.scoring",
                     "crm_customer.domain.identity -> sqlalchemy",
                     "crm_survey.domain -> fastapi", "crm_survey.domain -> aiokafka",
                     "crm_care.domain -> httpx", "crm_care.domain -> aiohttp",
                     "crm_console.routes -> crm_care.domain"):
        assert crossing in report, (crossing, report)
