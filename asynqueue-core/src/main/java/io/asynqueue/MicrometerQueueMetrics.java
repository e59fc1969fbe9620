package io.asynqueue;

import io.asynqueue.spi.Worker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The queue's metrics in a Micrometer registry. Per queue (tag {@code queue}): the calls queued; per worker kind
 * (tag {@code kind}, {@link io.asynqueue.spi.Worker#kind()}): the calls running, the workers, the wait and run
 * times (timers with percentile histograms), the calls by outcome, the retries, and the workers attached, lost
 * and restarted; per process worker (tag {@code worker}) its child's memory and CPU time, read when the registry
 * is scraped. A call that ended before any worker took it is tagged {@code kind=none}.
 *
 * <p>The meters of a kind are looked up once per worker and kept on its slot ({@link WorkerSlot#meters}), so a
 * call costs three clock reads, two timer samples and a counter increment, and no map lookup unless the calls
 * are tagged by series. Gauges are computed when read, from the dispatcher's counts and the slots.
 */
final class MicrometerQueueMetrics extends QueueMetrics {

  /** At most this many series are tagged per kind; the rest are tagged {@code other}. */
  static final int MAX_SERIES = 1000;

  private final MeterRegistry registry;
  private final String queue;
  private final boolean bySeries;
  private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Map<WorkerSlot, List<Meter>> workerMeters = new ConcurrentHashMap<>();

  MicrometerQueueMetrics(Dispatcher dispatcher, TaskQueueOptions options, String queue) {
    this.registry = options.getMeterRegistry();
    this.queue = queue;
    this.bySeries = options.isSeriesTag();
    meters.add(Gauge.builder("asynqueue.queued", dispatcher, d -> d.queued).tag("queue", queue)
        .description("Calls waiting for a worker").register(registry));
  }

  // ---------------------------------------------------------------- calls

  @Override
  void queued(JobImpl job) {
    job.queuedAt = System.nanoTime();
  }

  @Override
  void started(JobImpl job) {
    long now = System.nanoTime();
    job.startedAt = now;
    if (job.queuedAt != 0) {
      calls(job).wait.record(now - job.queuedAt, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  void settled(JobImpl job, Throwable failure, boolean retry) {
    if (job.update) {
      return;
    }
    Calls c = calls(job);
    if (job.startedAt != 0) {
      c.run.record(System.nanoTime() - job.startedAt, TimeUnit.NANOSECONDS);
    }
    if (retry) {
      c.retried.increment();
    } else {
      c.outcome(failure).increment();
    }
  }

  @Override
  void ended(JobImpl job, Throwable failure) {
    if (!job.update) {
      calls(job).outcome(failure).increment();
    }
  }

  private Calls calls(JobImpl job) {
    WorkerSlot w = job.worker;
    Kind k = w == null ? kind("none") : kind(w);
    return bySeries ? k.series(job.series) : k.all;
  }

  // ---------------------------------------------------------------- workers

  @Override
  void attached(WorkerSlot slot) {
    Kind k = kind(slot);
    k.slots.add(slot);
    k.attached.increment();
    if (slot.gone) { // detached meanwhile
      k.slots.remove(slot);
      return;
    }
    if (slot.worker.pid() >= 0) {
      Tags tags = Tags.of("queue", queue, "kind", k.name, "worker", Integer.toString(slot.id));
      Child w = new Child(slot.worker);
      workerMeters.put(slot, List.of(
          Gauge.builder("asynqueue.worker.memory", w, Child::residentBytes).tags(tags).baseUnit("bytes")
              .description("Resident memory of the worker's child process").register(registry),
          TimeGauge.builder("asynqueue.worker.cpu", w, TimeUnit.NANOSECONDS, Child::cpuNanos).tags(tags)
              .description("CPU time of the worker's child process").register(registry)));
    }
  }

  @Override
  void lost(WorkerSlot slot) {
    kind(slot).lost.increment();
  }

  @Override
  void restarted(WorkerSlot slot) {
    kind(slot).restarted.increment();
  }

  @Override
  void handshakeRefused(WorkerSlot slot) {
    kind(slot).refused.increment();
  }

  @Override
  void detached(WorkerSlot slot) {
    kind(slot).slots.remove(slot);
    List<Meter> gone = workerMeters.remove(slot);
    if (gone != null) {
      gone.forEach(registry::remove);
    }
  }

  @Override
  void close() {
    meters.forEach(registry::remove);
    workerMeters.values().forEach(l -> l.forEach(registry::remove));
    workerMeters.clear();
  }

  /** The meters of a worker's kind, looked up once and kept on its slot. */
  private Kind kind(WorkerSlot slot) {
    Object m = slot.meters;
    if (m == null) {
      m = kind(slot.worker.kind());
      slot.meters = m;
    }
    return (Kind) m;
  }

  private Kind kind(String name) {
    Kind k = kinds.get(name);
    return k != null ? k : kinds.computeIfAbsent(name, Kind::new);
  }

  private <M extends Meter> M keep(M meter) {
    meters.add(meter);
    return meter;
  }

  /** The meters of one kind of worker. */
  private final class Kind {
    final String name;
    final Set<WorkerSlot> slots = ConcurrentHashMap.newKeySet();
    final Counter attached;
    final Counter lost;
    final Counter restarted;
    final Counter refused;
    final Calls all;
    final Map<String, Calls> series = new ConcurrentHashMap<>();
    final Calls other;

    Kind(String name) {
      this.name = name;
      Tags tags = Tags.of("queue", queue, "kind", name);
      keep(Gauge.builder("asynqueue.running", slots, Kind::running).tags(tags)
          .description("Calls running on the workers").register(registry));
      keep(Gauge.builder("asynqueue.workers", slots, Set::size).tags(tags)
          .description("Workers attached and taking calls").register(registry));
      attached = keep(Counter.builder("asynqueue.workers.attached").tags(tags)
          .description("Workers attached").register(registry));
      lost = keep(Counter.builder("asynqueue.workers.lost").tags(tags)
          .description("Workers that resigned (a connection that would not come back, a child that kept dying)")
          .register(registry));
      restarted = keep(Counter.builder("asynqueue.workers.restarted").tags(tags)
          .description("Workers that started over: a process worker's new child, a remote worker's reconnection")
          .register(registry));
      refused = keep(Counter.builder("asynqueue.workers.refused").tags(tags)
          .description("Handshakes a remote or cluster worker's server refused (a wrong secret, another protocol)")
          .register(registry));
      all = bySeries ? null : new Calls(tags);
      other = bySeries ? new Calls(tags.and("series", "other")) : null;
    }

    Calls series(String s) {
      String key = s == null ? "default" : s;
      Calls c = series.get(key);
      if (c != null) {
        return c;
      }
      if (series.size() >= MAX_SERIES) {
        return other;
      }
      return series.computeIfAbsent(key, n -> new Calls(Tags.of("queue", queue, "kind", name, "series", n)));
    }

    static double running(Set<WorkerSlot> slots) {
      int n = 0;
      for (WorkerSlot w : slots) {
        n += w.capacity - w.free; // read without the lock: a gauge may be a moment old
      }
      return n;
    }
  }

  /** The call meters of a kind (and series, when tagged). */
  private final class Calls {
    final Timer wait;
    final Timer run;
    final Counter completed;
    final Counter failed;
    final Counter timedOut;
    final Counter cancelled;
    final Counter retried;

    Calls(Tags tags) {
      wait = keep(Timer.builder("asynqueue.calls.wait").tags(tags).publishPercentileHistogram()
          .description("Time from a call to the start of its run").register(registry));
      run = keep(Timer.builder("asynqueue.calls.run").tags(tags).publishPercentileHistogram()
          .description("Time an attempt ran on its worker").register(registry));
      completed = outcome(tags, "completed");
      failed = outcome(tags, "failed");
      timedOut = outcome(tags, "timedout");
      cancelled = outcome(tags, "cancelled");
      retried = keep(Counter.builder("asynqueue.calls.retried").tags(tags)
          .description("Attempts that timed out or lost their worker, and were tried again").register(registry));
    }

    private Counter outcome(Tags tags, String outcome) {
      return keep(Counter.builder("asynqueue.calls").tags(tags).tag("outcome", outcome)
          .description("Calls ended, by outcome").register(registry));
    }

    Counter outcome(Throwable failure) {
      if (failure == null) {
        return completed;
      }
      if (failure instanceof TaskTimeoutException) {
        return timedOut;
      }
      if (failure instanceof QueueShutdownException || failure instanceof TaskCancelledException) {
        return cancelled;
      }
      return failed;
    }
  }

  /** A process worker's child, read when the registry is scraped. */
  private static final class Child {
    private final Worker worker;

    Child(Worker worker) {
      this.worker = worker;
    }

    double cpuNanos() {
      long pid = worker.pid();
      return pid < 0 ? Double.NaN : ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration())
          .map(d -> (double) d.toNanos()).orElse(Double.NaN);
    }

    /** VmRSS from /proc (Linux); NaN elsewhere. */
    double residentBytes() {
      long pid = worker.pid();
      if (pid < 0) {
        return Double.NaN;
      }
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024.0;
          }
        }
      } catch (IOException | RuntimeException e) {
        return Double.NaN;
      }
      return Double.NaN;
    }
  }
}
