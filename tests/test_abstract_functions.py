"""A function the file declares and never defines (ℓ, the loss downstream of a layer): a
claim about it is meant for every such function, so it is checked with ℓ replaced by smooth
functions drawn at random, and refuted only with one of them named in the counterexample.
The derivative by a defined name (∂ℓ(y₁, …)/∂y₁ with y₁ = γ₁x̂₁ + β₁) is taken with that name
held and then evaluated where its definition puts it; a gradient's name as code writes it
(dy_i) is one name when the file defines it."""

from __future__ import annotations

import pathlib

import pytest

from derive.verify.check import check_files

LAYER = r"""[symbols]
x_i = { domain = "real" }
"\\gamma_i" = { domain = "real" }
"\\beta_i" = { domain = "real" }

[indices]
i = "D"

[settings]
sizes = { D = 3 }

[functions]
arbitrary = ["\\ell"]

[definitions]
L = { latex = '\ell(y_1, y_2, y_3)' }
dy_i = { latex = '\frac{\partial L}{\partial y_i}' }

[[step]]
id = "scale"
latex = 'y_i = \gamma_i x_i + \beta_i'
define = true

[[step]]
id = "claim"
latex = '{claim}'
"""


def verdict(tmp_path: pathlib.Path, claim: str) -> tuple[str, str]:
    path = tmp_path / "layer.toml"
    path.write_text(LAYER.replace("{claim}", claim))
    step = check_files([str(path)], budget=30).documents[0].steps[-1]
    return step.verdict.value, " ".join(link.message for link in step.links)


@pytest.mark.parametrize(("claim", "expected"), [
    (r"\frac{\partial L}{\partial \beta_i} = \frac{\partial L}{\partial y_i}", {"checked"}),
    (r"\frac{\partial L}{\partial \gamma_i} = dy_i \cdot x_i", {"checked"}),
    (r"\frac{\partial L}{\partial \beta_i} = \frac{\partial L}{\partial y_i} "
     r"\frac{\partial y_i}{\partial \beta_i}", {"checked"}),
    (r"\frac{\partial L}{\partial \gamma_i} = 2 dy_i \cdot x_i", {"refuted"}),
    (r"\frac{\partial L}{\partial \beta_i} = dy_i \gamma_i", {"refuted"}),
])
def test_a_claim_about_any_loss_downstream(tmp_path: pathlib.Path, claim: str,
                                           expected: set[str]) -> None:
    assert verdict(tmp_path, claim)[0] in expected


DOUBLED = r"\frac{d}{dx} f(x^2) = 2 f(x)"
"""False for every f but 0: a claim that needs f's formula."""


def steps_with_f(tmp_path: pathlib.Path, declared: str, budget: float,
                 more: str = "") -> dict[str, object]:
    """The steps of a file that declares f in ``[functions] declared`` and claims DOUBLED
    (step "false"), then ``more``."""
    path = tmp_path / f"{declared}.toml"
    path.write_text(f'[functions]\n{declared} = ["f"]\n\n[[step]]\nid = "false"\n'
                    f"latex = '{DOUBLED}'\n{more}")
    return {s.claim.id: s for s in check_files([str(path)], budget=budget).documents[0].steps}


def test_a_refutation_names_the_function_that_refutes_it(tmp_path: pathlib.Path) -> None:
    steps = steps_with_f(tmp_path, "arbitrary", 30, more=r"""
[[step]]
id = "true"
latex = '''\frac{d}{dx} f(x^2) = 2 x f'(x^2)'''
""")
    false = steps["false"]
    assert false.verdict.value == "refuted"
    assert "the claim is about any function f" in false.links[0].message
    assert any(name == "f(u1)" for name, _ in false.links[0].outcome.point)


def test_a_function_declared_by_name_only_is_no_arbitrary_function(
        tmp_path: pathlib.Path) -> None:
    """J in [functions] names is a specific function the file does not write (the post's
    cost): a claim that needs its formula stays undecided, never refuted for a J drawn."""
    step = steps_with_f(tmp_path, "names", 4)["false"]
    assert step.verdict.value == "undecided"
