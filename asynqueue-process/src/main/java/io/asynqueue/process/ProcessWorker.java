package io.asynqueue.process;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.stream.Deferator;
import io.asynqueue.WorkerLostException;
import io.asynqueue.CodecException;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import io.asynqueue.internal.codec.Wire;
import io.asynqueue.process.ChildConnection.CallPending;
import io.asynqueue.process.ChildConnection.FetchPending;
import io.asynqueue.process.ChildConnection.InfoPending;
import io.asynqueue.process.ChildConnection.Pending;
import io.asynqueue.process.ChildConnection.ReplayPending;
import io.asynqueue.spi.ElementSource;
import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Worker} that runs tasks in a child JVM, started from this JVM's own {@code java} binary and class
 * path, over its standard input and output.
 *
 * <p><b>Tasks.</b> Serializable lambdas, method references and task objects travel by Kryo, with their
 * arguments; so do results. A task or argument that cannot be serialized fails its call at once with a
 * {@link CodecException} naming the class; the child never sees it. A task that throws fails its call with a
 * {@link io.asynqueue.TaskException} carrying the child's exception class, message and stack trace. An iterator
 * a task returns stays in the child; the caller gets a {@link Deferator} that fetches batches of elements
 * (bounded by count and bytes) as its consumer asks for them.
 *
 * <p><b>Pipelining.</b> Up to {@linkplain ProcessQueueOptions#setMaxInFlight(int) maxInFlight} calls are in
 * flight to the child (this worker's {@linkplain #capacity() capacity}); the child runs them
 * {@linkplain ProcessQueueOptions#setConcurrency(int) concurrency} at a time. Calls made in one burst go to the
 * child in one write; replies are read by a dedicated thread per child as they arrive (no polling), and each
 * call's Future completes on its caller's context. A lambda or method reference that captures nothing is sent to
 * each child once and named by number afterwards.
 *
 * <p><b>Failure.</b> A child that dies (killed, {@code System.exit}, out of memory) fails exactly the calls it
 * held with {@link WorkerLostException} (the queue retries those that allow it), and a new child replaces it:
 * at once the first time, then after a delay that doubles while children keep dying without finishing a call.
 * It replays every non-ephemeral update before it takes calls. A call that times out kills and replaces its
 * child. A child exits by itself when this JVM dies, as its standard input closes.
 *
 * <p><b>Output.</b> A child's {@code System.out} and {@code System.err} are not the pipe: each line user code
 * prints goes to this JVM's log or standard error, labelled with the child (see {@link ChildOutput}).
 */
public final class ProcessWorker implements Worker {

  private static final Logger log = LoggerFactory.getLogger(ProcessWorker.class);
  private static final Logger childLog = LoggerFactory.getLogger("io.asynqueue.process.child");
  private static final int MAX_START_FAILURES = 5;
  /** Children that die one after another without finishing a call before the worker resigns. */
  private static final int MAX_DEATHS = 6;
  private static final int MAX_STATS = 1_000_000;

  private enum State { NEW, RUNNING, STOPPING, STOPPED, CRASHED }

  /** A call not sent yet: its child is starting. */
  private record Waiting(Job job, long id, byte[] frame, int taskRef) {
  }

  /** A stateless task sent once per child (a DEFINE frame), then named by its ref. */
  private record TaskDef(int ref, byte[] frame) {
  }

  /** A non-ephemeral update, kept to replay on a replacement child. */
  private record SavedUpdate(int flags, byte[] body, String describe, int taskRef) {
  }

  /** The encoding state of one calling thread. */
  private static final class Encoder {
    final Kryo kryo;
    Output out = new Output(4096, -1);

    Encoder(KryoCodec codec) {
      kryo = codec.newKryo();
    }
  }

  /** Makes the Deferator over an iterator held in a child; tests replace it to drive the source directly. */
  interface DeferatorFactory {
    Object make(Context context, ElementSource<Object> source, int window);
  }

  static volatile DeferatorFactory deferators = Deferator::fromSource;

  final ProcessQueueOptions options;
  final KryoCodec codec;
  private final ThreadLocal<Encoder> encoders;
  private final AtomicLong ids = new AtomicLong();
  private final java.util.concurrent.ConcurrentHashMap<Class<?>, TaskDef> taskDefs =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicInteger taskRefs = new AtomicInteger();
  private final AtomicInteger restarts = new AtomicInteger();
  private final Object lock = new Object();
  private volatile BiConsumer<String, String> lineListener;
  private volatile int workerId;
  private volatile WorkerSupervisor supervisor;
  private volatile State state = State.NEW;
  // @protectedby lock
  private ChildConnection child;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private final List<SavedUpdate> updates = new ArrayList<>();
  private int generation;
  private volatile int deaths;
  private int startFailures;
  /** Paused in the queue while a replacement child starts, so that calls wait there (see {@link #replace}). */
  private boolean paused;
  private long restartTimer = -1;
  private Promise<Void> startPromise;
  private Promise<Void> stopPromise;
  private int cpus;
  private final long[][] stats = new long[2][];
  private int statCount;

  /**
   * A worker with these options ({@link ProcessQueueOptions#getProcesses()} is ignored). Its child starts when
   * the worker is attached to a queue.
   *
   * @param options the options
   */
  public ProcessWorker(ProcessQueueOptions options) {
    this.options = new ProcessQueueOptions(options);
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    this.codec = KryoCodec.trusted(loader != null ? loader : ProcessWorker.class.getClassLoader());
    this.encoders = ThreadLocal.withInitial(() -> new Encoder(codec));
  }

  /** A worker with the default options. */
  public ProcessWorker() {
    this(new ProcessQueueOptions());
  }

  // ------------------------------------------------------------------ Worker

  @Override
  public int capacity() {
    return Math.max(options.getMaxInFlight(), options.getConcurrency());
  }

  @Override
  public Future<Void> start(WorkerSupervisor supervisor) {
    synchronized (lock) {
      if (state != State.NEW) {
        return Future.failedFuture(new IllegalStateException("already started"));
      }
      this.supervisor = supervisor;
      this.workerId = supervisor.workerId();
      state = State.RUNNING;
      startPromise = Promise.promise();
      startChild();
      return startPromise.future();
    }
  }

  @Override
  public void run(Job job) {
    if (job.isDone()) {
      return;
    }
    Encoder e = encoders.get();
    Output out = e.out;
    out.reset();
    long id = ids.incrementAndGet();
    int flags = flags(job);
    int start = FrameWriter.beginFrame(out);
    out.writeByte(Wire.CALL);
    out.writeVarLong(id, true);
    out.writeByte(flags);
    if ((flags & Wire.FLAG_ITERATOR) != 0) {
      out.writeVarInt(options.getPrefetch(), true);
      out.writeVarInt(options.getPrefetchBytes(), true);
    }
    int bodyStart = out.position();
    int taskRef = 0;
    try {
      if (Wire.isStatelessClosure(job.task())) {
        taskRef = taskDef(job.task(), e.kryo).ref();
      }
      Wire.writeCall(e.kryo, out, taskRef, job.task(), job.args());
    } catch (CodecException ex) {
      job.fail(new CodecException("cannot send " + job.describe() + " to a child process: " + ex.getMessage(), ex));
      return;
    } catch (RuntimeException ex) { // the frame grew past what an array can hold
      job.fail(new CodecException("cannot send " + job.describe() + " to a child process: " + ex, ex));
      return;
    }
    int length = FrameWriter.endFrame(out, start);
    if (length > options.getMaxFrameBytes()) {
      shrink(e);
      job.fail(new CodecException("cannot send " + job.describe() + " to a child process: the call takes " + length
          + " bytes, more than maxFrameBytes " + options.getMaxFrameBytes()));
      return;
    }
    ChildConnection c;
    synchronized (lock) {
      if (job.isUpdate() && !job.isEphemeral()) {
        updates.add(new SavedUpdate(flags & ~Wire.FLAG_URGENT, Arrays.copyOfRange(out.getBuffer(), bodyStart,
            out.position()), job.describe(), taskRef));
      }
      if (state == State.STOPPED || state == State.CRASHED || state == State.NEW) {
        job.fail(new WorkerLostException("process worker " + workerId + " is stopped: " + job.describe()));
        return;
      }
      c = child;
      if (c == null || !c.ready) {
        Waiting w = new Waiting(job, id, Arrays.copyOfRange(out.getBuffer(), start, start + length), taskRef);
        if (job.isUrgent()) {
          waiting.addFirst(w);
        } else {
          waiting.addLast(w);
        }
        shrink(e);
        return;
      }
      send(c, id, new CallPending(job, System.nanoTime()), out.getBuffer(), start, length, taskRef);
    }
    shrink(e);
    c.flushSoon();
  }

  @Override
  public void cancel(Job job) {
    ChildConnection c;
    synchronized (lock) {
      if (waiting.removeIf(w -> w.job == job)) {
        return;
      }
      c = child;
      if (c == null || c.pending.values().stream().noneMatch(p -> p instanceof CallPending cp && cp.job() == job)) {
        return;
      }
      if (c.killReason == null) {
        c.killReason = "was killed because " + job.describe() + " timed out";
      }
      // from now on calls wait for the replacement; the doomed child's reader fails what it held
      child = null;
      if (state == State.RUNNING || state == State.STOPPING) {
        replace(c);
      }
    }
    log.debug("{}: killing it, {} timed out", c.label(), job.describe());
    c.kill();
  }

  @Override
  public Future<Void> stop() {
    synchronized (lock) {
      switch (state) {
        case STOPPED, CRASHED -> {
          return Future.succeededFuture();
        }
        case NEW -> {
          state = State.STOPPED;
          return Future.succeededFuture();
        }
        case STOPPING -> {
          return stopPromise.future();
        }
        default -> {
          state = State.STOPPING;
          stopPromise = Promise.promise();
          maybeFinishStop();
          return stopPromise.future();
        }
      }
    }
  }

  @Override
  public List<Job> crash() {
    List<Job> held = new ArrayList<>();
    List<Pending> fetches = new ArrayList<>();
    ChildConnection c;
    synchronized (lock) {
      State was = state;
      state = State.CRASHED;
      cancelRestartTimer();
      for (Waiting w : waiting) {
        held.add(w.job);
      }
      waiting.clear();
      c = child;
      child = null;
      if (c != null) {
        c.dead = true;
        for (Pending p : drain(c)) {
          if (p instanceof CallPending cp) {
            held.add(cp.job());
          } else {
            fetches.add(p);
          }
        }
        c.killReason = "was crashed";
      }
      if (was == State.STOPPING) {
        stopPromise.tryComplete();
      }
      if (startPromise != null) {
        startPromise.tryFail(new WorkerLostException("process worker " + workerId + " was crashed while starting"));
      }
    }
    failAll(fetches, "process worker " + workerId + " was crashed");
    if (c != null) {
      c.kill();
    }
    return held;
  }

  // ------------------------------------------------------------------ extras

  /** @return the process ID of the current child, or -1 while none is running */
  public long pid() {
    ChildConnection c;
    synchronized (lock) {
      c = child;
    }
    return c == null ? -1 : c.pid;
  }

  /** @return the processors the child's JVM sees (as the original's {@code cores()}), 0 before it started */
  public int cores() {
    synchronized (lock) {
      return cpus;
    }
  }

  /** @return how many times a child was replaced */
  public int restarts() {
    return restarts.get();
  }

  /**
   * Asks the current child for its memory and load figures (answered even while it runs a task).
   *
   * @return a Future of the figures; failed if no child is running
   */
  public Future<ChildInfo> info() {
    Promise<ChildInfo> promise = Promise.promise();
    ChildConnection c;
    long id = ids.incrementAndGet();
    synchronized (lock) {
      c = child;
      if (c == null || !c.ready) {
        return Future.failedFuture(new WorkerLostException("process worker " + workerId + " has no child running"));
      }
      Output out = new Output(32);
      int start = FrameWriter.beginFrame(out);
      out.writeByte(Wire.INFO);
      out.writeVarLong(id, true);
      send(c, id, new InfoPending(promise), out.getBuffer(), start, FrameWriter.endFrame(out, start));
    }
    c.flushSoon();
    return promise.future();
  }

  /**
   * The timing of each call so far (the latest million), when {@link ProcessQueueOptions#setCallStats(boolean)
   * callStats} is on; empty otherwise.
   *
   * @return round trip and time in the child, per call, oldest first
   */
  public List<CallStat> stats() {
    synchronized (stats) {
      List<CallStat> list = new ArrayList<>(Math.min(statCount, MAX_STATS));
      int n = Math.min(statCount, MAX_STATS);
      int first = statCount - n;
      for (int i = first; i < statCount; i++) {
        int k = i % MAX_STATS;
        list.add(new CallStat(stats[0][k], stats[1][k]));
      }
      return list;
    }
  }

  /** Sets a listener of the lines children print, labelled; for tests. */
  void lineListener(BiConsumer<String, String> listener) {
    this.lineListener = listener;
  }

  int workerId() {
    return workerId;
  }

  // ------------------------------------------------------------------ child lifecycle (under lock)

  private void startChild() {
    ChildConnection c = new ChildConnection(this, ++generation);
    child = c;
    Vertx vertx = supervisor.vertx();
    c.startTimer = vertx.setTimer(options.getStartTimeout().toMillis(), t -> {
      synchronized (lock) {
        if (c.ready || c.dead) {
          return;
        }
        c.killReason = "did not start within " + options.getStartTimeout().toMillis() + " ms";
      }
      c.kill();
    });
    c.start();
  }

  private void cancelRestartTimer() {
    if (restartTimer >= 0) {
      supervisor.vertx().cancelTimer(restartTimer);
      restartTimer = -1;
    }
  }

  // reader thread: the child said HELLO
  void onReady(ChildConnection c) {
    synchronized (lock) {
      if (c != child || c.dead) {
        c.kill();
        return;
      }
      supervisor.vertx().cancelTimer(c.startTimer);
      cpus = c.cpus;
      startFailures = 0;
      if (updates.isEmpty()) {
        activate(c);
      } else {
        c.replaysLeft = updates.size();
        for (int i = 0; i < updates.size(); i++) {
          SavedUpdate u = updates.get(i);
          long id = ids.incrementAndGet();
          Output out = new Output(u.body.length + 32, -1);
          int start = FrameWriter.beginFrame(out);
          out.writeByte(Wire.CALL);
          out.writeVarLong(id, true);
          out.writeByte(u.flags);
          out.writeBytes(u.body);
          send(c, id, new ReplayPending(i), out.getBuffer(), start, FrameWriter.endFrame(out, start), u.taskRef);
        }
      }
    }
    c.writer().flush();
  }

  // with lock held: the child is ready and has run the replays; send it the waiting calls
  private void activate(ChildConnection c) {
    c.ready = true;
    while (!waiting.isEmpty()) {
      Waiting w = waiting.poll();
      if (!w.job.isDone()) {
        send(c, w.id, new CallPending(w.job, System.nanoTime()), w.frame, 0, w.frame.length, w.taskRef);
      }
    }
    if (paused) {
      paused = false;
      supervisor.resume(); // the queue hands over calls from here (run() re-enters this worker's lock)
    }
    if (startPromise != null) {
      startPromise.tryComplete();
    }
    if (state == State.STOPPING) {
      maybeFinishStop();
    }
    c.writer().flushLater();
  }

  // with lock held
  private void send(ChildConnection c, long id, Pending p, byte[] buf, int off, int len) {
    send(c, id, p, buf, off, len, 0);
  }

  // with lock held: registers what the reply settles, then queues the frame (after the DEFINE of its task, the
  // first time this child sees it)
  private void send(ChildConnection c, long id, Pending p, byte[] buf, int off, int len, int taskRef) {
    if (taskRef > 0 && c.defined.add(taskRef)) {
      byte[] define = taskDefs.values().stream().filter(d -> d.ref() == taskRef).findFirst().orElseThrow().frame();
      try {
        c.writer().append(define, 0, define.length);
      } catch (IOException ignored) {
        // the child is gone
      }
    }
    c.pending.put(id, p);
    if (p instanceof CallPending || p instanceof ReplayPending) {
      c.calls.incrementAndGet();
    }
    try {
      c.writer().append(buf, off, len);
    } catch (IOException ignored) {
      // the child is gone: its reader thread fails what it held
    }
  }

  // with lock held
  private void maybeFinishStop() {
    if (state != State.STOPPING || !waiting.isEmpty()) {
      return;
    }
    ChildConnection c = child;
    if (c == null) {
      cancelRestartTimer();
      state = State.STOPPED;
      stopPromise.tryComplete();
      return;
    }
    if (!c.ready || c.calls.get() > 0 || c.openIterators.get() > 0) {
      return;
    }
    Output out = new Output(8);
    int start = FrameWriter.beginFrame(out);
    out.writeByte(Wire.BYE);
    try {
      c.writer().append(out.getBuffer(), start, FrameWriter.endFrame(out, start));
    } catch (IOException ignored) {
      // gone already
    }
    c.writer().flushLater();
    c.killReason = "was stopped";
    supervisor.vertx().setTimer(10_000, t -> c.kill()); // a child that ignores BYE
  }

  // reader thread: the child's process ended (or never started)
  void onExit(ChildConnection c, String why) {
    List<Pending> lost;
    String reason;
    boolean restart = false;
    Promise<Void> failedStart = null;
    synchronized (lock) {
      reason = c.label() + " " + (c.killReason != null ? c.killReason : why);
      c.dead = true;
      if (c.startTimer >= 0) {
        supervisor.vertx().cancelTimer(c.startTimer);
      }
      lost = drain(c);
      if (c == child) {
        child = null;
        if (!c.ready) {
          String tail = c.stderrTail();
          if (!tail.isEmpty()) {
            reason += "; its last output:\n" + tail;
          }
        }
        switch (state) {
          case RUNNING -> {
            if (!startPromise.future().isComplete()) {
              failedStart = startPromise;
              state = State.STOPPED;
            } else {
              restart = true;
            }
          }
          case STOPPING -> {
            if (waiting.isEmpty()) {
              state = State.STOPPED;
              stopPromise.tryComplete();
            } else {
              restart = true;
            }
          }
          default -> { }
        }
        if (restart) {
          restart = replace(c);
        }
      }
    }
    if (failedStart != null) {
      failedStart.tryFail(new WorkerLostException("could not start a child: " + reason));
      failWaiting(reason);
    } else if (restart) {
      log.warn("{}; replacing it", reason);
    } else if (state == State.RUNNING && (startFailures >= MAX_START_FAILURES || deaths >= MAX_DEATHS)) {
      log.error("{}; giving up after {} children in a row died without finishing a call", reason, deaths);
      supervisor.resign(new WorkerLostException(reason));
    } else {
      log.debug("{}", reason);
    }
    failAll(lost, reason);
  }

  // with lock held: starts a replacement for a child that died or is being killed, after a delay that grows
  // while children keep dying without finishing a call; false if the worker should give up
  private boolean replace(ChildConnection c) {
    deaths++;
    if (!c.ready) {
      startFailures++;
    }
    if (startFailures >= MAX_START_FAILURES || deaths >= MAX_DEATHS) {
      return false;
    }
    long delay = deaths <= 1 ? 0 : Math.min(options.getMaxRestartDelay().toMillis(), 50L << Math.min(20, deaths - 2));
    restarts.incrementAndGet();
    if (!paused) {
      // No new calls until the replacement is ready: they wait in the queue, where another worker may take
      // them and their timeouts have not started. (Lock order: this worker's, then the queue's.)
      paused = true;
      supervisor.pause();
    }
    if (delay == 0) {
      startChild();
    } else {
      restartTimer = supervisor.vertx().setTimer(delay, t -> {
        synchronized (lock) {
          restartTimer = -1;
          if (child == null && (state == State.RUNNING || state == State.STOPPING)) {
            startChild();
          }
        }
      });
    }
    return true;
  }

  private void failWaiting(String reason) {
    List<Waiting> w;
    synchronized (lock) {
      w = new ArrayList<>(waiting);
      waiting.clear();
    }
    for (Waiting x : w) {
      x.job.fail(new WorkerLostException(reason + " (held " + x.job.describe() + ")"));
    }
  }

  // with lock held: takes every pending reply of a child
  private static List<Pending> drain(ChildConnection c) {
    List<Pending> out = new ArrayList<>(c.pending.size());
    for (Map.Entry<Long, Pending> e : c.pending.entrySet()) {
      if (c.pending.remove(e.getKey(), e.getValue())) {
        out.add(e.getValue());
      }
    }
    c.calls.set(0);
    return out;
  }

  private void failAll(List<Pending> lost, String reason) {
    for (Pending p : lost) {
      if (p instanceof CallPending cp) {
        cp.job().fail(new WorkerLostException(reason + " while it held " + cp.job().describe()));
      } else if (p instanceof FetchPending fp) {
        fp.source().finish();
        fp.promise().tryFail(new WorkerLostException(reason + " while it held the iterator of " + fp.source().call));
      } else if (p instanceof InfoPending ip) {
        ip.promise().tryFail(new WorkerLostException(reason));
      }
    }
  }

  // ------------------------------------------------------------------ replies (reader thread)

  void onFrame(ChildConnection c, Kryo kryo, Input in) {
    byte type = in.readByte();
    switch (type) {
      case Wire.VALUE -> {
        long id = in.readVarLong(true);
        long runNanos = in.readVarLong(true);
        Pending p = c.pending.remove(id);
        Object value;
        try {
          value = KryoCodec.readObject(kryo, in, "the result");
        } catch (CodecException e) {
          settle(c, p, null, e, runNanos);
          return;
        }
        settle(c, p, value, null, runNanos);
      }
      case Wire.ERROR -> {
        long id = in.readVarLong(true);
        long runNanos = in.readVarLong(true);
        Wire.RemoteFailure failure = Wire.readFailure(in);
        Pending p = c.pending.remove(id);
        if (p instanceof FetchPending fp) {
          fp.source().received(true);
          fp.promise().tryFail(failure.toTaskException("next of " + fp.source().call));
        } else if (p instanceof ReplayPending rp) {
          log.warn("{}: replaying update {} failed: {}: {}", c.label(), updates.get(rp.index()).describe,
              failure.className(), failure.message());
          settle(c, p, null, null, runNanos);
        } else if (p instanceof CallPending cp) {
          settle(c, p, null, failure.toTaskException(cp.job().describe()), runNanos);
        }
      }
      case Wire.ITER -> {
        long id = in.readVarLong(true);
        long runNanos = in.readVarLong(true);
        Pending p = c.pending.remove(id);
        List<Object> elements = new ArrayList<>();
        boolean last;
        try {
          last = readBatch(kryo, in, elements);
        } catch (CodecException e) {
          settle(c, p, null, e, runNanos);
          return;
        }
        if (p instanceof CallPending cp) {
          if (!last) {
            c.openIterators.incrementAndGet(); // a graceful stop waits until it is read out or closed
          }
          ProcessElementSource source = new ProcessElementSource(this, c, id, cp.job().describe(), elements, last);
          Object deferator;
          try {
            deferator = deferators.make(cp.job().context(), castSource(source), options.getPrefetch());
          } catch (RuntimeException e) {
            source.close();
            settle(c, p, null, e, runNanos);
            return;
          }
          settle(c, p, deferator, null, runNanos);
        }
      }
      case Wire.BATCH -> {
        long id = in.readVarLong(true);
        Pending p = c.pending.remove(id);
        List<Object> elements = new ArrayList<>();
        if (p instanceof FetchPending fp) {
          try {
            boolean last = readBatch(kryo, in, elements);
            fp.source().received(last);
            fp.promise().tryComplete(new ElementSource.Batch<>(elements, last));
          } catch (CodecException e) {
            fp.source().received(true);
            fp.promise().tryFail(e);
          }
        }
      }
      case Wire.LOG -> childLine(c, in.readByte(), in.readString());
      case Wire.INFO_REPLY -> {
        long id = in.readVarLong(true);
        long heapUsed = in.readVarLong(true);
        long heapMax = in.readVarLong(true);
        int ncpu = in.readVarInt(true);
        long done = in.readVarLong(true);
        if (c.pending.remove(id) instanceof InfoPending ip) {
          long[] mem = procStatus(c.pid);
          ip.promise().tryComplete(new ChildInfo(c.pid, ncpu, heapUsed, heapMax, mem[0], mem[1], done));
        }
      }
      default -> throw new IllegalStateException("unknown frame type " + type);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <T> ElementSource<T> castSource(ProcessElementSource source) {
    return (ElementSource) source;
  }

  private static boolean readBatch(Kryo kryo, Input in, List<Object> into) {
    int i = 0;
    while (in.readByte() == 1) {
      into.add(KryoCodec.readObject(kryo, in, "element " + i++ + " of the iterator"));
    }
    return in.readBoolean();
  }

  private void settle(ChildConnection c, Pending p, Object value, Throwable failure, long runNanos) {
    if (p instanceof CallPending cp) {
      c.calls.decrementAndGet();
      if (options.isCallStats()) {
        record(System.nanoTime() - cp.sentNanos(), runNanos);
      }
      if (failure == null) {
        if (deaths != 0) {
          synchronized (lock) {
            deaths = 0;
          }
        }
        cp.job().complete(value);
      } else {
        cp.job().fail(failure);
      }
    } else if (p instanceof ReplayPending) {
      c.calls.decrementAndGet();
      synchronized (lock) {
        if (--c.replaysLeft == 0 && c == child && !c.dead) {
          activate(c);
        }
      }
    }
    if (state == State.STOPPING && c.calls.get() == 0) {
      synchronized (lock) {
        maybeFinishStop();
      }
    }
  }

  private void record(long rtt, long run) {
    synchronized (stats) {
      if (stats[0] == null || (stats[0].length <= statCount && stats[0].length < MAX_STATS)) {
        int size = stats[0] == null ? 1024 : Math.min(MAX_STATS, stats[0].length * 2);
        stats[0] = stats[0] == null ? new long[size] : Arrays.copyOf(stats[0], size);
        stats[1] = stats[1] == null ? new long[size] : Arrays.copyOf(stats[1], size);
      }
      int k = statCount % MAX_STATS;
      stats[0][k] = rtt;
      stats[1][k] = run;
      statCount++;
    }
  }

  // ------------------------------------------------------------------ iterators

  Future<ElementSource.Batch<Object>> fetch(ProcessElementSource source, int max) {
    ChildConnection c = source.child;
    Context ctx = Vertx.currentContext();
    Promise<ElementSource.Batch<Object>> promise = ctx instanceof ContextInternal ci ? ci.promise() : Promise.promise();
    synchronized (lock) {
      if (c.dead) {
        return Future.failedFuture(new WorkerLostException(c.label() + " is gone, and with it the iterator of "
            + source.call));
      }
      Output out = new Output(32);
      int start = FrameWriter.beginFrame(out);
      out.writeByte(Wire.NEXT);
      out.writeVarLong(source.id, true);
      out.writeVarInt(max, true);
      out.writeVarInt(options.getPrefetchBytes(), true);
      send(c, source.id, new FetchPending(promise, source), out.getBuffer(), start, FrameWriter.endFrame(out, start));
    }
    c.flushSoon();
    return promise.future();
  }

  void iteratorFinished(ChildConnection c) {
    if (c.openIterators.decrementAndGet() == 0 && state == State.STOPPING) {
      synchronized (lock) {
        maybeFinishStop();
      }
    }
  }

  void closeIterator(ProcessElementSource source) {
    ChildConnection c = source.child;
    synchronized (lock) {
      if (c.dead) {
        return;
      }
      Output out = new Output(16);
      int start = FrameWriter.beginFrame(out);
      out.writeByte(Wire.CLOSE);
      out.writeVarLong(source.id, true);
      try {
        c.writer().append(out.getBuffer(), start, FrameWriter.endFrame(out, start));
      } catch (IOException ignored) {
        // gone
      }
    }
    c.flushSoon();
  }

  // ------------------------------------------------------------------ output

  void childLine(ChildConnection c, int stream, String line) {
    BiConsumer<String, String> listener = lineListener;
    String label = c.label() + (stream == 1 ? " stderr" : " stdout");
    if (listener != null) {
      listener.accept(label, line);
    }
    switch (options.getOutput()) {
      case LOG -> {
        if (stream == 1) {
          childLog.warn("[{}] {}", label, line);
        } else {
          childLog.info("[{}] {}", label, line);
        }
      }
      case STDERR -> System.err.println("[" + label + "] " + line);
      case DISCARD -> { }
    }
  }

  // ------------------------------------------------------------------ helpers

  // the DEFINE of a stateless task, made the first time this worker sees its class
  private TaskDef taskDef(io.asynqueue.Task<?> task, Kryo kryo) {
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

  private static int flags(Job job) {
    int flags = 0;
    if (job.resultKind() == Job.ResultKind.ITERATOR) {
      flags |= Wire.FLAG_ITERATOR;
    }
    if (job.isUrgent()) {
      flags |= Wire.FLAG_URGENT;
    }
    if (job.isUpdate()) {
      flags |= Wire.FLAG_UPDATE;
    }
    return flags;
  }

  private static void shrink(Encoder e) {
    if (e.out.getBuffer().length > 1024 * 1024) {
      e.out = new Output(4096, -1);
    }
  }

  // VmRSS and VmSize in bytes, or -1
  private static long[] procStatus(long pid) {
    long[] mem = {-1, -1};
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          mem[0] = kb(line);
        } else if (line.startsWith("VmSize:")) {
          mem[1] = kb(line);
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux, or the child is gone
    }
    return mem;
  }

  private static long kb(String line) {
    String[] parts = line.trim().split("\\s+");
    return Long.parseLong(parts[1]) * 1024;
  }
}
