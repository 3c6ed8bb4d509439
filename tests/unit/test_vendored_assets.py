"""The vendored front-end files are exactly what scripts/vendor-assets copied from the lock."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO / "src" / "bpmn_sales" / "web" / "static" / "vendor"
LOCK = REPO / "web-assets" / "package-lock.json"


def manifest() -> dict[str, object]:
    data: dict[str, object] = json.loads((VENDOR / "VENDOR.json").read_text(encoding="utf-8"))
    return data


def test_every_vendored_file_matches_its_checksum() -> None:
    packages = manifest()["packages"]
    assert isinstance(packages, list) and packages
    bundles = manifest().get("bundles", [])  # type: ignore[attr-defined]
    listed = set()
    for package in [*packages, *bundles]:
        assert package["files"], package["name"]
        for name, digest in package["files"].items():
            path = VENDOR / name
            assert path.is_file(), (
                f"{name} is in VENDOR.json but missing: run scripts/vendor-assets"
            )
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, name
            listed.add(path)
    on_disk = {p for p in VENDOR.rglob("*") if p.is_file() and p.name != "VENDOR.json"}
    assert on_disk == listed, "files in static/vendor that VENDOR.json does not list"


def test_versions_match_the_lock_file() -> None:
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    declared = json.loads((REPO / "web-assets" / "package.json").read_text(encoding="utf-8"))
    for package in manifest()["packages"]:  # type: ignore[attr-defined]
        locked = lock["packages"][f"node_modules/{package['name']}"]
        assert package["version"] == locked["version"]
        assert package["integrity"] == locked["integrity"]
        assert declared["dependencies"][package["name"]] == locked["version"]  # pinned exactly


def test_the_deal_page_viewer_is_vendored() -> None:
    files = {name for p in manifest()["packages"] for name in p["files"]}  # type: ignore[attr-defined]
    for needed in (
        "bpmn-js/bpmn-navigated-viewer.production.min.js",
        "bpmn-js/assets/diagram-js.css",
        "bpmn-js/assets/bpmn-js.css",
        "bpmn-js/assets/bpmn-font/css/bpmn.css",
        "bpmn-js/assets/bpmn-font/font/bpmn.woff2",
    ):
        assert needed in files


def test_the_modeler_bundle_names_the_locked_packages_it_holds() -> None:
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    (bundle,) = manifest()["bundles"]  # type: ignore[misc]
    assert bundle["name"] == "modeler"
    names = {p["name"] for p in bundle["packages"]}
    assert {"bpmn-js", "bpmn-js-properties-panel", "@bpmn-io/properties-panel"} <= names
    for package in bundle["packages"]:
        locked = lock["packages"][f"node_modules/{package['name']}"]
        assert (package["version"], package["integrity"]) == (
            locked["version"],
            locked["integrity"],
        )
    for needed in (
        "modeler/modeler.min.js",
        "modeler/assets/properties-panel.css",
        "modeler/LICENSE",
        "modeler/THIRD-PARTY-LICENSES.txt",
    ):
        assert needed in bundle["files"]
    licenses = (VENDOR / "modeler" / "THIRD-PARTY-LICENSES.txt").read_text(encoding="utf-8")
    for package in bundle["packages"]:
        assert f"\n{package['name']} {package['version']}\n" in licenses
