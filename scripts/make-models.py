#!/usr/bin/env python3
"""make-models.py -- write the whole-model suite of Benchmarks/Models in judge format.

Usage: python3 scripts/make-models.py [--out DIR] [--list] [--heads 1,2,4,8]
                                      [--depths 2,4,8,16,32] [--seq N] [--dim N]
                                      [--batch N] [--width N]

Users optimize whole models, not one softmax: a network's forward pass, its
loss and the gradients of all its parameters in one program. This writes such
programs, spelled the way they are written by hand in the language of
docs/language.md (no matmul: a product is a broadcast `*` and a `sum`; no
softmax operator: `exp` over a `sum` of `exp`), each as DIR/NAME.eqs (a `;`
line saying what it is, then the program) and DIR/NAME.json (description,
family, tags and input sets, "trust_infinite" where a -inf truth is scored),
in the judge's format (../shared/judge/README.md). DIR defaults to
Benchmarks/Models.

- attention VJPs with 1, 2, 4, 8 heads (separate per-head projections and an
  output projection), with and without a mask (the mask sets include a fully
  masked query row; the masked ones also return each head's row log-sum-exp,
  -inf on that row);
- MLPs of depth 2, 4, 8, 16, 32 (relu) with a softmax cross-entropy or a
  binary cross-entropy head, returning the loss and the gradient of every
  weight and bias;
- a CLIP-style contrastive loss with a temperature and its gradients;
- the Hessian-vector product of a log-sum-exp;
- a focal loss and its gradient;
- a chain of log-softmaxes and its gradients.

Sizes are parameters; the committed suite keeps them small (sequences of 4,
batches of 2, widths of 3) so the judge's 1200-bit truths stay quick. Every
random value comes from a generator seeded by the case's name, the input
set's name and the input's name (sha256), so rerunning rewrites the same
bytes. Files of cases this script wrote earlier that it no longer makes are
removed with their truth caches. After a change, recompute the truths:

    python ../shared/judge/judge.py --make-truth -v Benchmarks/Models
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
GENERATOR = "scripts/make-models.py"
TIES = [709.5, 709.5, -709.5, 0.0, 2.5, 2.5, -40.0, 40.0]


def rng_for(case, set_name, role):
    h = hashlib.sha256(f"make-models/{case}/{set_name}/{role}".encode()).hexdigest()
    return np.random.default_rng(int(h[:16], 16))


def fl(a):
    """Plain Python floats (nested lists), so json writes them exactly."""
    return np.asarray(a, dtype=np.float64).tolist()


def fit(values, n):
    return [values[i % len(values)] for i in range(n)]


class Case:
    def __init__(self, name, family, description, program, sets, tags, trust_infinite=False):
        self.name, self.family, self.description = name, family, description
        self.program, self.sets, self.tags, self.trust_infinite = program.strip() + "\n", sets, tags, trust_infinite


# =============================================================================
# Attention
# =============================================================================


def attention(heads, masked, seq, dim):
    """One attention layer's VJP: per head, scores Q K^T / sqrt(d), a softmax
    over the keys, the values, an output projection; the heads summed. The
    loss is <G, Y> for an upstream cotangent G, and the outputs are the
    gradients of every Q, K, V and output projection (and, masked, each
    head's row log-sum-exp, which flash attention returns)."""
    scale = repr(1 / math.sqrt(dim))
    lines = []
    for h in range(1, heads + 1):
        lines += [f"(input Q{h} [t 1 d])", f"(input K{h} [s d])", f"(input V{h} [s e])", f"(input O{h} [f e])"]
    if masked:
        lines.append("(input M [t s 1])")
    lines.append("(input G [t f 1])")
    ys = []
    for h in range(1, heads + 1):
        lines.append(f"(let S{h} (* (sum (* Q{h} K{h}) -1) {scale}))")  # [t s 1]
        logits = f"S{h}"
        if masked:
            lines.append(f"(let L{h} (where M S{h} -inf))")
            logits = f"L{h}"
        lines.append(f"(let P{h} (/ (exp {logits}) (sum (exp {logits}) 1)))")
        lines.append(f"(let A{h} (sum (* P{h} V{h}) 1))")  # [t 1 e]
        lines.append(f"(let Y{h} (sum (* A{h} O{h}) -1))")  # [t f 1]
        ys.append(f"Y{h}")
    y = ys[0] if heads == 1 else "(+ " + " ".join(ys) + ")"
    lines.append(f"(let loss (sum (* G {y})))")
    for h in range(1, heads + 1):
        for p in ("Q", "K", "V", "O"):
            lines.append(f"(output d{p}{h} (grad loss {p}{h}))")
    if masked:
        for h in range(1, heads + 1):
            lines.append(f"(output lse{h} (log (sum (exp L{h}) 1)))")
    sets = ["normal", "large", "ties", "very_negative"] + (["masks"] if masked else [])

    def build(name):
        out = []
        for s in sets:
            v = {}
            for h in range(1, heads + 1):
                r = lambda role: rng_for(name, s, f"{role}{h}")
                if s in ("normal", "masks"):
                    q, k = r("Q").standard_normal((seq, 1, dim)), r("K").standard_normal((seq, dim))
                elif s == "large":  # scores in the thousands: every exp overflows
                    q, k = r("Q").uniform(-40, 40, (seq, 1, dim)), r("K").uniform(-40, 40, (seq, dim))
                elif s == "ties":  # equal scores past the overflow edge, ties among keys
                    q = np.full((seq, 1, dim), 30.0)
                    k = np.array([fit([20.0, 20.0, -20.0, 20.0], seq)] * dim).T
                else:  # very negative: every score near -1e4, every exp underflows
                    q = np.full((seq, 1, dim), 100.0)
                    k = -70.0 + 0.01 * r("K").standard_normal((seq, dim))
                v[f"Q{h}"], v[f"K{h}"] = fl(q), fl(k)
                v[f"V{h}"] = fl(r("V").standard_normal((seq, dim)))
                v[f"O{h}"] = fl(r("O").standard_normal((dim, dim)))
            if masked:
                r = rng_for(name, s, "M")
                m = (r.uniform(0, 1, (seq, seq, 1)) > 0.35).astype(float)
                for i in range(seq):
                    m[i, i, 0] = 1.0
                if s == "masks":
                    m[1, :, 0] = 0.0  # a fully masked query row
                v["M"] = fl(m)
            v["G"] = fl(rng_for(name, s, "G").standard_normal((seq, dim, 1)))
            out.append({"name": s, "values": v})
        return out

    kind = "masked attention" if masked else "attention"
    name = f"attention{'_masked' if masked else ''}_h{heads}"
    desc = (f"{kind} VJP with {heads} head{'s' if heads > 1 else ''}: gradients of <G, sum_h softmax(Q K^T/sqrt d) V O>"
            + (" by every Q, K, V, O, and each head's row log-sum-exp (-inf on a fully masked row)" if masked
               else " by every Q, K, V, O"))
    return Case(name, "attention", desc, "\n".join(lines), build,
                ["attention", "softmax", "grad"] + (["mask"] if masked else []), trust_infinite=masked)


# =============================================================================
# MLPs
# =============================================================================


def mlp(depth, head, batch, width):
    """A relu MLP of `depth` layers of `width` units. Without matmul, a layer
    is a broadcast product summed over the input axis, and the layout
    alternates: h [b 1 w] times W [w_out w_in] summed over the last axis gives
    [b w 1]; h [b w 1] times W [w_in w_out] summed over axis 1 gives [b 1 w].
    The head is a softmax cross-entropy against soft targets or a binary
    cross-entropy with the sigmoid written out; the outputs are the loss and
    the gradient of every weight and bias."""
    lines = ["(input X [b 1 w])"]
    for k in range(1, depth + 1):
        lines.append(f"(input W{k} [w w])")
        lines.append(f"(input c{k} [w 1])" if k % 2 == 1 else f"(input c{k} [w])")
    lines.append("(input Y [b w 1])" if depth % 2 == 1 else "(input Y [b 1 w])")
    h = "X"
    for k in range(1, depth + 1):
        axis = -1 if k % 2 == 1 else 1
        z = f"(+ (sum (* {h} W{k}) {axis}) c{k})"
        if k < depth:
            lines.append(f"(let h{k} (maximum {z} 0))")
            h = f"h{k}"
        else:
            lines.append(f"(let z {z})")
    cls_axis = 1 if depth % 2 == 1 else -1
    if head == "xent":
        lines.append(f"(let p (/ (exp z) (sum (exp z) {cls_axis})))")
        lines.append(f"(let loss (neg (mean (sum (* Y (log p)) {cls_axis}))))")
    else:
        lines.append("(let q (/ 1 (+ 1 (exp (neg z)))))")
        lines.append("(let loss (neg (mean (+ (* Y (log q)) (* (- 1 Y) (log (- 1 q)))))))")
    lines.append("(output loss loss)")
    for k in range(1, depth + 1):
        lines.append(f"(output dW{k} (grad loss W{k}))")
        lines.append(f"(output dc{k} (grad loss c{k}))")
    sets = ["normal", "large", "ties", "very_negative"]

    def build(name):
        out = []
        for s in sets:
            v = {}
            r = lambda role: rng_for(name, s, role)
            if s == "normal":
                v["X"] = fl(r("X").standard_normal((batch, 1, width)))
            elif s == "large":
                v["X"] = fl(r("X").uniform(-1e3, 1e3, (batch, 1, width)))
            else:
                v["X"] = fl(np.zeros((batch, 1, width)))
            for k in range(1, depth + 1):
                v[f"W{k}"] = fl(r(f"W{k}").standard_normal((width, width)) * math.sqrt(2.0 / width))
                shape = (width, 1) if k % 2 == 1 else (width,)
                bias = r(f"c{k}").standard_normal(shape) * 0.1 if s in ("normal", "large") else np.zeros(shape)
                if k == depth and s == "ties":  # the logits themselves tie at the overflow edge
                    bias = np.reshape(fit(TIES, width), shape)
                if k == depth and s == "very_negative":  # every logit near -1e4
                    bias = np.reshape(-1e4 + 3.0 * r("last").standard_normal(width), shape)
                v[f"c{k}"] = fl(bias)
            yshape = (batch, width, 1) if depth % 2 == 1 else (batch, 1, width)
            if head == "xent":
                g = r("Y").exponential(1.0, yshape)
                v["Y"] = fl(g / g.sum(axis=cls_axis, keepdims=True))
            else:
                v["Y"] = fl(r("Y").integers(0, 2, yshape).astype(float))
            out.append({"name": s, "values": v})
        return out

    what = "softmax cross-entropy" if head == "xent" else "binary cross-entropy (sigmoid written out)"
    return Case(f"mlp_{head}_d{depth}", "mlp",
                f"relu MLP of depth {depth}, width {width}, {what} head: the loss and the gradient of every weight "
                "and bias", "\n".join(lines), build, ["mlp", "grad", head])


# =============================================================================
# Losses
# =============================================================================


def clip(n, dim):
    program = f"""
(input I [n 1 d])
(input T [n d])
(input tau [])
(input Y [n n 1])
(let Z (/ (sum (* I T) -1) tau))
(let Pi (/ (exp Z) (sum (exp Z) 1)))
(let Pt (/ (exp Z) (sum (exp Z) 0)))
(let loss (* -0.5 (+ (mean (sum (* Y (log Pi)) 1)) (mean (sum (* Y (log Pt)) 0)))))
(output loss loss)
(output dI (grad loss I))
(output dT (grad loss T))
(output dtau (grad loss tau))
"""
    sets = ["normal", "large", "ties", "very_negative"]

    def build(name):
        out = []
        for s in sets:
            r = lambda role: rng_for(name, s, role)
            i, t = r("I").standard_normal((n, 1, dim)), r("T").standard_normal((n, dim))
            i /= np.linalg.norm(i, axis=-1, keepdims=True)
            t /= np.linalg.norm(t, axis=-1, keepdims=True)
            tau = {"normal": 0.07, "large": 1e-3, "ties": 1e-3, "very_negative": 1e-4}[s]
            if s == "ties":  # every pair equally similar
                i, t = np.ones((n, 1, dim)) / math.sqrt(dim), np.ones((n, dim)) / math.sqrt(dim)
            if s == "very_negative":  # every pair opposed: logits near -1e4
                t = -np.broadcast_to(i[:, 0, :].mean(axis=0), (n, dim))
                i = np.broadcast_to(i[:, 0, :].mean(axis=0), (n, 1, dim)).copy()
            out.append({"name": s, "values": {"I": fl(i), "T": fl(t), "tau": tau,
                                              "Y": fl(np.eye(n).reshape(n, n, 1))}})
        return out

    return Case("clip_contrastive", "loss", "CLIP-style symmetric contrastive loss with a temperature, and its "
                "gradients by both embeddings and the temperature", program, build, ["clip", "softmax", "grad"])


def vector_sets(name, roles, n, extra=None):
    sets = ["normal", "large", "ties", "very_negative"]

    def build(case_name):
        out = []
        for s in sets:
            v = {}
            for k, role in enumerate(roles):
                r = rng_for(case_name, s, role)
                if s == "normal":
                    x = r.standard_normal(n)
                elif s == "large":
                    x = r.uniform(-1e3, 1e3, n)
                elif s == "ties":
                    x = np.roll(fit(TIES, n), k)
                else:
                    x = -1e4 + 3.0 * r.standard_normal(n)
                v[role] = fl(x)
            if extra:
                v.update(extra(case_name, s))
            out.append({"name": s, "values": v})
        return out

    return build


def hvp_lse(n):
    program = """
(input x [n])
(input v [n])
(let g (grad (log (sum (exp x))) x))
(output hv (grad (sum (* v g)) x))
"""
    extra = lambda c, s: {"v": fl(rng_for(c, s, "v").standard_normal(n))}
    return Case("hvp_lse", "loss", "Hessian-vector product of log-sum-exp: grad of <v, grad lse(x)>", program,
                vector_sets("hvp_lse", ["x"], n, extra), ["lse", "grad", "hvp"])


def focal(batch, classes):
    program = """
(input Z [b c])
(input Y [b c])
(let p (/ (exp Z) (sum (exp Z) -1)))
(let loss (neg (mean (sum (* Y (pow (- 1 p) 2) (log p)) -1))))
(output loss loss)
(output dZ (grad loss Z))
"""
    sets = ["normal", "large", "ties", "very_negative"]

    def build(name):
        out = []
        for s in sets:
            r = rng_for(name, s, "Z")
            if s == "normal":
                z = r.standard_normal((batch, classes))
            elif s == "large":
                z = r.uniform(-1e3, 1e3, (batch, classes))
            elif s == "ties":
                z = np.array([np.roll(fit(TIES, classes), k) for k in range(batch)])
            else:
                z = -1e4 + 3.0 * r.standard_normal((batch, classes))
            y = np.eye(classes)[rng_for(name, s, "Y").integers(0, classes, batch)]
            out.append({"name": s, "values": {"Z": fl(z), "Y": fl(y)}})
        return out

    return Case("focal_loss", "loss", "focal loss (gamma 2) of a row softmax against one-hot targets, and its "
                "gradient", program, build, ["focal", "softmax", "grad"])


def logsoftmax_chain(n, length):
    lines = ["(input x [n])"] + [f"(input a{k} [n])" for k in range(1, length)]
    lines.append("(input y [n])")
    prev = "x"
    for k in range(1, length + 1):
        arg = prev if k == 1 else f"(* a{k - 1} {prev})"
        lines.append(f"(let l{k} (log (/ (exp {arg}) (sum (exp {arg})))))")
        prev = f"l{k}"
    lines.append(f"(let loss (neg (sum (* y {prev}))))")
    lines.append("(output loss loss)")
    lines.append("(output dx (grad loss x))")
    for k in range(1, length):
        lines.append(f"(output da{k} (grad loss a{k}))")

    def extra(c, s):
        v = {f"a{k}": fl(rng_for(c, s, f"a{k}").uniform(0.5, 2.0, n)) for k in range(1, length)}
        g = rng_for(c, s, "y").exponential(1.0, n)
        v["y"] = fl(g / g.sum())
        return v

    return Case("logsoftmax_chain", "loss", f"a chain of {length} log-softmaxes, each of the previous one scaled "
                "elementwise, with a cross-entropy and its gradients", "\n".join(lines),
                vector_sets("logsoftmax_chain", ["x"], n, extra), ["logsoftmax", "grad", "chain"])


# =============================================================================
# Writing
# =============================================================================


def cases(args):
    out = []
    for masked in (False, True):
        for h in args.heads:
            out.append(attention(h, masked, args.seq, args.dim))
    for head in ("xent", "bce"):
        for d in args.depths:
            out.append(mlp(d, head, args.batch, args.width))
    out += [clip(args.seq, args.dim), hvp_lse(args.seq * 2), focal(args.batch, args.seq),
            logsoftmax_chain(args.seq * 2, 4)]
    return out


def json_text(c):
    meta = {"name": c.name, "description": c.description, "generator": GENERATOR, "family": c.family,
            "tags": c.tags}
    if c.trust_infinite:
        meta["trust_infinite"] = True
    return judge_files.json_text(meta, c.sets(c.name))


def write(out, made_cases):
    files = [(c.name, f"; {c.name}: {c.description}\n{c.program}", json_text(c)) for c in made_cases]
    judge_files.write_cases(out, files, GENERATOR, ROOT)


def main():
    ints = lambda text: [int(x) for x in text.split(",")]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "Benchmarks", "Models"))
    ap.add_argument("--list", action="store_true", help="print the cases and write nothing")
    ap.add_argument("--heads", type=ints, default=[1, 2, 4, 8], help="attention head counts")
    ap.add_argument("--depths", type=ints, default=[2, 4, 8, 16, 32], help="MLP depths")
    ap.add_argument("--seq", type=int, default=4, help="attention sequence length (also CLIP's batch)")
    ap.add_argument("--dim", type=int, default=2, help="attention head dimension (also CLIP's)")
    ap.add_argument("--batch", type=int, default=2, help="MLP and focal-loss batch")
    ap.add_argument("--width", type=int, default=3, help="MLP width (and classes)")
    args = ap.parse_args()
    made = cases(args)
    if args.list:
        for c in made:
            print(f"{c.name:<28} {c.family:<10} {','.join(s['name'] for s in c.sets(c.name))}")
        print(f"{len(made)} cases")
        return 0
    write(args.out, made)
    return 0


if __name__ == "__main__":
    sys.exit(main())
