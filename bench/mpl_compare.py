#!/usr/bin/env python3
"""pandas + matplotlib, the way people compare runs in Python today.

Usage: bench/mpl_compare.py OUT.png JOB.json...
Loads each response with json + pandas.json_normalize, draws a 2x2 figure
(loss and perplexity with eval dashed, perplexity on a log axis, learning rate, grad norm)
and saves a 1200x800 PNG.
"""
import json
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

COLORS = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c"]


def main():
    out, paths = sys.argv[1], sys.argv[2:]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), dpi=100)
    (ax_loss, ax_ppl), (ax_lr, ax_gn) = axes
    for i, path in enumerate(paths):
        with open(path) as f:
            doc = json.load(f)
        df = pd.json_normalize(doc["metrics"])
        if "train_loss" not in df and "loss" in df:
            df["train_loss"] = df["loss"]
        name = os.path.splitext(os.path.basename(path))[0]
        c = COLORS[i % len(COLORS)]
        ax_loss.plot(df["step"], df["train_loss"], color=c, lw=1, label=name)
        ev = df.dropna(subset=["eval_loss"])
        ax_loss.plot(ev["step"], ev["eval_loss"], color=c, ls="--", marker="o", ms=3)
        if "train_perplexity" not in df:
            df["train_perplexity"] = np.exp(df["train_loss"].where(df["train_loss"] < 100))
        ax_ppl.plot(df["step"], df["train_perplexity"], color=c, lw=1)
        pp = df.dropna(subset=["perplexity"])
        ax_ppl.plot(pp["step"], pp["perplexity"], color=c, ls="--", marker="o", ms=3)
        ax_lr.plot(df["step"], df["learning_rate"], color=c, lw=1)
        ax_gn.plot(df["step"], df["grad_norm"], color=c, lw=1)
    ax_loss.set_title("loss")
    ax_ppl.set_title("perplexity")
    ax_ppl.set_yscale("log")
    ax_lr.set_title("learning rate")
    ax_lr.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
    ax_gn.set_title("grad norm")
    for ax in axes.flat:
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    ax_loss.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(out, dpi=100)


if __name__ == "__main__":
    main()
