"""The broker's jars from Maven Central (deploy/kafka/pom.xml), and the Java and Maven they need.

Fetched once into <repo>/.cache/kafka/<version>/libs; `python -m crm_devstack.kafka fetch` does it for `make setup`.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MIN_JAVA = 17
_MARKER = ".fetched"

# --------------------------------------------------------------------------- locations


def repo_root() -> Path:
    """The monorepo root: the nearest parent of this file (or of the cwd) holding deploy/kafka/pom.xml."""
    override = os.environ.get("CRM_REPO_ROOT")
    if override:
        return Path(override).resolve()
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for parent in (start, *start.parents):
            if (parent / "deploy" / "kafka" / "pom.xml").is_file():
                return parent
    raise SystemExit(
        "crm_devstack.kafka: cannot find deploy/kafka/pom.xml above "
        f"{Path(__file__).resolve()} or {Path.cwd()}; run from the repo or set CRM_REPO_ROOT."
    )


def pom_path() -> Path:
    return repo_root() / "deploy" / "kafka" / "pom.xml"


def log4j_config_path() -> Path:
    return repo_root() / "deploy" / "kafka" / "log4j2.properties"


def kafka_version(pom: Path | None = None) -> str:
    """The Kafka version pinned in the pom (the <kafka.version> property)."""
    text = (pom or pom_path()).read_text()
    m = re.search(r"<kafka\.version>\s*([^<\s]+)\s*</kafka\.version>", text)
    if not m:
        raise SystemExit(f"crm_devstack.kafka: no <kafka.version> property in {pom or pom_path()}")
    return m.group(1)


def libs_dir() -> Path:
    return repo_root() / ".cache" / "kafka" / kafka_version() / "libs"


# --------------------------------------------------------------------------- prerequisites


def _java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise SystemExit(
            f"crm_devstack.kafka: `java` not found. The Kafka broker needs Java {MIN_JAVA}+ "
            "(e.g. `apt-get install openjdk-17-jre-headless`), on PATH or in JAVA_HOME."
        )
    return found


_java_checked: dict[str, int] = {}


def check_java() -> str:
    """Return the java executable, or exit with an actionable message if it is missing or too old."""
    java = _java_executable()
    if java in _java_checked:
        return java
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False).stderr
    except OSError as exc:
        raise SystemExit(f"crm_devstack.kafka: cannot run {java}: {exc}") from exc
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        raise SystemExit(f"crm_devstack.kafka: cannot tell the version of {java} from:\n{out}")
    major = int(m.group(1))
    if major == 1 and m.group(2):  # "1.8.0_392" style
        major = int(m.group(2))
    if major < MIN_JAVA:
        raise SystemExit(
            f"crm_devstack.kafka: {java} is Java {major}; Kafka 4 brokers need Java {MIN_JAVA}+. "
            "Install a newer JDK/JRE and put it first on PATH or set JAVA_HOME."
        )
    _java_checked[java] = major
    return java


def check_mvn() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise SystemExit(
            "crm_devstack.kafka: `mvn` (Apache Maven 3.6+) not found; it fetches the Kafka jars from "
            "Maven Central once (`apt-get install maven`, or put a Maven download's bin/ on PATH)."
        )
    return mvn


# --------------------------------------------------------------------------- jars


def _pom_hash(pom: Path) -> str:
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def _jars_ready(libs: Path, pom_hash: str) -> bool:
    marker = libs / _MARKER
    try:
        return marker.read_text().split()[0] == pom_hash
    except (OSError, IndexError):
        return False


def fetch_jars() -> Path:
    """Copy the broker's runtime jars into <repo>/.cache/kafka/<version>/libs; a no-op once done.

    A marker file in libs/ records a hash of the pom; a changed pom fetches again. Concurrent callers
    (several test sessions) are serialised with a file lock. Returns the libs directory.
    """
    pom = pom_path()
    pom_hash = _pom_hash(pom)
    libs = libs_dir()
    if _jars_ready(libs, pom_hash):
        return libs

    import fcntl  # POSIX only, like the rest of this module

    libs.parent.mkdir(parents=True, exist_ok=True)
    with open(libs.parent / ".fetch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _jars_ready(libs, pom_hash):  # somebody else fetched while we waited
            return libs
        check_java()
        mvn = check_mvn()
        staging = Path(tempfile.mkdtemp(prefix="libs.", dir=libs.parent))
        cmd = [
            mvn, "-B", "-q", "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}", "-DincludeScope=runtime", "-f", str(pom),
        ]  # fmt: skip
        print(f"crm_devstack.kafka: fetching Kafka {kafka_version()} jars with Maven ...", file=sys.stderr)
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        jars = list(staging.glob("*.jar"))
        if proc.returncode != 0 or not jars:
            shutil.rmtree(staging, ignore_errors=True)
            output = (proc.stdout + proc.stderr).strip()[-4000:]
            raise SystemExit(
                f"crm_devstack.kafka: `{' '.join(cmd)}` failed (exit {proc.returncode}). Maven needs to "
                f"reach Maven Central (or a mirror in ~/.m2/settings.xml) the first time.\n{output}"
            )
        (staging / _MARKER).write_text(f"{pom_hash} {pom}\n")
        if libs.exists():
            shutil.rmtree(libs)
        staging.rename(libs)
        print(
            f"crm_devstack.kafka: {len(jars)} jars in {libs} ({time.monotonic() - t0:.1f}s)",
            file=sys.stderr,
        )
    return libs

