"""Plots a bench-server result: per model, throughput and p99 latency against concurrency, one line
per system (benchmark_app, which runs at a fixed nireq, as markers).

  python plot.py <result.json> <out.png>
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {
    "ovfleet-grpc": ("tab:blue", "o-"),
    "ovfleet-rest-binary": ("tab:cyan", "s-"),
    "ovfleet-rest-json": ("tab:purple", "^-"),
    "kserve-grpc": ("tab:red", "D-"),
    "in-process": ("tab:green", "v--"),
    "benchmark_app": ("black", "*"),
}


def main(path, out):
    with open(path) as f:
        result = json.load(f)
    rows = [r for r in result["rows"] if "system" in r]
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, axes = plt.subplots(len(models), 2, figsize=(12, 3.6 * len(models)), squeeze=False)
    for i, model in enumerate(models):
        thr_ax, p99_ax = axes[i]
        for system, (color, fmt) in STYLE.items():
            pts = sorted((r for r in rows if r["model"] == model and r["system"] == system), key=lambda r: r["concurrency"])
            if not pts:
                continue
            xs = [p["concurrency"] for p in pts]
            thr_ax.plot(xs, [p["throughput"] for p in pts], fmt, color=color, label=system, markersize=8 if fmt == "*" else 5)
            lat = [(p["concurrency"], p["p99Ms"]) for p in pts if p.get("p99Ms") is not None]
            if lat:
                p99_ax.plot([x for x, _ in lat], [y for _, y in lat], fmt, color=color, label=system)
        for ax, ylabel in ((thr_ax, "inferences / s"), (p99_ax, "p99 latency (ms)")):
            ax.set_xscale("log", base=2)
            ax.set_xticks([1, 2, 4, 8, 16])
            ax.set_xticklabels(["1", "2", "4", "8", "16"])
            ax.set_xlabel("concurrency")
            ax.set_ylabel(ylabel)
            ax.grid(True, alpha=0.3)
        thr_ax.set_title(f"{model}: throughput")
        p99_ax.set_title(f"{model}: p99 latency")
        p99_ax.set_yscale("log")
        thr_ax.set_yscale("log")
        thr_ax.legend(fontsize=7, loc="best")
    host = result.get("host", {})
    fig.suptitle(f"bench-server {result.get('startedAt', '')} — {host.get('cpuModel', '')}, {host.get('vcpus', '?')} vCPUs", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
