"""The large-check worker process ends with its server, even when the server is killed.

A `shixian serve` killed with kill -9 (or crashing) cannot shut its worker pool down; the worker used to
stay forever, one more orphaned process per killed server (the test suite left dozens behind)."""

import signal
import subprocess
import sys

import psutil
from conftest import ROOT, wait_for_http
from webserver import free_port


def test_the_worker_ends_when_its_server_is_killed():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for_http(port)
        workers = psutil.Process(server.pid).children()
        assert workers, "the server starts its large-check worker before it answers"
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    gone, alive = psutil.wait_procs(workers, timeout=15)
    for process in alive:  # do not leave them behind even when the test fails
        process.kill()
    assert not alive, [p.pid for p in alive]
