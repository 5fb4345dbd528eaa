"""A run over files checked before with the same options prints the output kept then, without
importing SymPy; any change to a file, the format or the console makes it afresh."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from derive.cli import main

HOLDS = "[[step]]\nid = \"1\"\nlatex = 'x + x = 2x'\n"
SIGN_ERROR = ("[[step]]\nid = \"1\"\nlatex = '\\frac{d}{dx} \\log(1 - x) = \\frac{1}{1 - x}'\n")
UNDECIDED = ("[[step]]\nid = \"1\"\n"
             "latex = '\\frac{\\partial}{\\partial \\theta} h_\\theta(x) = 0'\n")

_RUN = ("import sys\n"
        "from derive.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "sys.stderr.write('sympy imported\\n' if 'sympy' in sys.modules else '')\n"
        "sys.exit(code)\n")


def _run(cache: pathlib.Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DERIVE_NO_CACHE": "0", "XDG_CACHE_HOME": str(cache),
                   "PYTHONDONTWRITEBYTECODE": "1"}
    environment.pop("NO_COLOR", None)
    environment.pop("FORCE_COLOR", None)
    return subprocess.run([sys.executable, "-c", _RUN, "check", "-j", "1", *arguments],
                          capture_output=True, text=True, env=environment, check=False)


@pytest.mark.parametrize(("text", "code"), [(HOLDS, 0), (SIGN_ERROR, 1)])
def test_a_second_run_prints_the_kept_output_without_sympy(tmp_path: pathlib.Path, text: str,
                                                           code: int) -> None:
    post = tmp_path / "post.toml"
    post.write_text(text)
    first = _run(tmp_path, str(post))
    assert first.returncode == code and "sympy imported" in first.stderr
    second = _run(tmp_path, str(post))
    assert second.returncode == code
    assert second.stdout == first.stdout
    assert "sympy imported" not in second.stderr


def test_an_edited_file_another_format_or_another_file_is_checked_afresh(
        tmp_path: pathlib.Path) -> None:
    post = tmp_path / "post.toml"
    post.write_text(HOLDS)
    assert _run(tmp_path, str(post)).returncode == 0
    as_json = _run(tmp_path, str(post), "--format", "json")
    assert "sympy imported" in as_json.stderr and as_json.stdout.lstrip().startswith("{")
    other = tmp_path / "other.toml"
    other.write_text(HOLDS)
    both = _run(tmp_path, str(post), str(other))
    assert "sympy imported" in both.stderr and "other.toml" in both.stdout
    post.write_text(SIGN_ERROR)
    edited = _run(tmp_path, str(post))
    assert edited.returncode == 1 and "sympy imported" in edited.stderr


def test_an_undecided_run_is_never_replayed(tmp_path: pathlib.Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERIVE_NO_CACHE", "0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    post = tmp_path / "post.toml"
    post.write_text(UNDECIDED)
    assert main(["check", "-j", "1", str(post)]) == 1
    assert not (tmp_path / "derive" / "outputs").exists()
    post.write_text(HOLDS)
    assert main(["check", "-j", "1", str(post)]) == 0
    assert len(list((tmp_path / "derive" / "outputs").glob("*.pickle"))) == 1
    assert main(["check", "-j", "1", "--no-cache", str(post)]) == 0  # and nothing read


def test_an_unreadable_file_is_never_replayed(tmp_path: pathlib.Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERIVE_NO_CACHE", "0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    post = tmp_path / "post.toml"
    post.write_text("[[step]\n")
    assert main(["check", "-j", "1", str(post)]) == 2
    assert not (tmp_path / "derive" / "outputs").exists()
