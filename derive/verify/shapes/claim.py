"""One matrix claim decided: proved as the same expression or as an entrywise claim, otherwise
instantiated and compared at two sets of sizes, with the other readings (layouts, groupings of
⊙, the batch, the data layout) tried where the claim does not hold as written."""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import reduce

import sympy as sp

from derive.core.context import SymbolInfo
from derive.core.mathtext import text
from derive.core.outcomes import (
    CheckedAtSizes,
    Decision,
    DiffersAtSizes,
    Proved,
    Verdict,
    method_words,
)
from derive.core.unicode import pretty_name
from derive.decide.equivalence import compare
from derive.verify.shapes.comparison import agree
from derive.verify.shapes.frame import Frame
from derive.verify.shapes.inference import (
    DefinitionShapeError,
    LayoutNeeded,
    ShapeError,
    Shapes,
    is_scalar,
    same_shape,
)
from derive.verify.shapes.instantiation import Instance, Jacobian
from derive.verify.shapes.ir import (
    Add,
    Der,
    Diag,
    Frob,
    Func,
    Grid,
    Had,
    Hess,
    Node,
    Num,
    Ones,
    Pow,
    Prod,
    Shape,
    Softmax,
    Stacked,
    Sym,
    T,
    Total,
    names_in,
    walk,
)
from derive.verify.shapes.lowering import Unsupported
from derive.verify.shapes.notation import show, show_shape
from derive.verify.shapes.readings import (
    arrays_in_products,
    by_names,
    groupings,
    jacobian_readings,
    replaced,
    swap_shape,
    transposed_arrays,
)
from derive.verify.shapes.templates import NotEntrywise, Templates
from derive.verify.shapes.verdicts import (
    ONCE,
    checked_text,
    differs_text,
    holds,
    sizes_text,
)


class Claim:
    """One equality of arrays, decided: both sides lowered, with the frame they are read in."""

    def __init__(self, left: Node, right: Node, frame: Frame,
                 conditions: Mapping[str, sp.Expr] | None = None,
                 deadline: float | None = None, *, alternatives: bool = True) -> None:
        self.left = left
        self.right = right
        self.frame = frame
        self.conditions = dict(conditions or {})
        self.deadline = deadline
        self.alternatives = alternatives
        """Whether other readings (another variable, the other data layout) are tried."""
        self.shapes = Shapes(frame)
        self.shift = 0
        """Added to every instantiation size: 0 for the first instantiation, 1 for the second."""

    # -- the whole decision ------------------------------------------------------------------

    def decide(self) -> Decision:
        """The claim's verdict; one that holds at the first sizes is instantiated again at
        a second, larger set of sizes (``I : I = 2`` holds at n = 2 only)."""
        first = self._decide()
        if first.verdict != Verdict.CHECKED or self.shift:
            return first
        if isinstance(first.outcome, CheckedAtSizes) and first.outcome.exact and \
                self._of_no_size():
            return Decision(Verdict.PROVED, Proved("equal entry by entry"),
                            "proved: every size is a number, and the two sides are equal entry "
                            "by entry")
        again = copy.copy(self)
        again.shift = 1
        second = again._decide()
        if second.verdict == Verdict.REFUTED:
            return replace(second, message=f"{second.message} (it held at "
                           f"{sizes_text(self._sizes())})")
        if second.verdict == Verdict.CHECKED:
            once = f"at one instantiation ({sizes_text(self._sizes())})"
            twice = (f"at two instantiations ({sizes_text(self._sizes())} and "
                     f"{sizes_text(again._sizes())})")
            message = first.message.replace(once, twice) if once in first.message else \
                f"{first.message}; checked again at {sizes_text(again._sizes())}"
            return replace(first, message=message)
        return first

    def _of_no_size(self) -> bool:
        """Whether the claim's arrays all have sizes written as numbers (``[1, 2][3; 4] =
        11``, T ∈ ℝ^{1×2}): its one instantiation is then the whole claim."""
        used = self.frame.used(self.left, self.right)
        return not self.frame.size_names(used) and not used & set(self.frame.sizes) and \
            not any(isinstance(n, Stacked | Grid | Ones | Total)
                    for side in (self.left, self.right) for n in walk(side))

    def _decide(self) -> Decision:
        missing = self._independent()
        if missing is not None:
            if missing.verdict == Verdict.ILL_FORMED and self.alternatives:
                through = self._through_undefined()
                if through is not None:
                    return through
            return missing
        whole = self._whole_beside_entries()
        if whole is not None:
            return whole
        proved = self._proved()
        if proved is not None:
            return proved
        chain = self._chain_claim()
        if chain is not None:
            return chain
        left, right = self._unchained(self.left), self._unchained(self.right)
        for side, other in ((left, right), (right, left)):
            if isinstance(side, Der) and not is_scalar(self.shapes.of(side.expr)) and \
                    not self._entrywise_derivative(side):
                return self._jacobian_claim(side, other)
        return self._value_claim(left, right)

    def _sizes(self, **override: int) -> dict[str, int]:
        chosen = self.frame.instance_sizes(self.frame.used(self.left, self.right), **override)
        return {name: value if name in override else value + self.shift
                for name, value in chosen.items()}

    # -- stage 1: derivatives of what depends on the variable -----------------------------------

    def _independent(self) -> Decision | None:
        for side in (self.left, self.right):
            for node in walk(side):
                if not isinstance(node, Der):
                    continue
                function = node.expr
                named = function.name if isinstance(function, Sym) else None
                if named is not None and named not in self.frame.definitions and \
                        self.frame.declared(named) is None and named != node.var:
                    whole = self.frame.defined_whole(named)
                    if whole is not None:
                        return Decision(Verdict.UNDECIDED, message=(
                            f"{pretty_name(named)} is an entry of {pretty_name(whole)}, which "
                            "is defined as a whole: its entries are not written out here, so "
                            f"{show(node)} is not taken"))
                    return Decision(
                        Verdict.ILL_FORMED, message=f"{pretty_name(named)} is not defined, so "
                                   f"{show(node)} has no meaning here")
                if any(self.frame.depends(n, node.var, entries=True) for n in names_in(function)):
                    continue
                if named is None and self._sibling_entries(function, node.var):
                    continue  # a term of a sum written out: ∂(ŷ₂ − y₂)/∂ŷ₁ is 0
                held = sorted({entry for n in names_in(function)
                               for entry in self.frame.entries_defined_whole(n)})
                if held:  # L = −Σ y_k log z_k, z = softmax(a) defined whole, by a₁
                    whole = self.frame.defined_whole(held[0])
                    return Decision(Verdict.UNDECIDED, message=(
                        f"{show(function)} writes {pretty_name(held[0])}, an entry of "
                        f"{pretty_name(str(whole))}, which is defined as a whole: how it "
                        f"depends on {pretty_name(node.var)} is not written out here"))
                what = pretty_name(named) if named else show(function)
                definition = self.frame.definitions.get(named) if named else None
                written = f" ({what} = {show(definition)})" if definition is not None else ""
                message = f"{what} does not depend on {pretty_name(node.var)}{written}"
                if named is not None and self.alternatives:
                    message += self._typo(node)
                return Decision(Verdict.ILL_FORMED, message=message)
        return None

    def _whole_beside_entries(self) -> Decision | None:
        """Σᵢ −Tᵢ log(A) with Tᵢ entries and A a whole vector that does not change with i: as
        written, (Σᵢ Tᵢ)·log(A), which a post almost never means (log(Aᵢ)); not decided."""
        for side in (self.left, self.right):
            for node in walk(side):
                if not isinstance(node, Total):
                    continue
                names = {n.name for n in walk(node.body) if isinstance(n, Sym)}
                indexed = {n for n in names if n.rpartition("_")[2] == node.index}
                if not indexed or any(self.frame.entry(n) is None for n in indexed):
                    continue  # a family of arrays (xᵢ), or no entry the sum runs over
                for name in sorted(names - indexed):
                    shape = self.frame.declared(name)
                    if shape is not None and sp.S.One in shape and not is_scalar(shape):
                        entry = f"{pretty_name(name)}_{node.index}"
                        return Decision(Verdict.UNDECIDED, message=(
                            f"{show(node)}: the sum over {node.index} writes entries and the "
                            f"whole vector {pretty_name(name)}, which does not change with "
                            f"{node.index}; read as written it is a vector, and {entry} may "
                            "be meant: not decided"))
        return None

    def _through_undefined(self) -> Decision | None:
        """∂L/∂V = Aᵀ ∂L/∂O with O = AV and L defined nowhere, L differentiated only: L read
        as a scalar function of the one name its other variables reach (O), so the claim is
        about every gradient G = ∂L/∂O. First derivatives are linear in G, so the claim holds
        for every L when it holds for L = G : O with G an array of O's shape, left symbolic.
        Holding so is the verdict; None otherwise (never refuted: the text may relate the
        names in ways the claim does not write)."""
        sides = (self._expanded(self.left), self._expanded(self.right))  # δ = ∂L/∂Z written in
        derivatives = [n for side in sides for n in walk(side) if isinstance(n, Der)]
        undefined = {n.expr.name for n in derivatives if isinstance(n.expr, Sym) and
                     n.expr.name not in self.frame.definitions and
                     self.frame.declared(n.expr.name) is None}
        if len(undefined) != 1:
            return None
        (loss,) = undefined
        variables = sorted({n.var for n in derivatives if n.expr == Sym(loss)})
        written_alone = sum(1 for side in sides for n in walk(side)
                            if n == Sym(loss))
        if written_alone != sum(1 for n in derivatives if n.expr == Sym(loss)):
            return None  # L written outside a derivative of it: its value, not only G
        if any(isinstance(n, Hess) or (isinstance(n, Der) and n.expr != Sym(loss) and
                                       Sym(loss) in walk(n.expr))
               for side in sides for n in walk(side)):
            return None  # a second derivative of L is not linear in G

        def named(variable: str) -> str:  # A^prev = X: a derivative by A^prev is by X
            seen = {variable}
            alias = self.frame.definitions.get(variable)
            while isinstance(alias, Sym) and alias.name not in seen:
                variable = alias.name
                seen.add(variable)
                alias = self.frame.definitions.get(variable)
            return variable

        last = [v for v in variables
                if all(self.frame.depends(named(v), named(u)) for u in variables)]
        if len(last) != 1:
            return None
        (through,) = last
        try:
            shape = self.shapes.of_name(through)
        except ShapeError:
            return None
        used = self.frame.used(self.left, self.right)
        gradient = next(f"G{k}" if k else "G" for k in range(len(used) + 2)
                        if (f"G{k}" if k else "G") not in used)
        context = self.frame.context.with_symbols(
            SymbolInfo(gradient, shape=(str(shape[0]), str(shape[1]))))
        definitions = {**self.frame.definitions,
                       loss: Frob(Sym(gradient), Sym(through))}
        frame = replace(self.frame, context=context, definitions=definitions)
        shapes = Shapes(frame)

        def gradient_array(factor: Node) -> bool:  # ∂L/∂O, O = AV: an array, not a number
            factor = self._expanded(factor)
            return isinstance(factor, Der) and factor.expr == Sym(loss) and \
                not is_scalar(shapes.of_name(factor.var))

        left, right = (by_names(arrays_in_products(side, gradient_array), named)
                       for side in (self.left, self.right))
        claim = Claim(left, right, frame, self.conditions, self.deadline, alternatives=False)
        claim.shift = self.shift  # the second instantiation is decide()'s, as for any claim
        try:
            decided = claim._decide()
        except (Unsupported, ShapeError, NotEntrywise, Jacobian):
            return None
        if decided.verdict not in (Verdict.PROVED, Verdict.CHECKED):
            return None
        reading = (f"{pretty_name(loss)}, which nothing defines, read as a scalar function of "
                   f"{pretty_name(through)} alone; the claim is linear in its gradient, checked "
                   f"as an arbitrary {show_shape(shape)} array {gradient}")
        return replace(decided, message=f"holds for every such {pretty_name(loss)}: {reading}; "
                                        f"{decided.message}")

    def _sibling_entries(self, function: Node, var: str) -> bool:
        """Whether a formula writes another entry of the vector whose entry ``var`` is."""
        base, _, index = var.rpartition("_")
        if not (base and index.isdigit()):
            return False
        return any(name != var and name.rpartition("_")[0] == base and
                   name.rpartition("_")[2].isdigit() for name in names_in(function))

    def _typo(self, node: Der) -> str:
        """Which variables the claim would hold for, had the document written them."""
        candidates = sorted(n for n in self._inputs(node.expr) if n != node.var)
        found = []
        for candidate in candidates:
            swap = Der(node.expr, candidate)
            claim = Claim(replaced(self.left, node, swap), replaced(self.right, node, swap),
                          self.frame, self.conditions, self.deadline, alternatives=False)
            try:
                verdict = claim.decide()
            except (Unsupported, ShapeError, NotEntrywise, Jacobian):
                continue
            if verdict.verdict in (Verdict.PROVED, Verdict.CHECKED, Verdict.CONDITIONAL):
                how = f" ({verdict.assumption})" if verdict.assumption else ""
                found.append(f"{show(swap)}{how}")
        if not found:
            return ""
        return f": a typo? the claim holds of {' and of '.join(found)}"

    def _inputs(self, node: Node) -> set[str]:
        names: set[str] = set()
        for name in names_in(node):
            definition = self.frame.definitions.get(name)
            if definition is not None:
                names |= names_in(definition)
        return {n for n in names if self.frame.declared(n) is not None or
                n in self.frame.definitions}

    # -- stage 3: entrywise, for every size; or the same expression -------------------------------

    def _proved(self) -> Decision | None:
        left, right = self._expanded(self.left), self._expanded(self.right)
        if left == right:
            return Decision(
                Verdict.PROVED, Proved("the same matrix expression once the definitions "
                                            "are written in"),
                           "proved for every size: the two sides are the same matrix expression "
                           "once the definitions are written in")
        templates = Templates(self.frame)
        try:
            a = templates.of(self.left, frozenset(), set(), {})
            b = templates.of(self.right, frozenset(), set(), {})
        except (NotEntrywise, Unsupported, Jacobian, ShapeError):
            return None
        if a.kind != b.kind and "scalar" not in (a.kind, b.kind):
            return None
        if a.kind == b.kind == "entry" and not same_shape(a.shape, b.shape):
            return None
        if {a.kind, b.kind} == {"scalar", "total"} or self.conditions:
            return None
        try:
            outcome = compare(a.expr, b.expr, templates.domains(), budget=self._budget(2.0))
        except (TypeError, ValueError):
            return None
        if not isinstance(outcome, Proved):
            return None
        what = {"entry": f"every entry ({show_shape(a.shape)} arrays)",
                "total": f"the sum over the entries of {show_shape(a.shape)} arrays",
                "scalar": "a scalar"}[a.kind if a.kind != "scalar" else b.kind]
        return Decision(Verdict.PROVED, outcome,
                       f"proved for every size: an entrywise claim, read as the scalar claim "
                       f"about {what}: {text(a.expr)} = {text(b.expr)}, "
                       f"{method_words(outcome.method)}")

    def _budget(self, at_most: float) -> float:
        if self.deadline is None:
            return at_most
        return max(0.05, min(at_most, self.deadline - time.monotonic()))

    def _expanded(self, node: Node, seen: frozenset[str] = frozenset()) -> Node:
        def expand(item: Node) -> Node:
            return self._expanded(item, seen)

        match node:
            case Sym(name) if name in self.frame.definitions and name not in seen:
                return self._expanded(self.frame.definitions[name], seen | {name})
            case Add(terms):
                flat: list[Node] = []
                for term in (expand(t) for t in terms):
                    flat.extend(term.terms if isinstance(term, Add) else (term,))
                return Add(tuple(flat))
            case Prod(factors, arrays, _):
                items: list[Node] = []
                kinds: list[bool] = []
                for factor, array in zip((expand(f) for f in factors), arrays, strict=True):
                    if isinstance(factor, Prod) and array and all(factor.arrays):
                        items.extend(factor.factors)
                        kinds.extend(factor.arrays)
                    else:
                        items.append(factor)
                        kinds.append(array)
                return Prod(tuple(items), tuple(kinds))
            case Had(factors):
                return Had(tuple(expand(f) for f in factors))
            case Pow(base, exponent):
                return Pow(expand(base), expand(exponent))
            case Func(function, arg, name):
                return Func(function, expand(arg), name)
            case T(arg):
                return T(expand(arg))
            case Frob(left, right):
                return Frob(expand(left), expand(right))
            case Diag(arg):
                return Diag(expand(arg))
            case Softmax(arg):
                return Softmax(expand(arg))
        return node

    # -- chains of Jacobians ----------------------------------------------------------------------

    def _chain_of(self, node: Node) -> list[Der] | None:
        if isinstance(node, Prod) and len(node.factors) >= 2 and all(
                isinstance(f, Der) for f in node.factors):
            return [f for f in node.factors if isinstance(f, Der)]
        return None

    def _unchained(self, node: Node) -> Node:
        """A chain of Jacobians stands for the derivative it composes."""
        chain = self._chain_of(node)
        if chain is None:
            return node
        return Der(chain[0].expr, chain[-1].var)

    def _chain_claim(self) -> Decision | None:
        for side, other in ((self.left, self.right), (self.right, self.left)):
            chain = self._chain_of(other)
            if chain is not None and isinstance(side, Der):
                return self._chain(side, chain)
        return None

    def _chain(self, whole: Der, chain: list[Der]) -> Decision:
        sizes = self._sizes()
        instance = Instance(self.frame, sizes)
        try:
            true = instance.jacobian(whole.expr, whole.var)
            factors = [instance.jacobian(f.expr, f.var) for f in chain]
        except (Unsupported, ShapeError) as error:
            return Decision(Verdict.UNDECIDED, message=f"cannot instantiate the chain: {error}")
        results: dict[str, Decision] = {}
        for layout, matrices, target in (
                ("numerator", factors, true),
                ("denominator", [m.T for m in factors], true.T)):
            shapes = " · ".join(f"{m.rows}×{m.cols}" for m in matrices)
            if any(a.cols != b.rows for a, b in itertools.pairwise(matrices)):
                reverse = " (this layout composes them in the reverse order)" \
                    if layout == "denominator" else ""
                results[layout] = Decision(Verdict.ILL_FORMED, message=f"the Jacobians {shapes} do "
                                          f"not conform in the order written{reverse}")
                continue
            product = reduce(lambda a, b: a * b, matrices)
            if product.shape != target.shape:
                results[layout] = Decision(Verdict.ILL_FORMED, message=f"the Jacobians {shapes} "
                                          f"compose to {product.rows}×{product.cols}, the "
                                          f"derivative is {target.rows}×{target.cols}")
                continue
            outcome = agree(product, target, instance.domains, sizes)
            if isinstance(outcome, CheckedAtSizes):
                results[layout] = Decision(Verdict.CHECKED, outcome, f"the Jacobians {shapes} "
                                          "compose to it in the order written")
            else:
                results[layout] = Decision(Verdict.REFUTED, outcome, differs_text(outcome))
        written = show(Prod(tuple(chain), (True,) * len(chain)))
        return self._by_layout(results, f"{show(whole)} = {written}, a chain of Jacobians at "
                               f"{sizes_text(sizes)}")

    def _by_layout(self, results: Mapping[str, Decision], what: str) -> Decision:
        """The verdict of a derivative claim read in numerator and in denominator layout."""
        def detail(layout: str) -> str:
            found = results.get(layout)
            return found.message if found is not None else "no reading has the claim's shape"

        holding = [k for k in ("numerator", "denominator") if k in results
                   and holds(results[k])]
        declared = self.frame.layout
        if len(holding) == 2:
            outcome = results["numerator"].outcome
            return Decision(Verdict.CHECKED, outcome, f"{what}: holds in either layout; "
                           + checked_text(outcome))
        if declared is not None:
            other = "denominator" if declared == "numerator" else "numerator"
            under = results.get(declared)
            also = f"; it would hold in {other} layout ({detail(other)})" if holding else ""
            if under is not None and holds(under):
                return Decision(
                    Verdict.CHECKED, under.outcome, f"{what}: holds in {declared} layout, "
                               f"the layout the file declares ({under.message}); "
                               + checked_text(under.outcome))
            if under is not None and under.verdict == Verdict.REFUTED:
                return Decision(
                    Verdict.REFUTED, under.outcome, f"{what}: in {declared} layout (the "
                               f"file's): {under.message}{also}")
            return Decision(
                Verdict.ILL_FORMED, message=f"{what}: in {declared} layout (the file's), "
                           f"{detail(declared)}{also}")
        if holding:
            layout = holding[0]
            other = "denominator" if layout == "numerator" else "numerator"
            outcome = results[layout].outcome
            return Decision(Verdict.CONDITIONAL, outcome,
                           f"{what}: holds in {layout} layout only ({detail(layout)}); in "
                           f"{other} layout {detail(other)}; checked at one instantiation",
                           f"{layout} layout")
        refuted = [v for v in results.values() if v.verdict == Verdict.REFUTED]
        if refuted:
            return Decision(Verdict.REFUTED, refuted[0].outcome, f"{what}: {refuted[0].message}")
        return Decision(Verdict.ILL_FORMED, message=f"{what}: in numerator layout "
                       f"{detail('numerator')}; in denominator layout {detail('denominator')}")

    # -- Jacobians --------------------------------------------------------------------------------

    def _entrywise_derivative(self, node: Der) -> bool:
        a = self.shapes.of(node.expr)
        v = self.shapes.of_name(node.var)
        if not same_shape(a, v) and not is_scalar(v):
            return False
        if is_scalar(v):
            return True
        instance = Instance(self.frame, self._sizes())
        try:
            instance.value(node)
        except Jacobian:
            return False
        except (Unsupported, ShapeError):
            return True
        return True

    def _jacobian_claim(self, derivative: Der, claimed: Node) -> Decision:
        try:
            self.shapes.of(claimed)
        except ShapeError as error:
            return self._ill_formed_side(claimed, error, lambda n: self._jacobian_claim(
                derivative, n))
        sizes = self._sizes()
        instance = Instance(self.frame, sizes)
        try:
            true = instance.jacobian(derivative.expr, derivative.var)
            value = instance.value(claimed)
            target = instance.value(derivative.expr, frozenset({derivative.var}))
        except (Unsupported, ShapeError) as error:
            return Decision(Verdict.UNDECIDED, message=f"cannot instantiate the claim: {error}")
        results: dict[str, Decision] = {}
        for layout, how, predicted in jacobian_readings(value, target.shape,
                                                        instance.base(derivative.var).shape):
            if layout in results and holds(results[layout]):
                continue
            outcome = agree(predicted, true, instance.domains, sizes)
            if isinstance(outcome, CheckedAtSizes):
                results[layout] = Decision(Verdict.CHECKED, outcome, how)
            elif layout not in results:
                results[layout] = Decision(Verdict.REFUTED, outcome, f"read as {how}, "
                                          + differs_text(outcome))
        shape_a = show_shape(self.shapes.of(derivative.expr))
        shape_v = show_shape(self.shapes.of_name(derivative.var))
        what = (f"{show(derivative)}, the Jacobian of {show(derivative.expr, 2)} ({shape_a}) "
                f"by {pretty_name(derivative.var)} ({shape_v}), against {show(claimed)} "
                f"({value.rows}×{value.cols} at {sizes_text(sizes)})")
        for layout in ("entrywise", "gradient"):
            if layout in results and holds(results[layout]):
                outcome = results[layout].outcome
                return Decision(Verdict.CHECKED, outcome, f"{what}: {results[layout].message}; "
                               + checked_text(outcome))
        return self._by_layout(results, what)

    # -- values -------------------------------------------------------------------------------

    def _value_claim(self, left: Node, right: Node) -> Decision:
        for side, other, first in ((left, right, True), (right, left, False)):
            try:
                self.shapes.of(side)
            except ShapeError as error:
                def retry(node: Node, other: Node = other, first: bool = first) -> Decision:
                    pair = (node, other) if first else (other, node)
                    return self._value_claim(*pair)
                return self._ill_formed_side(side, error, retry)
            except Jacobian as error:  # pragma: no cover - shapes raise ShapeError instead
                return Decision(Verdict.ILL_FORMED, message=str(error))
        readings = groupings(left)
        if len(readings) > 1:
            return self._readings(readings, lambda n: self._value_claim(n, right))
        readings = groupings(right)
        if len(readings) > 1:
            return self._readings(readings, lambda n: self._value_claim(left, n))
        a, b = self.shapes.of(left), self.shapes.of(right)
        if not same_shape(a, b) and not _zero(left) and not _zero(right):
            return self._shapes_differ(left, right, a, b)
        return self._instantiate(left, right, self._sizes())

    def _instantiate(self, left: Node, right: Node, sizes: Mapping[str, int]) -> Decision:
        instance = Instance(self.frame, sizes)
        try:
            a, b = instance.value(left), instance.value(right)
            # ∇f = 0: the number 0 written for the zero array of the other side's shape
            a = sp.zeros(*b.shape) if _zero(left) else a
            b = sp.zeros(*a.shape) if _zero(right) else b
        except Jacobian:
            return Decision(Verdict.ILL_FORMED, message="a Jacobian of arrays by arrays inside a "
                           "formula has no value until a layout is chosen")
        except (Unsupported, ShapeError) as error:
            return Decision(Verdict.UNDECIDED, message=f"cannot instantiate the claim: {error}")
        if a.shape != b.shape:
            return Decision(Verdict.ILL_FORMED, message=f"at {sizes_text(sizes)} the two sides are "
                           f"{a.rows}×{a.cols} and {b.rows}×{b.cols}")
        substitutions = self._substitutions(instance)
        labels = ("this side", "the side before it")
        claimed, true = b, a
        if _has_derivative(right) and not _has_derivative(left):
            claimed, true = a, b
            labels = ("claimed", "true")
        elif _has_derivative(left) and not _has_derivative(right):
            labels = ("claimed", "true")
        try:
            outcome = agree(claimed, true, instance.domains, sizes)
        except Unsupported as error:
            return Decision(Verdict.UNDECIDED, message=str(error))
        if isinstance(outcome, DiffersAtSizes) and substitutions:
            under = agree(claimed, true, instance.domains, sizes, substitutions=substitutions)
            if isinstance(under, CheckedAtSizes):
                assumed = ", ".join(f"{pretty_name(n)} = {v}" for n, v in self.conditions.items())
                return Decision(Verdict.CONDITIONAL, under,
                               f"false in general ({differs_text(outcome, labels)}); holds "
                               f"when {assumed}, {ONCE}", assumed)
        if isinstance(outcome, CheckedAtSizes):
            return Decision(Verdict.CHECKED, outcome, checked_text(outcome))
        return Decision(Verdict.REFUTED, outcome, differs_text(outcome, labels))

    def _substitutions(self, instance: Instance) -> dict[sp.Symbol, sp.Expr]:
        found: dict[sp.Symbol, sp.Expr] = {}
        for name, value in self.conditions.items():
            entry = instance.value(Sym(name))
            if entry.shape == (1, 1) and isinstance(entry[0, 0], sp.Symbol):
                found[entry[0, 0]] = value
        return found

    def _shapes_differ(self, left: Node, right: Node, a: Shape, b: Shape) -> Decision:
        batch = self.frame.batch
        message = (f"the two sides differ in shape: {show(left)} is {show_shape(a)}, "
                   f"{show(right)} is {show_shape(b)}")
        if batch is not None:
            one = {sp.Symbol(batch, integer=True, positive=True): 1}
            if same_shape((a[0].xreplace(one), a[1].xreplace(one)),
                          (b[0].xreplace(one), b[1].xreplace(one))):
                sizes = self._sizes(**{batch: 1})
                under = self._instantiate(left, right, sizes)
                if holds(under):
                    return Decision(Verdict.CONDITIONAL, under.outcome,
                                   f"holds per example ({batch} = 1) only: {message}, so for "
                                   f"{batch} > 1 a sum over the batch (𝟏ᵀ…) is missing; "
                                   f"{ONCE}", f"{batch} = 1 (one example)")
                return Decision(under.verdict, under.outcome,
                               f"{message}; even for one example: {under.message}")
        for side, other in ((left, right), (right, left)):
            # ∂p/∂z of a vector by a vector, read entry by entry, against a square matrix:
            # the Jacobian (∂σ(z)/∂z = diag(σ(z)(1 − σ(z))))
            square = self.shapes.of(other)
            if isinstance(side, Der) and not is_scalar(self.shapes.of(side)) and same_shape(
                    self.shapes.of(side.expr), self.shapes.of_name(side.var)) and \
                    same_shape(square, (square[0], square[0])) and not is_scalar(square):
                return self._jacobian_claim(side, other)
        for side, other in ((left, right), (right, left)):
            # ∂f/∂w of a scalar, or its transpose f'(w)ᵀ, read the other way round
            if isinstance(side, Der) and is_scalar(self.shapes.of(side.expr)):
                turned: Node = T(side)
            elif isinstance(side, T) and isinstance(side.arg, Der) and \
                    is_scalar(self.shapes.of(side.arg.expr)):
                turned = side.arg
            else:
                continue
            transposed = self._instantiate(turned, other, self._sizes())
            if self.frame.layout == "numerator" and \
                    transposed.verdict in (Verdict.CHECKED, Verdict.PROVED, Verdict.REFUTED):
                how = "holds" if holds(transposed) else "read"
                return replace(transposed, message=f"{how} in numerator layout (the layout "
                               "the file declares), where ∂/∂W of a scalar is shaped like "
                               "Wᵀ; " + transposed.message)
            if holds(transposed) and self.frame.layout == "denominator":
                return Decision(Verdict.ILL_FORMED, message=(
                    f"in denominator layout (the layout the file declares) {message}; it "
                    "would hold in numerator layout, where ∂/∂W of a scalar is shaped like Wᵀ"))
            if holds(transposed):
                return Decision(Verdict.CONDITIONAL, transposed.outcome,
                                f"holds in numerator layout only, where ∂/∂W of a scalar "
                                f"is shaped like Wᵀ ({message}); {ONCE}",
                                "numerator layout")
        return Decision(Verdict.ILL_FORMED, message=message)

    # -- ill-formed sides and their other readings -----------------------------------------------

    def _ill_formed_side(self, side: Node, error: ShapeError,
                         retry: Callable[[Node], Decision]) -> Decision:
        readings = groupings(side)
        if len(readings) > 1:
            return self._readings(readings, retry)
        transposed = self._other_data_layout(retry, error)
        if transposed is not None:
            return transposed
        if isinstance(error, DefinitionShapeError):
            # the claim as written may be well formed: the shapes read for its names (a
            # convention, ℝⁿ a column) do not fit a definition it goes through
            return Decision(Verdict.UNDECIDED, message=str(error))
        if isinstance(error, LayoutNeeded):
            # a convention, not a shape error: the product of a Jacobian inside a formula is
            # not written out in any layout here
            return Decision(Verdict.UNDECIDED, message=f"{error}; a Jacobian inside a "
                            "product is not evaluated (write the product out)")
        return Decision(Verdict.ILL_FORMED, message=str(error))

    def _readings(self, readings: list[Node], decide: Callable[[Node], Decision]) -> Decision:
        """Each grouping of ⊙ against juxtaposition: its shape, and whether it holds."""
        lines = []
        results: list[tuple[Node, Decision | None]] = []
        for reading in readings:
            try:
                shape = show_shape(self.shapes.of(reading))
            except ShapeError as error:
                lines.append(f"{show(reading)}: ill-formed ({_reason(error)})")
                results.append((reading, None))
                continue
            verdict = decide(reading)
            results.append((reading, verdict))
            lines.append(f"{show(reading)}: {shape}, {verdict.verdict}")
        written = results[0][1]
        well = [(r, v) for r, v in results if v is not None]
        listing = "; ".join(f"({k + 1}) {line}" for k, line in enumerate(lines))
        if written is not None and len(well) == 1:
            return written  # the other groupings of ⊙ are ill-formed: nothing is ambiguous
        if written is not None and all(v.verdict == written.verdict for _, v in well):
            return replace(written, message=f"{written.message} (every well-formed grouping "
                           f"of ⊙ agrees: {listing})")
        holding = [(r, v) for r, v in well if v.verdict.holds or v.verdict == Verdict.CONDITIONAL]
        if not holding:
            return Decision(Verdict.ILL_FORMED if written is None else written.verdict,
                           None if written is None else written.outcome,
                           f"no grouping of ⊙ holds: {listing}")
        reading, verdict = holding[0]
        index = next(k for k, (r, _) in enumerate(results) if r == reading)
        how = "as written (left to right)" if index == 0 else f"read as {show(reading)}"
        only = ", the only well-formed reading" if len(well) == 1 else ""
        extra = f"; {verdict.assumption}" if verdict.assumption else ""
        return Decision(Verdict.CONDITIONAL, verdict.outcome,
                       f"⊙ against the matrix product: the groupings are {listing}. It holds "
                       f"{how}{only}; {ONCE}", f"read as {show(reading)}{extra}")

    def _other_data_layout(self, retry: Callable[[Node], Decision],
                           error: ShapeError) -> Decision | None:
        """The claim read with the examples stored the other way (rows ↔ columns)."""
        batch = self.frame.batch
        if batch is None or not self.alternatives:
            return None
        size = sp.Symbol(batch, integer=True, positive=True)
        moved = []
        for name in sorted(set(names_in(self.left)) | set(names_in(self.right))
                           | set(self.frame.definitions)):
            try:
                shape = self.shapes.of_name(name)
            except ShapeError:
                continue
            if size in shape[0].free_symbols | shape[1].free_symbols:
                moved.append(name)
        if not moved:
            return None
        flipped = Claim(transposed_arrays(self.left, moved), transposed_arrays(self.right, moved),
                        self.frame, self.conditions, self.deadline, alternatives=False)
        try:
            verdict = flipped.decide()
        except (Unsupported, ShapeError, Jacobian):
            return None
        if not holds(verdict):
            return None
        shapes = ", ".join(f"{pretty_name(n)} {show_shape(swap_shape(self.shapes.of_name(n)))}"
                           for n in moved)
        layout = ("one example per row" if self._examples_in_columns(moved, size)
                  else "one example per column")
        return Decision(Verdict.CONDITIONAL, verdict.outcome,
                       f"ill-formed as the file stores the examples: {_reason(error)}; it "
                       f"holds with {layout} ({shapes}); {ONCE}", f"{layout} ({shapes})")

    def _examples_in_columns(self, names: list[str], size: sp.Symbol) -> bool:
        for name in names:
            rows, cols = self.shapes.of_name(name)
            if size in cols.free_symbols and size not in rows.free_symbols:
                return True
        return False


def _has_derivative(node: Node) -> bool:
    return any(isinstance(n, Der) for n in walk(node))


def _reason(error: ShapeError) -> str:
    text = str(error)
    return text.split(": ", 1)[1] if ": " in text else text


def _zero(node: Node) -> bool:
    """The number 0, which stands for the zero array of any shape."""
    return isinstance(node, Num) and node.value == 0
