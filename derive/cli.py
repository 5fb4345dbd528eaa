"""The command line: argument parsing and exit codes only, over the public API.

Exit codes: 0 when everything checked out, 1 when a result is wrong (a step not verified, a
verdict other than the one expected), 2 when the input cannot be used.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from derive import __version__
from derive.core.errors import DeriveError

OK, WRONG, UNUSABLE = 0, 1, 2
FORMATS = ("text", "latex", "markdown", "json")
MAX_CHAIN = 256
"""The deepest chain-N model derived (its cost grows linearly with its depth)."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error said in one line."""

    def error(self, message: str) -> NoReturn:
        print(f"derive: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(UNUSABLE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="derive",
        description="Derive and verify gradients of machine-learning losses, step by step.",
    )
    parser.add_argument("--version", action="version", version=f"derive {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    steps = commands.add_parser(
        "steps", help="derive a gradient step by step, every step verified",
        description="Derive a gradient step by step with named rules; every step is checked "
                    "against an independent route before it is printed.")
    steps.add_argument("model", nargs="?", help="bce, bce-mean, sigmoid, logistic, "
                       "logistic-batch, mlp, or chain-N")
    steps.add_argument("--wrt", help="the variable to differentiate with respect to")
    steps.add_argument("--expr", metavar="LATEX", help="your own expression, in LaTeX")
    steps.add_argument("--domain", action="append", default=[], metavar="NAME=DOMAIN",
                       help="a symbol's domain for --expr, e.g. y={0,1} or yhat=(0,1)")
    steps.add_argument("--format", choices=FORMATS, default="text")
    steps.add_argument("--html", metavar="FILE",
                       help="also write the derivation as one self-contained HTML page")
    steps.add_argument("--force", action="store_true",
                       help="with --html: overwrite FILE if it exists")
    steps.add_argument("--no-check", action="store_true",
                       help="skip the independent check of each step (faster)")
    steps.add_argument("--budget", type=_seconds, default=2.0,
                       help="seconds allowed for each symbolic check (default 2)")

    check = commands.add_parser(
        "check", help="check every equation of a derivation",
        description="Check each step of a derivation written in LaTeX: every equation gets a "
                    "verdict (proved, checked, refuted, conditional, ill-formed, unreadable, "
                    "undecided) with its evidence. With no FILE, every proof file under "
                    "proofs/ is checked; '-' reads a proof file from standard input.")
    check.add_argument("files", nargs="*", metavar="FILE", help="proof files (TOML)")
    check.add_argument("--latex", action="append", default=[], metavar="LATEX",
                       help="a line of a derivation; repeat for each line ('= ...' continues)")
    check.add_argument("--function", action="append", default=[], metavar="NAME",
                       help="with --latex: a name read as a function, such as J")
    check.add_argument("--domain", action="append", default=[], metavar="NAME=DOMAIN",
                       help="with --latex: a symbol's domain, e.g. y_i={0,1}")
    check.add_argument("--index", action="append", default=[], metavar="LETTER=COUNT",
                       help="with --latex: an index letter and the count it runs up to, e.g. "
                            "j=C (\\sum_j is then \\sum_{j=1}^{C})")
    check.add_argument("--size", action="append", default=[], metavar="NAME=N",
                       help="with --latex: the size an index claim is checked at, e.g. C=3 "
                            "(default 3)")
    check.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    check.add_argument("--html", metavar="FILE",
                       help="also write the report as one self-contained HTML page")
    check.add_argument("--force", action="store_true",
                       help="with --html: overwrite FILE if it exists")
    check.add_argument("--budget", type=_seconds, default=5.0,
                       help="seconds allowed for each equation (default 5)")
    check.add_argument("-j", "--jobs", type=_jobs, default=0, metavar="N",
                       help="check the files in N processes (default: one per CPU core; "
                            "1 checks them in this process)")
    check.add_argument("--total-budget", type=_seconds, default=None,
                       help="seconds allowed for the whole run")
    check.add_argument("--no-cache", action="store_true",
                       help="check every file again, even one whose report is kept from an "
                            "earlier run of this version on the same bytes")
    check.add_argument("--debug", action="store_true",
                       help="print the traceback of an internal error under its step")
    check.add_argument("--profile", action="store_true",
                       help="check in this process and print on standard error where the time "
                            "went: by part of derive and by library")

    codegen = commands.add_parser(
        "codegen", help="write verified, numerically stable NumPy gradient code",
        description="Generate a NumPy module with loss, grad and loss_and_grad for a built-in "
                    "model, or for your own scalar loss (--expr), from its verified derivation. "
                    "The module is checked against central finite differences and against the "
                    "symbolic gradient before it is written; when a check fails nothing is "
                    "written.")
    codegen.add_argument("model", nargs="?",
                         help="logistic (over a batch), mlp, or your model file (model.toml)")
    codegen.add_argument("--expr", metavar="LATEX",
                         help="your own scalar loss, in LaTeX (instead of MODEL)")
    codegen.add_argument("--wrt", action="append", default=[], metavar="VAR",
                         help="with --expr: a variable of the gradient; repeat for each")
    codegen.add_argument("--domain", action="append", default=[], metavar="NAME=DOMAIN",
                         help="with --expr: a symbol's domain, e.g. y={0,1} or p=(0,1)")
    codegen.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS",
                         help="with --expr: seconds for each symbolic stage (default 10)")
    codegen.add_argument("-o", "--output", metavar="FILE",
                         help="where to write the module (default: print it)")
    codegen.add_argument("--check-only", action="store_true",
                         help="run the checks and write nothing")
    codegen.add_argument("--force", action="store_true",
                         help="overwrite FILE if it exists")
    codegen.add_argument("--backend", choices=("numpy", "numba"), default="numpy",
                         help="numpy (default), or numba: the loss and gradients fused into "
                              "one compiled pass over the rows of X (needs numba)")

    commands.add_parser("models", help="list the built-in models and their variables")
    return parser


_COLLECT_AFTER = (50_000, 20, 100)
"""The cyclic garbage collector's thresholds while a command runs (Python's are 700, 10,
10). SymPy allocates millions of small objects and makes almost no cycles: at Python's
thresholds the collector ran about 700 times in ``derive check proofs/``, a twentieth of its
time, and freed next to nothing. Memory is still freed by reference counting as before."""


def main(argv: Sequence[str] | None = None) -> int:
    thresholds = gc.get_threshold()
    gc.set_threshold(*_COLLECT_AFTER)
    try:
        return _main(argv)
    finally:
        gc.set_threshold(*thresholds)


def _main(argv: Sequence[str] | None) -> int:
    _tolerant_streams()
    parser = _parser()
    args = parser.parse_args(_minus_values(list(sys.argv[1:] if argv is None else argv),
                                           parser))
    if not args.command:
        parser.print_help()
        return UNUSABLE
    parser.prog = f"{parser.prog} {args.command}"  # a later usage error points to its help
    try:
        code = _run(args, parser)
        sys.stdout.flush()  # a closed pipe is found here, not at exit
        return code
    except DeriveError as error:
        print(f"derive: {error}", file=sys.stderr)
        return UNUSABLE
    except RecursionError:
        print("derive: the input nests too deeply to be read", file=sys.stderr)
        return UNUSABLE
    except MemoryError:
        print("derive: out of memory: the input is too large", file=sys.stderr)
        return UNUSABLE
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return UNUSABLE
    except BrokenPipeError:  # the reader stopped reading (| head): not a failure
        _silence_stdout()
        return OK
    except OSError as error:
        print(f"derive: {_os_failure(error)}", file=sys.stderr)
        return UNUSABLE
    except Exception as error:  # never a traceback: one line that names the failure
        print(f"derive: internal error, a bug in derive: {type(error).__name__}: {error}"
              .splitlines()[0], file=sys.stderr)
        return UNUSABLE


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.command == "steps":
        return _steps(args, parser)
    if args.command == "models":
        return _models()
    if args.command == "check":
        return _check(args, parser)
    return _codegen(args, parser)


def _os_failure(error: OSError) -> str:
    """An operating-system failure in one line: the file it concerns and why."""
    name = error.filename
    reason = _reason(error)
    return f"{name}: {reason}" if name is not None else f"cannot go on: {reason}"


def _tolerant_streams() -> None:
    """Standard output and error that cannot encode a character (an ASCII console, a file
    name that is not UTF-8) write its ASCII form instead of failing: σ as sigma, − as -, ✓ as
    ok (``derive.core.terminal.to_ascii``), anything else escaped (\\u2200)."""
    import contextlib

    from derive.core.terminal import ASCII_ERRORS

    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) in ("strict", "backslashreplace"):
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors=ASCII_ERRORS)  # type: ignore[union-attr]


_VALUE_OPTIONS = ("--expr", "--latex")
"""Options whose value may start with a minus sign (LaTeX such as -\\log(x))."""


def _minus_values(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """``--expr -\\log(x)`` as ``--expr=-\\log(x)``: argparse takes a value that starts with
    '-' for an option unless it is joined with '='. A value that is itself an option of derive
    (``--expr --wrt``) is left for argparse to refuse."""
    options = {option for action in _all_actions(parser) for option in action.option_strings}
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            out += argv[i:]
            break
        following = argv[i + 1] if i + 1 < len(argv) else None
        if token in _VALUE_OPTIONS and following is not None and following.startswith("-") \
                and following.split("=", 1)[0] not in options:
            out.append(f"{token}={following}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def _all_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    actions = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                actions += _all_actions(sub)
    return actions


def _silence_stdout() -> None:
    """Standard output was closed by its reader: nothing more goes there."""
    import contextlib

    with contextlib.suppress(OSError, ValueError, AttributeError):
        descriptor = os.open(os.devnull, os.O_WRONLY)
        os.dup2(descriptor, sys.stdout.fileno())
        os.close(descriptor)


def _steps(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from derive.api import steps
    from derive.emit.render import render

    if bool(args.model) == bool(args.expr):
        parser.error("give a built-in MODEL or --expr LATEX (one of them)")
    domains = _domains(args.domain, parser)
    _writable(args.html, "--html", force=args.force)
    if args.domain and not args.expr:
        parser.error("--domain goes with --expr LATEX; a built-in model declares its own "
                     "domains")
    try:
        if args.expr:
            if not args.wrt:
                parser.error("--expr needs --wrt")
            expression = _expression(args.expr)
            _known_domains(domains, _names(expression, written_out=True), "the expression",
                           parser)
            derivation = steps(expression, args.wrt, check=not args.no_check,
                               budget=args.budget, domains=domains)
        else:
            from derive.engine.modelfile import read_model_file
            from derive.engine.models import get
            from derive.read.modelfile import is_model_file

            depth = args.model.removeprefix("chain-")
            if args.model.startswith("chain-") and not (
                    re.fullmatch(r"[0-9]{1,6}", depth) and 1 <= int(depth) <= MAX_CHAIN):
                parser.error(f"{args.model}: expected chain-N with N a whole number of layers "
                             f"from 1 to {MAX_CHAIN}")
            model = read_model_file(args.model) if is_model_file(args.model) else get(args.model)
            derivation = steps(model, args.wrt, check=not args.no_check, budget=args.budget)
    except ValueError as error:
        print(f"derive: {error}", file=sys.stderr)
        return UNUSABLE
    _emit(render(derivation, args.format, stream=sys.stdout))
    if args.html:
        _write_html(derivation, args.html, force=args.force)
    if not args.no_check and derivation.unverified():
        print("derive: a step failed its independent check; this is a bug in derive",
              file=sys.stderr)
        return WRONG
    return OK


def _codegen(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if bool(args.model) == bool(args.expr):
        parser.error("codegen: give a built-in MODEL (logistic or mlp) or --expr LATEX "
                     "(one of them)")
    if args.model:
        if args.wrt or args.domain or args.budget is not None:
            parser.error("codegen: --wrt, --domain and --budget go with --expr LATEX; "
                         f"{args.model} takes its parameters from the model")
        from derive.emit.codegen import MODELS, codegen_command
        from derive.read.modelfile import is_model_file

        if (args.model in MODELS or is_model_file(args.model)) and not args.check_only:
            _writable(args.output, "-o", force=args.force)
        return codegen_command(args.model, args.output, check_only=args.check_only,
                               force=args.force, backend=args.backend)
    if not args.wrt:
        parser.error("codegen: --expr needs at least one --wrt VAR (a variable of the gradient)")
    if args.backend != "numpy":
        parser.error("codegen: --backend numba fuses batch models (logistic, a model file); "
                     "--expr generates NumPy only")
    domains = _domains(args.domain, parser)
    if not args.check_only:
        _writable(args.output, "-o", force=args.force)
    from derive.emit.codegen_expr import codegen_expr_command

    return codegen_expr_command(args.expr, args.wrt, domains, args.output,
                                check_only=args.check_only, force=args.force,
                                budget=args.budget)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _writable(path: str | None, option: str, *, force: bool) -> None:
    """Refuse, before any work, a FILE that cannot be written: a directory, something that
    is not a regular file, an existing file without --force, a missing or read-only folder."""
    if path is None:
        return
    import pathlib
    import tempfile

    target = pathlib.Path(path)
    if not path.strip():
        raise DeriveError(f"{option} needs the name of a file")
    try:
        if path.endswith(("/", os.sep)) or target.is_dir():
            raise DeriveError(f"{option} {path} is a directory; give the name of a file")
        if target.exists() or target.is_symlink():
            if not target.is_file():
                raise DeriveError(f"{option} {path} is not a regular file; give the name of a "
                                  "file")
            if not force:
                raise DeriveError(f"{option} {path} exists; pass --force to replace it")
        folder = target.parent
        if not folder.is_dir():
            raise DeriveError(f"{option} {path}: no directory {folder} to write "
                              f"{target.name} into")
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise DeriveError(f"{option} {path}: cannot write there: {_reason(error)}") from None


def _write_html(record: object, path: str, *, force: bool) -> None:
    """The HTML page, written atomically; a failure is said in one line."""
    from derive.emit.html import write_html

    try:
        write_html(record, path, force=force)
    except FileExistsError:
        raise DeriveError(f"--html {path} exists; pass --force to replace it") from None
    except OSError as error:
        raise DeriveError(f"--html {path}: cannot write it: {_reason(error)}; nothing "
                          "written") from None


def _domains(items: list[str], parser: argparse.ArgumentParser) -> dict[str, str]:
    """NAME=DOMAIN items, each domain read once here so that a bad one is refused early."""
    from derive.read.proofs import read_domain

    found = _pairs(items, "--domain", parser)
    for name, domain in found.items():
        try:
            read_domain(domain)
        except DeriveError as error:
            parser.error(f"--domain {name}={domain}: {error}")
    return found


def _expression(latex: str) -> object:
    """The expression of ``steps --expr``, read once (its reading errors are said as usual)."""
    from derive.read.latex import parse_expression

    return parse_expression(latex, source="--expr")


def _names(expr: object, *, written_out: bool = False) -> set[str]:
    """The names a --domain may give a domain to: the expression's symbols, the families of
    its indexed entries (y in y_i) and, written out, the entries of sums over whole numbers."""
    import sympy as sp

    if not isinstance(expr, sp.Basic):
        return set()
    found = {str(s.name) for s in expr.free_symbols if isinstance(s, sp.Symbol | sp.MatrixSymbol)}
    found |= {str(e.base.label) for e in expr.atoms(sp.Indexed)}
    if written_out and isinstance(expr, sp.Expr):
        from derive.api import _written_out

        found |= _names(_written_out(expr))
    return found


def _known_domains(domains: dict[str, str], names: set[str], where: str,
                   parser: argparse.ArgumentParser) -> None:
    """Refuse a --domain for a name that is not there (a misspelling would be ignored), as
    ``codegen --expr`` does: exit 2, naming the symbols there are."""
    unknown = sorted(name for name in domains if name not in names
                     and name.split("_", 1)[0] not in names)
    if unknown:
        has = ", ".join(sorted(names)) or "none"
        verb, its = ("do", "their") if where.endswith("s") else ("does", "its")
        parser.error(f"--domain names {', '.join(unknown)}, which {where} {verb} not contain; "
                     f"{its} symbols are {has}")


def _pairs(items: list[str], option: str, parser: argparse.ArgumentParser) -> dict[str, str]:
    """NAME=VALUE items of a repeated option."""
    found = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            what = {"--index": "LETTER=COUNT", "--size": "NAME=N"}.get(option, "NAME=DOMAIN")
            parser.error(f"{option} takes {what}, not {item!r}")
        found[name.strip()] = value.strip()
    return found


def _sizes(items: list[str], parser: argparse.ArgumentParser) -> dict[str, int]:
    from derive.read.proofs import MAX_SIZE

    sizes = {}
    for name, value in _pairs(items, "--size", parser).items():
        if not (re.fullmatch(r"[0-9]{1,6}", value) and 1 <= int(value) <= MAX_SIZE):
            parser.error(f"--size {name}={value}: a size is a whole number from 1 to "
                         f"{MAX_SIZE}")
        sizes[name] = int(value)
    return sizes


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import pathlib

    if args.latex and args.files:
        parser.error("give proof FILEs or --latex lines, not both")
    if args.no_cache:
        os.environ["DERIVE_NO_CACHE"] = "1"
    _writable(args.html, "--html", force=args.force)
    output_name: str | None = None  # the key the output is kept under (files only)
    if args.latex:
        from derive.verify.check import check_latex

        domains = _domains(args.domain, parser)
        if domains:
            names = _line_names(args.latex, tuple(args.function))
            if names is not None:
                _known_domains(domains, names, "the lines", parser)
        report = check_latex(args.latex, functions=tuple(args.function),
                             domains=domains,
                             indices=_pairs(args.index, "--index", parser),
                             sizes=_sizes(args.size, parser), budget=args.budget)
    elif args.index or args.size:
        parser.error("--index and --size go with --latex; a proof file gives [indices] and "
                     "[settings] sizes")
    else:
        files = []
        for name in args.files:
            folder = pathlib.Path(name)
            try:
                directory = name != "-" and folder.is_dir()
            except OSError:  # read_bytes says why
                directory = False
            if not directory:
                files.append(name)
                continue
            found = sorted(str(p) for p in folder.glob("*.toml") if p.is_file())
            if not found:
                raise DeriveError(f"{name}: a directory with no proof files (*.toml) in it")
            files += found
        if not files:
            files = sorted(str(p) for p in pathlib.Path("proofs").glob("*.toml"))
            if not files:
                print("derive: no FILE given and no proofs/*.toml here", file=sys.stderr)
                return UNUSABLE
        output_name = _output_name(files, args)
        kept = _kept_output(output_name)
        if kept is not None:
            text, code = kept
            _emit(text)
            return code
        from derive.verify.check import check_files

        stdin = _stdin() if "-" in files else None
        progress = _Progress.on(sys.stderr, len(files))
        profiler = _start_profile() if args.profile else None
        try:
            report = check_files(files, budget=args.budget, total=args.total_budget,
                                 stdin=stdin, jobs=1 if profiler else args.jobs or _cores(),
                                 progress=progress)
        finally:
            if progress is not None:
                progress.clear()
            if profiler is not None:
                _print_profile(profiler)
    from derive.emit.render import render

    text = render(report, args.format, stream=sys.stdout)
    _emit(text)
    for document in report.documents:
        if document.error is not None:  # the report says it in full; one line here
            print(f"derive: {str(document.error).splitlines()[0]}", file=sys.stderr)
        for step in document.steps:
            if args.debug and step.trace:
                print(f"derive: {document.path}: {step.claim.id}: {step.message}\n{step.trace}",
                      file=sys.stderr)
    if args.html:
        _write_html(report, args.html, force=args.force)
    if report.unusable:
        return UNUSABLE
    code = OK if report.ok else WRONG
    if output_name is not None and _keepable(report):
        from derive.core import cache

        cache.store("outputs", output_name, (text, code))
    return code


def _output_name(files: list[str], args: argparse.Namespace) -> str | None:
    """The key of the output of checking ``files`` as ``args`` ask, written to standard output
    as it is now (colour, width, encoding); None when it must be made afresh: a report the
    cache cannot key, standard input, a total budget, or an option that writes elsewhere."""
    from derive.core import cache
    from derive.core.terminal import can_encode, colour_wanted, terminal_width

    if (not cache.enabled() or "-" in files or args.total_budget or args.html or args.debug
            or args.profile):
        return None
    names = [cache.report_name(name, None, args.budget) for name in files]
    if any(name is None for name in names):
        return None
    stream = sys.stdout
    looks = (args.format, colour_wanted(stream), terminal_width(stream), can_encode(stream))
    return cache.key("output", repr(looks), *(name for name in names if name is not None))


def _kept_output(name: str | None) -> tuple[str, int] | None:
    """The output and exit code an earlier run kept under ``name``, when it did."""
    from derive.core import cache

    kept = cache.load("outputs", name) if name is not None else None
    if (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], str)
            and kept[1] in (OK, WRONG)):
        return kept[0], kept[1]
    return None


def _keepable(report: Any) -> bool:
    """Whether a run's output may be shown again for the same files: every file read and no
    verdict that timing could change (undecided: a budget ran out), as for a file's report."""
    from derive.core.outcomes import Verdict

    return all(document.error is None and all(step.verdict != Verdict.UNDECIDED
                                              for step in document.steps)
               for document in report.documents)


def _start_profile() -> Any:
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


_PARTS = (("derive/read", "reading (derive.read)"), ("derive/decide", "deciding A = B"),
          ("derive/engine", "deriving (derive.engine)"),
          ("derive/verify/shapes", "matrix claims"), ("derive/verify/diagnose", "diagnosis"),
          ("derive/verify", "checking (derive.verify)"), ("derive/emit", "printing"),
          ("derive/", "the rest of derive"), ("lark", "lark (the parser)"),
          ("sympy/assumptions", "SymPy assumptions"), ("sympy/core", "SymPy core"),
          ("sympy/simplify", "SymPy simplify"), ("sympy/polys", "SymPy polynomials"),
          ("sympy", "SymPy, other"), ("mpmath", "mpmath"))


def _print_profile(profiler: Any) -> None:
    """Where the time went, by the part of derive or the library whose code ran (own time)."""
    import pstats

    profiler.disable()
    totals: dict[str, float] = {}
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    for (path, _line, _name), (_calls, _primitive, own, _cumulative, _callers) in stats.items():
        where = path.replace("\\", "/")
        part = next((label for key, label in _PARTS if key in where), "Python and the rest")
        totals[part] = totals.get(part, 0.0) + own
    whole = sum(totals.values()) or 1.0
    print("derive: where the time went (own time, one process):", file=sys.stderr)
    for part, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {part:28} {seconds:7.2f} s  {100 * seconds / whole:5.1f} %", file=sys.stderr)


def _line_names(lines: list[str], functions: tuple[str, ...]) -> set[str] | None:
    """The names the --latex lines use, or None when a line cannot be read (the check then
    says so, and a --domain is not judged against lines only partly read)."""
    from derive.core.context import Context
    from derive.read.latex import parse_relation

    context = Context(functions=frozenset(functions))
    names: set[str] = set()
    for line in lines:
        try:
            relation = parse_relation(line, context, source="--latex")
        except DeriveError:
            return None
        for side in relation.sides:
            names |= _names(side)
    return names


class _Progress:
    """Where a long ``derive check`` is, on standard error: the file and the step, rewritten in
    place. Shown only on a terminal and only once the run has taken a second; cleared before
    the report is printed."""

    DELAY = 1.0

    def __init__(self, stream: TextIO, files: int) -> None:
        import time

        self.stream = stream
        self.files = files
        self.finished = 0
        self.start = time.monotonic()
        self.shown = 0

    @classmethod
    def on(cls, stream: TextIO, files: int) -> _Progress | None:
        try:
            terminal = stream.isatty()
        except (AttributeError, ValueError, OSError):
            terminal = False
        return cls(stream, files) if terminal else None

    def __call__(self, path: str, done: int, total: int) -> None:
        import time

        if done >= total:
            self.finished += 1
        if time.monotonic() - self.start < self.DELAY:
            return
        if done >= total:  # a file is done (all that is told of a file checked in a worker)
            self._write(f"derive: {self.finished} of {self.files} file"
                        f"{'' if self.files == 1 else 's'} checked")
            return
        where = f"file {self.finished + 1} of {self.files}, " if self.files > 1 else ""
        self._write(f"derive: checking {path} ({where}step {done + 1} of {total})")

    def _write(self, line: str) -> None:
        import contextlib
        import shutil

        width = shutil.get_terminal_size((80, 24)).columns - 1
        if len(line) > width:
            line = "…" + line[len(line) - width + 1:]
        with contextlib.suppress(OSError, ValueError):
            self.stream.write("\r" + line.ljust(self.shown))
            self.stream.flush()
            self.shown = len(line)

    def clear(self) -> None:
        import contextlib

        if self.shown:
            with contextlib.suppress(OSError, ValueError):
                self.stream.write("\r" + " " * self.shown + "\r")
                self.stream.flush()
            self.shown = 0


def _emit(text: str) -> None:
    """The output, on standard output; a reader that stops reading (| head) ends it quietly."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


def _stdin() -> str:
    """A proof file from standard input, at most MAX_BYTES of UTF-8."""
    from derive.core.errors import ProofFileError
    from derive.read.proofs import MAX_BYTES, decode

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise ProofFileError("standard input is closed", source="-", placed=False)
    raw = stream.read(MAX_BYTES + 1)  # stops one byte past the limit
    if len(raw) > MAX_BYTES:
        raise ProofFileError(f"standard input holds more than {MAX_BYTES // (1024 * 1024)} "
                             "MiB; expected a proof file (TOML)", source="-", placed=False)
    return decode(raw, "-")


def _models() -> int:
    from derive.engine import models

    lines = []
    for name in models.BUILTIN:
        model = models.get(name)
        lines.append(f"{name:15} {model.title}")
        lines.append(f"{'':15} wrt: {', '.join(model.parameters)}")
    lines.append(f"{'chain-N':15} A chain of N sigmoid layers (for benchmarks)")
    lines.append(f"{'FILE.toml':15} Your own model: layers, activations and a loss summed over "
                 "the examples, in LaTeX (docs/models.md)")
    _emit("\n".join(lines) + "\n")
    return OK


def _seconds(text: str) -> float:
    """A time budget: a finite number of seconds, more than 0."""
    from derive.read.proofs import MAX_BUDGET

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds, not {text!r}") from None
    if not (math.isfinite(value) and 0 < value <= MAX_BUDGET):
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds more than 0 and at most {MAX_BUDGET:g}, "
            f"not {text!r}")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of processes, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 process, not {value}")
    return value


def _cores() -> int:
    """The CPU cores this process may run on."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
