"""Portability check: run extract_events through Beam's portable job service with an external worker pool.

Both services run on 127.0.0.1 (started and stopped by this script); the job is submitted with
``--runner=PortableRunner --environment_type=EXTERNAL`` — the same Fn API protocol Dataflow/Flink workers speak.

    python benchmarks/portable_check.py [--input 'seeds/*'] [--output out-portable]

Prints the run's counters and the number of event records found in the output; exits non-zero on failure.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=str(ROOT / "seeds" / "*"))
    parser.add_argument("--output", default=None, help="Output folder (default: a temporary folder)")
    args = parser.parse_args(argv)
    output = args.output or tempfile.mkdtemp(prefix="demarche-portable-")
    job_port, worker_port = free_port(), free_port()
    env = dict(os.environ, PATH=f"{pathlib.Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    services = [
        subprocess.Popen([sys.executable, "-m", "apache_beam.runners.portability.local_job_service_main",
                          "--port", str(job_port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main",
                          "--service_port", str(worker_port)], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL),
    ]
    try:
        wait_for_port(job_port)
        wait_for_port(worker_port)
        from pipelines import extract_events

        start = time.perf_counter()
        summary = extract_events.run([
            f"--input={args.input}", f"--output={output}", "--runner=PortableRunner",
            f"--job_endpoint=localhost:{job_port}", "--environment_type=EXTERNAL",
            f"--environment_config=localhost:{worker_port}",
        ])
        seconds = time.perf_counter() - start
        events = glob.glob(f"{output}/avro/events/dt=*/*.avro")
        print(json.dumps({"seconds": round(seconds, 1), "counters": summary, "event_files": len(events),
                          "output": output}, indent=2))
        return 0 if events else 1
    finally:
        for service in services:
            service.terminate()
        for service in services:
            try:
                service.wait(timeout=10)
            except subprocess.TimeoutExpired:
                service.kill()
        if args.output is None:
            shutil.rmtree(output, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
