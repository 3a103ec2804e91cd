"""The Kubernetes manifests of deploy/kubernetes: valid against the Kubernetes schemas, and the
properties operators rely on (probes, limits, non-root, autoscaling, disruption budgets, the
images of this repository, env vars the services really read, one public entry, default deny).

No cluster is needed: kubernetes-validate checks the built-in kinds against the API schemas;
the CloudNativePG kinds have no built-in schema and are checked here by parsing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.settings import GatewaySettings
from svc_docflow.settings import DocflowSettings
from svc_dossier.settings import DossierSettings
from svc_identity.settings import IdentitySettings
from svc_reporting.settings import ReportingSettings

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS_DIR = ROOT / "deploy" / "kubernetes"
MANIFESTS = sorted(MANIFESTS_DIR.glob("*.yaml"))
NATS_VALUES = MANIFESTS_DIR / "helm" / "nats-values.yaml"

# Custom resources (CloudNativePG and its Barman Cloud plugin): kubernetes-validate has no schema
# for them and says so; for any other kind that warning means a typo in apiVersion or kind.
KNOWN_CRDS = {"Cluster", "Database", "ScheduledBackup", "ObjectStore"}

# Image directory -> the settings class its process reads.
SETTINGS = {
    "svc-identity": IdentitySettings,
    "svc-dossier": DossierSettings,
    "svc-docflow": DocflowSettings,
    "svc-reporting": ReportingSettings,
    "gateway": GatewaySettings,
}
# Read by every service without a prefix (egov_shared.settings).
PLATFORM_WIDE = {"NATS_URL", "NATS_STREAM_REPLICAS", "EGOV_ISSUER", "EGOV_IDENTITY_URL",
                 "EGOV_DEMO", "EGOV_DEMO_PASSWORD"}
IMAGE = re.compile(r"^egov/(?P<dir>[a-z-]+):(?P<tag>[0-9][0-9A-Za-z.\-]*)$")
SCHEMA_WARNING = re.compile(r"Couldn't find schema for kind (?P<kind>\w+)")


def _documents(path: Path) -> Iterator[dict[str, Any]]:
    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if doc:
            yield doc


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    found = [doc for path in MANIFESTS for doc in _documents(path)]
    assert found, "no manifests in deploy/kubernetes"
    return found


def _of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o.get("kind") == kind]


def _pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def _settings_for(container: dict[str, Any]) -> type:
    match = IMAGE.match(container["image"])
    assert match, f"image {container['image']!r} is not egov/<dir>:<version>"
    return SETTINGS[match["dir"]]


@pytest.fixture(scope="module")
def validation() -> tuple[int, str]:
    """One run of ``kubernetes-validate --strict`` over every manifest (it loads the schemas
    once: a run per file would take seconds each)."""
    validator = shutil.which("kubernetes-validate", path=str(Path(sys.executable).parent))
    if validator is None:
        pytest.skip("kubernetes-validate is not installed")
    result = subprocess.run(
        [validator, "--strict", *map(str, MANIFESTS)],
        capture_output=True, text=True, timeout=300, check=False)
    return result.returncode, result.stdout + result.stderr


class TestSchemaValidation:
    def test_validator_succeeds(self, validation: tuple[int, str]) -> None:
        returncode, output = validation
        assert returncode == 0, output

    @pytest.mark.parametrize("path", MANIFESTS, ids=[p.name for p in MANIFESTS])
    def test_manifest_is_valid_and_only_crds_lack_a_schema(
            self, validation: tuple[int, str], path: Path) -> None:
        lines = [line for line in validation[1].splitlines() if f" {path} " in f"{line} "]
        assert lines, f"{path.name} was not validated:\n{validation[1]}"
        failures = [line for line in lines if not line.startswith(("INFO", "WARN"))]
        assert not failures, "\n".join(failures)
        unknown = {m["kind"] for line in lines for m in SCHEMA_WARNING.finditer(line)}
        assert unknown <= KNOWN_CRDS, f"no schema for built-in-looking kinds {unknown - KNOWN_CRDS}"

    def test_every_document_is_a_kubernetes_object(self, objects: list[dict[str, Any]]) -> None:
        for obj in objects:
            assert {"apiVersion", "kind", "metadata"} <= obj.keys(), obj
            assert obj["metadata"].get("name"), obj


class TestWorkloadSafety:
    def test_there_are_deployments_for_every_component(
            self, objects: list[dict[str, Any]]) -> None:
        names = {d["metadata"]["name"] for d in _of_kind(objects, "Deployment")}
        assert {"identity", "dossier", "dossier-worker", "docflow", "docflow-worker",
                "reporting", "gateway"} <= names

    def test_probes_and_resources(self, objects: list[dict[str, Any]]) -> None:
        for deployment in _of_kind(objects, "Deployment"):
            for c in _pod_spec(deployment)["containers"]:
                where = f"{deployment['metadata']['name']}/{c['name']}"
                assert c.get("readinessProbe", {}).get("httpGet"), where
                assert c.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz", \
                    where
                assert c.get("startupProbe"), where
                for part in ("requests", "limits"):
                    assert {"cpu", "memory"} <= c.get("resources", {}).get(part, {}).keys(), \
                        f"{where}: resources.{part}"

    def test_services_report_readiness_on_readyz(self, objects: list[dict[str, Any]]) -> None:
        for deployment in _of_kind(objects, "Deployment"):
            if deployment["metadata"]["name"] == "gateway":
                continue  # its /readyz follows every upstream: see gateway.yaml
            for c in _pod_spec(deployment)["containers"]:
                assert c["readinessProbe"]["httpGet"]["path"] == "/readyz", c["name"]

    @pytest.mark.parametrize("kind", ["Deployment", "Job"])
    def test_locked_down_containers(self, objects: list[dict[str, Any]], kind: str) -> None:
        for workload in _of_kind(objects, kind):
            pod = _pod_spec(workload)
            assert pod.get("automountServiceAccountToken") is False, workload["metadata"]
            for c in pod["containers"]:
                sc = {**pod.get("securityContext", {}), **c.get("securityContext", {})}
                where = f"{workload['metadata']['name']}/{c['name']}"
                assert sc.get("runAsNonRoot") is True, where
                assert sc.get("runAsUser") == 10001, where
                assert sc.get("readOnlyRootFilesystem") is True, where
                assert sc.get("allowPrivilegeEscalation") is False, where
                assert sc.get("capabilities", {}).get("drop") == ["ALL"], where
                assert sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
                mounts = {m["mountPath"] for m in c.get("volumeMounts", [])}
                assert "/tmp" in mounts, f"{where}: a read-only root needs a writable /tmp"

    def test_service_accounts_do_not_mount_tokens(self, objects: list[dict[str, Any]]) -> None:
        accounts = {a["metadata"]["name"]: a for a in _of_kind(objects, "ServiceAccount")}
        for workload in _of_kind(objects, "Deployment") + _of_kind(objects, "Job"):
            name = _pod_spec(workload).get("serviceAccountName")
            assert name in accounts, f"{workload['metadata']['name']}: no ServiceAccount {name}"
            assert accounts[name].get("automountServiceAccountToken") is False, name

    def test_deployments_spread_over_nodes(self, objects: list[dict[str, Any]]) -> None:
        for deployment in _of_kind(objects, "Deployment"):
            keys = {t["topologyKey"]
                    for t in _pod_spec(deployment).get("topologySpreadConstraints", [])}
            assert "kubernetes.io/hostname" in keys, deployment["metadata"]["name"]
            assert deployment["spec"]["replicas"] >= 2, deployment["metadata"]["name"]


class TestScaling:
    def _targets(self, objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
        return {o["spec"]["scaleTargetRef"]["name"]: o for o in _of_kind(objects, kind)
                if o["spec"]["scaleTargetRef"]["kind"] == "Deployment"}

    def test_every_deployment_has_an_autoscaler(self, objects: list[dict[str, Any]]) -> None:
        hpas = self._targets(objects, "HorizontalPodAutoscaler")
        for deployment in _of_kind(objects, "Deployment"):
            hpa = hpas.get(deployment["metadata"]["name"])
            assert hpa is not None, f"no HPA for {deployment['metadata']['name']}"
            assert hpa["apiVersion"] == "autoscaling/v2"
            assert hpa["spec"]["minReplicas"] >= 2
            assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
            resources = [m["resource"]["name"] for m in hpa["spec"]["metrics"]
                         if m["type"] == "Resource"]
            assert "cpu" in resources

    def test_every_deployment_has_a_disruption_budget(
            self, objects: list[dict[str, Any]]) -> None:
        budgets = _of_kind(objects, "PodDisruptionBudget")
        for deployment in _of_kind(objects, "Deployment"):
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            matching = [b for b in budgets
                        if _matches(b["spec"]["selector"]["matchLabels"], labels)]
            assert len(matching) == 1, f"{deployment['metadata']['name']}: {len(matching)} PDBs"
            assert matching[0]["apiVersion"] == "policy/v1"
            assert matching[0]["spec"].get("minAvailable") == 1

    def test_api_and_worker_roles_are_split(self, objects: list[dict[str, Any]]) -> None:
        deployments = {d["metadata"]["name"]: d for d in _of_kind(objects, "Deployment")}
        for name, prefix in (("dossier", "DOSSIER_"), ("docflow", "DOCFLOW_")):
            for deploy_name, role in ((name, "api"), (f"{name}-worker", "worker")):
                env = {e["name"]: e.get("value")
                       for e in _pod_spec(deployments[deploy_name])["containers"][0]["env"]}
                assert env.get(f"{prefix}ROLE") == role, deploy_name

    def test_services_never_migrate_at_start(self, objects: list[dict[str, Any]]) -> None:
        for deployment in _of_kind(objects, "Deployment"):
            container = _pod_spec(deployment)["containers"][0]
            prefix = _settings_for(container).model_config["env_prefix"]
            env = {e["name"]: e.get("value") for e in container.get("env", [])}
            assert env.get(f"{prefix}AUTO_MIGRATE") == "false", deployment["metadata"]["name"]
            assert env.get(f"{prefix}HOST") == "0.0.0.0", deployment["metadata"]["name"]


class TestImagesAndMigrations:
    def _containers(self, objects: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for workload in _of_kind(objects, "Deployment") + _of_kind(objects, "Job"):
            yield from _pod_spec(workload)["containers"]

    def test_images_are_built_from_this_repository(self, objects: list[dict[str, Any]]) -> None:
        tags = set()
        for container in self._containers(objects):
            match = IMAGE.match(container["image"])
            assert match, container["image"]
            assert (ROOT / match["dir"] / "Dockerfile").is_file(), container["image"]
            tags.add(match["tag"])
        assert len(tags) == 1, f"one release at a time, found {tags}"

    def test_one_migration_job_per_service_with_a_database(
            self, objects: list[dict[str, Any]]) -> None:
        jobs = _of_kind(objects, "Job")
        migrated = set()
        for job in jobs:
            container = _pod_spec(job)["containers"][0]
            assert container.get("args") == ["migrate"], job["metadata"]["name"]
            assert _pod_spec(job)["restartPolicy"] == "Never"
            assert job["spec"].get("backoffLimit") is not None
            assert job["spec"].get("ttlSecondsAfterFinished") is not None
            migrated.add(IMAGE.match(container["image"])["dir"])
            tag = IMAGE.match(container["image"])["tag"]
            assert job["metadata"]["name"].endswith(tag), "the version names the Job"
        assert migrated == {"svc-identity", "svc-dossier", "svc-docflow", "svc-reporting"}


class TestEnvironment:
    def _secret_keys(self, objects: list[dict[str, Any]]) -> dict[str, set[str]]:
        return {s["metadata"]["name"]: set(s.get("stringData", {})) | set(s.get("data", {}))
                for s in _of_kind(objects, "Secret")}

    def _config_keys(self, objects: list[dict[str, Any]]) -> dict[str, set[str]]:
        return {c["metadata"]["name"]: set(c.get("data", {}))
                for c in _of_kind(objects, "ConfigMap")}

    def _env_names(self, container: dict[str, Any], objects: list[dict[str, Any]]) -> set[str]:
        secrets, configs = self._secret_keys(objects), self._config_keys(objects)
        names = {e["name"] for e in container.get("env", [])}
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                names |= configs[source["configMapRef"]["name"]]
            if "secretRef" in source:
                names |= secrets[source["secretRef"]["name"]]
        return names

    def test_shared_config_holds_platform_wide_names_only(
            self, objects: list[dict[str, Any]]) -> None:
        keys = self._config_keys(objects)["egov-config"]
        assert keys <= PLATFORM_WIDE, keys - PLATFORM_WIDE
        assert {"NATS_URL", "EGOV_ISSUER", "EGOV_IDENTITY_URL", "EGOV_DEMO"} <= keys
        assert _of_kind(objects, "ConfigMap")[0]["data"]["NATS_STREAM_REPLICAS"] == "3"
        assert _of_kind(objects, "ConfigMap")[0]["data"]["EGOV_DEMO"] == "0"

    def test_every_env_var_is_read_by_its_service(self, objects: list[dict[str, Any]]) -> None:
        for workload in _of_kind(objects, "Deployment") + _of_kind(objects, "Job"):
            for container in _pod_spec(workload)["containers"]:
                settings = _settings_for(container)
                prefix = settings.model_config["env_prefix"]
                known = {prefix + field.upper() for field in settings.model_fields}
                unknown = self._env_names(container, objects) - known - PLATFORM_WIDE
                assert not unknown, f"{workload['metadata']['name']}: not read: {unknown}"

    def test_referenced_secret_keys_exist(self, objects: list[dict[str, Any]]) -> None:
        secrets = self._secret_keys(objects)
        for workload in _of_kind(objects, "Deployment") + _of_kind(objects, "Job"):
            for container in _pod_spec(workload)["containers"]:
                for entry in container.get("env", []):
                    ref = entry.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        assert ref["key"] in secrets.get(ref["name"], set()), entry

    def test_secrets_are_placeholders(self, objects: list[dict[str, Any]]) -> None:
        for secret in _of_kind(objects, "Secret"):
            for key, value in secret.get("stringData", {}).items():
                if key == "username":
                    continue
                assert "REPLACE-ME" in value, f"{secret['metadata']['name']}.{key}"
            assert not secret.get("data"), "base64 data hides what is committed"

    def test_services_have_their_database_and_production_settings(
            self, objects: list[dict[str, Any]]) -> None:
        for deployment in _of_kind(objects, "Deployment"):
            container = _pod_spec(deployment)["containers"][0]
            settings = _settings_for(container)
            if settings is GatewaySettings:
                continue
            names = self._env_names(container, objects)
            assert settings.model_config["env_prefix"] + "DATABASE_URL" in names


class TestNetworkExposure:
    def test_only_the_gateway_is_behind_the_ingress(self, objects: list[dict[str, Any]]) -> None:
        ingresses = _of_kind(objects, "Ingress")
        assert len(ingresses) == 1
        backends = {p["backend"]["service"]["name"]
                    for rule in ingresses[0]["spec"]["rules"]
                    for p in rule["http"]["paths"]}
        assert backends == {"gateway"}
        assert ingresses[0]["spec"]["tls"][0]["secretName"]
        size = ingresses[0]["metadata"]["annotations"][
            "nginx.ingress.kubernetes.io/proxy-body-size"]
        assert int(size.rstrip("m")) >= 12

    def test_services_are_cluster_internal(self, objects: list[dict[str, Any]]) -> None:
        for service in _of_kind(objects, "Service"):
            assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
            assert service["spec"]["selector"].get("app.kubernetes.io/component") == "api"

    def test_default_deny_covers_both_directions(self, objects: list[dict[str, Any]]) -> None:
        denies = [p for p in _of_kind(objects, "NetworkPolicy")
                  if p["spec"]["podSelector"] == {}
                  and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
                  and not p["spec"].get("ingress") and not p["spec"].get("egress")]
        assert denies, "no default-deny NetworkPolicy"

    def test_only_the_gateway_takes_traffic_from_the_ingress_controller(
            self, objects: list[dict[str, Any]]) -> None:
        for policy in _of_kind(objects, "NetworkPolicy"):
            for rule in policy["spec"].get("ingress", []):
                for peer in rule.get("from", []):
                    ns = peer.get("namespaceSelector", {}).get("matchLabels", {})
                    if ns.get("kubernetes.io/metadata.name") == "ingress-nginx":
                        selected = policy["spec"]["podSelector"]["matchLabels"]
                        assert selected == {"app.kubernetes.io/name": "gateway"}

    def test_external_egress_excludes_private_ranges(
            self, objects: list[dict[str, Any]]) -> None:
        for policy in _of_kind(objects, "NetworkPolicy"):
            for rule in policy["spec"].get("egress", []):
                for peer in rule.get("to", []):
                    block = peer.get("ipBlock")
                    if block and block["cidr"] == "0.0.0.0/0":
                        assert {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"} <= \
                            set(block.get("except", [])), policy["metadata"]["name"]
                        assert {p["port"] for p in rule["ports"]} <= {443, 587, 465}
                        selected = policy["spec"]["podSelector"]
                        assert selected, "external egress for every pod"

    def test_the_gateway_has_no_external_egress(self, objects: list[dict[str, Any]]) -> None:
        for policy in _of_kind(objects, "NetworkPolicy"):
            names = set()
            selector = policy["spec"]["podSelector"]
            names |= {selector.get("matchLabels", {}).get("app.kubernetes.io/name")}
            for expr in selector.get("matchExpressions", []):
                names |= set(expr["values"])
            external = any(peer.get("ipBlock") for rule in policy["spec"].get("egress", [])
                           for peer in rule.get("to", []))
            if external:
                assert "gateway" not in names, policy["metadata"]["name"]


class TestDataServices:
    def test_postgres_cluster_has_a_replica_backups_and_four_databases(
            self, objects: list[dict[str, Any]]) -> None:
        clusters = _of_kind(objects, "Cluster")
        assert len(clusters) == 1
        cluster = clusters[0]
        assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
        assert cluster["spec"]["instances"] >= 2
        assert cluster["spec"].get("plugins") or cluster["spec"].get("backup")
        backups = _of_kind(objects, "ScheduledBackup")
        assert backups and backups[0]["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
        databases = {d["spec"]["name"]: d["spec"]["owner"] for d in _of_kind(objects, "Database")}
        assert databases == {f"egov_{s}": f"egov_{s}"
                             for s in ("identity", "dossier", "docflow", "reporting")}
        roles = {r["name"] for r in cluster["spec"]["managed"]["roles"]}
        assert set(databases.values()) <= roles

    def test_dsns_point_at_the_cluster_and_their_own_database(
            self, objects: list[dict[str, Any]]) -> None:
        for secret in _of_kind(objects, "Secret"):
            for key, value in secret.get("stringData", {}).items():
                if key.endswith("_DATABASE_URL"):
                    service = key.split("_", 1)[0].lower()
                    assert value.startswith("postgresql+asyncpg://"), key
                    assert value.endswith(f"/egov_{service}"), key
                    assert "egov-pg-rw.egov-db.svc" in value, key

    def test_nats_values_make_a_jetstream_cluster(self) -> None:
        values = yaml.safe_load(NATS_VALUES.read_text(encoding="utf-8"))
        config = values["config"]
        assert config["cluster"]["enabled"] is True
        assert config["cluster"]["replicas"] == 3
        assert config["jetstream"]["enabled"] is True
        assert config["jetstream"]["fileStore"]["pvc"]["size"]
        # An 8 MiB edXML package is one message (DOCFLOW_MAX_PACKAGE_BYTES) plus headers.
        assert config["merge"]["max_payload"] > DocflowSettings().max_package_bytes
        assert values["podDisruptionBudget"]["enabled"] is True

    def test_nats_url_names_the_charts_service(self, objects: list[dict[str, Any]]) -> None:
        url = _of_kind(objects, "ConfigMap")[0]["data"]["NATS_URL"]
        assert url == "nats://nats.egov-nats.svc:4222"
