"""Each add-on builds as an ``odoo-addon-<name>`` wheel with whool, as OCA does."""

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ADDONS = sorted(p.parent.name for p in (REPO / "addons").glob("*/__manifest__.py"))


@pytest.mark.parametrize("addon", ADDONS)
def test_addon_builds_as_wheel(addon, tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
        + ["--wheel-dir", str(tmp_path), str(REPO / "addons" / addon)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.startswith(f"odoo_addon_{addon}-18.0.")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requires = [
            line.split(":", 1)[1].strip()
            for line in zf.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
    assert f"odoo/addons/{addon}/__manifest__.py" in names
    # every file the manifest loads is shipped in the wheel
    manifest = ast.literal_eval(
        (REPO / "addons" / addon / "__manifest__.py").read_text()
    )
    for data_file in manifest.get("data", []) + manifest.get("demo", []):
        assert f"odoo/addons/{addon}/{data_file}" in names, data_file
    assert "odoo==18.0.*" in requires
    for dep in manifest["depends"]:
        if (REPO / "addons" / dep).is_dir() or dep == "helpdesk_mgmt":
            assert f"odoo-addon-{dep}==18.0.*" in requires
