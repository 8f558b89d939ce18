"""Run the web server, a Celery worker and Celery beat in one terminal; Ctrl-C stops all three."""

import os
import signal
import subprocess
import sys
import time

PY = sys.executable
CELERY = [PY, "-m", "celery", "-A", "tracker"]
PROCESSES = {
    "web": [PY, "manage.py", "runserver", os.environ.get("RUN_ADDR", "127.0.0.1:8000")],
    "worker": CELERY + ["worker", "--loglevel=INFO", "--concurrency=2"],
    "beat": CELERY + ["beat", "--loglevel=INFO"],
}


def main() -> int:
    children = {name: subprocess.Popen(cmd) for name, cmd in PROCESSES.items()}

    def stop(*_):
        for proc in children.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for proc in children.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        while True:
            for name, proc in children.items():
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping the others.", file=sys.stderr)
                    stop()
                    return proc.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        stop()
        return 0


if __name__ == "__main__":
    sys.exit(main())
