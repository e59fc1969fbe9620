package io.asynqueue.internal.channel;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.Task;
import io.asynqueue.WorkerLostException;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import io.asynqueue.internal.codec.Wire;
import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The one implementation of a worker that talks frames over a channel to a runner: the process worker (a
 * child JVM over pipes) and the remote worker (a server over TCP) are this, with their own Transport.
 *
 * States: NEW, OPENING (the first channel), READY, REOPENING (the channel was lost; paused in the queue
 * while a new one opens, after a back-off), STOPPING, and STOPPED or CRASHED at the end.
 *
 *   NEW --start--> OPENING --opened--> READY --lost--> REOPENING --opened--> READY ...
 *   READY, REOPENING --stop--> STOPPING --idle--> (channel finished) --> STOPPED
 *   any --crash--> CRASHED;   REOPENING --too many failures in a row--> resigns from the queue
 *
 * Jobs handed over while no channel is ready (rare: the worker pauses as soon as its channel is lost) wait in
 * `unsent` and go out on the next channel, after the queue has replayed its updates there (restarted()).
 * A failure in a row is a channel that failed to open or ended before a call completed on it; a completed
 * call resets the count.
 *
 * Concurrency: `lock` guards the state, the current connection, the unsent jobs and the timer; calls are
 * encoded and sent outside it (Connection); jobs are settled outside it. Lock order: this worker's lock,
 * then the queue's (pause, resume), never the other way.
 */
public final class ChannelWorker implements Worker {

  private enum State { NEW, OPENING, READY, REOPENING, STOPPING, STOPPED, CRASHED }

  /** A stateless task sent once per channel (a DEFINE frame), then named by its ref. */
  record TaskDef(int ref, byte[] frame) {
  }

  /**
   * The figures a runner reports.
   *
   * @param heapUsed its heap in use, in bytes
   * @param heapMax its largest heap
   * @param cpus the processors it sees
   * @param callsDone the calls it ran
   */
  public record RunnerStats(long heapUsed, long heapMax, int cpus, long callsDone) {
  }

  final ChannelOptions options;
  private final Transport transport;
  private final Logger log;
  private final Object lock = new Object();
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentHashMap<Class<?>, TaskDef> taskDefs = new ConcurrentHashMap<>();
  private final AtomicInteger taskRefs = new AtomicInteger();
  private final AtomicInteger opens = new AtomicInteger();
  private final AtomicInteger restarts = new AtomicInteger();
  private volatile State state = State.NEW;
  private volatile WorkerSupervisor supervisor;
  private volatile int capacity;
  private volatile Hello hello;
  // @protectedby lock
  private Connection connection;
  private final ArrayDeque<Job> unsent = new ArrayDeque<>();
  private boolean replaying;
  private boolean finishing;
  private int failures;
  private long reopenTimer = -1;
  private Promise<Void> startPromise;
  private Promise<Void> stopPromise;

  /**
   * @param transport how channels are opened
   * @param options what the worker's kind needs
   * @param log where it logs
   */
  public ChannelWorker(Transport transport, ChannelOptions options, Logger log) {
    this.transport = transport;
    this.options = options;
    this.log = log != null ? log : LoggerFactory.getLogger(ChannelWorker.class);
  }

  // ---------------------------------------------------------------- Worker

  @Override
  public Set<String> series() {
    return options.series;
  }

  @Override
  public int capacity() {
    return Math.max(1, capacity);
  }

  @Override
  public Future<Void> start(WorkerSupervisor supervisor) {
    synchronized (lock) {
      if (state != State.NEW) {
        return Future.failedFuture(new IllegalStateException("already started"));
      }
      this.supervisor = supervisor;
      state = State.OPENING;
      startPromise = Promise.promise();
    }
    open();
    return startPromise.future();
  }

  @Override
  public void run(Job job) {
    if (job.isDone()) {
      return;
    }
    Connection c;
    synchronized (lock) {
      c = connection;
      if (state == State.NEW || state == State.STOPPED || state == State.CRASHED) {
        c = null;
      } else if (c == null || replaying && !job.isUpdate()) {
        park(job);
        return;
      }
    }
    if (c == null) {
      job.fail(new WorkerLostException(label() + " is stopped: " + job.describe()));
    } else if (!c.submit(job)) {
      boolean parked;
      synchronized (lock) {
        parked = state != State.STOPPED && state != State.CRASHED && park(job);
      }
      if (!parked) {
        job.fail(new WorkerLostException(label() + " lost its channel before it could send " + job.describe()));
      }
    }
  }

  // with the lock held: keeps a job for the next channel, urgent ones first
  private boolean park(Job job) {
    if (job.isUrgent()) {
      unsent.addFirst(job);
    } else {
      unsent.addLast(job);
    }
    return true;
  }

  @Override
  public void cancel(Job job) {
    Connection c;
    synchronized (lock) {
      if (unsent.remove(job)) {
        return;
      }
      c = connection;
    }
    if (c != null) {
      c.cancel(job);
    }
  }

  @Override
  public Future<Void> stop() {
    synchronized (lock) {
      switch (state) {
        case NEW -> {
          state = State.STOPPED;
          return Future.succeededFuture();
        }
        case STOPPED, CRASHED -> {
          return Future.succeededFuture();
        }
        case STOPPING -> {
          return stopPromise.future();
        }
        default -> {
          state = State.STOPPING;
          stopPromise = Promise.promise();
        }
      }
    }
    maybeFinishStop();
    return stopPromise.future();
  }

  @Override
  public List<Job> crash() {
    List<Job> held;
    Connection c;
    Promise<Void> start;
    Promise<Void> stopped;
    synchronized (lock) {
      state = State.CRASHED;
      cancelReopen();
      held = new ArrayList<>(unsent);
      unsent.clear();
      c = connection;
      connection = null;
      start = startPromise;
      stopped = stopPromise;
    }
    if (c != null) {
      held.addAll(c.heldJobs());
      c.kill("was crashed");
    }
    if (start != null) {
      start.tryFail(new WorkerLostException(label() + " was crashed while starting"));
    }
    if (stopped != null) {
      stopped.tryComplete();
    }
    return held;
  }

  // ---------------------------------------------------------------- extras

  /** @return the worker's ID in its queue, 0 before it started */
  public int workerId() {
    WorkerSupervisor s = supervisor;
    return s == null ? 0 : s.workerId();
  }

  /** @return the name of the worker's queue, {@code "queue"} before it started */
  public String queueName() {
    WorkerSupervisor s = supervisor;
    return s == null ? "queue" : s.queueName();
  }

  /** @return how the worker is called in logs, as {@code process worker 3 of q1} */
  public String label() {
    WorkerSupervisor s = supervisor;
    return s == null ? options.label + " (not attached)" : options.label + " " + s.workerId() + " of " + s.queueName();
  }

  /** @return what the runner of the latest channel said, or {@code null} before the first */
  public Hello hello() {
    return hello;
  }

  /** @return whether a channel is open and ready */
  public boolean isConnected() {
    synchronized (lock) {
      return connection != null;
    }
  }

  /** @return how many times the channel was opened again after a loss */
  public int restarts() {
    return restarts.get();
  }

  /**
   * @return a Future of the runner's figures (answered even while it runs calls); failed if no channel is
   *     ready
   */
  public Future<RunnerStats> stats() {
    Connection c;
    synchronized (lock) {
      c = connection;
    }
    if (c == null) {
      return Future.failedFuture(new WorkerLostException(label() + " has no channel open"));
    }
    return c.stats().map(s -> new RunnerStats(s.heapUsed(), s.heapMax(), s.cpus(), s.callsDone()));
  }

  // ---------------------------------------------------------------- opening

  private void open() {
    Connection c = new Connection(this);
    Future<Channel> opening;
    try {
      opening = transport.open(opens.incrementAndGet(), c);
    } catch (RuntimeException e) {
      opening = Future.failedFuture(e);
    }
    opening.onComplete(ar -> {
      if (ar.succeeded()) {
        opened(c, ar.result());
      } else {
        openFailed(ar.cause());
      }
    });
  }

  private void opened(Connection c, Channel channel) {
    c.opened(channel);
    boolean first;
    synchronized (lock) {
      reopenTimer = -1;
      boolean wanted = state == State.OPENING || state == State.REOPENING
          || state == State.STOPPING && !unsent.isEmpty();
      if (!wanted) {
        c.kill("is not needed: its worker stopped");
        return;
      }
      first = state == State.OPENING;
      connection = c;
      hello = channel.hello();
      if (first) {
        capacity = Math.max(1, options.capacity.applyAsInt(hello.maxInFlight()));
        state = State.READY;
      } else {
        if (state == State.REOPENING) {
          state = State.READY;
        }
        replaying = true;
      }
    }
    if (first) {
      startPromise.tryComplete();
      return;
    }
    log.info("{}: {} is ready again", label(), c.label);
    // The queue replays its updates on the new channel, then resumes this worker; jobs kept meanwhile follow.
    supervisor.restarted().onComplete(ar -> {
      if (ar.failed()) {
        log.warn("{}: replaying the updates failed: {}", label(), ar.cause().toString());
      }
      sendUnsent(c);
    });
  }

  private void sendUnsent(Connection c) {
    List<Job> jobs;
    synchronized (lock) {
      if (connection != c) {
        return; // lost again: the next channel sends them
      }
      replaying = false;
      jobs = new ArrayList<>(unsent);
      unsent.clear();
    }
    for (Job job : jobs) {
      run(job);
    }
    maybeFinishStop();
  }

  private void openFailed(Throwable cause) {
    boolean giveUp;
    boolean initial;
    long delay = 0;
    List<Job> dropped = List.of();
    synchronized (lock) {
      reopenTimer = -1;
      if (state != State.OPENING && state != State.REOPENING && state != State.STOPPING) {
        return;
      }
      initial = state == State.OPENING;
      failures++;
      giveUp = failures >= options.maxFailures || cause instanceof Transport.PermanentFailure
          || initial && !options.retryFirstOpen || state == State.STOPPING && unsent.isEmpty();
      if (giveUp) {
        state = initial ? State.STOPPED : state;
        dropped = new ArrayList<>(unsent);
        unsent.clear();
      } else {
        delay = options.delayMillis(failures);
      }
    }
    Throwable reason = cause instanceof Transport.PermanentFailure p ? p.getCause() : cause;
    if (!giveUp) {
      log.debug("{}: opening failed ({}); again in {} ms", label(), reason.getMessage(), delay);
      reopenLater(delay);
    } else if (initial) {
      log.warn("{} could not start: {}", label(), reason.getMessage());
      startPromise.tryFail(reason instanceof WorkerLostException || cause instanceof Transport.PermanentFailure
          ? reason : new WorkerLostException(label() + " could not start: " + reason.getMessage(), reason));
    } else {
      giveUp(dropped, new WorkerLostException(label() + " could not open a channel again after " + failures
          + " failures in a row: " + reason.getMessage(), reason));
    }
  }

  private void giveUp(List<Job> dropped, WorkerLostException lost) {
    if (state == State.STOPPING) {
      synchronized (lock) {
        state = State.STOPPED;
      }
      stopPromise.tryComplete();
    } else {
      log.error("{}; giving up", lost.getMessage());
    }
    for (Job j : dropped) {
      j.fail(lost);
    }
    supervisor.resign(lost);
  }

  private void reopenLater(long delay) {
    if (delay <= 0) {
      open();
      return;
    }
    synchronized (lock) {
      if (state == State.STOPPED || state == State.CRASHED) {
        return;
      }
      reopenTimer = supervisor.vertx().setTimer(delay, t -> open());
    }
  }

  // with the lock held
  private void cancelReopen() {
    if (reopenTimer >= 0) {
      supervisor.vertx().cancelTimer(reopenTimer);
      reopenTimer = -1;
    }
  }

  // ---------------------------------------------------------------- from connections

  /** The channel of {@code c} ended (the reading thread); its calls are failed right after. */
  void lost(Connection c, String reason) {
    boolean reopen = false;
    boolean stopped = false;
    boolean resign = false;
    long delay = 0;
    List<Job> dropped = List.of();
    synchronized (lock) {
      if (connection != c) {
        return; // not the current channel: one killed on purpose, or never ready
      }
      connection = null;
      if (state == State.READY || state == State.STOPPING && !unsent.isEmpty()) {
        failures = c.completedACall ? 1 : failures + 1;
        if (failures >= options.maxFailures) {
          resign = true;
          dropped = new ArrayList<>(unsent);
          unsent.clear();
        } else {
          reopen = true;
          delay = options.delayMillis(failures);
          if (state == State.READY) {
            state = State.REOPENING;
          }
          restarts.incrementAndGet();
        }
      } else if (state == State.STOPPING) {
        state = State.STOPPED;
        stopped = true;
      }
    }
    if (reopen) {
      supervisor.pause(); // no new jobs until the new channel is ready and replayed
      log.warn("{}; opening a new channel{}", reason, delay > 0 ? " in " + delay + " ms" : "");
      reopenLater(delay);
    } else if (stopped) {
      stopPromise.tryComplete();
    } else if (resign) {
      giveUp(dropped, new WorkerLostException(reason + "; " + failures + " channels in a row ended before a "
          + "call completed on them"));
    }
  }

  /** A call was answered (or cancelled), or an iteration ended: a graceful stop may be waiting for it. */
  void oneLess() {
    if (state == State.STOPPING) {
      maybeFinishStop();
    }
  }

  private void maybeFinishStop() {
    Connection c;
    synchronized (lock) {
      if (state != State.STOPPING || finishing || !unsent.isEmpty() || replaying) {
        return;
      }
      c = connection;
      if (c != null && c.inFlight() > 0) {
        return;
      }
      finishing = true;
      if (c == null) {
        cancelReopen();
        state = State.STOPPED;
      }
    }
    if (c == null) {
      stopPromise.tryComplete();
      return;
    }
    c.channel().finish().onComplete(ar -> {
      synchronized (lock) {
        if (state == State.STOPPING) {
          state = State.STOPPED;
        }
        connection = null;
      }
      stopPromise.tryComplete();
    });
  }

  long nextId() {
    return ids.incrementAndGet();
  }

  /** The DEFINE of a stateless task, made the first time this worker sees its class. */
  TaskDef taskDef(Task<?> task, Kryo kryo) {
    TaskDef def = taskDefs.get(task.getClass());
    if (def != null) {
      return def;
    }
    return taskDefs.computeIfAbsent(task.getClass(), type -> {
      Output out = new Output(256, -1);
      int start = FrameWriter.beginFrame(out);
      int ref = taskRefs.incrementAndGet();
      out.writeByte(Wire.DEFINE);
      out.writeVarInt(ref, true);
      KryoCodec.writeObject(kryo, out, "task", task);
      FrameWriter.endFrame(out, start);
      return new TaskDef(ref, Arrays.copyOf(out.getBuffer(), out.position()));
    });
  }

  Logger log() {
    return log;
  }

  @Override
  public String toString() {
    return label();
  }
}
