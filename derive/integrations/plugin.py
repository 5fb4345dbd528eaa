"""The pytest plugin (entry point ``pytest11: derive = derive.integrations.plugin``).

- A failing ``derive.testing`` assertion shows its verdict, counterexample and diagnosis, with
  the traceback cut to the test's own line (``--tb=short`` style) unless ``--tb`` is given.
- ``pytest --derive-proofs proofs/`` (or the ini option ``derive_proofs = proofs``) turns
  every proof file in the folder into tests, one per step (``proofs/000.toml::Q3``): a step passes
  when its verdict is the file's ``expect`` (proved, checked or a definition when the file
  expects nothing), and fails with the report lines of that step. Each file is checked once.

Nothing heavy is imported until a proof file is collected or a derive assertion fails.
"""

from __future__ import annotations

import sys
from collections.abc import Generator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

    from derive.read.proofs import Claim, ProofDocument
    from derive.verify.check import DocumentReport, StepReport

_COLLECTED = pytest.StashKey[set[Path]]()
_DIRECTORIES = pytest.StashKey[list[Path]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("derive", "derive: derivations and proof files")
    group.addoption("--derive-proofs", action="append", default=[], metavar="DIR",
                    help="check every proof file (*.toml) in DIR, one test per step")
    group.addoption("--derive-budget", type=float, default=5.0, metavar="SECONDS",
                    help="seconds allowed for each equation of a proof file (default 5)")
    parser.addini("derive_proofs", "folders of proof files to check, one test per step",
                  type="paths", default=[])


def pytest_configure(config: pytest.Config) -> None:
    folders = [Path(d).resolve() for d in config.getoption("derive_proofs")]
    folders += [Path(d).resolve() for d in config.getini("derive_proofs")]
    config.stash[_DIRECTORIES] = list(dict.fromkeys(folders))
    config.stash[_COLLECTED] = set()


def pytest_report_header(config: pytest.Config) -> str | None:
    folders = config.stash.get(_DIRECTORIES, [])
    if not folders:
        return None
    return "derive proofs: " + ", ".join(str(f) for f in folders)


def _proof_files(folder: Path) -> list[Path]:
    return sorted(p.resolve() for p in folder.glob("*.toml") if p.is_file())


def _wanted(config: pytest.Config, path: Path) -> bool:
    resolved = path.resolve()
    return path.suffix == ".toml" and any(
        resolved.parent == folder for folder in config.stash.get(_DIRECTORIES, []))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> ProofFile | None:
    """A proof file inside a ``--derive-proofs`` folder that pytest walks itself."""
    if not _wanted(parent.config, file_path):
        return None
    parent.config.stash[_COLLECTED].add(file_path.resolve())
    return ProofFile.from_parent(parent, path=file_path)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    """Add the proof files pytest did not walk (the folder is not among the test paths)."""
    collected = config.stash.get(_COLLECTED, set())
    for folder in config.stash.get(_DIRECTORIES, []):
        if not folder.is_dir():
            raise pytest.UsageError(f"--derive-proofs: {folder} is not a folder")
        for path in _proof_files(folder):
            if path in collected:
                continue
            collected.add(path)
            items.extend(session.genitems(ProofFile.from_parent(session, path=path)))


class ProofFileFailure(Exception):
    """A proof file (or one of its steps) that did not give what the file expects."""


class ProofFile(pytest.File):
    """A proof file: one item per step; the file is checked once, when a step first runs."""

    _document: ProofDocument | None = None
    _report: DocumentReport | None = None

    def collect(self) -> Iterable[pytest.Item]:
        from derive.core.errors import ProofFileError
        from derive.read.proofs import load

        try:
            self._document = load(str(self.path))
        except ProofFileError as error:
            raise ProofFileFailure(str(error)) from None
        for claim in self._document.claims:
            yield ProofStep.from_parent(self, name=claim.id, claim=claim)

    def report(self) -> DocumentReport:
        if self._report is None:
            from derive.verify.check import check_document

            assert self._document is not None
            budget = float(self.config.getoption("derive_budget"))
            self._report = check_document(self._document, budget=budget)
        return self._report

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, ProofFileFailure):
            return f"cannot use this proof file:\n{excinfo.value}"
        return super().repr_failure(excinfo)


class ProofStep(pytest.Item):
    """One step of a proof file, passing when its verdict is the one the file expects."""

    def __init__(self, *, claim: Claim, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.claim = claim

    def runtest(self) -> None:
        parent = self.parent
        assert isinstance(parent, ProofFile)
        document = parent.report()
        if document.error is not None:
            raise ProofFileFailure(f"cannot use this proof file:\n{document.error}")
        step = next(s for s in document.steps if s.claim.id == self.claim.id)
        self.user_properties.append(("derive_verdict", step.verdict))
        if step.matches:
            return
        raise ProofFileFailure("\n".join(step_lines(step)))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, ProofFileFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.claim.line - 1, self.claim.id


def step_lines(step: StepReport) -> list[str]:
    """The report lines of one step: verdict against expectation, the LaTeX, the evidence."""
    from derive.emit.render import link_evidence, text
    from derive.integrations.testing import diagnosis_text, rule_remark

    claim = step.claim
    wanted = claim.expect or "proved or checked"
    lines = [f"{claim.id}: {step.verdict}, but the file expects {wanted}"]
    if claim.label:
        lines.append(f"  label: {claim.label}")
    lines.append(f"  as written (line {claim.line}): {' '.join(claim.latex.split())}")
    if step.error is not None:
        lines += [f"  {line}" for line in str(step.error).splitlines()]
    elif step.message:
        lines.append(f"  {step.message}")
    for link in step.links:
        lines.append(f"  {link.verdict}: {text(link.lhs)} {link.operator} {text(link.rhs)}")
        evidence = link_evidence(link)
        if evidence:
            lines.append(f"    {evidence}")
        diagnosis = diagnosis_text(getattr(link, "diagnosis", None))
        if diagnosis:
            lines.append(f"    diagnosis: {diagnosis}")
    remark = rule_remark(step)
    if remark:
        lines.append(f"  {remark}")
    if claim.note:
        lines.append(f"  note: {claim.note}")
    return lines


# ---------------------------------------------------------------------------------------------
# failing derive.integrations.testing assertions


def _is_derive_failure(excinfo: pytest.ExceptionInfo[BaseException] | None) -> bool:
    testing = sys.modules.get("derive.integrations.testing")
    if excinfo is None or testing is None:
        return False
    return isinstance(excinfo.value, testing.DerivationAssertionError)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
        item: pytest.Item, call: pytest.CallInfo[None],
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Cut the traceback of a failed derive assertion to the test's own lines."""
    report = yield
    excinfo = call.excinfo
    if (report.failed and _is_derive_failure(excinfo) and excinfo is not None
            and item.config.getoption("tbstyle", "auto") == "auto"):
        traceback = excinfo.traceback
        cut = traceback.cut(path=item.path)
        excinfo.traceback = cut.filter(excinfo)
        report.longrepr = excinfo.getrepr(style="short", tbfilter=False)
    return report


def pytest_report_teststatus(report: pytest.TestReport,
                             config: pytest.Config) -> tuple[str, str, str] | None:
    """Show a proof step's verdict beside PASSED/FAILED in verbose mode."""
    if report.when != "call":
        return None
    verdict = dict(report.user_properties).get("derive_verdict")
    if verdict is None:
        return None
    if report.passed:
        return "passed", ".", f"PASSED ({verdict})"
    if report.failed:
        return "failed", "F", f"FAILED ({verdict})"
    return None
