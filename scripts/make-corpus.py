#!/usr/bin/env python3
"""make-corpus.py -- write the generated families of Tests/Corpus in judge format.

Usage: python3 scripts/make-corpus.py [--out DIR] [--list] [--check]

Writes, for every case this script owns, DIR/NAME.eqs (a `;` line saying what
it is, then the program) and DIR/NAME.json (description, tags, family, roles,
input sets, and where needed "trust_infinite" and an "oracle"), in the format of
the judge (../shared/judge/README.md). DIR defaults to Tests/Corpus.

Deterministic: every random value comes from a generator seeded by the case's
name and the input set's name (sha256), so rerunning rewrites the same bytes.
A case whose text or input sets changed gets a stale truth cache, which
`python3 ../shared/judge/judge.py --make-truth -v Tests/Corpus` recomputes.
The judge's twelve public cases (copied into Tests/Corpus) are never written:
their names are refused. Files of cases this script wrote earlier (their .json
says "generator": "scripts/make-corpus.py") that it no longer makes are removed,
with their truth caches.

--list   print the cases (name, family, input sets) and write nothing.
--check  write nothing; read each owned case's truth cache and report, per
         input set, elements whose truth is nan, unresolved, infinite or taken
         from the oracle; fails (status 1) if a cache is missing or stale, or if
         an input set has no scored element.
"""

import argparse
import hashlib
import json
import math
import os
import sys

import numpy as np

import judge_files

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATOR = "scripts/make-corpus.py"
PUBLIC = {
    "seed_softmax_grad", "softmax_div", "logsoftmax_sub", "lse_vec", "softmax2d_last",
    "softmax_grad_weighted", "logsoftmax_grad_weighted", "xent_vec_grad", "sigmoid_exp_ratio",
    "softplus_log", "softmax_value_and_grad", "lse2d_axis0",
}
INF = math.inf

# =============================================================================
# Input values
# =============================================================================


def rng_for(case, set_name, role):
    h = hashlib.sha256(f"make-corpus/{case}/{set_name}/{role}".encode()).hexdigest()
    return np.random.default_rng(int(h[:16], 16))


def fl(a):
    """Plain Python floats (nested lists), so json writes them exactly."""
    a = np.asarray(a, dtype=np.float64)
    return a.tolist()


SEED = [1e-18, 1e18, -1e18]
MIXED_TIES = [709.5, 709.5, -709.5, 0.0, 2.5, 2.5, -40.0, 40.0]
MIXED_TIES_ROW2 = [2.5, 2.5, -2.5, 0.0, 1e-300, -30.0, 30.0, 30.0]
Z40 = [40.0, -40.0, 36.5, -36.5, 38.0, -38.0, 20.0, -20.0]
Z800 = [800.0, -800.0, 745.0, -745.0, 710.0, -710.0, 1000.0, -1000.0]
TINY = [1e-18, -1e-18, 1e-300, -2.5e-10, 3e-8, -1e-5, 0.0, 5e-324]
# one +inf, two -inf: softmax is one-hot in the limit, lse is +inf
INFS = [-INF, 1.0, -0.5, -INF, 2.0, 0.0, INF, 3.0]
INFS_MAT = [[-INF, 1.0, 2.0, -INF, 0.5],
            [INF, 1.0, -2.0, 0.0, 3.0],
            [-INF, -INF, -INF, -INF, -INF],
            [0.25, -INF, 700.0, -1.0, 710.0]]
# every (vector) recipe: set name -> (length of the default draw)
VEC_SIZES = {"normal": 12, "large1e3": 10, "large1e5": 8, "very_negative": 8}
MAT_SIZES = {"normal": (4, 5), "large1e3": (4, 5), "large1e5": (3, 4), "very_negative": (3, 5),
             "masked_rows": (4, 5)}


def draw(kind, r, shape):
    if kind == "normal":
        return r.standard_normal(shape)
    if kind == "large1e3":
        return r.uniform(-1e3, 1e3, shape)
    if kind == "large1e5":
        return r.uniform(-1e5, 1e5, shape)
    if kind == "very_negative":
        return -1e4 + 3.0 * r.standard_normal(shape)
    raise KeyError(kind)


def fit(vals, n):
    """The fixed list vals, cycled or cut to length n (for fixed-size inputs)."""
    if n is None:
        return list(vals)
    return [vals[i % len(vals)] for i in range(n)]


def logits_vec(case, s, role="x", n=None, k=0):
    """Logits of input set s, a vector; k > 0 gives a different vector for a
    second / third logits input of the same set (rolled fixed lists)."""
    fixed = {"seed": SEED, "mixed_ties": MIXED_TIES, "z40": Z40, "z800": Z800, "tiny": TINY,
             "infs": INFS}
    if s in fixed:
        v = fit(fixed[s], n)
        if k:
            v = v[::-1] if (k % 2 == 1 and s == "mixed_ties") else list(np.roll(v, k))
        return fl(v)
    base = {"temp_0.1": "normal", "temp_0.01": "normal", "temp_small": "normal"}.get(s, s)
    r = rng_for(case, s, role)
    return fl(draw(base, r, n if n is not None else VEC_SIZES[base]))


def seed_square():
    return [[SEED[(i + j) % 3] for j in range(3)] for i in range(3)]


def logits_mat(case, s, role="X", k=0):
    if s == "seed":
        m = seed_square()
        return fl(np.roll(m, k, axis=1)) if k else fl(m)
    if s == "mixed_ties":
        m = [MIXED_TIES, MIXED_TIES_ROW2]
        return fl(np.roll(m, k, axis=1)) if k else fl(m)
    if s == "infs":
        return fl(INFS_MAT)
    base = {"masked_rows": "normal", "temp_0.1": "normal", "temp_0.01": "normal",
            "temp_small": "normal"}.get(s, s)
    r = rng_for(case, s, role)
    return fl(draw(base, r, MAT_SIZES[base]))


def weights_like(case, s, role, shape):
    return fl(rng_for(case, s, role).standard_normal(shape))


def soft_targets_like(case, s, role, shape):
    """Nonnegative, summing to 1 along the last axis."""
    g = rng_for(case, s, role).exponential(1.0, shape)
    return fl(g / g.sum(axis=-1, keepdims=True))


def binary_like(case, s, role, shape):
    return fl(rng_for(case, s, role).integers(0, 2, shape).astype(float))


def mask_like(case, s, role, shape):
    """0/1 mask with about a third masked; every row keeps one element, except
    in the set masked_rows, where rows 1 and 3 are fully masked."""
    r = rng_for(case, s, role)
    m = (r.uniform(0, 1, shape) > 0.35).astype(float)
    for i in range(shape[0]):
        if not m[i].any():
            m[i, r.integers(0, shape[1])] = 1.0
    if s == "masked_rows":
        m[1, :] = 0.0
        m[3, :] = 0.0
    return fl(m)


TEMPS = {"normal": 1.0, "temp_0.1": 0.1, "temp_0.01": 0.01, "temp_small": 1e-3}

# =============================================================================
# Cases
# =============================================================================

CASES = []

STD_SETS = ["normal", "large1e3", "large1e5", "seed", "mixed_ties", "very_negative"]
TEMP_SETS = ["normal", "temp_0.1", "temp_0.01", "temp_small", "large1e3", "large1e5", "seed", "mixed_ties",
             "very_negative"]
SIG_SETS = ["normal", "z40", "z800", "large1e3", "large1e5", "seed", "mixed_ties", "very_negative"]


def case(name, family, desc, program, sets, tags=(), oracle=None, trust_infinite=False, kind="vec", roles=None):
    assert name not in PUBLIC, name
    assert not any(c["name"] == name for c in CASES), name
    CASES.append({"name": name, "family": family, "description": desc, "program": program.strip() + "\n",
                  "sets": sets, "tags": list(tags), "oracle": oracle, "trust_infinite": trust_infinite,
                  "kind": kind, "roles": roles or {}})


# ---- input-set builders ----------------------------------------------------------


def vec_sets(names, logits=("x",), weights=(), soft=(), binary=(), temp=None, n=None, neg_infs=False):
    """Input sets for vector programs: each name in `logits` gets logits of the
    set (the 2nd, 3rd differently), `weights` N(0, 1), `soft` soft targets,
    `binary` 0/1 targets, `temp` the set's temperature (a scalar input).
    neg_infs negates the set infs (one -inf and two +inf, for softmin)."""
    def build(cname):
        out = []
        for s in names:
            vals = {}
            for k, nm in enumerate(logits):
                vals[nm] = logits_vec(cname, s, nm, n=n, k=k)
                if s == "infs" and neg_infs:
                    vals[nm] = fl(-np.array(vals[nm]))
            shape = (len(vals[logits[0]]),)
            for nm in weights:
                vals[nm] = weights_like(cname, s, nm, shape)
            for nm in soft:
                vals[nm] = soft_targets_like(cname, s, nm, shape)
            for nm in binary:
                vals[nm] = binary_like(cname, s, nm, shape)
            if temp:
                vals[temp] = TEMPS.get(s, 1.0)
            out.append({"name": s, "values": vals})
        return out
    return build


def mat_sets(names, logits=("X",), weights=(), soft=(), mask=None, temp=None, extra=None, neg_infs=False):
    def build(cname):
        out = []
        for s in names:
            vals = {}
            for k, nm in enumerate(logits):
                vals[nm] = logits_mat(cname, s, nm, k=k)
                if s == "infs" and neg_infs:
                    vals[nm] = fl(-np.array(vals[nm]))
            shape = np.shape(vals[logits[0]])
            for nm in weights:
                vals[nm] = weights_like(cname, s, nm, shape)
            for nm in soft:
                vals[nm] = soft_targets_like(cname, s, nm, shape)
            if mask:
                vals[mask] = mask_like(cname, s, mask, shape)
            if temp:
                vals[temp] = TEMPS.get(s, 1.0)
            if extra:
                vals.update(extra(cname, s, shape))
            out.append({"name": s, "values": vals})
        return out
    return build


SOFTMAX = "(/ (exp {x}) (sum (exp {x}) {ax}))"


def sm(x, ax=-1):
    return SOFTMAX.format(x=x, ax=ax)


def lse(x, ax=-1):
    return f"(log (sum (exp {x}) {ax}))"


def logsm(x, ax=-1):
    """The log-softmax x - log(sum(exp x)), written as users write it by hand."""
    return f"(- {x} {lse(x, ax)})"


def soft_xent(y, z, ax=-1):
    """The cross-entropy of soft targets y against logits z: -sum(y * log-softmax(z))."""
    return f"(neg (sum (* {y} {logsm(z, ax)})))"


# ---- temperatures ------------------------------------------------------------------

XT = "(input x [n])\n(input t [])\n"
case("temp_softmax_t", "temperatures", "softmax of x/t with an input temperature t",
     XT + f"(output s {sm('(/ x t)')})", vec_sets(TEMP_SETS, temp="t"), ["softmax", "temperature"])
case("temp_logsoftmax_t", "temperatures", "log-softmax x/t - log(sum(exp(x/t))) with an input temperature t",
     XT + f"(let z (/ x t))\n(output l {logsm('z')})", vec_sets(TEMP_SETS, temp="t"),
     ["logsoftmax", "temperature"])
case("temp_lse_t", "temperatures", "log-sum-exp of x/t with an input temperature t",
     XT + f"(output z {lse('(/ x t)')})", vec_sets(TEMP_SETS, temp="t"), ["lse", "temperature"])
case("temp_smoothmax_t", "temperatures", "smooth maximum t*log(sum(exp(x/t))) (tends to max x as t -> 0)",
     XT + f"(output m (* t {lse('(/ x t)')}))", vec_sets(TEMP_SETS, temp="t"), ["lse", "temperature"])
case("temp_softmax_t_grad_x", "temperatures", "VJP of softmax(x/t) by x: grad of sum(w*softmax(x/t))",
     XT + "(input w [n])\n" + f"(output g (grad (sum (* w {sm('(/ x t)')})) x))",
     vec_sets(TEMP_SETS, weights=("w",), temp="t"), ["softmax", "temperature", "grad"])
case("temp_softmax_t_grad_t", "temperatures", "gradient by the temperature t of sum(w*softmax(x/t))",
     XT + "(input w [n])\n" + f"(output g (grad (sum (* w {sm('(/ x t)')})) t))",
     vec_sets(TEMP_SETS, weights=("w",), temp="t"), ["softmax", "temperature", "grad"])
case("temp_lse_t_grad_t", "temperatures", "gradient by t of log(sum(exp(x/t))) (= -sum(softmax(x/t)*x)/t^2)",
     XT + f"(output g (grad {lse('(/ x t)')} t))", vec_sets(TEMP_SETS, temp="t"),
     ["lse", "temperature", "grad"])
case("temp_logsoftmax_t_grad_x", "temperatures", "VJP of log-softmax(x/t) by x: grad of sum(w*(x/t - lse(x/t)))",
     XT + f"(input w [n])\n(let z (/ x t))\n(output g (grad (sum (* w {logsm('z')})) x))",
     vec_sets(TEMP_SETS, weights=("w",), temp="t"), ["logsoftmax", "temperature", "grad"])
case("temp_smoothmax_t_grad2_t", "temperatures",
     "second order: grad by t of grad by t of the smooth maximum t*log(sum(exp(x/t)))",
     XT + f"(let m (* t {lse('(/ x t)')}))\n(output h (grad (grad m t) t))", vec_sets(TEMP_SETS, temp="t"),
     ["lse", "temperature", "grad2"])
case("temp_xent_t_grad_t", "temperatures",
     "gradient by the temperature of a cross-entropy with soft targets, -sum(y log softmax(x/t)) (CLIP's tau)",
     XT + f"(input y [n])\n(let z (/ x t))\n(output g (grad {soft_xent('y', 'z')} t))",
     vec_sets(TEMP_SETS, soft=("y",), temp="t"), ["logsoftmax", "temperature", "grad"])
case("temp_xent_rows_t_grad_t", "temperatures",
     "gradient by the temperature of a row cross-entropy of X/t against soft targets Y",
     "(input X [m n])\n(input Y [m n])\n(input t [])\n(let Z (/ X t))\n"
     f"(output g (grad {soft_xent('Y', 'Z')} t))",
     mat_sets(TEMP_SETS, soft=("Y",), temp="t"), ["logsoftmax", "temperature", "grad", "2d"], kind="mat")
case("temp_lse_t_grad2_t", "temperatures", "second order: grad by t of grad by t of log(sum(exp(x/t)))",
     XT + f"(let l {lse('(/ x t)')})\n(output h (grad (grad l t) t))", vec_sets(TEMP_SETS, temp="t"),
     ["lse", "temperature", "grad2"])
case("temp_entropy_t_grad_t", "temperatures",
     "gradient by t of the entropy -sum(p log p) of p = softmax(x/t), written through the softmax",
     XT + f"(let p {sm('(/ x t)')})\n(output g (grad (neg (sum (* p (log p)))) t))", vec_sets(TEMP_SETS, temp="t"),
     ["entropy", "temperature", "grad"])
case("temp_lse_t_hvp", "temperatures",
     "second order: Hessian-vector product of log(sum(exp(x/t))), grad by x of sum(w * grad by x)",
     XT + "(input w [n])\n" + f"(output h (grad (sum (* w (grad {lse('(/ x t)')} x))) x))",
     vec_sets(TEMP_SETS, weights=("w",), temp="t"), ["lse", "temperature", "grad2"])
case("temp_kl_t_grad_t", "temperatures",
     "gradient by a shared temperature t of KL(softmax(x/t) || softmax(y/t))",
     "(input x [n])\n(input y [n])\n(input t [])\n"
     f"(let p {sm('(/ x t)')})\n(let q {sm('(/ y t)')})\n(output g (grad (sum (* p (log (/ p q)))) t))",
     vec_sets(TEMP_SETS, logits=("x", "y"), temp="t"), ["kl", "temperature", "grad"])
case("temp_softmax2d_t", "temperatures", "row softmax of X/t, a matrix, with an input temperature t",
     "(input X [m n])\n(input t [])\n" + f"(output s {sm('(/ X t)')})", mat_sets(TEMP_SETS, temp="t"),
     ["softmax", "temperature", "2d"], kind="mat")
case("temp_const_softmax_div001", "temperatures", "softmax at the constant temperature 0.01: exp(x/0.01)/sum",
     "(input x [n])\n" + f"(output s {sm('(/ x 0.01)')})", vec_sets(STD_SETS), ["softmax", "temperature"])
case("temp_const_softmax_mul10", "temperatures", "softmax of x*10 (temperature 0.1 as a scale)",
     "(input x [n])\n" + f"(output s {sm('(* x 10)')})", vec_sets(STD_SETS), ["softmax", "temperature"])
case("temp_const_lse_div001", "temperatures", "0.01*log(sum(exp(x/0.01))): smooth max at temperature 0.01",
     "(input x [n])\n" + f"(output m (* 0.01 {lse('(/ x 0.01)')}))", vec_sets(STD_SETS),
     ["lse", "temperature"])
case("temp_const_logsoftmax_mul10_grad", "temperatures", "VJP of log-softmax(10*x): grad of sum(w*(10x - lse(10x)))",
     f"(input x [n])\n(input w [n])\n(let z (* 10 x))\n(output g (grad (sum (* w {logsm('z')})) x))",
     vec_sets(STD_SETS, weights=("w",)), ["logsoftmax", "temperature", "grad"])

# ---- scales and biases -------------------------------------------------------------


def affine_extra(cname, s, shape):
    r = rng_for(cname, s, "ab")
    a = {"large1e5": 3.0, "seed": 1.0}.get(s, float(np.round(r.uniform(0.5, 4.0), 3)))
    if s == "very_negative":
        a = 2.5
    return {"a": a, "b": fl(r.standard_normal(shape[-1]) * 2.0)}


AB = "(input X [m n])\n(input a [])\n(input b [n])\n(let Z (+ (* a X) b))\n"
AFF_SETS = ["normal", "large1e3", "large1e5", "seed", "mixed_ties", "very_negative"]
case("affine_softmax_rows", "scales-biases", "row softmax (axis -1) of affine logits a*X + b",
     AB + f"(output s {sm('Z', -1)})", mat_sets(AFF_SETS, extra=affine_extra), ["softmax", "affine", "2d"],
     kind="mat")
case("affine_softmax_cols", "scales-biases", "column softmax (axis 0) of affine logits a*X + b",
     AB + f"(output s {sm('Z', 0)})", mat_sets(AFF_SETS, extra=affine_extra), ["softmax", "affine", "2d"],
     kind="mat")
case("affine_lse_rows", "scales-biases", "row log-sum-exp of affine logits a*X + b",
     AB + f"(output z {lse('Z', -1)})", mat_sets(AFF_SETS, extra=affine_extra), ["lse", "affine", "2d"],
     kind="mat")
case("affine_logsoftmax_cols_grad_b", "scales-biases",
     "gradient by the bias b of sum(W * column log-softmax(a*X + b))",
     AB + "(input W [m n])\n(output g (grad (sum (* W (- Z (log (sum (exp Z) 0))))) b))",
     mat_sets(AFF_SETS, weights=("W",), extra=affine_extra), ["logsoftmax", "affine", "2d", "grad"], kind="mat")
case("affine_softmax_rows_grad_a", "scales-biases", "gradient by the scale a of sum(W * row softmax(a*X + b))",
     AB + "(input W [m n])\n" + f"(output g (grad (sum (* W {sm('Z', -1)})) a))",
     mat_sets(AFF_SETS, weights=("W",), extra=affine_extra), ["softmax", "affine", "2d", "grad"], kind="mat")

# ---- sigmoid -----------------------------------------------------------------------

SIG_R = "(/ 1 (+ 1 (exp (neg {z}))))"


def sig_r(z):
    return SIG_R.format(z=z)


NEG_SOFTPLUS = "(input z [n])\n(output {o} (neg (softplus z)))"
case("sigmoid_recip", "sigmoid", "sigmoid written 1/(1+exp(-z))",
     "(input z [n])\n" + f"(output s {sig_r('z')})", vec_sets(SIG_SETS, logits=("z",)), ["sigmoid"])
case("sigmoid_recip_grad", "sigmoid", "VJP of sigmoid written 1/(1+exp(-z)): grad of sum(w*s)",
     "(input z [n])\n(input w [n])\n" + f"(output g (grad (sum (* w {sig_r('z')})) z))",
     vec_sets(SIG_SETS, logits=("z",), weights=("w",)), ["sigmoid", "grad"])
case("sigmoid_ratio_grad", "sigmoid", "VJP of sigmoid written exp(z)/(1+exp(z))",
     "(input z [n])\n(input w [n])\n(output g (grad (sum (* w (/ (exp z) (+ 1 (exp z))))) z))",
     vec_sets(SIG_SETS, logits=("z",), weights=("w",)), ["sigmoid", "grad"])
case("sigmoid_op_grad", "sigmoid", "VJP of the sigmoid operator: grad of sum(w*sigmoid(z))",
     "(input z [n])\n(input w [n])\n(output g (grad (sum (* w (sigmoid z))) z))",
     vec_sets(SIG_SETS, logits=("z",), weights=("w",)), ["sigmoid", "grad"])
case("sigmoid_deriv_exp", "sigmoid", "sigmoid's derivative by hand: exp(-x)*s^2 with s = 1/(1+exp(-x))",
     "(input x [n])\n" + f"(let s {sig_r('x')})\n(output d (* (exp (neg x)) (* s s)))",
     vec_sets(SIG_SETS), ["sigmoid", "derivative"])
case("sigmoid_deriv_exp_pow", "sigmoid", "sigmoid's derivative by hand: exp(-x)*pow(sigmoid(x), 2)",
     "(input x [n])\n(output d (* (exp (neg x)) (pow (sigmoid x) 2)))", vec_sets(SIG_SETS),
     ["sigmoid", "derivative"])
case("sigmoid_deriv_prod", "sigmoid", "sigmoid's derivative by hand: s*(1-s) with s = 1/(1+exp(-x))",
     "(input x [n])\n" + f"(let s {sig_r('x')})\n(output d (* s (- 1 s)))", vec_sets(SIG_SETS),
     ["sigmoid", "derivative"])
case("sigmoid_deriv_prod_op", "sigmoid", "sigmoid's derivative by hand: sigmoid(x)*(1-sigmoid(x))",
     "(input x [n])\n(output d (* (sigmoid x) (- 1 (sigmoid x))))", vec_sets(SIG_SETS),
     ["sigmoid", "derivative"])
case("sigmoid_log_recip", "sigmoid", "log-sigmoid written log(1/(1+exp(-z)))",
     "(input z [n])\n" + f"(output l (log {sig_r('z')}))", vec_sets(SIG_SETS, logits=("z",)),
     ["sigmoid", "log"])
case("sigmoid_log_op", "sigmoid", "log-sigmoid written log(sigmoid(z))",
     "(input z [n])\n(output l (log (sigmoid z)))", vec_sets(SIG_SETS, logits=("z",)), ["sigmoid", "log"],
     oracle="(input z [n])\n(output l (neg (softplus (neg z))))")
case("sigmoid_log1m_op", "sigmoid", "log(1 - sigmoid(z)) (= -softplus(z), the oracle where 1-sigmoid is absorbed)",
     "(input z [n])\n(output l (log (- 1 (sigmoid z))))", vec_sets(SIG_SETS, logits=("z",)),
     ["sigmoid", "log"], oracle=NEG_SOFTPLUS.format(o="l"))
case("sigmoid_log1m_recip", "sigmoid", "log(1 - 1/(1+exp(-z))) (= -softplus(z))",
     "(input z [n])\n" + f"(output l (log (- 1 {sig_r('z')})))", vec_sets(SIG_SETS, logits=("z",)),
     ["sigmoid", "log"], oracle=NEG_SOFTPLUS.format(o="l"))
case("sigmoid_log_recip_grad", "sigmoid", "gradient of sum(log(1/(1+exp(-z)))) (= 1 - sigmoid(z))",
     "(input z [n])\n" + f"(output g (grad (sum (log {sig_r('z')})) z))", vec_sets(SIG_SETS, logits=("z",)),
     ["sigmoid", "log", "grad"])
case("sigmoid_recip_grad2", "sigmoid",
     "second order: grad of sum(w * grad(sum(1/(1+exp(-z))), z)) by z (w * sigmoid'')",
     "(input z [n])\n(input w [n])\n" + f"(output h (grad (sum (* w (grad (sum {sig_r('z')}) z))) z))",
     vec_sets(SIG_SETS, logits=("z",), weights=("w",)), ["sigmoid", "grad2"])

# ---- softplus ----------------------------------------------------------------------

case("softplus_log1p_exp", "softplus", "softplus written log1p(exp(x))",
     "(input x [n])\n(output p (log1p (exp x)))", vec_sets(SIG_SETS), ["softplus"])
case("softplus_log1p_exp_grad", "softplus", "VJP of log1p(exp(x)): grad of sum(w*log1p(exp x))",
     "(input x [n])\n(input w [n])\n(output g (grad (sum (* w (log1p (exp x)))) x))",
     vec_sets(SIG_SETS, weights=("w",)), ["softplus", "grad"])
case("softplus_log_grad", "softplus", "gradient of sum(log(1+exp(x))) (= sigmoid(x))",
     "(input x [n])\n(output g (grad (sum (log (+ 1 (exp x)))) x))", vec_sets(SIG_SETS),
     ["softplus", "grad"])
case("softplus_op_grad", "softplus", "VJP of the softplus operator: grad of sum(w*softplus(x))",
     "(input x [n])\n(input w [n])\n(output g (grad (sum (* w (softplus x))) x))",
     vec_sets(SIG_SETS, weights=("w",)), ["softplus", "grad"])
case("softplus_neg_log", "softplus", "softplus(-x) written log(1+exp(-x))",
     "(input x [n])\n(output p (log (+ 1 (exp (neg x)))))", vec_sets(SIG_SETS), ["softplus"])
case("softplus_neg_op_grad", "softplus", "softplus(-x) by the operator, value and gradient of its sum",
     "(input x [n])\n(let p (softplus (neg x)))\n(output p p)\n(output g (grad (sum p) x))",
     vec_sets(SIG_SETS), ["softplus", "grad"])
case("softplus_neg_deriv_hand", "softplus", "derivative of log(1+exp(-x)) by hand: -exp(-x)/(1+exp(-x))",
     "(input x [n])\n(output d (neg (/ (exp (neg x)) (+ 1 (exp (neg x))))))", vec_sets(SIG_SETS),
     ["softplus", "derivative"])
case("softplus_log_grad2", "softplus", "second order: grad of sum(w * grad(sum(log(1+exp x)), x)) by x",
     "(input x [n])\n(input w [n])\n(output h (grad (sum (* w (grad (sum (log (+ 1 (exp x)))) x))) x))",
     vec_sets(SIG_SETS, weights=("w",)), ["softplus", "grad2"])

# ---- binary cross-entropy -------------------------------------------------------------

BCE_SETS = ["normal", "soft_targets", "z40", "z800", "large1e3", "large1e5", "seed", "mixed_ties", "very_negative"]


def bce_sets(n=None):
    def build(cname):
        out = []
        for s in BCE_SETS:
            base = "normal" if s == "soft_targets" else s
            if base == "normal":
                z = fl(3.0 * rng_for(cname, s, "z").standard_normal(n or 10))
            else:
                z = logits_vec(cname, base, "z", n=n)
            if s == "soft_targets":
                y = fl(rng_for(cname, s, "y").uniform(0, 1, len(z)))
            elif s in ("z40", "z800"):
                y = fit([1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0], len(z))
            elif s == "seed":
                y = fit([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0], len(z))
            else:
                y = binary_like(cname, s, "y", (len(z),))
            out.append({"name": s, "values": {"z": z, "y": y}})
        return out
    return build


def bce(p):
    return f"(neg (sum (+ (* y (log {p})) (* (- 1 y) (log (- 1 {p}))))))"


BCE_ORACLE = "(input z [n])\n(input y [n])\n(output loss (sum (- (softplus z) (* y z))))"
BCE_GRAD_ORACLE = "(input z [n])\n(input y [n])\n(output g (- (sigmoid z) y))"
ZY = "(input z [n])\n(input y [n])\n"
ZY8 = "(input z [8])\n(input y [8])\n"
case("bce_sigmoid_sum", "bce", "binary cross-entropy -(y log p + (1-y) log(1-p)), p = sigmoid(z), summed",
     ZY + f"(let p (sigmoid z))\n(output loss {bce('p')})", bce_sets(), ["bce", "sigmoid"], oracle=BCE_ORACLE)
case("bce_recip_sum", "bce", "binary cross-entropy with p = 1/(1+exp(-z)), summed",
     ZY + f"(let p {sig_r('z')})\n(output loss {bce('p')})", bce_sets(), ["bce", "sigmoid"], oracle=BCE_ORACLE)
case("bce_sigmoid_mean", "bce", "binary cross-entropy through sigmoid, mean over 8 (sum / 8: no mean operator)",
     ZY8 + f"(let p (sigmoid z))\n(output loss (/ {bce('p')} 8))", bce_sets(8), ["bce", "sigmoid", "mean"],
     oracle=ZY8 + "(output loss (/ (sum (- (softplus z) (* y z))) 8))")
case("bce_recip_mean", "bce", "binary cross-entropy through 1/(1+exp(-z)), mean over 8 (sum / 8)",
     ZY8 + f"(let p {sig_r('z')})\n(output loss (/ {bce('p')} 8))", bce_sets(8), ["bce", "sigmoid", "mean"],
     oracle=ZY8 + "(output loss (/ (sum (- (softplus z) (* y z))) 8))")
case("bce_sigmoid_grad", "bce", "gradient by z of the summed BCE through sigmoid (= sigmoid(z) - y)",
     ZY + f"(let p (sigmoid z))\n(output g (grad {bce('p')} z))", bce_sets(), ["bce", "sigmoid", "grad"],
     oracle=BCE_GRAD_ORACLE)
case("bce_recip_grad", "bce", "gradient by z of the summed BCE through 1/(1+exp(-z)) (= sigmoid(z) - y)",
     ZY + f"(let p {sig_r('z')})\n(output g (grad {bce('p')} z))", bce_sets(), ["bce", "sigmoid", "grad"],
     oracle=BCE_GRAD_ORACLE)
case("bce_recip_mean_grad", "bce", "gradient of the mean BCE through 1/(1+exp(-z)) (= (sigmoid(z) - y)/8)",
     ZY8 + f"(let p {sig_r('z')})\n(output g (grad (/ {bce('p')} 8) z))", bce_sets(8),
     ["bce", "sigmoid", "mean", "grad"], oracle=ZY8 + "(output g (/ (- (sigmoid z) y) 8))")
case("bce_sigmoid_elementwise", "bce", "per-element binary cross-entropy through sigmoid, and its loss sum's gradient",
     ZY + "(let p (sigmoid z))\n(let l (neg (+ (* y (log p)) (* (- 1 y) (log (- 1 p))))))\n"
     "(output l l)\n(output g (grad (sum l) z))", bce_sets(), ["bce", "sigmoid", "grad"],
     oracle=ZY + "(output l (- (softplus z) (* y z)))\n(output g (- (sigmoid z) y))")

# ---- masked rows and infinite logits --------------------------------------------------

MASK_SETS = ["normal", "masked_rows", "large1e3", "large1e5", "seed", "mixed_ties", "very_negative", "infs"]
XM = "(input X [m n])\n(input M [m n])\n"
LMASK = "(let L (where M X (fill X -inf)))\n"
LBIG = "(let L (where M X (fill X -1e30)))\n"
ONEHOT = "where a row holds one +inf the softmax is one-hot (the oracle: 1 there)"
case("mask_lse_rows", "masked", "row log-sum-exp of masked logits where(M, X, -inf); fully masked rows give -inf",
     XM + LMASK + f"(output z {lse('L', -1)})", mat_sets(MASK_SETS, mask="M"), ["mask", "lse", "2d"],
     trust_infinite=True, kind="mat")
case("mask_lse_cols", "masked", "column log-sum-exp of masked logits where(M, X, -inf)",
     XM + LMASK + f"(output z {lse('L', 0)})", mat_sets(MASK_SETS, mask="M"), ["mask", "lse", "2d"],
     trust_infinite=True, kind="mat")
case("mask_softmax_rows", "masked", "row softmax of masked logits where(M, X, -inf) (fully masked rows: 0/0); "
     + ONEHOT, XM + LMASK + f"(output s {sm('L', -1)})", mat_sets(MASK_SETS, mask="M"), ["mask", "softmax", "2d"],
     trust_infinite=True, kind="mat", oracle=XM + LMASK + f"(output s (where (eq L inf) 1 {sm('L', -1)}))")
case("mask_softmax_cols", "masked", "column softmax of masked logits where(M, X, -inf); " + ONEHOT,
     XM + LMASK + f"(output s {sm('L', 0)})", mat_sets(MASK_SETS, mask="M"), ["mask", "softmax", "2d"],
     trust_infinite=True, kind="mat", oracle=XM + LMASK + f"(output s (where (eq L inf) 1 {sm('L', 0)}))")
case("mask_logsoftmax_rows", "masked", "row log-softmax L - log(sum(exp L)) of masked logits (masked entries -inf); "
     "at a single +inf the limit is 0 (the oracle)",
     XM + LMASK + f"(output l (- L {lse('L', -1)}))", mat_sets(MASK_SETS, mask="M"),
     ["mask", "logsoftmax", "2d"], trust_infinite=True, kind="mat",
     oracle=XM + LMASK + f"(output l (where (eq L inf) 0 (- L {lse('L', -1)})))")
case("mask_softmax_rows_grad", "masked", "gradient by X of sum(W * row softmax(where(M, X, -inf)))",
     XM + "(input W [m n])\n" + LMASK + f"(output g (grad (sum (* W {sm('L', -1)})) X))",
     mat_sets(MASK_SETS[:-1], mask="M", weights=("W",)), ["mask", "softmax", "2d", "grad"],
     trust_infinite=True, kind="mat")
case("mask_logsoftmax_rows_grad", "masked", "gradient by X of sum(W * row log-softmax(where(M, X, -inf)))",
     XM + "(input W [m n])\n" + LMASK + f"(output g (grad (sum (* W (- L {lse('L', -1)}))) X))",
     mat_sets(MASK_SETS[:-1], mask="M", weights=("W",)), ["mask", "logsoftmax", "2d", "grad"],
     trust_infinite=True, kind="mat")
case("mask_neg1e30_softmax_rows", "masked", "row softmax of where(M, X, -1e30): fully masked rows are uniform",
     XM + LBIG + f"(output s {sm('L', -1)})", mat_sets(MASK_SETS, mask="M"), ["mask", "softmax", "2d"],
     kind="mat", oracle=XM + LBIG + f"(output s (where (eq L inf) 1 {sm('L', -1)}))")
case("mask_neg1e30_lse_rows", "masked", "row log-sum-exp of where(M, X, -1e30) (fully masked: -1e30 + log n)",
     XM + LBIG + f"(output z {lse('L', -1)})", mat_sets(MASK_SETS, mask="M"), ["mask", "lse", "2d"], kind="mat")
case("mask_neg1e30_logsoftmax_rows_grad", "masked",
     "gradient by X of sum(W * row log-softmax(where(M, X, -1e30)))",
     XM + "(input W [m n])\n" + LBIG + f"(output g (grad (sum (* W (- L {lse('L', -1)}))) X))",
     mat_sets(MASK_SETS[:-1], mask="M", weights=("W",)), ["mask", "logsoftmax", "2d", "grad"], kind="mat")
case("mask_additive_softmax_rows", "masked",
     "row softmax of additively masked logits X + (1-M)*(-1e30) (no fully masked row: there the truth is "
     "softmax(X), which no binary64 program sees)",
     XM + f"(let L (+ X (* (- 1 M) -1e30)))\n(output s {sm('L', -1)})",
     mat_sets([s for s in MASK_SETS if s not in ("masked_rows", "infs")], mask="M"),
     ["mask", "softmax", "2d"], kind="mat")
case("mask_infs_lse_rows", "masked", "row log-sum-exp of logits holding +inf and -inf (a row of -inf: -inf)",
     "(input X [m n])\n" + f"(output z {lse('X', -1)})", mat_sets(STD_SETS + ["infs"]), ["inf", "lse", "2d"],
     trust_infinite=True, kind="mat")
case("mask_infs_softmax_rows", "masked", "row softmax of logits holding +inf and -inf; " + ONEHOT,
     "(input X [m n])\n" + f"(output s {sm('X', -1)})", mat_sets(STD_SETS + ["infs"]), ["inf", "softmax", "2d"],
     kind="mat", oracle="(input X [m n])\n" + f"(output s (where (eq X inf) 1 {sm('X', -1)}))")
case("mask_infs_logsoftmax_vec", "masked", "log-softmax of a vector holding +inf and -inf (at the +inf: 0)",
     "(input x [n])\n" + f"(output l (- x {lse('x')}))", vec_sets(STD_SETS + ["infs"]), ["inf", "logsoftmax"],
     oracle="(input x [n])\n" + f"(output l (where (eq x inf) 0 (- x {lse('x')})))")

# ---- softmin -----------------------------------------------------------------------

SMIN = "(/ (exp (neg {x})) (sum (exp (neg {x})) {ax}))"
ONEHOT_MIN = "where a row holds one -inf the softmin is one-hot (the oracle: 1 there)"
case("softmin_vec", "softmin", "softmin exp(-x)/sum(exp(-x)); +inf entries weigh 0; " + ONEHOT_MIN,
     "(input x [n])\n" + f"(output s {SMIN.format(x='x', ax=-1)})", vec_sets(STD_SETS + ["infs"], neg_infs=True),
     ["softmin", "inf"],
     oracle="(input x [n])\n" + f"(output s (where (eq x -inf) 1 {SMIN.format(x='x', ax=-1)}))")
case("softmin_rows", "softmin", "row softmin of a matrix holding +inf and -inf; " + ONEHOT_MIN,
     "(input X [m n])\n" + f"(output s {SMIN.format(x='X', ax=-1)})", mat_sets(STD_SETS + ["infs"], neg_infs=True),
     ["softmin", "inf", "2d"], kind="mat",
     oracle="(input X [m n])\n" + f"(output s (where (eq X -inf) 1 {SMIN.format(x='X', ax=-1)}))")
case("softmin_mul_neg1", "softmin", "softmin spelled exp(-1*x)/sum(exp(-1*x))",
     "(input x [n])\n(let e (exp (* -1 x)))\n(output s (/ e (sum e -1)))", vec_sets(STD_SETS + ["infs"], neg_infs=True),
     ["softmin", "inf"],
     oracle="(input x [n])\n(let e (exp (* -1 x)))\n(output s (where (eq x -inf) 1 (/ e (sum e -1))))")
case("softmin_log", "softmin", "log-softmin -x - log(sum(exp(-x))) (+inf entries: -inf; at a single -inf: 0)",
     "(input x [n])\n(output l (- (neg x) (log (sum (exp (neg x)) -1))))", vec_sets(STD_SETS + ["infs"], neg_infs=True),
     ["softmin", "inf", "logsoftmax"],
     oracle="(input x [n])\n(output l (where (eq x -inf) 0 (- (neg x) (log (sum (exp (neg x)) -1)))))")
case("softmin_vec_grad", "softmin", "VJP of softmin: grad of sum(w*exp(-x)/sum(exp(-x)))",
     "(input x [n])\n(input w [n])\n" + f"(output g (grad (sum (* w {SMIN.format(x='x', ax=-1)})) x))",
     vec_sets(STD_SETS, weights=("w",)), ["softmin", "grad"])

# ---- entropy and KL ---------------------------------------------------------------------

P = f"(let p {sm('x')})\n"
LS = f"(let ls (- x {lse('x')}))\n"
case("entropy_softmax", "entropy", "entropy -sum(p log p) of a hand-written softmax p",
     "(input x [n])\n" + P + "(output h (neg (sum (* p (log p)))))", vec_sets(STD_SETS), ["entropy", "softmax"])
case("entropy_logsoftmax", "entropy", "entropy -sum(exp(ls)*ls) through the log-softmax ls = x - lse(x)",
     "(input x [n])\n" + LS + "(output h (neg (sum (* (exp ls) ls))))", vec_sets(STD_SETS),
     ["entropy", "logsoftmax"])
case("entropy_softmax_grad", "entropy", "gradient of the entropy -sum(p log p) of a softmax, by the logits",
     "(input x [n])\n" + P + "(output g (grad (neg (sum (* p (log p)))) x))", vec_sets(STD_SETS),
     ["entropy", "softmax", "grad"])
case("entropy_logsoftmax_grad", "entropy", "gradient of -sum(exp(ls)*ls), ls the log-softmax, by the logits",
     "(input x [n])\n" + LS + "(output g (grad (neg (sum (* (exp ls) ls))) x))", vec_sets(STD_SETS),
     ["entropy", "logsoftmax", "grad"])
case("entropy_temp001", "entropy", "entropy of softmax(x/0.01), value and gradient",
     "(input x [n])\n" + f"(let p {sm('(/ x 0.01)')})\n(let h (neg (sum (* p (log p)))))\n"
     "(output h h)\n(output g (grad h x))", vec_sets(STD_SETS), ["entropy", "softmax", "temperature", "grad"])
case("entropy_rows", "entropy", "per-row entropy of a row softmax of a matrix ([m 1])",
     "(input X [m n])\n" + f"(let P {sm('X', -1)})\n(output h (neg (sum (* P (log P)) -1)))",
     mat_sets(STD_SETS), ["entropy", "softmax", "2d"], kind="mat")

XY = "(input x [n])\n(input y [n])\n"
PQ = f"(let p {sm('x')})\n(let q {sm('y')})\n"
LXY = f"(let lp (- x {lse('x')}))\n(let lq (- y {lse('y')}))\n"
case("kl_softmax", "kl", "KL(p || q) = sum(p log(p/q)) between two hand-written softmaxes",
     XY + PQ + "(output kl (sum (* p (log (/ p q)))))", vec_sets(STD_SETS, logits=("x", "y")), ["kl", "softmax"])
case("kl_logsoftmax", "kl", "KL(p || q) = sum(exp(lp)*(lp - lq)) through log-softmaxes",
     XY + LXY + "(output kl (sum (* (exp lp) (- lp lq))))", vec_sets(STD_SETS, logits=("x", "y")),
     ["kl", "logsoftmax"])
case("kl_softmax_grad_x", "kl", "gradient by x of KL(softmax x || softmax y) written sum(p log(p/q))",
     XY + PQ + "(output g (grad (sum (* p (log (/ p q)))) x))", vec_sets(STD_SETS, logits=("x", "y")),
     ["kl", "softmax", "grad"])
case("kl_softmax_grad_y", "kl", "gradient by y of KL(softmax x || softmax y) (= q - p)",
     XY + PQ + "(output g (grad (sum (* p (- (log p) (log q)))) y))", vec_sets(STD_SETS, logits=("x", "y")),
     ["kl", "softmax", "grad"])
case("kl_logsoftmax_grad_x", "kl", "gradient by x of sum(exp(lp)*(lp - lq)) through log-softmaxes",
     XY + LXY + "(output g (grad (sum (* (exp lp) (- lp lq))) x))", vec_sets(STD_SETS, logits=("x", "y")),
     ["kl", "logsoftmax", "grad"])
case("kl_temp001", "kl", "KL between softmax(x/0.01) and softmax(y/0.01), value and gradient by x",
     XY + f"(let p {sm('(/ x 0.01)')})\n(let q {sm('(/ y 0.01)')})\n(let kl (sum (* p (log (/ p q)))))\n"
     "(output kl kl)\n(output g (grad kl x))", vec_sets(STD_SETS, logits=("x", "y")),
     ["kl", "softmax", "temperature", "grad"])

# ---- logaddexp ---------------------------------------------------------------------------

LAE_SETS = ["normal", "large1e3", "large1e5", "seed", "big800", "mixed_ties", "very_negative", "infs"]
BIG800 = {"a": [800.0, 800.0, -800.0, 710.0, 1000.0, 0.0, -745.0, 750.0],
          "b": [800.0, -800.0, 800.0, 710.0, 1000.0, 800.0, -745.0, 749.0],
          "c": [800.0, 0.0, -800.0, 709.0, -1000.0, 800.0, -745.0, 748.0]}
LAE_INFS = {"a": [INF, -INF, -INF, 1.0, INF, -INF, 0.5, 2.0],
            "b": [1.0, 1.0, -INF, -INF, INF, -INF, -INF, 3.0],
            "c": [-INF, 2.0, -INF, -INF, 0.0, 1.0, -INF, -1.0]}


def lae_sets(names, k, weights=()):
    keys = "abc"[:k]

    def build(cname):
        out = []
        for s in names:
            if s == "big800":
                vals = {nm: list(BIG800[nm]) for nm in keys}
            elif s == "infs":
                vals = {nm: list(LAE_INFS[nm]) for nm in keys}
            else:
                vals = {nm: logits_vec(cname, s, nm, k=i) for i, nm in enumerate(keys)}
                if s in ("normal",):
                    vals = {nm: fl(3.0 * np.array(v)) for nm, v in vals.items()}
            n = len(vals["a"])
            for nm in weights:
                vals[nm] = weights_like(cname, s, nm, (n,))
            out.append({"name": s, "values": vals})
        return out
    return build


AB2 = "(input a [n])\n(input b [n])\n"
AB3 = AB2 + "(input c [n])\n"
case("lae_two", "logaddexp", "logaddexp written log(exp a + exp b), elementwise (a = b = 800 included)",
     AB2 + "(output z (log (+ (exp a) (exp b))))", lae_sets(LAE_SETS, 2), ["logaddexp"])
case("lae_three", "logaddexp", "three-term logaddexp log(exp a + exp b + exp c)",
     AB3 + "(output z (log (+ (exp a) (exp b) (exp c))))", lae_sets(LAE_SETS, 3), ["logaddexp"])
case("lae_two_grad", "logaddexp", "gradients by a and by b of sum(log(exp a + exp b))",
     AB2 + "(let z (log (+ (exp a) (exp b))))\n(output ga (grad z a))\n(output gb (grad z b))",
     lae_sets(LAE_SETS[:-1], 2), ["logaddexp", "grad"])
case("lae_three_grad", "logaddexp", "gradient by c of sum(w*log(exp a + exp b + exp c))",
     AB3 + "(input w [n])\n(output g (grad (* w (log (+ (exp a) (exp b) (exp c)))) c))",
     lae_sets(LAE_SETS[:-1], 3, weights=("w",)), ["logaddexp", "grad"])
case("lae_two_grad2", "logaddexp", "second order: grad by b of sum(w * grad(log(exp a + exp b), a))",
     AB2 + "(input w [n])\n(output h (grad (sum (* w (grad (log (+ (exp a) (exp b))) a))) b))",
     lae_sets(LAE_SETS[:-1], 2, weights=("w",)), ["logaddexp", "grad2"])

# ---- tanh written with exp ------------------------------------------------------------------

TANH_SETS = ["normal", "tiny", "z40", "z800", "large1e3", "large1e5", "seed", "mixed_ties", "very_negative"]
TANH1 = "(/ (- (exp x) (exp (neg x))) (+ (exp x) (exp (neg x))))"
TANH2 = "(/ (- 1 (exp (* -2 x))) (+ 1 (exp (* -2 x))))"
case("tanh_exp_ratio", "tanh", "tanh written (exp x - exp -x)/(exp x + exp -x)",
     "(input x [n])\n" + f"(output y {TANH1})", vec_sets(TANH_SETS), ["tanh"])
case("tanh_exp2", "tanh", "tanh written (1 - exp(-2x))/(1 + exp(-2x))",
     "(input x [n])\n" + f"(output y {TANH2})", vec_sets(TANH_SETS), ["tanh"])
case("tanh_sigmoid", "tanh", "tanh written 2*sigmoid(2x) - 1",
     "(input x [n])\n(output y (- (* 2 (sigmoid (* 2 x))) 1))", vec_sets(TANH_SETS), ["tanh", "sigmoid"])
case("tanh_sigmoid_recip", "tanh", "tanh written 2/(1+exp(-2x)) - 1",
     "(input x [n])\n(output y (- (/ 2 (+ 1 (exp (* -2 x)))) 1))", vec_sets(TANH_SETS), ["tanh", "sigmoid"])
case("tanh_exp_ratio_grad", "tanh", "VJP of tanh written with exp: grad of sum(w*(e^x - e^-x)/(e^x + e^-x))",
     "(input x [n])\n(input w [n])\n" + f"(output g (grad (sum (* w {TANH1})) x))",
     vec_sets(TANH_SETS, weights=("w",)), ["tanh", "grad"])
case("tanh_exp2_grad", "tanh", "VJP of tanh written (1 - exp(-2x))/(1 + exp(-2x))",
     "(input x [n])\n(input w [n])\n" + f"(output g (grad (sum (* w {TANH2})) x))",
     vec_sets(TANH_SETS, weights=("w",)), ["tanh", "grad"])

# ---- log-sum-exp through nested sums -------------------------------------------------------------

case("lse_nested_sum01", "lse-nested", "log-sum-exp over all of a matrix through two sums: log(sum(sum(exp X, 0), 1))",
     "(input X [m n])\n(output z (log (sum (sum (exp X) 0) 1)))", mat_sets(STD_SETS), ["lse", "2d"], kind="mat")
case("lse_nested_sum10", "lse-nested", "log-sum-exp over all of a matrix: log(sum(sum(exp X, 1), 0))",
     "(input X [m n])\n(output z (log (sum (sum (exp X) 1) 0)))", mat_sets(STD_SETS), ["lse", "2d"], kind="mat")
case("lse_nested_all", "lse-nested", "log-sum-exp over all elements of a matrix: log(sum(exp X)) (a scalar)",
     "(input X [m n])\n(output z (log (sum (exp X))))", mat_sets(STD_SETS), ["lse", "2d"], kind="mat")
case("lse_nested_sum01_grad", "lse-nested", "gradient by X of log(sum(sum(exp X, 0), 1)) (softmax over all)",
     "(input X [m n])\n(output g (grad (log (sum (sum (exp X) 0) 1)) X))", mat_sets(STD_SETS),
     ["lse", "2d", "grad"], kind="mat")
case("lse_nested_shift3", "lse-nested", "log-sum-exp with the user's own constant shift: log(sum(exp(x - 3))) + 3",
     "(input x [n])\n(output z (+ (log (sum (exp (- x 3)))) 3))", vec_sets(STD_SETS), ["lse"])
case("lse_nested_shift3_grad", "lse-nested", "gradient of log(sum(exp(x - 3))) + 3 (= softmax(x))",
     "(input x [n])\n(output g (grad (+ (log (sum (exp (- x 3)))) 3) x))", vec_sets(STD_SETS), ["lse", "grad"])

# ---- spellings ------------------------------------------------------------------------------------

S = "(let S (sum (exp x) -1))\n"
case("spell_softmax_recip", "spellings", "softmax spelled exp(x) * (1/S), S = sum(exp x)",
     "(input x [n])\n" + S + "(output s (* (exp x) (/ 1 S)))", vec_sets(STD_SETS), ["softmax"])
case("spell_softmax_pow", "spellings", "softmax spelled exp(x) * pow(S, -1)",
     "(input x [n])\n" + S + "(output s (* (exp x) (pow S -1)))", vec_sets(STD_SETS), ["softmax", "pow"])
case("spell_softmax_pow_grad", "spellings", "VJP of softmax spelled exp(x) * pow(S, -1)",
     "(input x [n])\n(input w [n])\n" + S + "(output g (grad (sum (* w (* (exp x) (pow S -1)))) x))",
     vec_sets(STD_SETS, weights=("w",)), ["softmax", "pow", "grad"])
case("spell_softmax_exp_lse", "spellings", "softmax spelled exp(x - log(sum(exp x)))",
     "(input x [n])\n" + f"(output s (exp (- x {lse('x')})))", vec_sets(STD_SETS), ["softmax", "lse"])
case("spell_softmax_exp_lse_grad", "spellings", "VJP of softmax spelled exp(x - log(sum(exp x)))",
     "(input x [n])\n(input w [n])\n" + f"(output g (grad (sum (* w (exp (- x {lse('x')})))) x))",
     vec_sets(STD_SETS, weights=("w",)), ["softmax", "lse", "grad"])
case("spell_log_softmax", "spellings", "log-softmax spelled log(exp(x)/sum(exp x))",
     "(input x [n])\n" + f"(output l (log {sm('x')}))", vec_sets(STD_SETS), ["logsoftmax"])
case("spell_softmax_recip_cols", "spellings", "column softmax of a matrix spelled exp(X) * (1/sum(exp X, 0))",
     "(input X [m n])\n(output s (* (exp X) (/ 1 (sum (exp X) 0))))", mat_sets(STD_SETS), ["softmax", "2d"],
     kind="mat")
case("spell_xent", "spellings", "cross-entropy -sum(y * log(softmax(x))), y soft targets",
     XY + f"(output l (neg (sum (* y (log {sm('x')})))))",
     vec_sets(STD_SETS, soft=("y",)), ["xent", "softmax"])
case("spell_xent_logsoftmax_grad", "spellings", "gradient of -sum(y * (x - lse(x))) (= softmax(x) - y)",
     XY + f"(output g (grad (neg (sum (* y (- x {lse('x')})))) x))", vec_sets(STD_SETS, soft=("y",)),
     ["xent", "logsoftmax", "grad"])
case("spell_xent_rows_grad", "spellings",
     "gradient by X of the summed row cross-entropy -sum(Y * log(row softmax X)), a matrix",
     "(input X [m n])\n(input Y [m n])\n" + f"(output g (grad (neg (sum (* Y (log {sm('X', -1)})))) X))",
     mat_sets(STD_SETS, soft=("Y",)), ["xent", "softmax", "2d", "grad"], kind="mat")
case("spell_lse_hvp", "spellings",
     "second order: grad of sum(w * grad(log(sum(exp x)), x)) (softmax's Jacobian times w)",
     "(input x [n])\n(input w [n])\n" + f"(output h (grad (sum (* w (grad {lse('x')} x))) x))",
     vec_sets(STD_SETS, weights=("w",)), ["lse", "grad2"])
case("spell_softmax_grad_grad", "spellings",
     "second order: gradient by x of sum(v * grad(sum(w * softmax(x)), x))",
     "(input x [n])\n(input w [n])\n(input v [n])\n"
     + f"(output h (grad (sum (* v (grad (sum (* w {sm('x')})) x))) x))",
     vec_sets(STD_SETS, weights=("w", "v")), ["softmax", "grad2"])

# ---- beyond softmax (issue 16) -----------------------------------------------------------------
# The other formulas people write by hand: branches whose untaken side overflows, square roots at
# zero, E[x^2] - E[x]^2, log-variance likelihoods, log(1 - exp x), exponential ratios, log cosh,
# exponential links, the inverse softplus, and logit round trips. Input sets are fixed lists that
# break the written form (and ordinary values beside them), named for what they hold.


def fixed_sets(spec):
    """Input sets from a list of (set name, {input: values or a function of the case name})."""
    def build(cname):
        out = []
        for s, vals in spec:
            row = {}
            for nm, v in vals.items():
                row[nm] = v(cname, s, nm) if callable(v) else v
            out.append({"name": s, "values": {k: fl(v) if isinstance(v, list) else float(v)
                                              for k, v in row.items()}})
        return out
    return build


def gauss(scale=1.0, offset=0.0, n=8):
    return lambda cname, s, nm: fl(offset + scale * rng_for(cname, s, nm).standard_normal(n))


def uni(lo, hi, n=8):
    return lambda cname, s, nm: fl(rng_for(cname, s, nm).uniform(lo, hi, n))


BIG_X = [800.0, -800.0, 1000.0, 710.0, -710.0, 0.5, -0.5, 0.0]
BR_SETS = [("normal", {"x": gauss(2.0)}), ("z40", {"x": Z40}), ("z800", {"x": Z800}), ("big", {"x": BIG_X}),
           ("large1e3", {"x": uni(-1e3, 1e3)}), ("tiny", {"x": TINY})]


def with_w(sets, role="w", n=8):
    return [(s, dict(v, **{role: gauss(1.0, n=n)})) for s, v in sets]


ELU = "(where (gt x 0) x (- (exp x) 1))"
case("br_elu", "branches", "hand-written ELU where(x > 0, x, exp(x) - 1): the value",
     "(input x [n])\n" + f"(output y {ELU})", fixed_sets(BR_SETS), ["where", "elu"])
case("br_elu_grad", "branches", "VJP of the hand-written ELU: 0 * exp(800) = nan on the side not taken",
     "(input x [n])\n(input w [n])\n" + f"(output g (grad (sum (* w {ELU})) x))", fixed_sets(with_w(BR_SETS)),
     ["where", "elu", "grad"])
case("br_elu_lt_grad", "branches", "gradient of an ELU spelled where(x < 0, exp(x) - 1, x), value too",
     "(input x [n])\n(let y (where (lt x 0) (- (exp x) 1) x))\n(output y y)\n(output g (grad (sum y) x))",
     fixed_sets(BR_SETS), ["where", "elu", "grad"])
case("br_elu_expm1_grad", "branches", "gradient of an ELU spelled where(x <= 0, expm1(x), x), alpha 1.5",
     "(input x [n])\n(input w [n])\n(output g (grad (sum (* w (where (le x 0) (* 1.5 (expm1 x)) x))) x))",
     fixed_sets(with_w(BR_SETS)), ["where", "elu", "grad"])
case("br_selu_grad", "branches", "gradient of a hand-written SELU 1.0507*where(x > 0, x, 1.6733*(exp(x) - 1))",
     "(input x [n])\n(output g (grad (sum (* 1.0507 (where (gt x 0) x (* 1.6733 (- (exp x) 1))))) x))",
     fixed_sets(BR_SETS), ["where", "elu", "grad"])
SP_ISINF = "(where (eq (exp x) inf) x (log1p (exp x)))"
case("br_softplus_isinf", "branches", "softplus guarded by isinf: where(exp(x) == inf, x, log1p(exp x)), value and gradient",
     "(input x [n])\n" + f"(let y {SP_ISINF})\n(output y y)\n(output g (grad (sum y) x))", fixed_sets(BR_SETS),
     ["where", "softplus", "grad"])
case("br_softplus_thresh_grad", "branches", "gradient of softplus with a threshold: where(x > 20, x, log(1 + exp x))",
     "(input x [n])\n(input w [n])\n(output g (grad (sum (* w (where (gt x 20) x (log (+ 1 (exp x)))))) x))",
     fixed_sets(with_w(BR_SETS)), ["where", "softplus", "grad"])

# square roots at zero: (sqrt s)^2 is s; the gradient through the norm is 0 * inf at x = 0
ZEROS = [0.0] * 6
SQ_SETS = [("normal", {"x": gauss(1.0, n=6)}), ("zeros", {"x": ZEROS}), ("tiny", {"x": TINY[:6]}),
           ("large1e3", {"x": uni(-1e3, 1e3, 6)}), ("one_nonzero", {"x": [0.0, 0.0, 3.0, 0.0, 0.0, 0.0]})]
NORM = "(sqrt (sum (* x x)))"
case("sqrt_norm_sq_grad", "sqrt", "gradient of |x|^2 written (sqrt(sum x^2))^2: 0 * inf at the zero vector",
     "(input x [n])\n" + f"(output g (grad (pow {NORM} 2) x))", fixed_sets(SQ_SETS), ["sqrt", "grad"],
     oracle="(input x [n])\n(output g (* 2 x))")
case("sqrt_norm_mul_grad", "sqrt", "gradient of sqrt(s)*sqrt(s), s = sum(x^2), at the zero vector",
     "(input x [n])\n" + f"(let r {NORM})\n(output g (grad (* r r) x))", fixed_sets(SQ_SETS), ["sqrt", "grad"],
     oracle="(input x [n])\n(output g (* 2 x))")
case("sqrt_norm_sq_value", "sqrt", "|x|^2 written pow(sqrt(sum x^2), 2), value and gradient",
     "(input x [n])\n" + f"(let v (pow {NORM} 2))\n(output v v)\n(output g (grad v x))", fixed_sets(SQ_SETS),
     ["sqrt", "grad"], oracle="(input x [n])\n(output v (sum (* x x)))\n(output g (* 2 x))")
case("sqrt_dist_sq_grad", "sqrt", "gradient by a of the squared distance written sqrt(sum((a-b)^2))^2, at a = b",
     "(input a [n])\n(input b [n])\n(output g (grad (pow (sqrt (sum (pow (- a b) 2))) 2) a))",
     fixed_sets([("normal", {"a": gauss(1.0, n=6), "b": gauss(1.0, n=6)}),
                 ("equal", {"a": [1.0, -2.0, 0.5, 3.0, 0.0, 7.0], "b": [1.0, -2.0, 0.5, 3.0, 0.0, 7.0]}),
                 ("large1e3", {"a": uni(-1e3, 1e3, 6), "b": uni(-1e3, 1e3, 6)})]),
     ["sqrt", "grad"], oracle="(input a [n])\n(input b [n])\n(output g (* 2 (- a b)))")

# L2 normalisation and cosine similarity: sum(x^2) overflows past |x| = 1e154 and underflows below 1e-154,
# so x / |x| comes out 0 or inf; dividing by max|x| first (unitscale) cancels in the ratio
def gauss_mat(scale=1.0, m=3, n=4):
    return lambda cname, s, nm: [fl(scale * row) for row in rng_for(cname, s, nm).standard_normal((m, n))]


MIXED_SCALE = [1e200, -3e199, 2.5, 0.0, 1e-200, -7e199]
L2_SETS = [("normal", {"x": gauss(1.0, n=6)}), ("large1e200", {"x": uni(-1e200, 1e200, 6)}),
           ("large1e160", {"x": uni(-1e160, 1e160, 6)}), ("tiny1e-200", {"x": uni(-1e-200, 1e-200, 6)}),
           ("mixed_scale", {"x": MIXED_SCALE}), ("one_nonzero", {"x": [0.0, 0.0, -3e-300, 0.0, 0.0, 0.0]})]
L2_MAT_SETS = [("normal", {"X": gauss_mat()}), ("large1e200", {"X": gauss_mat(1e200)}),
               ("tiny1e-200", {"X": gauss_mat(1e-200)}),
               ("mixed_rows", {"X": [[1e200, -2e199, 3e199, 1.0], [1e-200, -4e-201, 0.0, 2e-200],
                                     [1.5, -2.0, 0.25, 3.0]]})]
# b draws its own values where a's are random (the generators seed by input name), and is a's reverse where fixed
COS_SETS = [(s, {"a": v["x"], "b": v["x"] if callable(v["x"]) else v["x"][::-1]}) for s, v in L2_SETS]
COS_MAT_SETS = [(s, {"A": v["X"], "B": v["X"] if callable(v["X"]) else [row[::-1] for row in v["X"]]})
                for s, v in L2_MAT_SETS]
L2N = "(/ x (sqrt (sum (* x x))))"
COS = "(/ (sum (* a b)) (* (sqrt (sum (* a a))) (sqrt (sum (* b b)))))"
COS_ROWS = "(/ (sum (* A B) -1) (* (sqrt (sum (* A A) -1)) (sqrt (sum (* B B) -1))))"
case("l2_normalize_vec", "norm-scale", "x / sqrt(sum(x^2)): 0 at 1e200 and inf at 1e-200 as written",
     "(input x [n])\n" + f"(output y {L2N})", fixed_sets(L2_SETS), ["sqrt", "norm"])
case("l2_normalize_pow", "norm-scale", "x / sqrt(sum(pow(x, 2))), the norm spelled with pow",
     "(input x [n])\n(let r (sqrt (sum (pow x 2))))\n(output y (/ x r))", fixed_sets(L2_SETS), ["sqrt", "norm"])
case("l2_normalize_rows", "norm-scale", "each row of X divided by its Euclidean norm",
     "(input X [m n])\n(output Y (/ X (sqrt (sum (* X X) -1))))", fixed_sets(L2_MAT_SETS), ["sqrt", "norm", "2d"],
     kind="mat")
case("l2_normalize_vec_grad", "norm-scale", "gradient of sum(w * x / |x|) by x",
     "(input x [n])\n(input w [n])\n" + f"(output g (grad (sum (* w {L2N})) x))", fixed_sets(with_w(L2_SETS, n=6)),
     ["sqrt", "norm", "grad"])
case("l2_normalize_scaled_grad", "norm-scale", "gradient of sum(w * z / |z|) by x, z = 2x: the square of z is "
     "stored flattened, (* 2 2 x x)",
     "(input x [n])\n(input w [n])\n(let z (* 2 x))\n(output g (grad (sum (* w (/ z (sqrt (sum (* z z)))))) x))",
     fixed_sets(with_w(L2_SETS, n=6)), ["sqrt", "norm", "grad"])
case("cosine_vec", "norm-scale", "cosine similarity sum(a*b) / (|a| |b|)",
     "(input a [n])\n(input b [n])\n" + f"(output c {COS})", fixed_sets(COS_SETS), ["sqrt", "norm", "cosine"])
case("cosine_vec_div", "norm-scale", "cosine similarity as a dot product of the two normalised vectors",
     "(input a [n])\n(input b [n])\n(output c (sum (* (/ a (sqrt (sum (* a a)))) (/ b (sqrt (sum (* b b)))))))",
     fixed_sets(COS_SETS), ["sqrt", "norm", "cosine"])
case("cosine_rows", "norm-scale", "row-wise cosine similarity of two matrices",
     "(input A [m n])\n(input B [m n])\n" + f"(output c {COS_ROWS})", fixed_sets(COS_MAT_SETS),
     ["sqrt", "norm", "cosine", "2d"], kind="mat")
case("cosine_vec_grad", "norm-scale", "gradient of the cosine similarity by a",
     "(input a [n])\n(input b [n])\n" + f"(output g (grad {COS} a))", fixed_sets(COS_SETS),
     ["sqrt", "norm", "cosine", "grad"])

# variance as E[x^2] - E[x]^2: cancellation where the mean is large beside the spread
VAR_SETS = [("normal", {"x": gauss(1.0, n=12)}), ("offset1e4", {"x": gauss(1.0, 1e4, 12)}),
            ("offset1e6", {"x": gauss(1.0, 1e6, 12)}), ("offset1e8", {"x": gauss(1.0, 1e8, 12)}),
            ("large1e5", {"x": uni(-1e5, 1e5, 12)})]
VAR_NAIVE = "(- (mean (* x x)) (* (mean x) (mean x)))"
case("var_naive", "variance", "variance written E[x^2] - E[x]^2",
     "(input x [n])\n" + f"(output v {VAR_NAIVE})", fixed_sets(VAR_SETS), ["variance"])
case("var_naive_pow", "variance", "variance written mean(pow(x, 2)) - pow(mean(x), 2)",
     "(input x [n])\n(output v (- (mean (pow x 2)) (pow (mean x) 2)))", fixed_sets(VAR_SETS), ["variance"])
case("var_std_naive", "variance", "standard deviation sqrt(E[x^2] - E[x]^2 + 1e-12): nan where the difference rounds negative",
     "(input x [n])\n" + f"(output s (sqrt (+ {VAR_NAIVE} 1e-12)))", fixed_sets(VAR_SETS), ["variance", "sqrt"])
case("var_layernorm", "variance", "layer normalisation (x - mean x)/sqrt(var + 1e-5) with var = E[x^2] - E[x]^2",
     "(input x [n])\n" + f"(output y (/ (- x (mean x)) (sqrt (+ {VAR_NAIVE} 1e-5))))", fixed_sets(VAR_SETS),
     ["variance", "sqrt", "layernorm"])
MVAR_SETS = [(s, {"X": (lambda sc, off: lambda cname, s_, nm: fl(off + sc * rng_for(cname, s_, nm)
                                                                   .standard_normal((3, 6))))(sc, off)})
             for s, sc, off in (("normal", 1.0, 0.0), ("offset1e6", 1.0, 1e6), ("offset1e8", 1.0, 1e8))]
case("var_naive_rows", "variance", "row variances of a matrix, E[x^2] - E[x]^2 along the last axis",
     "(input X [m n])\n(output v (- (mean (* X X) -1) (* (mean X -1) (mean X -1))))", fixed_sets(MVAR_SETS),
     ["variance", "2d"], kind="mat")
case("var_naive_grad", "variance", "gradient of sum(w * (E[x^2] - E[x]^2)) and the value",
     "(input x [n])\n" + f"(let v {VAR_NAIVE})\n(output v v)\n(output g (grad v x))", fixed_sets(VAR_SETS),
     ["variance", "grad"])

# log-variance parametrisations: Gaussian NLL and VAE KL
LV_SETS = [("normal", {"y": gauss(1.0), "mu": gauss(1.0), "lv": gauss(1.0)}),
           ("lv_big", {"y": gauss(3.0), "mu": gauss(1.0), "lv": [800.0, 1000.0, 750.0, 710.0, 1400.0, 720.0, 900.0, 1e3]}),
           ("lv_small", {"y": gauss(1e-3), "mu": gauss(1e-3), "lv": [-720.0, -750.0, -800.0, -710.0, -745.0, -760.0, -730.0, -740.0]}),
           ("mixed", {"y": gauss(2.0), "mu": gauss(2.0), "lv": [-800.0, 800.0, 0.0, 20.0, -20.0, 700.0, -700.0, 5.0]})]
YML = "(input y [n])\n(input mu [n])\n(input lv [n])\n"
NLL_SQRT = "(let s (sqrt (exp lv)))\n(let l (+ (log s) (* 0.5 (pow (/ (- y mu) s) 2))))\n"
case("lv_nll_sqrt", "log-variance", "Gaussian NLL through sigma = sqrt(exp(lv)): log(sigma) + ((y - mu)/sigma)^2/2, per element",
     YML + NLL_SQRT + "(output l l)", fixed_sets(LV_SETS), ["log-variance", "nll"])
# the gradients' truths reach 1e307 at lv = -720: lv_small is replaced by lv in [-700, -600]
NLL_GRAD_SETS = [(s, v) for s, v in LV_SETS if s != "lv_small"]
NLL_GRAD_SETS.append(("lv_neg", {"y": gauss(1.0), "mu": gauss(1.0), "lv": uni(-700.0, -600.0)}))
case("lv_nll_sqrt_grad", "log-variance", "gradients by mu and lv of the Gaussian NLL through sigma = sqrt(exp(lv))",
     YML + NLL_SQRT + "(output gmu (grad l mu))\n(output glv (grad l lv))", fixed_sets(NLL_GRAD_SETS),
     ["log-variance", "nll", "grad"])
# lv in [-745, -709] is left out here: exp(lv) is subnormal there and (y - mu)^2 / exp(lv) finite, while
# the form the optimizer extracts, (y - mu)^2 * exp(-lv), overflows (docs/guide.md says so)
NLL_EXP_SETS = [(s, v) for s, v in LV_SETS if s in ("normal", "lv_big")]
NLL_EXP_SETS += [("lv_neg", {"y": gauss(1.0), "mu": gauss(1.0), "lv": uni(-700.0, -600.0)}),
                 ("mixed", {"y": gauss(2.0), "mu": gauss(2.0), "lv": [-700.0, 800.0, 0.0, 20.0, -20.0, 1e3, -650.0, 5.0]})]
case("lv_nll_exp", "log-variance", "Gaussian NLL 0.5*(log(exp lv) + (y - mu)^2/exp(lv)), per element",
     YML + "(output l (* 0.5 (+ (log (exp lv)) (/ (pow (- y mu) 2) (exp lv)))))", fixed_sets(NLL_EXP_SETS),
     ["log-variance", "nll"])
case("lv_zscore", "log-variance", "standardised residual (y - mu)/sqrt(exp(lv))",
     YML + "(output z (/ (- y mu) (sqrt (exp lv))))", fixed_sets(LV_SETS), ["log-variance"])
KL_SETS = [(s, {"mu": v["mu"], "lv": v["lv"]}) for s, v in LV_SETS if s in ("normal", "lv_small")]
KL_SETS.append(("mixed", {"mu": gauss(2.0), "lv": [-800.0, 600.0, 0.0, 20.0, -20.0, 700.0, -700.0, 5.0]}))
KL_SETS.append(("lv_neg", {"mu": gauss(1.0), "lv": [-800.0, -1000.0, -750.0, -710.0, -1400.0, -720.0, -5.0, 0.0]}))
ML = "(input mu [n])\n(input lv [n])\n"
case("lv_vae_kl", "log-variance", "VAE KL -0.5*sum(1 + log(exp lv) - mu^2 - exp(lv))",
     ML + "(output kl (* -0.5 (sum (- (- (+ 1 (log (exp lv))) (* mu mu)) (exp lv)))))", fixed_sets(KL_SETS),
     ["log-variance", "kl"])
case("lv_vae_kl_sigma", "log-variance", "VAE KL through sigma = sqrt(exp lv): -0.5*sum(1 + log(sigma^2) - mu^2 - sigma^2), and its gradient by lv",
     ML + "(let s (sqrt (exp lv)))\n(let kl (* -0.5 (sum (- (- (+ 1 (log (* s s))) (* mu mu)) (* s s)))))\n"
     "(output kl kl)\n(output g (grad kl lv))", fixed_sets(KL_SETS), ["log-variance", "kl", "grad"])

# log(1 - exp x) and log(exp a - exp b)
L1ME_SETS = [("normal", {"x": uni(-5.0, -0.01)}), ("near0", {"x": [-1e-20, -1e-10, -1e-5, -3e-3, -1e-300, -0.1, -0.69, -0.7]}),
             ("far", {"x": [-40.0, -800.0, -1e3, -36.0, -50.0, -745.0, -2.0, -1.0]}),
             ("large1e3", {"x": uni(-1e3, -1e-3)})]
case("l1me_log1m", "log1mexp", "log(1 - exp x) for x < 0",
     "(input x [n])\n(output y (log (- 1 (exp x))))", fixed_sets(L1ME_SETS), ["log1mexp"])
case("l1me_log1p", "log1mexp", "log1p(-exp x) for x < 0 (wrong near 0)",
     "(input x [n])\n(output y (log1p (neg (exp x))))", fixed_sets(L1ME_SETS), ["log1mexp"])
case("l1me_grad", "log1mexp", "gradient of sum(w * log(1 - exp x)): -exp(x)/(1 - exp x) is -1/0 near 0",
     "(input x [n])\n(input w [n])\n(output g (grad (sum (* w (log (- 1 (exp x))))) x))",
     fixed_sets(with_w(L1ME_SETS)), ["log1mexp", "grad"])
LSE_DIFF_SETS = [("normal", {"a": gauss(1.0, 3.0), "b": gauss(1.0, -3.0)}),
                 ("big", {"a": [800.0, 1000.0, 710.0, 750.0, -800.0, -745.0, 0.0, 40.0],
                          "b": [799.0, 999.5, 700.0, 0.0, -801.0, -800.0, -1e-15, 39.999]}),
                 ("close", {"a": [1.0, 2.0, -3.0, 800.0, 0.0, 5.0, 1e3, -1e3],
                            "b": [1.0 - 1e-12, 2.0 - 2e-9, -3.0 - 1e-6, 800.0 - 1e-10, -1e-15, 5.0 - 1e-3,
                                  1e3 - 1e-10, -1e3 - 1e-10]})]
case("l1me_lse_diff", "log1mexp", "log(exp a - exp b) for a > b",
     AB2 + "(output z (log (- (exp a) (exp b))))", fixed_sets(LSE_DIFF_SETS), ["log1mexp", "logaddexp"])
case("l1me_lse_diff_grad", "log1mexp", "gradient by a of sum(log(exp a - exp b))",
     AB2 + "(output g (grad (log (- (exp a) (exp b))) a))", fixed_sets(LSE_DIFF_SETS),
     ["log1mexp", "logaddexp", "grad"])

# ratios of exponentials (importance weights, policy-gradient ratios)
RATIO_SETS = [("normal", {"a": gauss(1.0), "b": gauss(1.0), "w": gauss(1.0)}),
              ("big", {"a": [800.0, 1000.0, -800.0, 710.0, -1000.0, 750.0, 0.0, 720.0],
                       "b": [801.0, 999.0, -801.0, 712.0, -999.0, 749.5, 1.0, 700.0], "w": gauss(1.0)}),
              ("large1e3", {"a": uni(-1e3, 1e3), "b": None, "w": gauss(1.0)})]
RATIO_SETS[2][1]["b"] = lambda cname, s, nm: fl(np.array(uni(-1e3, 1e3)(cname, s, "a")) + rng_for(cname, s, nm).uniform(-5, 5, 8))
AB2W = AB2 + "(input w [n])\n"
case("ratio_exp", "exp-ratio", "importance ratio exp(a)/exp(b)",
     AB2W + "(output r (* w (/ (exp a) (exp b))))", fixed_sets(RATIO_SETS), ["exp-ratio"])
case("ratio_exp_grad_a", "exp-ratio", "gradient by a of sum(w * exp(a)/exp(b))",
     AB2W + "(output g (grad (sum (* w (/ (exp a) (exp b)))) a))", fixed_sets(RATIO_SETS), ["exp-ratio", "grad"])
case("ratio_exp_grad_b", "exp-ratio", "gradient by b of sum(w * exp(a)/exp(b))",
     AB2W + "(output g (grad (sum (* w (/ (exp a) (exp b)))) b))", fixed_sets(RATIO_SETS), ["exp-ratio", "grad"])
case("ratio_exp_clip", "exp-ratio", "PPO-style clipped objective min(r*w, clip(r, 0.8, 1.2)*w) with r = exp(a)/exp(b)",
     AB2W + "(let r (/ (exp a) (exp b)))\n(output o (minimum (* r w) (* (minimum (maximum r 0.8) 1.2) w)))",
     fixed_sets(RATIO_SETS), ["exp-ratio"])

# log cosh
LC_SETS = [("normal", {"r": gauss(2.0)}), ("z800", {"r": Z800}), ("big", {"r": BIG_X}),
           ("large1e3", {"r": uni(-1e3, 1e3)}), ("tiny", {"r": TINY})]
LOGCOSH = "(log (/ (+ (exp r) (exp (neg r))) 2))"
case("logcosh_exp", "logcosh", "log cosh loss written log((exp r + exp -r)/2)",
     "(input r [n])\n" + f"(output l {LOGCOSH})", fixed_sets(LC_SETS), ["logcosh"])
case("logcosh_exp_grad", "logcosh", "gradient of sum(log((exp r + exp -r)/2)) (= tanh r)",
     "(input r [n])\n" + f"(output g (grad (sum {LOGCOSH}) r))", fixed_sets(LC_SETS), ["logcosh", "grad"])
case("logcosh_sub_log2", "logcosh", "log cosh written log(exp r + exp -r) - log 2, mean and gradient",
     "(input r [n])\n(let l (mean (- (log (+ (exp r) (exp (neg r)))) (log 2))))\n(output l l)\n(output g (grad l r))",
     fixed_sets(LC_SETS), ["logcosh", "grad"])

# exponential links: Poisson regression
PO_SETS = [("normal", {"y": uni(0.0, 5.0), "eta": gauss(1.0)}),
           ("eta_small", {"y": uni(0.0, 5.0), "eta": [-800.0, -1000.0, -750.0, -746.0, -5e3, -1e4, -900.0, -720.0]}),
           ("mixed", {"y": uni(0.0, 5.0), "eta": [-800.0, 0.5, -2.0, 700.0, -1e3, 3.0, -745.0, 10.0]})]
YE = "(input y [n])\n(input eta [n])\n"
case("poisson_nll", "exp-link", "Poisson NLL sum(exp(eta) - y*log(exp eta))",
     YE + "(output l (sum (- (exp eta) (* y (log (exp eta))))))", fixed_sets(PO_SETS), ["exp-link"])
case("poisson_nll_grad", "exp-link", "gradient by eta of sum(exp(eta) - y*log(exp eta)) (= exp(eta) - y)",
     YE + "(output g (grad (sum (- (exp eta) (* y (log (exp eta))))) eta))", fixed_sets(PO_SETS),
     ["exp-link", "grad"])
case("poisson_rate_grad", "exp-link", "Poisson log-likelihood through the rate lam = exp(eta): y*log(lam) - lam, value and gradient",
     YE + "(let lam (exp eta))\n(let l (sum (- (* y (log lam)) lam)))\n(output l l)\n(output g (grad l eta))",
     fixed_sets(PO_SETS), ["exp-link", "grad"])

# inverse softplus
ISP_SETS = [("normal", {"y": uni(0.05, 5.0)}), ("tiny", {"y": [1e-20, 1e-300, 1e-10, 3e-17, 1e-16, 5e-324, 1e-8, 1e-100]}),
            ("big", {"y": [800.0, 1000.0, 710.0, 750.0, 1e5, 40.0, 36.0, 700.0]}), ("large1e3", {"y": uni(1e-3, 1e3)})]
case("invsp_exp", "inv-softplus", "inverse softplus log(exp(y) - 1)",
     "(input y [n])\n(output x (log (- (exp y) 1)))", fixed_sets(ISP_SETS), ["inv-softplus"])
case("invsp_expm1", "inv-softplus", "inverse softplus log(expm1(y))",
     "(input y [n])\n(output x (log (expm1 y)))", fixed_sets(ISP_SETS), ["inv-softplus"])
case("invsp_exp_grad", "inv-softplus", "gradient of sum(log(exp(y) - 1)) (= 1/(1 - exp(-y)))",
     "(input y [n])\n(output g (grad (sum (log (- (exp y) 1))) y))", fixed_sets(ISP_SETS), ["inv-softplus", "grad"])

# logit of a sigmoid
LG_SETS = [("normal", {"x": gauss(2.0)}), ("z40", {"x": Z40}), ("z800", {"x": Z800}),
           ("large1e3", {"x": uni(-1e3, 1e3)}), ("tiny", {"x": TINY})]
case("logit_sigmoid", "logit", "logit(sigmoid x) written log(p/(1 - p))",
     "(input x [n])\n(let p (sigmoid x))\n(output z (log (/ p (- 1 p))))", fixed_sets(LG_SETS), ["logit", "sigmoid"])
case("logit_sigmoid_sub", "logit", "logit(sigmoid x) written log(p) - log(1 - p), p = 1/(1+exp(-x))",
     "(input x [n])\n" + f"(let p {sig_r('x')})\n(output z (- (log p) (log (- 1 p))))", fixed_sets(LG_SETS),
     ["logit", "sigmoid"])
case("logit_sigmoid_grad", "logit", "gradient of sum(w * log(p/(1 - p))), p = sigmoid x (= w)",
     "(input x [n])\n(input w [n])\n(let p (sigmoid x))\n(output g (grad (sum (* w (log (/ p (- 1 p))))) x))",
     fixed_sets(with_w(LG_SETS)), ["logit", "sigmoid", "grad"])

# mixture log-likelihoods log sum(w exp(-z^2/2) / sigma) (Keras 1061; PyTorch 48520): every exp(-z^2/2)
# underflows where x lies far from every component (|z| > 38.6), and log(0) is -inf; a softmax of
# large mixture logits overflows. Weights and scales as mixture density networks write them
# (softmax and exp), and plain positive weights.


def mix_sets(n=None, plain_w=False, plain_sigma=False):
    """x (a scalar, or [n 1] with n given) against k = 6 components mu, log-sigma ls (or the scales
    sigma = exp(ls) themselves) and logits l (or positive weights w)."""
    k = 6
    xs = {"normal": (0.0, 1.0), "far": (60.0, 10.0), "very_far": (1e3, 100.0), "tight": (0.0, 1.0),
          "large_logits": (0.0, 2.0)}

    def build(cname):
        out = []
        for s, (loc, scale) in xs.items():
            r = rng_for(cname, s, "mix")
            mu = r.standard_normal(k) * 2.0
            ls = r.uniform(-1.0, 1.0, k)
            if s == "tight":
                ls = r.uniform(-12.0, -8.0, k)
            l = r.standard_normal(k) * (800.0 if s == "large_logits" else 1.0)
            shape = (n, 1) if n else ()
            x = loc + scale * r.standard_normal(shape)
            vals = {"x": fl(x) if n else float(x), "mu": fl(mu)}
            if plain_sigma:
                vals["sigma"] = fl(np.exp(ls))
            else:
                vals["ls"] = fl(ls)
            if plain_w:
                vals["w"] = fl(r.uniform(0.05, 1.0, k))
            else:
                vals["l"] = fl(l)
            out.append({"name": s, "values": vals})
        return out
    return build


MIX = "(input mu [k])\n(input ls [k])\n(input l [k])\n(let pi (/ (exp l) (sum (exp l))))\n(let sigma (exp ls))\n"
case("mix_mdn_nll", "mixture", "mixture density network NLL -log sum(pi exp(-z^2/2)/sigma), pi = softmax(l), "
     "sigma = exp(ls), z = (x - mu)/sigma",
     "(input x [])\n" + MIX + "(let z (/ (- x mu) sigma))\n"
     "(output nll (neg (log (sum (* pi (/ (exp (* -0.5 (* z z))) sigma))))))", mix_sets(), ["mixture", "lse"])
case("mix_mdn_pow", "mixture", "mixture log-likelihood written log sum(pi exp(-(x - mu)^2/(2 sigma^2))/sigma)",
     "(input x [])\n" + MIX +
     "(output ll (log (sum (/ (* pi (exp (neg (/ (pow (- x mu) 2) (* 2 (pow sigma 2)))))) sigma))))", mix_sets(),
     ["mixture", "lse"])
case("mix_mdn_rows", "mixture", "per-sample mixture log-likelihood of x [n 1] against k components, summed "
     "along the components (axis -1)",
     "(input x [n 1])\n" + MIX + "(let z (/ (- x mu) sigma))\n"
     "(output ll (log (sum (* pi (/ (exp (* -0.5 (* z z))) sigma)) -1)))", mix_sets(n=5), ["mixture", "lse", "2d"],
     kind="mat")
case("mix_mdn_grad_mu", "mixture", "mixture density network NLL and its gradient by the means mu "
     "(each component's responsibility times (x - mu)/sigma^2)",
     "(input x [])\n" + MIX + "(let z (/ (- x mu) sigma))\n"
     "(let nll (neg (log (sum (* pi (/ (exp (* -0.5 (* z z))) sigma))))))\n(output nll nll)\n(output g (grad nll mu))",
     mix_sets(), ["mixture", "lse", "grad"])
case("mix_mdn_grad_l", "mixture", "mixture density network NLL and its gradient by the weights' logits l "
     "(responsibility minus weight)",
     "(input x [])\n" + MIX + "(let z (/ (- x mu) sigma))\n"
     "(let nll (neg (log (sum (* pi (/ (exp (* -0.5 (* z z))) sigma))))))\n(output g (grad nll l))",
     mix_sets(), ["mixture", "lse", "grad"])
case("mix_mdn_grad_ls", "mixture", "mixture density network NLL and its gradient by the log-scales ls "
     "(each component's responsibility times 1 - z^2)",
     "(input x [])\n" + MIX + "(let z (/ (- x mu) sigma))\n"
     "(let nll (neg (log (sum (* pi (/ (exp (* -0.5 (* z z))) sigma))))))\n(output g (grad nll ls))",
     mix_sets(), ["mixture", "lse", "grad"])
case("mix_weights_nll_grad_w", "mixture", "mixture NLL with plain positive weights w, and its gradient by w",
     "(input x [])\n(input mu [k])\n(input ls [k])\n(input w [k])\n(let sigma (exp ls))\n"
     "(let z (/ (- x mu) sigma))\n(let nll (neg (log (sum (/ (* w (exp (* -0.5 (pow z 2)))) sigma)))))\n"
     "(output g (grad nll w))",
     mix_sets(plain_w=True), ["mixture", "lse", "grad"])
case("mix_mdn_grad_x", "mixture", "mixture density network NLL and its gradient by the data point x",
     "(input x [])\n" + MIX + "(let z (/ (- x mu) sigma))\n"
     "(let nll (neg (log (sum (* pi (/ (exp (* -0.5 (* z z))) sigma))))))\n(output g (grad nll x))",
     mix_sets(), ["mixture", "lse", "grad"])
case("mix_weights_nll", "mixture", "mixture NLL with plain positive weights w: -log sum(w exp(-z^2/2)/sigma), "
     "sigma = exp(ls)",
     "(input x [])\n(input mu [k])\n(input ls [k])\n(input w [k])\n(let sigma (exp ls))\n"
     "(let z (/ (- x mu) sigma))\n(output nll (neg (log (sum (/ (* w (exp (* -0.5 (pow z 2)))) sigma)))))",
     mix_sets(plain_w=True), ["mixture", "lse"])

case("mix_sigma_nll", "mixture", "mixture NLL with plain positive weights w and plain scales sigma: "
     "-log sum(w exp(-z^2/2)/sigma), whose weights' signs the optimizer does not know",
     "(input x [])\n(input mu [k])\n(input sigma [k])\n(input w [k])\n(let z (/ (- x mu) sigma))\n"
     "(output nll (neg (log (sum (/ (* w (exp (* -0.5 (pow z 2)))) sigma)))))",
     mix_sets(plain_w=True, plain_sigma=True), ["mixture", "lse"])
case("mix_sigma_nll_grad", "mixture", "mixture NLL with plain weights and scales, and its gradient by the scales",
     "(input x [])\n(input mu [k])\n(input sigma [k])\n(input w [k])\n(let z (/ (- x mu) sigma))\n"
     "(output g (grad (neg (log (sum (/ (* w (exp (* -0.5 (pow z 2)))) sigma)))) sigma))",
     mix_sets(plain_w=True, plain_sigma=True), ["mixture", "lse", "grad"])

case("mix_logweights", "mixture", "mixture log-likelihood with weights exp(lw) of log-weights lw: "
     "log sum(exp(lw) exp(-z^2/2) / exp(ls))",
     "(input x [])\n(input mu [k])\n(input ls [k])\n(input lw [k])\n(let z (/ (- x mu) (exp ls)))\n"
     "(output ll (log (sum (/ (* (exp lw) (exp (* -0.5 (* z z)))) (exp ls)))))",
     lambda cname: [dict(st, values={("lw" if k == "l" else k): v for k, v in st["values"].items()})
                    for st in mix_sets()(cname)], ["mixture", "lse"])
case("mix_lse_by_hand", "mixture", "the mixture as one sum of exponentials written by hand, "
     "log sum(exp(lw - ls - z^2/2)), not shifted",
     "(input x [])\n(input mu [k])\n(input ls [k])\n(input lw [k])\n(let z (/ (- x mu) (exp ls)))\n"
     "(output ll (log (sum (exp (- (- lw ls) (* 0.5 (* z z)))))))",
     lambda cname: [dict(st, values={("lw" if k == "l" else k): v for k, v in st["values"].items()})
                    for st in mix_sets()(cname)], ["mixture", "lse"])

# signed log-sum-exp: log sum(b exp(a)) with weights b of either sign (SciPy's logsumexp(a, b=b)), where
# the sum is positive; exp(a) overflows past 709 and underflows below -745
SLSE_SETS = [("normal", {"a": gauss(2.0), "b": uni(0.1, 2.0)}),
             ("large1e3", {"a": uni(-1e3, 1e3), "b": uni(0.1, 2.0)}),
             ("very_negative", {"a": gauss(3.0, -1e4), "b": uni(0.1, 2.0)}),
             ("signed_big", {"a": [800.0, 799.0, 0.0, -5.0, 3.0, 798.0, 1.0, 2.0],
                             "b": [1.0, -0.5, 2.0, 3.0, -1.0, 0.25, 1.0, -0.5]}),
             ("signed_small", {"a": [-800.0, -801.0, -1e3, -805.0, -2e3, -800.5, -900.0, -1e4],
                               "b": [2.0, -1.0, 5.0, -3.0, 1.0, -0.5, -2.0, 4.0]}),
             ("signed_normal", {"a": [3.0, 1.0, -2.0, 0.5, 2.0, -1.0, 0.0, 1.5],
                                "b": [1.0, -0.5, 2.0, -1.0, 0.25, 3.0, -0.75, 0.5]})]
AB_W = "(input a [n])\n(input b [n])\n"
case("slse_b", "signed-lse", "log-sum-exp with signed weights, log(sum(b * exp(a))) (SciPy's logsumexp(a, b=b))",
     AB_W + "(output z (log (sum (* b (exp a)))))", fixed_sets(SLSE_SETS), ["signed-lse", "lse"])
case("slse_b_axis", "signed-lse", "signed log-sum-exp along the last axis, log(sum(exp(a) * b, -1))",
     AB_W + "(output z (log (sum (* (exp a) b) -1)))", fixed_sets(SLSE_SETS), ["signed-lse", "lse"])
case("slse_b_grad", "signed-lse", "signed log-sum-exp and its gradient by a, b exp(a) / sum(b exp(a))",
     AB_W + "(let z (log (sum (* b (exp a)))))\n(output z z)\n(output g (grad z a))", fixed_sets(SLSE_SETS),
     ["signed-lse", "lse", "grad"])
def pair_sets(lo, hi):
    """b uniform in [lo, hi], a above it by 1.2 to 5 (so p exp(a) > q exp(b) for p, q in [0.5, 1.5])."""
    def values(cname, s, nm):
        r = rng_for(cname, s, "pair")
        b = r.uniform(lo, hi, 8)
        return fl(b + (r.uniform(1.2, 5.0, 8) if nm == "a" else 0.0))
    return values


PAIR_SETS = [(s, {"a": pair_sets(lo, hi), "b": pair_sets(lo, hi), "p": uni(0.5, 1.5), "q": uni(0.5, 1.5)})
             for s, lo, hi in (("normal", -3.0, 3.0), ("big", 700.0, 1e3), ("small", -1e3, -750.0),
                               ("large1e3", -1e3, 1e3))]
PQ_W = "(input a [n])\n(input b [n])\n(input p [n])\n(input q [n])\n"
case("slse_pair_sub", "signed-lse", "two weighted exponentials of opposite signs, log(p exp(a) - q exp(b))",
     PQ_W + "(output z (log (- (* p (exp a)) (* q (exp b)))))", fixed_sets(PAIR_SETS), ["signed-lse", "log1mexp"])
case("slse_pair_add", "signed-lse", "a weighted logaddexp, log(p exp(a) + q exp(b))",
     PQ_W + "(output z (log (+ (* p (exp a)) (* (exp b) q))))", fixed_sets(PAIR_SETS), ["signed-lse", "logaddexp"])

SLSE_ROWS = [(s, {"A": (lambda sc, off: lambda c, s_, nm: fl(off + sc * rng_for(c, s_, nm).standard_normal((3, 5))))(sc, off),
                  "B": lambda c, s_, nm: fl(rng_for(c, s_, nm).uniform(0.1, 2.0, (3, 5)))})
             for s, sc, off in (("normal", 2.0, 0.0), ("large1e3", 500.0, 0.0), ("very_negative", 3.0, -1e4))]
case("slse_b_rows", "signed-lse", "row log-sum-exp of a matrix with positive weights B, log(sum(B * exp(A), -1))",
     "(input A [m n])\n(input B [m n])\n(output z (log (sum (* B (exp A)) -1)))", fixed_sets(SLSE_ROWS),
     ["signed-lse", "lse", "2d"], kind="mat")

case("slse_b_cols", "signed-lse", "column log-sum-exp of a matrix with positive weights B, log(sum(B * exp(A), 0))",
     "(input A [m n])\n(input B [m n])\n(output z (log (sum (* B (exp A)) 0)))", fixed_sets(SLSE_ROWS),
     ["signed-lse", "lse", "2d"], kind="mat")

# log(1 - softmax): unlikelihood losses. 1 - p_i cancels where p_i is near 1, the largest logit far above
# the rest ([0, -40]: 1 - p rounds to 0, log(1 - p) is -inf, the truth -40)
GAP = [0.0, -40.0, -45.0, -38.0, -60.0, -100.0, -800.0, -50.0]
L1MSM_SETS = STD_SETS + ["gap40"]


def l1msm_sets(mat=False, weights=()):
    def build(cname):
        base = mat_sets(STD_SETS, weights=weights) if mat else vec_sets(STD_SETS, weights=weights)
        out = base(cname)
        if mat:
            g = [GAP[:5], [v + 3.0 for v in GAP[2:7]], [1e3, 0.0, -1e3, 999.0, 998.0]]
            vals = {"X": fl(g)}
            for nm in weights:
                vals[nm] = weights_like(cname, "gap40", nm, (3, 5))
        else:
            vals = {"x": fl(GAP)}
            for nm in weights:
                vals[nm] = weights_like(cname, "gap40", nm, (len(GAP),))
        out.append({"name": "gap40", "values": vals})
        return out
    return build


def l1msm_oracle(x, ax, inputs, output):
    """log(1 - p_i) by the leave-one-out sum: where x_i is the maximum m, the log-sum-exp of the others
    (through the second largest m2 when the maximum is unique) minus that of all; elsewhere as written,
    where p_i <= 1/2 and nothing cancels. The truth of the program itself is unresolved where 1 - p_i
    is exp(-1e4) (large1e5) or exp(-1e18) (seed)."""
    red = f" {ax}" if ax is not None else ""
    return (inputs + f"(let m (max {x}{red}))\n(let y (where (eq {x} m) -inf {x}))\n(let m2 (max y{red}))\n"
            f"(let s (sum (exp (- {x} m)){red}))\n"
            f"(let others (where (gt (sum (eq {x} m){red}) 1) (+ m (log (- s 1))) (+ m2 (log (sum (exp (- y m2)){red})))))\n"
            f"(let l (where (eq {x} m) (- others (+ m (log s))) (log (- 1 (/ (exp {x}) (sum (exp {x}){red}))))))\n"
            + output)


case("l1msm_vec", "softmax-complement", "log(1 - softmax(x)), the unlikelihood of each class",
     "(input x [n])\n" + f"(output l (log (- 1 {sm('x')})))", l1msm_sets(), ["softmax", "complement"],
     oracle=l1msm_oracle("x", -1, "(input x [n])\n", "(output l l)"))
case("l1msm_log1p", "softmax-complement", "log1p(-softmax(x)), softmax over all elements",
     "(input x [n])\n(let p (/ (exp x) (sum (exp x))))\n(output l (log1p (neg p)))", l1msm_sets(),
     ["softmax", "complement"], oracle=l1msm_oracle("x", None, "(input x [n])\n", "(output l l)"))
case("l1msm_rows", "softmax-complement", "log(1 - P) for the row softmax P of a matrix",
     "(input X [m n])\n" + f"(let P {sm('X', -1)})\n(output l (log (- 1 P)))", l1msm_sets(mat=True),
     ["softmax", "complement", "2d"], kind="mat", oracle=l1msm_oracle("X", -1, "(input X [m n])\n", "(output l l)"))
case("l1msm_unlikelihood", "softmax-complement", "unlikelihood loss -sum(w * log(1 - softmax(x))), w N(0, 1)",
     "(input x [n])\n(input w [n])\n" + f"(output loss (neg (sum (* w (log (- 1 {sm('x')}))))))",
     l1msm_sets(weights=("w",)), ["softmax", "complement"],
     oracle=l1msm_oracle("x", -1, "(input x [n])\n(input w [n])\n", "(output loss (neg (sum (* w l))))"))
case("l1msm_temp", "softmax-complement", "log(1 - softmax(x/t)) with an input temperature t",
     "(input x [n])\n(input t [])\n(let z (/ x t))\n" + f"(output l (log (- 1 {sm('z')})))",
     vec_sets(TEMP_SETS, temp="t"), ["softmax", "complement", "temperature"],
     oracle=l1msm_oracle("z", -1, "(input x [n])\n(input t [])\n(let z (/ x t))\n", "(output l l)"))
case("l1msm_cols_log1p", "softmax-complement", "log1p(-P) for the column softmax P of a matrix (axis 0)",
     "(input X [m n])\n" + f"(output l (log1p (neg {sm('X', 0)})))", l1msm_sets(mat=True),
     ["softmax", "complement", "2d"], kind="mat", oracle=l1msm_oracle("X", 0, "(input X [m n])\n", "(output l l)"))
case("l1msm_exp_lse", "softmax-complement", "log(1 - exp(x - lse(x))): the complement of a softmax spelled "
     "through the log-sum-exp",
     "(input x [n])\n" + f"(output l (log (- 1 (exp (- x {lse('x')})))))", l1msm_sets(), ["softmax", "complement", "lse"],
     oracle=l1msm_oracle("x", -1, "(input x [n])\n", "(output l l)"))


def l1msm_grad_oracle(x, ax, inputs, w, output):
    """The gradient of sum(w * log(1 - softmax(x))) by x: p_j (sum_{i != j} w_i r_i - w_j), r = p / (1 - p)
    = exp(x - loo) with loo the log-sum-exp of the other entries (through the second largest where the
    maximum is unique, through S - 1 where it is tied), and the sum without j taken directly at the unique
    maximum. The program's own truth is unresolved where 1 - p_i is exp(-1e4) (large1e5) or exp(-1e18)
    (seed)."""
    red = f" {ax}" if ax is not None else ""
    return (inputs + f"(let m (max {x}{red}))\n(let top (eq {x} m))\n(let y (where top -inf {x}))\n"
            f"(let m2 (max y{red}))\n(let s (sum (exp (- {x} m)){red}))\n(let tied (gt (sum top{red}) 1))\n"
            f"(let others (where tied (+ m (log (- s 1))) (+ m2 (log (sum (exp (- y m2)){red})))))\n"
            f"(let loo (where top others (+ m (log (- s (exp (- {x} m)))))))\n"
            f"(let wq (* {w} (exp (- {x} loo))))\n(let p (/ (exp (- {x} m)) s))\n(let sq (sum wq{red}))\n"
            f"(let rest (where tied (- sq wq) (where top (sum (where top 0 wq){red}) (- sq wq))))\n"
            f"(let gz (* p (- rest {w})))\n" + output)


case("l1msm_vec_grad", "softmax-complement", "gradient of sum(log(1 - softmax(x)))",
     "(input x [n])\n" + f"(output g (grad (sum (log (- 1 {sm('x')}))) x))", l1msm_sets(),
     ["softmax", "complement", "grad"], oracle=l1msm_grad_oracle("x", -1, "(input x [n])\n", "1", "(output g gz)"))
case("l1msm_unlikelihood_grad", "softmax-complement", "gradient of the unlikelihood loss "
     "-sum(w * log(1 - softmax(x))) by the logits",
     "(input x [n])\n(input w [n])\n" + f"(output g (grad (neg (sum (* w (log (- 1 {sm('x')}))))) x))",
     l1msm_sets(weights=("w",)), ["softmax", "complement", "grad"],
     oracle=l1msm_grad_oracle("x", -1, "(input x [n])\n(input w [n])\n", "w", "(output g (neg gz))"))
case("l1msm_rows_grad", "softmax-complement", "gradient of sum(W * log(1 - P)) for the row softmax P",
     "(input X [m n])\n(input W [m n])\n" + f"(let P {sm('X', -1)})\n(output g (grad (sum (* W (log (- 1 P)))) X))",
     l1msm_sets(mat=True, weights=("W",)), ["softmax", "complement", "2d", "grad"], kind="mat",
     oracle=l1msm_grad_oracle("X", -1, "(input X [m n])\n(input W [m n])\n", "W", "(output g gz)"))
case("l1msm_log1p_grad", "softmax-complement", "gradient of sum(log1p(-p)), p the softmax over all elements",
     "(input x [n])\n(let p (/ (exp x) (sum (exp x))))\n(output g (grad (sum (log1p (neg p))) x))", l1msm_sets(),
     ["softmax", "complement", "grad"], oracle=l1msm_grad_oracle("x", None, "(input x [n])\n", "1", "(output g gz)"))
case("l1msm_exp_lse_grad", "softmax-complement", "gradient of sum(log(1 - exp(x - lse(x))))",
     "(input x [n])\n" + f"(output g (grad (sum (log (- 1 (exp (- x {lse('x')}))))) x))", l1msm_sets(),
     ["softmax", "complement", "lse", "grad"],
     oracle=l1msm_grad_oracle("x", -1, "(input x [n])\n", "1", "(output g gz)"))
case("l1msm_pow_grad", "softmax-complement", "gradient of sum(w * log1p(-1 * p)), p = exp(x) * sum(exp x)^-1",
     "(input x [n])\n(input w [n])\n(output g (grad (sum (* w (log1p (* -1 (* (exp x) (pow (sum (exp x) -1) -1))))))"
     " x))", l1msm_sets(weights=("w",)), ["softmax", "complement", "pow", "grad"],
     oracle=l1msm_grad_oracle("x", -1, "(input x [n])\n(input w [n])\n", "w", "(output g gz)"))
case("l1msm_temp_grad", "softmax-complement", "gradient of sum(log(1 - softmax(x/t))) by the logits and by t",
     "(input x [n])\n(input t [])\n(let z (/ x t))\n(let f (sum (log (- 1 " + sm('z') + "))))\n"
     "(output dx (grad f x))\n(output dt (grad f t))",
     vec_sets(TEMP_SETS, temp="t"), ["softmax", "complement", "temperature", "grad"],
     oracle=l1msm_grad_oracle("z", -1, "(input x [n])\n(input t [])\n(let z (/ x t))\n", "1",
                              "(output dx (/ gz t))\n(output dt (neg (/ (sum (* gz z)) t)))"))

# =============================================================================
# Writing
# =============================================================================


def json_text(c, sets):
    meta = {"name": c["name"], "description": c["description"], "generator": GENERATOR, "family": c["family"],
            "tags": c["tags"], "kind": c["kind"]}
    if c["trust_infinite"]:
        meta["trust_infinite"] = True
    if c["oracle"]:
        meta["oracle"] = c["oracle"].strip() + "\n"
    return judge_files.json_text(meta, sets)


def eqs_text(c):
    return f"; {c['name']}: {c['description']}\n{c['program']}"


def write(out):
    files = [(c["name"], eqs_text(c), json_text(c, c["sets"](c["name"]))) for c in CASES]
    judge_files.write_cases(out, files, GENERATOR, ROOT)


def check(out):
    sys.path.insert(0, os.path.normpath(os.path.join(ROOT, "..", "shared", "judge")))
    import judge
    bad = 0
    for c in CASES:
        case_ = judge.Case(os.path.join(out, c["name"] + ".eqs"))
        t = case_.load_truth()
        if t is None:
            print(f"{c['name']}: truth cache missing or stale")
            bad += 1
            continue
        for s in t:
            n = nan = unres = inf = orc = 0
            for k, v in s["values"].items():
                v = np.asarray(v)
                u = np.asarray(s["unresolved"][k])
                n += v.size
                nan += int(np.isnan(v).sum())
                unres += int((u & ~np.isnan(v)).sum())
                inf += int(np.isinf(v).sum())
                orc += int(np.asarray(s["oracle_used"][k]).sum())
            scored = n - nan - unres
            note = ", ".join(f"{a} {b}" for a, b in (("nan", nan), ("unresolved", unres), ("inf", inf),
                                                      ("oracle", orc)) if b)
            if note or scored == 0:
                print(f"{c['name']}/{s['name']}: {scored}/{n} scored" + (f" ({note})" if note else ""))
            if scored == 0:
                bad += 1
    print(f"{len(CASES)} cases checked, {bad} problems")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "Corpus"))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    if args.list:
        for c in CASES:
            print(f"{c['name']:<36} {c['family']:<14} {','.join(s['name'] for s in c['sets'](c['name']))}")
        print(f"{len(CASES)} cases")
        return 0
    if args.check:
        return check(args.out)
    write(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
