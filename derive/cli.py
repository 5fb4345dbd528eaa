"""The command line: argument parsing and exit codes only, over the public API.

Exit codes: 0 when everything checked out, 1 when a result is wrong (a step not verified, a
verdict other than the one expected), 2 when the input cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from derive import __version__
from derive.errors import DeriveError

OK, WRONG, UNUSABLE = 0, 1, 2
FORMATS = ("text", "latex", "markdown", "json")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    steps.add_argument("--no-check", action="store_true",
                       help="skip the independent check of each step (faster)")
    steps.add_argument("--budget", type=float, default=2.0,
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
    check.add_argument("--budget", type=float, default=5.0,
                       help="seconds allowed for each equation (default 5)")
    check.add_argument("-j", "--jobs", type=_jobs, default=0, metavar="N",
                       help="check the files in N processes (default: one per CPU core; "
                            "1 checks them in this process)")
    check.add_argument("--total-budget", type=float, default=None,
                       help="seconds allowed for the whole run")

    codegen = commands.add_parser(
        "codegen", help="write verified, numerically stable NumPy gradient code",
        description="Generate a NumPy module with loss, grad and loss_and_grad for a built-in "
                    "model, or for your own scalar loss (--expr), from its verified derivation. "
                    "The module is checked against central finite differences and against the "
                    "symbolic gradient before it is written; when a check fails nothing is "
                    "written.")
    codegen.add_argument("model", nargs="?", help="logistic (over a batch) or mlp")
    codegen.add_argument("--expr", metavar="LATEX",
                         help="your own scalar loss, in LaTeX (instead of MODEL)")
    codegen.add_argument("--wrt", action="append", default=[], metavar="VAR",
                         help="with --expr: a variable of the gradient; repeat for each")
    codegen.add_argument("--domain", action="append", default=[], metavar="NAME=DOMAIN",
                         help="with --expr: a symbol's domain, e.g. y={0,1} or p=(0,1)")
    codegen.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                         help="with --expr: seconds for each symbolic stage (default 10)")
    codegen.add_argument("-o", "--output", metavar="FILE",
                         help="where to write the module (default: print it)")
    codegen.add_argument("--check-only", action="store_true",
                         help="run the checks and write nothing")
    codegen.add_argument("--force", action="store_true",
                         help="overwrite FILE if it exists")

    commands.add_parser("models", help="list the built-in models and their variables")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "steps":
            return _steps(args, parser)
        if args.command == "models":
            return _models()
        if args.command == "check":
            return _check(args, parser)
        if args.command == "codegen":
            return _codegen(args, parser)
    except DeriveError as error:
        print(f"derive: {error}", file=sys.stderr)
        return UNUSABLE
    parser.print_help()
    return UNUSABLE


def _steps(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from derive.api import steps
    from derive.render import render

    if bool(args.model) == bool(args.expr):
        parser.error("give a built-in MODEL or --expr LATEX (one of them)")
    domains = _domains(args.domain, parser)
    try:
        if args.expr:
            if not args.wrt:
                parser.error("--expr needs --wrt")
            derivation = steps(args.expr, args.wrt, check=not args.no_check,
                               budget=args.budget, domains=domains)
        else:
            from derive.models import get

            derivation = steps(get(args.model), args.wrt, check=not args.no_check,
                               budget=args.budget)
    except ValueError as error:
        print(f"derive: {error}", file=sys.stderr)
        return UNUSABLE
    sys.stdout.write(render(derivation, args.format, stream=sys.stdout))
    if args.html:
        from derive.html import write_html

        write_html(derivation, args.html)
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
        from derive.codegen import codegen_command

        return codegen_command(args.model, args.output, check_only=args.check_only,
                               force=args.force)
    if not args.wrt:
        parser.error("codegen: --expr needs at least one --wrt VAR (a variable of the gradient)")
    if args.budget is not None and not args.budget > 0:
        parser.error(f"codegen: --budget takes a positive number of seconds, not {args.budget}")
    from derive.codegen_expr import codegen_expr_command

    return codegen_expr_command(args.expr, args.wrt, _domains(args.domain, parser),
                                args.output, check_only=args.check_only, force=args.force,
                                budget=args.budget)


def _domains(items: list[str], parser: argparse.ArgumentParser) -> dict[str, str]:
    return _pairs(items, "--domain", parser)


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
    sizes = {}
    for name, value in _pairs(items, "--size", parser).items():
        if not value.isdigit() or int(value) < 1:
            parser.error(f"--size {name}={value}: a size is a whole number ≥ 1")
        sizes[name] = int(value)
    return sizes


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import pathlib

    from derive.check import check_files, check_latex
    from derive.render import render

    if args.latex and args.files:
        parser.error("give proof FILEs or --latex lines, not both")
    if args.latex:
        report = check_latex(args.latex, functions=tuple(args.function),
                             domains=_domains(args.domain, parser),
                             indices=_pairs(args.index, "--index", parser),
                             sizes=_sizes(args.size, parser), budget=args.budget)
    elif args.index or args.size:
        parser.error("--index and --size go with --latex; a proof file gives [indices] and "
                     "[settings] sizes")
    else:
        files = []
        for name in args.files:
            folder = pathlib.Path(name)
            files += sorted(str(p) for p in folder.glob("*.toml")) if folder.is_dir() else [name]
        if not files:
            files = sorted(str(p) for p in pathlib.Path("proofs").glob("*.toml"))
            if not files:
                print("derive: no FILE given and no proofs/*.toml here", file=sys.stderr)
                return UNUSABLE
        stdin = sys.stdin.read() if "-" in files else None
        report = check_files(files, budget=args.budget, total=args.total_budget, stdin=stdin,
                             jobs=args.jobs or _cores())
    sys.stdout.write(render(report, args.format, stream=sys.stdout))
    if args.html:
        from derive.html import write_html

        write_html(report, args.html)
    if report.unusable:
        return UNUSABLE
    if args.latex:
        good = ("proved", "checked", "definition")
        wrong = any(s.verdict not in good for d in report.documents for s in d.steps)
        return WRONG if wrong else OK
    return OK if report.ok else WRONG


def _models() -> int:
    from derive import models

    for name in models.BUILTIN:
        model = models.get(name)
        print(f"{name:15} {model.title}")
        print(f"{'':15} wrt: {', '.join(model.parameters)}")
    print(f"{'chain-N':15} A chain of N sigmoid layers (for benchmarks)")
    return OK


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
