"""Shortest job first written in Python through the policy interface only (no helper
of the view that encodes a built-in policy's choice)."""

import heapq

import hetsim

NO_SIZE = 2**64 - 1


class PythonSJF(hetsim.Policy):
    """Waiting jobs by (requested time, else fastest run time; then id), in integer
    ns; the head starts on the fastest class with its gang free (ties: file order)
    and blocks the queue until it fits."""

    name = "python-sjf"

    def __init__(self):
        self.heap = []

    def on_arrival(self, job, view):
        key = job.estimate_ns
        if key is None:
            times = [
                view.runtime_ns(c, job)
                for c in range(view.class_count)
                if view.can_run(c, job) and view.runtime_ns(c, job) is not None
            ]
            key = min(times) if times else NO_SIZE
        heapq.heappush(self.heap, (key, job.id, job))

    def decide(self, view):
        heap = self.heap
        while heap:
            job = heap[0][2]
            best = None
            for c in range(view.class_count):
                if view.can_run(c, job) and view.free_count(c) >= job.devices:
                    s = view.speed(c, job) or 0.0
                    if best is None or s > best[0]:
                        best = (s, c)
            if best is None:
                return
            view.assign(job, best[1])
            heapq.heappop(heap)
