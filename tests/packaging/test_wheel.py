"""From a built wheel in a fresh virtual environment outside the repository, the tutorial
works offline and the pytest plugin works for a user's own tests.

How the fresh environment gets its dependencies without the network: trustly_nb itself is
installed from the wheel (``pip install --no-deps --no-index``); its dependencies are read
from this project's virtual environment through a plain path line in a ``.pth`` file. A plain
path is not a site directory, so the ``.pth`` files inside it (the editable install's among
them) are not processed: the repository is never on the fresh interpreter's path, and the
tests assert that ``trustly_nb`` is imported from the fresh environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.timeout(900)


def _run(command: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _clean_env(home: Path, fresh: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRUSTLY_", "PYTHON"))}
    env.update(
        PATH=f"{fresh / 'bin'}{os.pathsep}/usr/bin:/bin",
        HOME=str(home),
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        JUPYTER_PREFER_ENV_PATH="0",
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        MPLBACKEND="agg",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The wheel (built from the sdist, as ``python -m build`` does), installed in a new venv."""
    base = tmp_path_factory.mktemp("wheel-test")
    assert not base.resolve().is_relative_to(ROOT)
    dist, venv = base / "dist", base / "venv"
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
         cwd=base, env=dict(os.environ))  # fmt: skip
    wheels = sorted(dist.glob("trustly_nb-*.whl"))
    assert wheels, "no wheel built"
    assert sorted(dist.glob("trustly_nb-*.tar.gz")), "no sdist built"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base, env=dict(os.environ))
    python = venv / "bin" / "python"
    env = _clean_env(base / "home", venv)
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
          "--no-index", str(wheels[0])], cwd=base, env=env)  # fmt: skip
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=base, env=env).strip())  # fmt: skip
    (site / "_project_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    kernel = base / "home" / "jupyter-data" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    spec = f'{{"argv": ["{python}", "-m", "ipykernel_launcher", "-f", "{{connection_file}}"],'
    (kernel / "kernel.json").write_text(spec + ' "display_name": "fresh", "language": "python"}')
    env["EXPECTED_PREFIX"] = str(venv)
    return venv, env


def test_the_tutorial_from_the_wheel_runs_offline_in_strict_replay(fresh, tmp_path):
    """`trustly-nb tutorial DIR --no-lab` copies a tutorial whose notebooks and app all run in
    strict replay with the network blocked, trustly_nb coming from the fresh venv."""
    venv, env = fresh
    target = tmp_path / "my tutorial"
    said = _run([str(venv / "bin" / "trustly-nb"), "tutorial", str(target), "--no-lab"],
                cwd=tmp_path, env=env)  # fmt: skip
    assert f"Tutorial in {target}" in said
    notebooks = sorted((target / "notebooks").glob("*.ipynb")) + sorted(
        (target / "apps").glob("*.ipynb")
    )
    assert len(notebooks) >= 5, notebooks
    assert (target / "notebooks" / "data" / "corrections.csv").is_file()
    kernel_env = dict(env, TRUSTLY_NB_STRICT="1", TRUSTLY_NB_BLOCK_NETWORK="1")
    out = _run([str(venv / "bin" / "python"), str(HERE / "run_in_kernel.py"),
                *map(str, notebooks)], cwd=tmp_path, env=kernel_env)  # fmt: skip
    lines = out.splitlines()
    assert len(lines) == len(notebooks), out
    for line in lines:
        assert f"TNB_FILE={venv}" in line, line
        assert "traceback=False" in line, line


def _readme_example() -> str:
    """The complete test file the README gives merchants (the block after its file-name comment)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("# test_my_integration.py\n")
    return text[start : text.index("```", start)]


def test_a_user_test_file_passes_with_the_plugin_fixtures(fresh, tmp_path):
    """A merchant's test files using trustly_client, trustly_emulator and the marker pass,
    the README's example among them, outside the repository (no conftest, no config)."""
    venv, env = fresh
    (tmp_path / "test_mine.py").write_text((HERE / "user_tests.py").read_text())
    (tmp_path / "test_my_integration.py").write_text(_readme_example())
    out = _run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "-W", "error", "test_mine.py", "test_my_integration.py"],
               cwd=tmp_path, env=env)  # fmt: skip
    assert "6 passed" in out, out


def test_the_command_says_its_version(fresh, tmp_path):
    """`trustly-nb --version` and `python -m trustly_nb --version` name the installed version."""
    venv, env = fresh
    from trustly_nb.version import __version__

    for command in ([str(venv / "bin" / "trustly-nb")], [str(venv / "bin" / "python"), "-m",
                                                          "trustly_nb"]):  # fmt: skip
        assert _run([*command, "--version"], cwd=tmp_path, env=env).strip() == (
            f"trustly-nb {__version__}"
        )
