package io.asynqueue.process;

import io.asynqueue.CodecException;
import io.asynqueue.WorkerLostException;
import io.asynqueue.internal.channel.ChannelOptions;
import io.asynqueue.internal.channel.ChannelWorker;
import io.asynqueue.internal.channel.Hello;
import io.asynqueue.spi.ForwardingWorker;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.asynqueue.stream.Deferator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * a task returns stays in the child; the caller gets a {@link Deferator}, and the child sends elements ahead as
 * its consumer takes them (bounded by count and bytes).
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
 * Until the new child is ready the worker takes no calls; the queue then replays its updates there first. A call
 * that times out kills and replaces its child. A child exits by itself when this JVM dies, as its standard input
 * closes.
 *
 * <p><b>Output.</b> A child's {@code System.out} and {@code System.err} are not the pipe: each line user code
 * prints goes to this JVM's log or standard error, labelled with the child (see {@link ChildOutput}).
 */
public final class ProcessWorker extends ForwardingWorker {

  private static final Logger log = LoggerFactory.getLogger(ProcessWorker.class);
  private static final Logger childLog = LoggerFactory.getLogger("io.asynqueue.process.child");
  /** Children that die one after another without finishing a call before the worker resigns. */
  private static final int MAX_FAILURES = 6;
  private static final int MAX_STATS = 1_000_000;

  private final ProcessQueueOptions options;
  private final ChannelWorker channel;
  private volatile BiConsumer<String, String> lineListener;
  private volatile Vertx vertx;
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
    int capacity = Math.max(this.options.getMaxInFlight(), this.options.getConcurrency());
    this.channel = new ChannelWorker(new ChildTransport(this), new ChannelOptions()
        .label("process worker")
        .codec(true, loader != null ? loader : ProcessWorker.class.getClassLoader())
        .iteration(this.options.getPrefetch(), this.options.getPrefetchBytes(), 1)
        .maxFrameBytes(this.options.getMaxFrameBytes())
        .killOnTimeout(true)
        .capacity(maxInFlight -> capacity)
        .backoff(MAX_FAILURES, 1, Duration.ofMillis(50), this.options.getMaxRestartDelay(), false)
        .callTimer(this.options.isCallStats() ? this::record : null)
        .lines((label, stream, line) -> childLine(label, stream, line)), log);
  }

  /** A worker with the default options. */
  public ProcessWorker() {
    this(new ProcessQueueOptions());
  }

  // ------------------------------------------------------------------ Worker

  @Override
  protected Worker delegate() {
    return channel;
  }

  @Override
  public int capacity() {
    return Math.max(options.getMaxInFlight(), options.getConcurrency());
  }

  @Override
  public Future<Void> start(WorkerSupervisor supervisor) {
    vertx = supervisor.vertx();
    return channel.start(supervisor);
  }

  // ------------------------------------------------------------------ extras

  /** @return the process ID of the current child, or -1 while none is ready */
  public long pid() {
    Hello h = channel.hello();
    return h == null || !channel.isConnected() ? -1 : h.pid();
  }

  /** @return the processors the child's JVM sees (as the original's {@code cores()}), 0 before it started */
  public int cores() {
    Hello h = channel.hello();
    return h == null ? 0 : h.cpus();
  }

  /** @return how many times a child was replaced */
  public int restarts() {
    return channel.restarts();
  }

  /**
   * Asks the current child for its memory and load figures (answered even while it runs a task).
   *
   * @return a Future of the figures; failed if no child is running
   */
  public Future<ChildInfo> info() {
    long pid = pid();
    return channel.stats().map(s -> {
      long[] mem = procStatus(pid);
      return new ChildInfo(pid, s.cpus(), s.heapUsed(), s.heapMax(), mem[0], mem[1], s.callsDone());
    });
  }

  /**
   * The timing of each call so far (the latest million), when {@link ProcessQueueOptions#setCallStats(boolean)
   * callStats} is on; empty otherwise.
   *
   * @return round trip and time in the child, per call, oldest first
   */
  public List<CallStat> stats() {
    synchronized (stats) {
      int n = Math.min(statCount, MAX_STATS);
      List<CallStat> list = new ArrayList<>(n);
      for (int i = statCount - n; i < statCount; i++) {
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

  ProcessQueueOptions options() {
    return options;
  }

  int workerId() {
    return channel.workerId();
  }

  String queueName() {
    return channel.queueName();
  }

  Vertx vertx() {
    return vertx;
  }

  // ------------------------------------------------------------------ output and figures

  void childLine(String child, int stream, String line) {
    String label = child + (stream == 1 ? " stderr" : " stdout");
    BiConsumer<String, String> listener = lineListener;
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

  @Override
  public String toString() {
    return channel.label();
  }
}
