"""Matrix claims: shapes inferred and checked, claims checked entry by entry at small sizes.

A claim that involves arrays (a name declared with a shape, a name whose definition holds
arrays, or the entries of a vector written as scalars) is decided here, in four stages:

1. **Reading.** The reader's expression is lowered to a small tree (``Sym``, ``Prod``, ``Had``,
   ``Der``, ...) with aliases and declared functions resolved. A product keeps its order and
   remembers which factors the reader knew to be arrays: a factor read as a scalar (an
   undeclared name that turns out to be an array, as z in ``z(1 - z)``) multiplies entry by
   entry.
2. **Shapes.** Every sub-expression gets a shape (sizes are symbols: n×d). A matrix product
   must conform, ⊙, ⊘, ``:`` and sums need equal shapes (a 1×c row added to an r×c array is
   added to every row: a bias broadcast over the batch; a number or a declared 1×1 name is
   added to every entry, but a 1×1 product of larger arrays such as yᵀXw is not: adding it to
   a vector is a slip, the forum's −2yᵀXw where −2Xᵀy belongs), functions apply entry by entry.
   A claim whose shapes do not conform is ``ill-formed``, naming the sub-expression and the
   shapes. Where ⊙ meets juxtaposed arrays with no bracket (``A B ⊙ C``) every grouping is a
   reading; each is reported, with its shape and whether it holds.
3. **Entrywise claims, for every size.** When every array in a claim has one shape and the
   claim combines them entry by entry (sums over all entries allowed: ``y : log ŷ``, 𝟏ᵀv,
   Σᵢ over a vector's entries), the claim is the scalar claim about one entry; it is decided
   by ``derive.decide.equivalence`` and, when proved there, is ``proved`` for every size.
4. **Instantiation.** Otherwise every array becomes an explicit matrix of entry symbols at
   small, pairwise distinct sizes (n = 3, d = 2, h = 4), derivatives are taken entry by entry
   by SymPy from the file's definitions, and the two sides are compared at random points of
   the domains with a fast float evaluator; a differing entry is confirmed at 30 digits
   before it is reported (entry, point, both values). Agreement is ``checked`` at that
   instantiation, never ``proved`` for every size.

Derivatives of arrays are read under a layout convention: ∂L/∂W of a scalar L is the gradient
shaped like W; ∂A/∂B of arrays is a Jacobian, which a formula represents in numerator layout
(rows follow A) or denominator layout (rows follow B), as a full matrix or as the factor that
multiplies from the left or the right (∂(XW)/∂W = Xᵀ in denominator layout). A claim that holds
in one layout only is ``conditional`` on it, unless the file declares its layout. A chain of
Jacobians is multiplied in the order written: numerator layout composes outermost first,
denominator layout in the reverse order. Per example: when a claim's shape differs from the
true one only by the batch (n×h against 1×h), it is checked at n = 1 and is ``conditional`` on
one example (the sum over the batch is missing). When a claim is ill-formed only because the
file stores the examples in columns (or rows), the other data layout is tried.

The modules follow the stages: ``ir`` (the lowered tree's records), ``lowering`` (the reader's
expressions to that tree), ``notation`` (the tree and shapes as the documents write them),
``frame`` (what a claim's names mean), ``inference`` (shapes and ``ShapeError``),
``templates`` (entrywise claims, stage 3), ``instantiation`` (explicit matrices at sizes),
``comparison`` (``agree``: two matrices at random points), ``readings`` (the other ways a claim
can be read), ``verdicts`` (the verdict record and its texts), ``claim`` (``Claim``, the
decision) and ``solving`` (the shapes one claim forces on names a document gives none). This
package exports what the checker and the tests use.
"""

from __future__ import annotations

from derive.verify.shapes.claim import Claim
from derive.verify.shapes.comparison import agree
from derive.verify.shapes.frame import Frame, free_entry_indices
from derive.verify.shapes.inference import ShapeError, Shapes
from derive.verify.shapes.instantiation import Instance
from derive.verify.shapes.ir import Had, Node, Prod, Sym, T
from derive.verify.shapes.lowering import Lowering, Unsupported
from derive.verify.shapes.notation import show, show_shape
from derive.verify.shapes.readings import groupings

__all__ = [
    "Claim",
    "Frame",
    "Had",
    "Instance",
    "Lowering",
    "Node",
    "Prod",
    "ShapeError",
    "Shapes",
    "Sym",
    "T",
    "Unsupported",
    "agree",
    "free_entry_indices",
    "groupings",
    "show",
    "show_shape",
]
