"""The committed panel and card bundles are exactly what the sources build to (HACS ships them)."""

from __future__ import annotations

import json
from pathlib import Path
import subprocess

FRONTEND = Path(__file__).parents[1] / "custom_components" / "smart_quarter" / "frontend"


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=FRONTEND, capture_output=True, text=True, check=False, timeout=120
    )


def test_sources_type_check() -> None:
    """TypeScript strict mode finds nothing (scripts/setup installs the tools with npm ci)."""
    result = _run(str(FRONTEND / "node_modules" / ".bin" / "tsc"), "--noEmit")
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_bundles_match_the_sources(tmp_path: Path) -> None:
    """Building again gives the committed files byte for byte: nobody forgot `npm run build`."""
    script = json.loads((FRONTEND / "package.json").read_text("utf-8"))["scripts"]["build"]
    esbuild = script.split("&& ", 1)[1].split()
    assert esbuild[0] == "esbuild"
    arguments = [arg for arg in esbuild[1:] if not arg.startswith("--outdir=")]
    result = _run(
        str(FRONTEND / "node_modules" / ".bin" / "esbuild"), *arguments, f"--outdir={tmp_path}"
    )
    assert result.returncode == 0, result.stderr
    built = sorted(path.name for path in tmp_path.iterdir())
    assert built == ["booking-panel.js", "next-booking-card.js"]
    for name in built:
        assert (tmp_path / name).read_bytes() == (FRONTEND / "dist" / name).read_bytes(), name
