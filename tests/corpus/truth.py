"""The corpus's truth: every scored step of every post, established without derive.

``CLAIMS`` maps "post/step" to a :class:`~tests.corpus.mathtools.Claim`. Steps of a post that
are not in it are not scored (definitions, notation, updates, lines that are not equations).
``HOLDOUT`` names the posts never tuned against (also listed in SOURCES.md); ``HOLDOUT2`` the
second held-out set, added after the reader's tuning began; ``HOLDOUT3`` the third (its steps
were examined after it was first measured: it is reported apart, but held out no longer);
``HOLDOUT4`` the fourth, added when the third was examined (examined in turn when the fifth was
added: reported apart, held out no longer); ``HOLDOUT5`` the fifth, added after the fourth;
``HOLDOUT6`` the sixth, added after the fifth; ``HOLDOUT7`` the seventh, added after the
sixth.
"""

from __future__ import annotations

from . import (  # noqa: F401 - each module registers its claims
    claims_activations,
    claims_bce,
    claims_holdout2,
    claims_holdout3,
    claims_holdout4,
    claims_holdout5,
    claims_holdout6,
    claims_holdout7,
    claims_logistic,
    claims_mse,
    claims_nets,
    claims_sigmoid,
    claims_softmax,
    claims_tanh,
)
from .mathtools import REGISTRY, Claim, Verdict, check

CLAIMS: dict[str, Claim] = {}
for _claim in REGISTRY:
    if _claim.key in CLAIMS:
        raise ValueError(f"duplicate claim {_claim.key}")
    CLAIMS[_claim.key] = _claim

HOLDOUT: frozenset[str] = frozenset({
    "click4ai_swish",
    "davidbieber_softmax_ce",
    "duzhongxiang_newton",
    "heatonresearch_sigmoid",
    "jiafulow_bce_tf",
    "maizer2_sigmoid",
    "shreyansh_layernorm",
    "specialfunctions_tanh",
    "stan_log_softmax",
    "techqa2440958_differential",
})

# The second held-out set: posts found and added after the reader's tuning began (SOURCES.md,
# "Second holdout"). Never tuned against; reported apart from HOLDOUT.
HOLDOUT2: frozenset[str] = frozenset({
    "bakerb_softplus",
    "cwells2162552_log_softmax",
    "doc1036225283_softmax",
    "imathworks_sse_gradient",
    "manong1173660_softmax_loss",
    "mse1804041_softmax_loss",
    "mse2503428_bce_signs",
    "mse2578985_sigmoid_sign",
    "mse4089019_sigmoid_simplify",
    "postnetwork_softmax_ce",
    "purepisces_softmax_ce",
    "statsse258709_logistic_grad",
    "techqa1962877_mse_gradient",
    "techqa3050670_sigmoid_even",
    "whutzhangwx_gelu",
    "yoanptr_mlp_backprop",
})

# The third held-out set: posts found and added after the second (SOURCES.md, "Third
# holdout"). Never tuned against; reported apart from HOLDOUT and HOLDOUT2.
HOLDOUT3: frozenset[str] = frozenset({
    "compphysics_logistic_hessian",
    "dlai629012_tanh_sech",
    "fastai108737_weight_decay",
    "mse2074217_softmax_matrix",
    "mse3048198_backprop_chain",
    "mse4227931_bce_logit",
    "statsse400514_logistic_pm1",
    "statsse452162_logistic_vector",
    "techqa1428344_softmax_regression",
    "techqa3030003_quadratic_gradient",
    "techqa4075404_two_layer",
    "techqa4158072_chain_factor",
    "tylermclaughlin_activations",
})

# The fourth held-out set: posts found and added after the third (SOURCES.md, "Fourth
# holdout"). Never tuned against; reported apart from HOLDOUT, HOLDOUT2 and HOLDOUT3.
HOLDOUT4: frozenset[str] = frozenset({
    "aise12612_mse_forms",
    "aise13755_focal_gradient",
    "aise38164_bce_output",
    "imathworks_ce_sign",
    "mse2910933_hessian_order",
    "mse95518_scaled_tanh",
    "newbe_log_sigmoid",
    "statsse111388_regularized_sign",
    "statsse235528_softmax_backprop",
    "statsse277203_ce_chain",
    "techqa3109537_sigmoid_quotient",
    "techqa3749279_ridge_vectorized",
})

# The fifth held-out set: posts found and added after the fourth (SOURCES.md, "Fifth
# holdout"). Never tuned against; reported apart from the other held-out sets.
HOLDOUT5: frozenset[str] = frozenset({
    "aise30424_mse_normal_eq",
    "barryhan_softmax_jacobian",
    "dsse89630_layernorm_flow",
    "errorhandle_softmax_jacobian",
    "mastertrevor_gelu",
    "mikelmg_sigmoid_steps",
    "mse945871_softmax_loss_error",
    "sefiks_elu",
    "sefiks_swish",
    "statsse134754_logistic_pm1",
    "statsse253460_row_gradients",
    "techqa3135384_bce_negative",
})

# The sixth held-out set: posts found and added after the fifth (SOURCES.md, "Sixth
# holdout"). Never tuned against; reported apart from the other held-out sets.
HOLDOUT6: frozenset[str] = frozenset({
    "blatherstrike_softmax",
    "commres_residual_chain",
    "dlai736960_reg_kronecker",
    "mse1874672_cossim_sign",
    "mse1923613_cossim_partial",
    "niaza64_bce_chain",
    "raschka_mse_derivative",
    "statsse510197_softmax_jacobian",
    "statsse652377_gaussian_sign",
    "techqa3400818_softmax_dims",
    "techqa3961889_mse_w1",
    "techqa4064289_cost_expansion",
})

# The seventh held-out set: posts found and added after the sixth (SOURCES.md, "Seventh
# holdout"). Never tuned against; reported apart from the other held-out sets.
HOLDOUT7: frozenset[str] = frozenset({
    "compphysics_week41_output",
    "dlai346031_relu_cbow",
    "dsse19272_relu_answer",
    "dsse54731_backprop_dims",
    "imathworks_logistic_loss_chain",
    "indii_logsumexp",
    "mse754509_sigmoid_forms",
    "statsse4608_hinge_cases",
    "statsse601317_bce_backprop",
    "techqa1731965_sigmoid_softmax",
    "techqa3587665_ce_sign",
    "techqa4496428_logistic_pm1",
})

__all__ = ["CLAIMS", "HOLDOUT", "HOLDOUT2", "HOLDOUT3", "HOLDOUT4", "HOLDOUT5", "HOLDOUT6",
           "HOLDOUT7", "Claim", "Verdict", "check"]
