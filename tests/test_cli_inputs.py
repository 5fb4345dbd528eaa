"""The command line never crashes: unusable input ends with one line on standard error that
says what was wrong (`derive: ...`), exit code 2, no traceback, and nothing half-written."""

from __future__ import annotations

import errno
import os
import pathlib
import shlex
import shutil
import subprocess
import sys

import pytest

from derive.emit import codegen

PYTHON = [sys.executable, "-m", "derive"]
POSIX = os.name == "posix"


def run(*args: str | bytes, cwd: pathlib.Path | None = None, stdin: object = None,
        env: dict[str, str] | None = None,
        limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """``derive ARGS`` in a fresh process (as tests/test_cli.py runs it); ``limit`` caps the
    size of any file the process writes (RLIMIT_FSIZE), so that a write fails half-way."""

    def limited() -> None:
        import resource

        assert limit is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    # a capped process writes no bytecode: Python moves a .pyc whose write came up short
    # into place, and every later import of that module fails ("marshal data too short")
    capped = {"PYTHONDONTWRITEBYTECODE": "1"} if limit is not None else {}
    return subprocess.run([*PYTHON, *args], capture_output=True, text=True, timeout=60,
                          cwd=cwd, stdin=stdin,  # type: ignore[arg-type]
                          env={"NO_COLOR": "1", "PATH": "", **capped, **(env or {})},
                          preexec_fn=limited if limit is not None else None)


def refused(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit code 2, exactly one line on standard error that starts ``derive: `` and holds
    ``words``, and no traceback anywhere; the line is returned."""
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode == 2, done.stderr
    assert done.stderr.endswith("\n") and done.stderr.count("\n") == 1, done.stderr
    line = done.stderr.rstrip("\n")
    assert line.startswith("derive: ") and line.removeprefix("derive: ").strip(), line
    for word in words:
        assert word in line, (word, line)
    return line


def listing(folder: pathlib.Path) -> list[str]:
    return sorted(os.listdir(folder))


# ---------------------------------------------------------------------------------------------
# arguments


def test_a_domain_with_a_division_by_zero() -> None:
    refused(run("check", "--latex", "x=x", "--domain", "x={1/0}"), "--domain", "{1/0}",
            "expected")


BUDGET_COMMANDS = {
    "check": ("check", "--latex", "x=x"),
    "steps": ("steps", "sigmoid", "--wrt", "z"),
    "codegen": ("codegen", "--expr", "x^2", "--wrt", "x"),
}


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "abc"])
@pytest.mark.parametrize("command", sorted(BUDGET_COMMANDS))
def test_a_budget_that_is_no_time(command: str, value: str) -> None:
    line = refused(run(*BUDGET_COMMANDS[command], "--budget", value), "--budget",
                   repr(value), "expected a number of seconds")
    assert f"derive {command} --help" in line


@pytest.mark.parametrize("value", ["nan", "-inf", "0"])
def test_a_total_budget_that_is_no_time(value: str) -> None:
    refused(run("check", "--latex", "x=x", f"--total-budget={value}"), "--total-budget",
            repr(value), "expected a number of seconds")


@pytest.mark.parametrize("model", ["chain-100000", "chain-abc", "chain-0", "chain-"])
def test_a_chain_out_of_range(model: str) -> None:
    refused(run("steps", model), model, "from 1 to 256")


# ---------------------------------------------------------------------------------------------
# proof files


def test_arrays_nested_5000_deep(tmp_path: pathlib.Path) -> None:
    (tmp_path / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    refused(run("check", "deep.toml", cwd=tmp_path), "deep.toml:1:", "nest", "deep")


def test_inline_tables_nested_5000_deep(tmp_path: pathlib.Path) -> None:
    text = '[document]\ntitle = "deep"\n\na = ' + "{b = " * 5000 + "}" * 5000 + "\n"
    (tmp_path / "deep.toml").write_text(text)
    line = refused(run("check", "deep.toml", cwd=tmp_path), "nest", "deep")
    assert line.startswith("derive: deep.toml:4:"), line  # the line of the nesting


def test_nesting_on_standard_input() -> None:
    done = subprocess.run([*PYTHON, "check", "-"], input="a = " + "[{b = " * 3000,
                          capture_output=True, text=True, timeout=60,
                          env={"NO_COLOR": "1", "PATH": ""})
    refused(done, "derive: -:1:", "nest")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused_without_reading_it() -> None:
    refused(run("check", "/dev/zero"), "/dev/zero", "a device", "expected a proof file")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_standard_input_is_read_only_up_to_the_limit() -> None:
    with open("/dev/zero", "rb") as zeros:  # endless: reading must stop at the limit
        done = run("check", "-", stdin=zeros)
    refused(done, "standard input", "more than 10 MiB")


def test_a_file_over_the_limit(tmp_path: pathlib.Path) -> None:
    big = tmp_path / "big.toml"
    with open(big, "wb") as stream:  # sparse: 11 MiB that take no space
        stream.truncate(11 * 1024 * 1024)
    refused(run("check", "big.toml", cwd=tmp_path), "big.toml", "more than 10 MiB")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_fifo_is_refused_without_blocking(tmp_path: pathlib.Path) -> None:
    os.mkfifo(tmp_path / "pipe.toml")
    refused(run("check", "pipe.toml", cwd=tmp_path), "pipe.toml", "a pipe")


def test_a_directory_with_no_proof_files(tmp_path: pathlib.Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a proof\n")
    refused(run("check", "empty", cwd=tmp_path), "empty", "no proof files")


def test_a_missing_file(tmp_path: pathlib.Path) -> None:
    line = refused(run("check", "missing.toml", cwd=tmp_path), "missing.toml",
                   "No such file")
    assert "missing.toml:1:1" not in line  # no place is made up for a file that is not there


def test_bytes_that_are_not_utf8(tmp_path: pathlib.Path) -> None:
    (tmp_path / "latin.toml").write_bytes(b'[document]\ntitle = "caf\xe9"\n')
    refused(run("check", "latin.toml", cwd=tmp_path), "latin.toml:2:13", "not valid UTF-8",
            "0xe9", "byte offset 23")


def test_a_nul_byte(tmp_path: pathlib.Path) -> None:
    (tmp_path / "nul.toml").write_bytes(b'[document]\ntitle = "a\x00"\n')
    refused(run("check", "nul.toml", cwd=tmp_path), "nul.toml:2:11", "NUL")


def test_an_empty_file(tmp_path: pathlib.Path) -> None:
    (tmp_path / "empty.toml").write_bytes(b"")
    refused(run("check", "empty.toml", cwd=tmp_path), "empty.toml", "no proof",
            "expected [document]")


def test_a_toml_syntax_error(tmp_path: pathlib.Path) -> None:
    (tmp_path / "bad.toml").write_text('[document]\ntitle = "a"\n\n[[step]\nid = "1"\n')
    refused(run("check", "bad.toml", cwd=tmp_path), "bad.toml:4:7", "not valid TOML",
            "Expected ']]'")


# ---------------------------------------------------------------------------------------------
# files written: -o and --html


OUTPUTS = {
    "codegen": ("codegen", "logistic", "-o"),
    "codegen --expr": ("codegen", "--expr", "x^2", "--wrt", "x", "-o"),
    "check --html": ("check", "--latex", "x=x", "--html"),
    "steps --html": ("steps", "sigmoid", "--wrt", "z", "--html"),
}


def _unwritable(tmp_path: pathlib.Path) -> pathlib.Path:
    """A folder this process may not create files in."""
    if POSIX and os.geteuid() == 0:  # root writes anywhere a mode bit forbids
        if os.path.isdir("/sys") and _refuses("/sys"):  # sysfs takes no new files
            return pathlib.Path("/sys")
        pytest.skip("running as root, with no folder it cannot write into")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def _refuses(folder: str) -> bool:
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            return False
    except OSError:
        return True


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_an_output_that_cannot_be_written(tmp_path: pathlib.Path, command: str) -> None:
    option = OUTPUTS[command][-1]
    folder = _unwritable(tmp_path)
    before = listing(folder)
    try:
        refused(run(*OUTPUTS[command], str(folder / "out.txt"), cwd=tmp_path), option,
                "out.txt", "cannot write")
        assert listing(folder) == before
    finally:
        if folder.is_relative_to(tmp_path):
            folder.chmod(0o755)


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_an_output_that_is_a_directory(tmp_path: pathlib.Path, command: str) -> None:
    option = OUTPUTS[command][-1]
    (tmp_path / "folder").mkdir()
    for name in ("folder", "folder/"):
        refused(run(*OUTPUTS[command], name, cwd=tmp_path), option, name, "is a directory")
    assert listing(tmp_path / "folder") == []
    assert listing(tmp_path) == ["folder"]


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_an_output_in_a_missing_directory(tmp_path: pathlib.Path, command: str) -> None:
    option = OUTPUTS[command][-1]
    refused(run(*OUTPUTS[command], "missing/out.txt", cwd=tmp_path), option,
            "no directory missing")
    assert listing(tmp_path) == []


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_an_existing_output_needs_force(tmp_path: pathlib.Path, command: str) -> None:
    option = OUTPUTS[command][-1]
    (tmp_path / "out.txt").write_text("keep me\n")
    refused(run(*OUTPUTS[command], "out.txt", cwd=tmp_path), option, "out.txt exists",
            "--force")
    assert (tmp_path / "out.txt").read_text() == "keep me\n"
    assert listing(tmp_path) == ["out.txt"]


def test_names_the_system_refuses(tmp_path: pathlib.Path) -> None:
    long = "a" * 300  # longer than a file name may be
    refused(run("check", f"{long}.toml", cwd=tmp_path), long, "too long")
    refused(run("check", "--latex", "x=x", "--html", f"{long}.html", cwd=tmp_path), "--html",
            "too long")
    refused(run("codegen", "logistic", "-o", "", cwd=tmp_path), "-o", "the name of a file")
    assert listing(tmp_path) == []


@pytest.mark.parametrize("command", ["check --html", "steps --html"])
def test_html_with_force_replaces_the_file(tmp_path: pathlib.Path, command: str) -> None:
    (tmp_path / "page.html").write_text("old\n")
    done = run(*OUTPUTS[command], "page.html", "--force", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert (tmp_path / "page.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert listing(tmp_path) == ["page.html"]  # no temporary file left beside it


@pytest.mark.skipif(not POSIX, reason="RLIMIT_FSIZE is POSIX")
def test_html_that_fails_half_way_leaves_nothing(tmp_path: pathlib.Path) -> None:
    (tmp_path / "page.html").write_text("old\n")
    for force in ((), ("--force",)):  # a new file, and one replacing another
        target = "page.html" if force else "new.html"
        done = run("check", "--latex", "x=x", "--html", target, *force, cwd=tmp_path,
                   limit=2048)  # the page is larger: writing it fails half-way
        refused(done, f"--html {target}", "cannot write", "nothing written")
        assert listing(tmp_path) == ["page.html"]
        assert (tmp_path / "page.html").read_text() == "old\n"


@pytest.mark.parametrize("force", [False, True])
def test_a_module_that_fails_half_way_leaves_nothing(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], force: bool) -> None:
    target = tmp_path / "module.py"

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(codegen.os, "replace", full)
    monkeypatch.setattr(codegen.os, "link", full)
    lines = ["report"]
    code = codegen.deliver("x = 1\n" * 1000, lines, str(target), check_only=False,
                           force=force, report_stream=sys.stdout)
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"derive: -o {target}"), err
    assert "No space left" in err and "nothing written" in err
    assert listing(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# the console


@pytest.mark.skipif(shutil.which("sh") is None or shutil.which("head") is None,
                    reason="no POSIX shell")
@pytest.mark.parametrize(("command", "reader", "unbuffered"), [
    ("models", "head -1", True),
    ("models", "head -1", False),
    ("models", "true", False),  # the reader is gone before the first write
    ("steps mlp --wrt W1", "head -1", True),
    ("check --latex x=x", "true", False),
])
def test_a_closed_pipe_ends_quietly(tmp_path: pathlib.Path, command: str, reader: str,
                                    unbuffered: bool) -> None:
    status = tmp_path / "status"
    derive = " ".join(shlex.quote(part) for part in PYTHON)
    line = f"{{ {derive} {command}; echo $? > {shlex.quote(str(status))}; }} | {reader}"
    env = {"NO_COLOR": "1", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if unbuffered:  # every print reaches the pipe at once
        env["PYTHONUNBUFFERED"] = "1"
    done = subprocess.run(["sh", "-c", line], capture_output=True, text=True, timeout=60,
                          env=env)
    assert done.stderr == "", done.stderr
    assert status.read_text().strip() in ("0", "2")  # not 120: a failed flush at exit
    if reader == "head -1":
        assert done.stdout.count("\n") == 1


@pytest.mark.parametrize("args", [
    ("steps", "bce", "--wrt", "yhat"),
    ("check", "--latex", r"\hat y = \sigma(z)", "--latex", r"= \alpha"),
    ("models",),
])
def test_an_ascii_console(args: tuple[str, ...]) -> None:
    done = run(*args, env={"PYTHONIOENCODING": "ascii"})
    assert "Error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1)
    assert done.stdout.isascii() and done.stdout.strip()


def test_an_ascii_console_refusing_input() -> None:
    done = run("check", "--latex", "x=x", "--domain", "ŷ={1/0}",
               env={"PYTHONIOENCODING": "ascii"})
    refused(done, "--domain", "{1/0}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="file names are bytes")
def test_a_file_name_that_is_not_utf8(tmp_path: pathlib.Path) -> None:
    name = os.fsencode(tmp_path) + b"/caf\xe9.toml"
    with open(name, "w", encoding="utf-8") as stream:
        stream.write("[[step]]\nlatex = 'x = x'\n")
    done = run("check", name, env={"PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "proved" in done.stdout


@pytest.mark.skipif(not POSIX, reason="RLIMIT_FSIZE is POSIX")
def test_a_grammar_cache_cut_short_is_never_installed(tmp_path: pathlib.Path) -> None:
    """Lark logs and goes on when its cache write fails; the file it leaves must not be put
    in place, or every later run fails with "marshal data too short"."""
    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache), "HOME": str(tmp_path)}
    first = run("check", "--latex", "x=x", cwd=tmp_path, env=env, limit=2048)
    assert "internal error" not in first.stdout + first.stderr
    files = list((cache / "derive").glob("latex-grammar-*.lark-cache"))
    assert all(f.stat().st_size > 2048 for f in files)  # none, or a whole one
    second = run("check", "--latex", "x=x", cwd=tmp_path, env=env)
    assert second.returncode == 0 and "internal error" not in second.stdout, second.stdout
    assert list((cache / "derive").glob("latex-grammar-*.lark-cache"))  # written whole now
