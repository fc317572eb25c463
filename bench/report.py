#!/usr/bin/env python3
"""Turns one run of the benchmark programs into the published results.

Reads what bench/run collected in --raw (workload descriptions, checksums,
Google Benchmark JSON, callgrind dumps, strace logs, peak memory) and writes
--out/results.json, --out/results.md and --out/ratios.svg (through gnuplot).
With --readme, also replaces the table between the results markers there.
The remote workloads (avio_bench_remote: remote_*.json in --raw) become the
section between the remote markers of results.md and "remote" in
results.json; --remote-only updates just those (and the chart), keeping the
rest of a previous full run. Hand-written sections of results.md (any "## "
section after the table) are kept.

Every ratio is libavformat / avio (time, instructions, bytes): higher is
better for avio. Times are the median CPU time of the repetitions: CPU time
rather than wall time because the machine is shared and a descheduled
thread's wait belongs to neither side, and the median because on a shared
machine a single repetition can be lucky as well as unlucky (memory
bandwidth left free by the other core); the fastest is kept in results.json.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys

AVIO_SIDES = ("avio", "avio_c")
LAVF = "lavf"
# What a server saw in one pass (the http workloads count nginx's access log).
TRAFFIC = ("requests", "connections", "bytes_sent")

# Targets with a second condition, checked beside the time ratio.
PEEK_MEMCPY_SLACK = 1.10  # the peek path within 10% of a plain memcpy


def load_json(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


def load_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def describe(raw, name):
    return {w["name"]: w for w in load_json(os.path.join(raw, name), [])}


def benchmark_runs(raw):
    """Every timed repetition: (workload, side, Google Benchmark's record)."""
    for path in sorted(glob.glob(os.path.join(raw, "time_*.json"))):
        for b in load_json(path).get("benchmarks", []):
            if b.get("run_type") != "iteration" or b.get("error_occurred"):
                continue
            workload, side = b["run_name"].split("/")[:2]
            yield workload, side, b


def timings(raw, field="cpu_time"):
    """(workload, side) -> list of CPU (or wall: field="real_time") times in ns per pass."""
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    out = {}
    for workload, side, b in benchmark_runs(raw):
        out.setdefault((workload, side), []).append(b[field] * scale[b["time_unit"]])
    return out


def counters(raw):
    """(workload, side) -> {counter: [value per repetition]} for the traffic counters."""
    out = {}
    for workload, side, b in benchmark_runs(raw):
        for name in TRAFFIC:
            if name in b:
                out.setdefault((workload, side), {}).setdefault(name, []).append(b[name])
    return out


def callgrind_counts(raw):
    """(workload, side) -> instructions in one pass."""
    out = {}
    for path in glob.glob(os.path.join(raw, "callgrind", "*", "out*")):
        label = total = None
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("desc: Trigger: Client Request: "):
                    label = line.split(": ", 3)[3].strip()
                elif line.startswith(("summary:", "totals:")) and total is None:
                    total = int(line.split()[1])
        if label and "/" in label and total is not None:
            workload, side = label.split("/", 1)
            out[(workload, side)] = total
    return out


def syscalls(raw):
    """(workload, side) -> {name: count} between the harness's two markers."""
    out = {}
    for path in glob.glob(os.path.join(raw, "strace_*.txt")):
        m = re.match(r"strace_(.+)_(avio|lavf)\.txt$", os.path.basename(path))
        if not m:
            continue
        counts, inside = {}, False
        with open(path, errors="replace") as f:
            for line in f:
                if "avio-bench:begin" in line:
                    inside = True
                    continue
                if "avio-bench:end" in line:
                    break
                call = re.match(r"^(?:\d+\s+)?([a-z_0-9]+)\(", line)
                if inside and call:
                    counts[call.group(1)] = counts.get(call.group(1), 0) + 1
        out[(m.group(1), m.group(2))] = counts
    return out


def measured_at(raw):
    """When the timings were taken (Google Benchmark's own record), in UTC."""
    stamps = []
    for path in glob.glob(os.path.join(raw, "time_*.json")):
        stamp = load_json(path, {}).get("context", {}).get("date")
        if stamp:
            stamps.append(datetime.datetime.fromisoformat(stamp).astimezone(datetime.timezone.utc))
    when = min(stamps) if stamps else datetime.datetime.now(datetime.timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def load_averages(raw):
    """The 1-minute load average as each timing program started."""
    loads = []
    for path in sorted(glob.glob(os.path.join(raw, "time_*.json"))):
        load = load_json(path, {}).get("context", {}).get("load_avg")
        if load:
            loads.append(load[0])
    return loads


def machine():
    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ""

    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "kernel": platform.release(),
        "libavformat": run(["pkg-config", "--modversion", "libavformat"]),
        "compiler": run(["c++", "--version"]).splitlines()[0] if run(["c++", "--version"]) else "",
    }


def fmt_time(ns_per_op):
    if ns_per_op >= 1e9:
        return f"{ns_per_op / 1e9:.2f} s"
    if ns_per_op >= 1e6:
        return f"{ns_per_op / 1e6:.2f} ms"
    if ns_per_op >= 1e3:
        return f"{ns_per_op / 1e3:.2f} µs"
    return f"{ns_per_op:.2f} ns"


def fmt_rate(bytes_per_s):
    if bytes_per_s >= 1e9:
        return f"{bytes_per_s / 1e9:.2f} GB/s"
    return f"{bytes_per_s / 1e6:.0f} MB/s"


def per_side(w, reps):
    """The figures of one side of workload `w` from its repetitions (ns per pass)."""
    median = statistics.median(reps)
    return {
        "ns_per_op": median / w["ops_per_pass"],
        "fastest_ns_per_op": min(reps) / w["ops_per_pass"],
        "bytes_per_second": w["bytes_per_pass"] / (median / 1e9),
        "repetitions": len(reps),
        # Half the range of the repetitions, relative to the median.
        "spread": (max(reps) - min(reps)) / 2 / median,
    }


def make_row(ctx, name, w, avio_side, per_op):
    """One table row: `avio_side` ("avio", "avio_c" or a variant such as "avio_rs64k") against libavformat."""
    variant = w.get("variants", {}).get(avio_side)
    ratio = per_op[LAVF]["ns_per_op"] / per_op[avio_side]["ns_per_op"]
    row = {
        "workload": f"{name}/{avio_side}" if variant else name,
        "api": "C" if avio_side == "avio_c" else "C++",
        "description": w["description"] + (f"; avio with {variant}" if variant else ""),
        "op": w["op"],
        "avio": per_op[avio_side],
        "libavformat": per_op[LAVF],
        "ratio": ratio,
        "target": w["target"],
        "note": w["note"],
        "checksums_agree": len(set(ctx["sums"].get(name, {}).values())) == 1,
    }
    conditions = [ratio >= w["target"]]
    if "memcpy" in per_op:
        row["memcpy"] = per_op["memcpy"]
        within = per_op[avio_side]["ns_per_op"] <= PEEK_MEMCPY_SLACK * per_op["memcpy"]["ns_per_op"]
        row["within_10pct_of_memcpy"] = within
        # No reader whose floor is this one copy can beat libavformat by more.
        row["ceiling_ratio"] = per_op[LAVF]["ns_per_op"] / per_op["memcpy"]["ns_per_op"]
        conditions.append(within)
    instr, cg = ctx["instr"], ctx["desc_cg"].get(name)
    if cg and (name, avio_side) in instr and (name, LAVF) in instr:
        a = instr[(name, avio_side)] / cg["ops_per_pass"]
        l = instr[(name, LAVF)] / cg["ops_per_pass"]
        row["instructions"] = {"avio_per_op": a, "libavformat_per_op": l, "ratio": l / a if a else None,
                               "ops_counted": cg["ops_per_pass"]}
    calls = ctx["calls"]
    if (name, avio_side) in calls and (name, LAVF) in calls:
        a, l = calls[(name, avio_side)], calls[(name, LAVF)]
        traced = describe(ctx["raw"], f"strace_{name}_describe.json").get(name, w)
        row["syscalls"] = {"avio": sum(a.values()), "libavformat": sum(l.values()), "avio_by_call": a,
                           "libavformat_by_call": l, "ops_traced": traced["ops_per_pass"]}
        if name == "file_read_4k":
            conditions.append(row["syscalls"]["avio"] <= row["syscalls"]["libavformat"])
    row["met"] = all(conditions) and row["checksums_agree"]
    return row


def traffic_rows(desc, times, wall, seen):
    """What the server saw, per workload and side, beside wall and CPU time per pass (medians)."""
    rows = []
    for name, w in desc.items():
        for side in w["sides"]:
            if (name, side) not in seen or (name, side) not in times:
                continue
            rows.append({"workload": name, "side": side, "variant": w.get("variants", {}).get(side, ""),
                         "wall_ns_per_pass": statistics.median(wall[(name, side)]),
                         "cpu_ns_per_pass": statistics.median(times[(name, side)]),
                         **{k: statistics.median(v) for k, v in seen[(name, side)].items()}})
    return rows


def load_remote(raw):
    """The remote workloads' figures (one JSON file per scenario, as bench/run runs them), or None."""
    scenarios, config = [], None
    for path in sorted(glob.glob(os.path.join(raw, "remote_*.json"))):
        data = load_json(path, {})
        config = config or data.get("config")
        scenarios += data.get("scenarios", [])
    if not scenarios:
        return None
    order = {"demux": 0, "plan": 1, "sequential": 2, "threads": 3}
    scenarios.sort(key=lambda sc: order.get(sc["scenario"], 9))
    meta = load_json(os.path.join(raw, "remote_meta.json"), {})
    return {"date": meta.get("date") or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_average": meta.get("load_average", []), "commit": meta.get("commit", ""),
            "versions": meta.get("versions", {}), "command": meta.get("command", ""),
            "config": config or {}, "scenarios": scenarios}


REMOTE_BEGIN, REMOTE_END = "<!-- remote:begin -->", "<!-- remote:end -->"


def remote_markdown(remote, m):
    """The section of results.md for the remote workloads."""
    cfg = remote["config"]
    lat = " and ".join(f"{x} ms" for x in cfg.get("latencies_ms", []))
    cap = cfg.get("bandwidth", 0) / 1048576
    targets = [t for sc in remote["scenarios"] for run in sc["runs"] for t in run["targets"]]
    met = sum(1 for t in targets if t["met"])
    v = remote.get("versions", {})
    versions = ", ".join(f"{k} {v[k]}" for k in sorted(v) if v[k])
    lines = [REMOTE_BEGIN, "## Remote reads through the block cache (issue 14)", "",
             f"Measured {remote['date']} ({'quick' if cfg.get('quick') else 'full'} run"
             + (f", avio at {remote['commit']}" if remote.get("commit") else "") + f") on {m['cpu']}, {m['cores']} cores"
             + (f" (1-minute load average as the scenarios started: {load_text(remote['load_average'])})"
                if remote.get("load_average") else "")
             + (f"; {versions}" if versions else "") + ".", "",
             "Every client reads from the http tests' private nginx (one worker, files from the page cache) through "
             "the http tests' shaping proxy (`tests/net/http/fault_proxy`), which adds a first-byte latency to "
             f"every response ({lat}), caps each connection at {cap:.0f} MiB/s (like one S3 request; scenario 3 "
             "also runs without the cap), and counts what it forwards: the requests, connections and bytes in "
             "the tables are the proxy's, for every side alike (GDAL's HEAD included). Plain http: the proxy reads "
             "the requests to delay their answers, so it cannot sit inside TLS. A new connection costs no extra "
             "round trip through it (loopback), which favours the sides that open many. Wall time of a pass, "
             "opening and closing included"
             + (f": a side whose first pass takes under 5 s runs {cfg['reps']} passes and shows the median one "
                "(its note gives the range), a slower side runs once" if cfg.get("reps", 1) > 1 else
                ", one pass per side") +
             "; every side's bytes are compared with the file (the PCM with ffmpeg's). "
             "Ratios: the other side's figure over the reference row's (time / ref > 1: the reference is faster).",
             ""]
    for sc in remote["scenarios"]:
        lines += [f"### {sc['title']}", ""]
        for key, value in sc.get("info", {}).items():
            lines.append(f"- {key}: {value}")
        if sc.get("info"):
            lines.append("")
        for run in sc["runs"]:
            lines += [run["markdown"].rstrip(), ""]
    lines += [f"Remote targets met: {met} of {len(targets)}. What limits the ones that are not met: "
              "[README.md](README.md), \"Where avio falls short\".", ""]
    if remote.get("command"):
        lines += ["Repeat (after `bench/run --remote` has built `build-bench/`):", "", "```sh",
                  remote["command"], "```", ""]
    lines.append(REMOTE_END)
    return "\n".join(lines) + "\n"


def write_results_md(path, head, remote_section):
    """results.md: `head` (None: keep the file's own head), then the hand-written sections the file
    already has, with the remote section replaced (None: kept as it is)."""
    old = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    # The hand-written part: from the first "## " heading (or the remote block) on.
    starts = [i for i in (old.find("\n## "), old.find(REMOTE_BEGIN)) if i >= 0]
    cut = min(starts) if starts else len(old)
    old_head, tail = old[:cut], old[cut:]
    if head is None:
        head = old_head if old_head.strip() else "# avio benchmark results\n"
    if remote_section is not None:
        if REMOTE_BEGIN in tail and REMOTE_END in tail:
            before, rest = tail.split(REMOTE_BEGIN, 1)
            _, after = rest.split(REMOTE_END, 1)
            tail = before + remote_section.rstrip("\n") + after
        else:
            tail = tail.rstrip("\n") + "\n\n" + remote_section
    with open(path, "w") as f:
        f.write(head.rstrip("\n") + "\n" + ("\n" + tail.lstrip("\n") if tail.strip() else ""))


def build(args):
    raw = args.raw
    desc = describe(raw, "describe_cpp.json")
    desc.update(describe(raw, "describe_c.json"))
    desc_cg = describe(raw, "describe_cpp_callgrind.json")
    desc_cg.update(describe(raw, "describe_c_callgrind.json"))
    times = timings(raw)

    # Checksums: every side of a workload must have read or written the same bytes.
    sums = {}
    for v in load_jsonl(os.path.join(raw, "verify.jsonl")):
        sums.setdefault(v["workload"], {})[v["side"]] = v["checksum"]
    ctx = {"raw": raw, "sums": sums, "desc_cg": desc_cg, "instr": callgrind_counts(raw), "calls": syscalls(raw)}

    rows = []
    for name, w in desc.items():
        sides = sorted({s for (wl, s) in times if wl == name})
        avio_side = next((s for s in sides if s in AVIO_SIDES), None)
        if avio_side is None or LAVF not in sides:
            continue
        per_op = {s: per_side(w, times[(name, s)]) for s in sides}
        variants = [s for s in w.get("variants", {}) if s in sides]
        rows += [make_row(ctx, name, w, s, per_op) for s in [avio_side] + variants]

    memory = []
    for m in load_jsonl(os.path.join(raw, "footprint.jsonl")):
        # An informational scenario (what an option costs) has no target.
        informational = m.get("informational", False)
        memory.append({**m, "ratio": m["lavf_bytes"] / m["avio_bytes"], "target": None if informational else 1.0,
                       "met": None if informational else m["avio_bytes"] <= m["lavf_bytes"]})

    return {
        "date": measured_at(raw),
        "mode": args.mode,
        "machine": machine(),
        "load_average_during_timing": load_averages(raw),
        "method": ("ratio = libavformat time / avio time, median CPU time of the repetitions, both sides in one "
                   "run; the C API sides in two processes run alternately. Instructions: valgrind --tool=callgrind "
                   "over one pass of each side on smaller data. System calls: strace over one pass."),
        "workloads": rows,
        "memory": memory,
        "traffic": traffic_rows(desc, times, timings(raw, "real_time"), counters(raw)),
        "remote": load_remote(raw),
    }


def load_text(loads):
    if not loads:
        return "unknown"
    return f"{min(loads):.1f}" if max(loads) - min(loads) < 0.05 else f"{min(loads):.1f} to {max(loads):.1f}"


def traffic_markdown(traffic):
    lines = ["", "What nginx saw in one pass of each http side (its access log; medians of the repetitions), "
             "with the wall-clock time beside the CPU time of the client thread (the table above compares CPU "
             "times; the server's work, and the client's waits for it, show only in the wall-clock time):", "",
             "| Workload | side | wall time per pass | CPU time per pass | requests | connections | bytes sent |",
             "|---|---|---|---|---|---|---|"]
    for t in traffic:
        side = t["side"] + (f" ({t['variant']})" if t["variant"] else "")
        lines.append(f"| {t['workload']} | {side} | {fmt_time(t['wall_ns_per_pass'])} | "
                     f"{fmt_time(t['cpu_ns_per_pass'])} | {t.get('requests', 0):.0f} | "
                     f"{t.get('connections', 0):.0f} | {t.get('bytes_sent', 0) / 1e6:.1f} MB |")
    return lines


def markdown(res):
    m = res["machine"]
    lines = [
        f"Measured {res['date']} ({res['mode']} run) on {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, "
        f"Linux {m['kernel']}, against the system libavformat {m['libavformat']} ({m['compiler']}). "
        f"1-minute load average as the timing programs started: {load_text(res['load_average_during_timing'])} "
        "(the machine is shared: times are noisy, instruction counts are not).",
        "",
        "Ratio = libavformat / avio (higher is better for avio). Time: the median CPU time per operation of "
        "the repetitions (the fastest are in results.json); spread: half the range of the repetitions, "
        "relative to their median, on the noisier side.",
        "",
        "| Workload | API | avio | libavformat | ratio | spread | target | met | instr/op avio | instr/op lavf | instr ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in res["workloads"]:
        a, l = r["avio"], r["libavformat"]
        ins = r.get("instructions")
        extra = ""
        if "memcpy" in r:
            extra = f"; memcpy {fmt_rate(r['memcpy']['bytes_per_second'])}" + (
                ", within 10%" if r["within_10pct_of_memcpy"] else ", **not** within 10%")
            extra += f"; ceiling for a one-copy reader, libavformat / memcpy: {r['ceiling_ratio']:.2f}×"
        if "syscalls" in r:
            sc = r["syscalls"]
            extra += f"; system calls per operation {sc['avio'] / sc['ops_traced']:.3g} vs " \
                     f"{sc['libavformat'] / sc['ops_traced']:.3g}"
        if not r["checksums_agree"]:
            extra += "; **checksums differ**"
        if r["note"]:
            extra += f"; {r['note']}"
        spread = max(a["spread"], l["spread"])
        cells = [f"{r['description']}{extra}", r["api"],
                 f"{fmt_time(a['ns_per_op'])} ({fmt_rate(a['bytes_per_second'])})",
                 f"{fmt_time(l['ns_per_op'])} ({fmt_rate(l['bytes_per_second'])})",
                 f"**{r['ratio']:.2f}×**", f"±{100 * spread:.0f}%", f"≥ {r['target']:g}×",
                 "yes" if r["met"] else "**no**"]
        cells += ([f"{ins['avio_per_op']:.1f}", f"{ins['libavformat_per_op']:.1f}", f"{ins['ratio']:.2f}×"]
                  if ins else ["", "", ""])
        lines.append("| " + " | ".join(cells) + " |")
    if res["memory"]:
        lines += ["", "Peak memory of one context (heap at its highest while opened, read or written, sought; avio "
                  "includes its IOContext object):", "",
                  "| Context | avio bytes (heap + IOContext) | libavformat bytes | lavf / avio | target | met |",
                  "|---|---|---|---|---|---|"]
        for m in res["memory"]:
            parts = (f" ({m['avio_heap_bytes']} + {m['avio_object_bytes']})" if "avio_heap_bytes" in m else "")
            target, met = ("—", "—") if m["met"] is None else ("≤ libavformat", "yes" if m["met"] else "**no**")
            lines.append(f"| {m['description']} | {m['avio_bytes']}{parts} | {m['lavf_bytes']} | {m['ratio']:.3f} "
                         f"| {target} | {met} |")
    if res.get("traffic"):
        lines += traffic_markdown(res["traffic"])
    sys_rows = [r for r in res["workloads"] if "syscalls" in r]
    if sys_rows:
        lines += ["", "System calls in one pass (strace):", "",
                  "| Workload | operations | avio | libavformat |", "|---|---|---|---|"]
        for r in sys_rows:
            def detail(d):
                return ", ".join(f"{k} {v}" for k, v in sorted(d.items(), key=lambda kv: -kv[1]))
            sc = r["syscalls"]
            lines.append(f"| {r['workload']} | {sc['ops_traced']} | {sc['avio']} ({detail(sc['avio_by_call'])}) "
                         f"| {sc['libavformat']} ({detail(sc['libavformat_by_call'])}) |")
    targeted = [m for m in res["memory"] if m["met"] is not None]
    met = sum(r["met"] for r in res["workloads"]) + sum(m["met"] for m in targeted)
    total = len(res["workloads"]) + len(targeted)
    lines += ["", f"Targets met: {met} of {total}."]
    return "\n".join(lines) + "\n"


def remote_ratios(res):
    """The remote targets that are time ratios (for the chart)."""
    remote = res.get("remote") or {}
    return [t for sc in remote.get("scenarios", []) for run in sc["runs"] for t in run["targets"]
            if t.get("label") and t.get("ratio") is not None and t.get("ratio") > 0]


def chart(res, out_dir):
    rows = res["workloads"]
    data = os.path.join(out_dir, ".ratios.dat")
    with open(data, "w") as f:
        f.write("# workload time_ratio instr_ratio target\n")
        for r in rows:
            ins = r.get("instructions", {}).get("ratio") or "NaN"
            label = r["workload"].replace("/avio_", "+")  # a variant: http_seek_4k+rs64k
            f.write(f"\"{label}\" {r['ratio']:.4f} {ins} {r['target']}\n")
        for m in res["memory"]:  # bytes, libavformat / avio, drawn with the time ratios
            if m["target"] is None:
                continue
            label = "mem_" + m["scenario"].replace("memory_callback_reader", "callback")
            f.write(f"\"{label}\" {m['ratio']:.4f} NaN {m['target']}\n")
        for t in remote_ratios(res):  # wall-time ratios of the remote workloads (peer / avio)
            f.write(f"\"remote_{t['label']}\" {t['ratio']:.4f} NaN {t['ratio_target']}\n")
    remote = remote_ratios(res)
    ratios = [r["ratio"] for r in rows] + [t["ratio"] for t in remote]
    ymin = 0.25
    # The remote rows widen the chart, and their labels are longer.
    width = 1300 + 20 * len(remote)
    bmargin, rmargin = (11, 18) if remote else (9, 8)
    title_extra = ("; remote_*: the peer's wall time / avio's, through the shaping proxy"
                   + (f" ({res['remote']['date']})" if res["remote"].get("date") else "")) if remote else ""
    while ratios and ymin > min(ratios) / 1.2 and ymin > 1 / 64:
        ymin /= 2
    svg = os.path.join(out_dir, "ratios.svg")
    # gnuplot fails on a column with no valid point (a run without callgrind)
    counted = any(r.get("instructions", {}).get("ratio") for r in rows)
    instr_plot = '     "" using 3 title "instruction ratio (callgrind)" lc rgb "#9ac1e6", \\\n' if counted else ""
    script = f"""
set terminal svg size {width},600 dynamic font "sans,12" background rgb "white"
set termoption noenhanced
set output "{svg}"
set title "avio vs libavformat {res['machine']['libavformat']}: ratio = libavformat / avio (higher is better), {res['date']}{title_extra}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 2
set yrange [{ymin}:*]
set ylabel "ratio (log scale)"
set grid ytics
set xtics rotate by -40 scale 0 font ",11"
set key top right
set rmargin {rmargin}
set bmargin {bmargin}
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#444444"
plot "{data}" using 2:xtic(1) title "time ratio (memory: bytes)" lc rgb "#2b6cb0", \\
{instr_plot}     "" using ($0):4 with points pt 9 ps 1.4 lc rgb "#c53030" title "target"
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    preview = os.environ.get("AVIO_BENCH_PNG")  # a PNG copy, to look at the chart without a browser
    if preview:
        png = script.replace(f'set terminal svg size {width},600 dynamic font "sans,12" background rgb "white"',
                             f'set terminal pngcairo size {width},600 font "sans,10" background rgb "white"')
        subprocess.run(["gnuplot"], input=png.replace(f'set output "{svg}"', f'set output "{preview}"'),
                       text=True, check=True)
    os.remove(data)
    return svg


def update_readme(path, table):
    with open(path) as f:
        text = f.read()
    begin, end = "<!-- results:begin -->", "<!-- results:end -->"
    if begin not in text or end not in text:
        print(f"report.py: no results markers in {path}; not updated", file=sys.stderr)
        return
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + table + "\n![ratios](ratios.svg)\n" + end + tail)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--raw", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--mode", default="full")
    p.add_argument("--readme")
    p.add_argument("--remote-only", action="store_true",
                   help="--raw holds only the remote workloads: update their part of --out")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results_md = os.path.join(args.out, "results.md")
    if args.remote_only:
        res = load_json(os.path.join(args.out, "results.json")) or {
            "date": "", "mode": args.mode, "machine": machine(), "workloads": [], "memory": []}
        res["remote"] = load_remote(args.raw)
        if not res["remote"]:
            print(f"report.py: no remote_*.json in {args.raw}", file=sys.stderr)
            return 1
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump(res, f, indent=2)
            f.write("\n")
        section = remote_markdown(res["remote"], res.get("machine") or machine())
        write_results_md(results_md, None, section)
        chart(res, args.out)
        sys.stdout.write(section)
        return 0
    res = build(args)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(res, f, indent=2)
        f.write("\n")
    table = markdown(res)
    section = remote_markdown(res["remote"], res["machine"]) if res.get("remote") else None
    write_results_md(results_md, "# avio benchmark results\n\n" + table + "\n![ratios](ratios.svg)\n", section)
    chart(res, args.out)
    if args.readme:
        update_readme(args.readme, table)
    sys.stdout.write(table)
    bad = [r["workload"] for r in res["workloads"] if not r["checksums_agree"]]
    if bad:
        print(f"report.py: the sides disagree on {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
