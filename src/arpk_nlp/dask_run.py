"""`--dask`: the archive job on a Dask cluster (a `LocalCluster` here, or `--scheduler` for one
that runs elsewhere).

Each worker loads the model once, through a worker plugin registered before the first task;
a task is one batch of (id, source, text) and returns its records. The client keeps reading the
shards and writing the store (DuckDB has one writer), with a bounded number of batches in flight.
A task that fails (an exception, or its worker dying) is retried `retries` times on any worker
before the job reports its batch as failed and goes on.

The workers need this package and the model: on a LocalCluster they have both; on a remote
cluster install `arpk-nlp[archive]` and the model package (or put the model folder at the same
path) in the worker image (docs/archive.md).
"""
from __future__ import annotations

import os

from distributed import WorkerPlugin  # this module is imported only for --dask

from .archive_job import RunnerFailed, _outcome, annotate_payload

PLUGIN_NAME = "arpk-nlp-model"

# Worker settings for a CPU-bound pure-Python task. Measured on 3,000 archive articles with 2 local
# workers (docs/archive.md, "Benchmark"): Dask's defaults took 9,558 words/s; without the
# statistical profiler (it walks every thread's stack every 10 ms, and spaCy's stacks are deep)
# and with the event-loop tick and the memory and system monitors woken less often (each wake-up
# takes the GIL from the annotating thread) the same run took 12,341-13,307 words/s. Nothing here
# changes what is computed. A remote cluster's workers read their own config: set the same keys
# there (DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False, ...; docs/archive.md).
WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}


class ModelPlugin(WorkerPlugin):
    """Loads the spaCy pipeline once per worker process, at worker start (or on registration for
    workers already running)."""

    name = PLUGIN_NAME

    def __init__(self, model: str):
        self.model = model
        self.nlp = None

    def setup(self, worker):
        import spacy

        self.nlp = spacy.load(self.model)

    def __getstate__(self):  # the loaded pipeline stays on its worker
        return {"model": self.model, "nlp": None}


def annotate_on_worker(payload):
    """The task: one batch with the worker's own pipeline."""
    from distributed import get_worker

    plugin = get_worker().plugins[PLUGIN_NAME]
    return annotate_payload(plugin.nlp, payload)


class DaskRunner:
    """Batches as Dask tasks; `wait` hands back whichever finish first."""

    def __init__(self, model: str, scheduler: str | None = None, workers: int | None = None, retries: int = 2,
                 memory_limit: str = "auto"):
        import dask
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
        else:
            n = workers or os.cpu_count() or 1
            # one thread per process: spaCy's CPU work holds the GIL, so threads would not add speed
            with dask.config.set(WORKER_CONFIG):  # the nannies hand this config to the worker processes
                self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                            memory_limit=memory_limit, silence_logs=40)
            self.client = Client(self.cluster)
        self.client.register_plugin(ModelPlugin(str(model)), name=PLUGIN_NAME)
        self.retries = retries
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.slots = 2 * self.workers  # one batch running and one queued per worker thread

    def submit(self, payload):
        return self.client.submit(annotate_on_worker, payload, retries=self.retries, pure=False)

    def wait(self, handles):
        from distributed import wait

        try:
            done, _ = wait(handles, return_when="FIRST_COMPLETED")
        except (OSError, TimeoutError) as err:  # CommClosedError is an OSError: the scheduler is gone
            raise RunnerFailed(f"lost the Dask scheduler ({type(err).__name__}); rerun to resume") from None
        return [(h, *_outcome(h)) for h in done]

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def describe(self) -> str:
        where = "local cluster" if self.cluster is not None else f"cluster at {self.client.scheduler.address}"
        return f"Dask {where}, {self.workers} worker threads"
