"""Kubernetes manifests validate against the Kubernetes schemas; compose and the Dockerfiles hold together."""

import re

import kubernetes_validate
import pytest
import yaml

from crm_devstack.stack import DEFAULT_PORTS, PROCESSES

from .conftest import DEPLOY, REPO

K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.33"
DOCKERFILE = DEPLOY / "Dockerfile"  # one for every process, which its build arguments name


def compose_services() -> dict[str, dict]:
    return yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())["services"]


def dockerfile_for(build_args: dict[str, str]) -> str:
    """The Dockerfile as the builder reads it for these arguments: each ${NAME} replaced by the argument
    given, else by its ARG default (which may name an earlier argument)."""
    text = DOCKERFILE.read_text()
    values = {name: str(value) for name, value in build_args.items()}
    for name, default in re.findall(r"^ARG (\w+)=(\S+)$", text, flags=re.MULTILINE):
        values.setdefault(name, re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), ""), default))
    return re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def kustomized() -> list[dict]:
    """The resources `kustomize build deploy/k8s` would emit, namespaced as the kustomization says."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    documents = []
    for resource in kustomization["resources"]:
        for document in yaml.safe_load_all((K8S / resource).read_text()):
            if document is None:
                continue
            if document["kind"] != "Namespace":
                document["metadata"]["namespace"] = kustomization["namespace"]
            documents.append(document)
    return documents


def by_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in kustomized() if doc["kind"] == kind}


def test_every_manifest_validates_against_the_kubernetes_schemas():
    documents = kustomized()
    assert len(documents) == 1 + 3 + 4 * len(PROCESSES)
    for document in documents:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_a_broken_manifest_is_caught():
    deployment = by_kind("Deployment")["customer"]
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_each_process_has_probes_requests_a_budget_and_an_autoscaler():
    deployments, services = by_kind("Deployment"), by_kind("Service")
    budgets, autoscalers = by_kind("PodDisruptionBudget"), by_kind("HorizontalPodAutoscaler")
    assert set(deployments) == set(services) == set(budgets) == set(autoscalers) == set(PROCESSES)
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["ports"][0]["containerPort"] == DEFAULT_PORTS[name]
        env = {item["name"]: item for item in container["env"]}
        assert env[f"{name.upper()}_ENVIRONMENT"]["value"] == "prod"
        assert "secretKeyRef" in env[f"{name.upper()}_DATABASE_URL"]["valueFrom"]
        assert services[name]["spec"]["ports"][0]["port"] == DEFAULT_PORTS[name]
        assert autoscalers[name]["spec"]["scaleTargetRef"]["name"] == name
        assert autoscalers[name]["spec"]["minReplicas"] >= budgets[name]["spec"]["minAvailable"] + 1


def test_compose_runs_kafka_postgres_every_process_prometheus_and_grafana():
    services = compose_services()
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["postgres"]["image"].startswith("postgres:")
    assert {"prometheus", "grafana", *PROCESSES} <= set(services)
    for process in PROCESSES:
        service = services[process]
        dockerfile = REPO / service["build"]["dockerfile"]
        assert service["build"]["context"] == "../.." and dockerfile == DOCKERFILE
        assert service["build"]["args"]["PROCESS"] == process
        assert service["build"]["args"]["PORT"] == str(DEFAULT_PORTS[process])
        assert service["depends_on"]["kafka-topics"]["condition"] == "service_completed_successfully"
        prefix = process.upper() + "_"
        assert service["environment"][prefix + "KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert "@postgres:5432/crm_" + process in service["environment"][prefix + "DATABASE_URL"]
    mounted = [volume.split(":")[0] for volume in services["prometheus"]["volumes"]]
    assert all((DEPLOY / "compose" / path).resolve().exists() for path in mounted if path.startswith(".."))
    gateway = services["gateway"]["environment"]
    assert {gateway[f"GATEWAY_{name.upper()}_URL"] for name in PROCESSES if name != "gateway"} == {
        f"http://{name}:{DEFAULT_PORTS[name]}" for name in PROCESSES if name != "gateway"}


@pytest.mark.parametrize("process", PROCESSES)
def test_the_dockerfile_builds_each_process_multi_stage_non_root_with_a_health_check_and_the_lock(process):
    build_args = compose_services()[process]["build"]["args"]
    text = dockerfile_for(build_args)
    stages = re.findall(r"^FROM\s+(\S+)", text, flags=re.MULTILINE)
    assert len(stages) >= 2 and all("slim" in image for image in stages if not image.startswith("--"))
    assert re.search(r"^USER\s+10001$", text, flags=re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", text, flags=re.MULTILINE)
    assert "uv sync --frozen --no-dev" in text and f"--package crm-{process}" in text
    assert re.search(rf"^\s+CRM_PROCESS={process} ", text, flags=re.MULTILINE)
    assert 'CMD ["sh", "-c", "exec python -m crm_${CRM_PROCESS}"]' in text, "the process's module, by its name"
    assert f"EXPOSE {DEFAULT_PORTS[process]}" in text
    assert f"{process.upper()}_HOST=0.0.0.0" in text
    copied = re.findall(r"^COPY (?!--)(\S+) ", text, flags=re.MULTILINE)
    assert any((REPO / source / f"crm_{process}").is_dir() for source in copied), "its package's sources"
    for source in copied:
        assert (REPO / source).exists(), f"{process}: COPY {source} names nothing in the repository"
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert ".venv" in ignored and ".git" in ignored


def test_the_dockerfile_copies_every_workspace_members_pyproject():
    """uv reads the whole workspace before it installs one package, so a member missing here breaks every build."""
    text = DOCKERFILE.read_text()
    members = re.search(r"members = \[(.*?)\]", (REPO / "pyproject.toml").read_text()).group(1)
    for member in re.findall(r'"([^"]+)"', members):
        for folder in REPO.glob(member):
            relative = folder.relative_to(REPO).as_posix()
            assert f"COPY {relative}/pyproject.toml {relative}/" in text, relative


def test_no_process_keeps_a_dockerfile_of_its_own():
    assert [path.relative_to(REPO).as_posix() for path in REPO.glob("*/**/Dockerfile")
            if ".venv" not in path.parts] == ["deploy/Dockerfile"]
