"""pylite soak: runs one language's soak program and watches its memory.

Samples the process's resident set (VmRSS) at intervals, prints the series,
and fails if memory grows: after a warm-up (the first 30% of the run:
allocator pools, caches, JIT), the peak of the last half of the samples may
exceed the peak of the first half by at most BOUND_MB.

Usage: monitor.py NAME SECONDS BOUND_MB -- COMMAND...
"""
import subprocess
import sys
import tempfile
import time


def rss_mb(pid):
  try:
    with open(f"/proc/{pid}/status") as f:
      for line in f:
        if line.startswith("VmRSS:"):
          return int(line.split()[1]) / 1024.0
  except OSError:
    pass
  return None


def main():
  name, seconds, bound = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
  command = sys.argv[sys.argv.index("--") + 1:]
  interval = max(0.5, seconds / 40)
  start = time.monotonic()
  # stderr (error reports of the suite's negative cases) goes to a file,
  # shown only on failure.
  err = tempfile.TemporaryFile(mode="w+")
  proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err,
                          text=True)
  samples = []  # (seconds since start, MB)
  while proc.poll() is None:
    time.sleep(interval)
    mb = rss_mb(proc.pid)
    if mb is not None and proc.poll() is None:
      samples.append((time.monotonic() - start, mb))
  out = proc.stdout.read().strip()
  if proc.returncode != 0:
    err.seek(0)
    tail = "\n".join(err.read().splitlines()[-20:])
    print(f"{name}: FAILED, exit {proc.returncode}\n{out}\n{tail}")
    return 1
  series = " ".join(f"{mb:.1f}" for _, mb in samples[::max(1, len(samples) // 12)])
  print(f"{name}: RSS MB over {seconds:.0f} s: {series}")
  steady = [mb for t, mb in samples if t >= 0.3 * seconds]
  if len(steady) < 4:
    print(f"{name}: FAILED, too few samples ({len(samples)})")
    return 1
  half = len(steady) // 2
  first, last = max(steady[:half]), max(steady[half:])
  growth = last - first
  verdict = "flat" if growth <= bound else "GROWING"
  print(f"{name}: {out}; steady-state peak {first:.1f} -> {last:.1f} MB "
        f"({growth:+.1f} MB, bound {bound:.0f}): {verdict}")
  return 0 if growth <= bound else 1


if __name__ == "__main__":
  sys.exit(main())
