package io.asynqueue.process.benchmarks;

import io.asynqueue.Task;
import io.asynqueue.Task1;
import io.asynqueue.process.ChildOutput;
import io.asynqueue.process.ProcessQueue;
import io.asynqueue.process.ProcessQueueOptions;
import io.asynqueue.process.ProcessWorker;
import io.asynqueue.spi.Job;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Process workers beside their raw baseline, in the same run:
 * <ul>
 *   <li>{@code rawEcho*}: a JVM-to-JVM pipe echo of a 32-byte frame (no codec, no queue), one at a time and 64
 *   in flight;</li>
 *   <li>{@code worker*}: a {@link ProcessWorker} driven through the Worker SPI: a Kryo-encoded call of
 *   {@code x -> x} with an Integer, one at a time and 64 in flight (its default capacity);</li>
 *   <li>{@code queue*}: the same through a {@link ProcessQueue} of one child (adds the queue and the hop to the
 *   caller's context);</li>
 *   <li>{@code readyQueueOf2}: from {@code ProcessQueue.create} to {@code ready()} with 2 children.</li>
 * </ul>
 * Round trips are in microseconds per call (AverageTime), pipelined runs in calls per second (Throughput).
 *
 * <pre>
 * mvn -B -q -pl asynqueue-process -am -Pbenchmarks package -DskipTests
 * java -jar asynqueue-process/target/benchmarks.jar ProcessBenchmark
 * </pre>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ProcessBenchmark {

  static final int WINDOW = 64;
  static final int BATCH = 20_000;
  static final Task1<Integer, Integer> IDENTITY = x -> x;

  // ------------------------------------------------------------------ raw baseline

  /** A child that echoes frames, over its stdin and stdout. */
  @State(Scope.Benchmark)
  public static class Echo {
    public Process process;
    public DataOutputStream out;
    DataInputStream in;
    final byte[] frame = new byte[32];

    @Setup
    public void start() throws IOException {
      String java = ProcessHandle.current().info().command()
          .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
      process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), EchoChild.class.getName())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      out = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 65536));
      in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 65536));
      in.readInt();
    }

    void send() throws IOException {
      out.writeInt(frame.length);
      out.write(frame);
    }

    void receive() throws IOException {
      int n = in.readInt();
      in.readFully(frame, 0, n);
    }

    @TearDown
    public void stop() throws Exception {
      out.close();
      process.waitFor(5, TimeUnit.SECONDS);
      process.destroyForcibly();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] rawEchoRoundTrip(Echo echo) throws IOException {
    echo.send();
    echo.out.flush();
    echo.receive();
    return echo.frame;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(WINDOW)
  public byte[] rawEchoPipelined(Echo echo) throws IOException {
    for (int i = 0; i < WINDOW; i++) {
      echo.send();
    }
    echo.out.flush();
    for (int i = 0; i < WINDOW; i++) {
      echo.receive();
    }
    return echo.frame;
  }

  // ------------------------------------------------------------------ ProcessWorker through the SPI

  /** A ProcessWorker with its child, driven without a queue. */
  @State(Scope.Benchmark)
  public static class WorkerState {
    Vertx vertx;
    ProcessWorker worker;
    Context context;

    @Setup
    public void start() throws Exception {
      vertx = Vertx.vertx();
      context = vertx.getOrCreateContext();
      worker = new ProcessWorker(new ProcessQueueOptions().setOutput(ChildOutput.DISCARD)
          .setMaxInFlight(WINDOW));
      worker.start(new WorkerSupervisor() {
        @Override
        public Vertx vertx() {
          return vertx;
        }

        @Override
        public int workerId() {
          return 1;
        }

        @Override
        public void resign(Throwable cause) {
        }
      }).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @TearDown
    public void stop() throws Exception {
      worker.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object workerRoundTrip(WorkerState s) {
    Thread me = Thread.currentThread();
    BenchJob job = new BenchJob(s.context, IDENTITY, 7, () -> LockSupport.unpark(me));
    s.worker.run(job);
    while (!job.done) {
      LockSupport.park(job);
    }
    return job.result;
  }

  /**
   * Keeps {@code WINDOW} calls in flight, as a queue does: each completion (on the worker's reader thread)
   * hands the worker the next call.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public void workerPipelined(WorkerState s) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(BATCH);
    AtomicInteger issued = new AtomicInteger(WINDOW);
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      done.countDown();
      int i = issued.getAndIncrement();
      if (i < BATCH) {
        s.worker.run(new BenchJob(s.context, IDENTITY, i, next[0]));
      }
    };
    for (int i = 0; i < WINDOW; i++) {
      s.worker.run(new BenchJob(s.context, IDENTITY, i, next[0]));
    }
    done.await();
  }

  // ------------------------------------------------------------------ through a ProcessQueue

  /** A ProcessQueue of one child. */
  @State(Scope.Benchmark)
  public static class QueueState {
    Vertx vertx;
    ProcessQueue queue;

    @Setup
    public void start() throws Exception {
      vertx = Vertx.vertx();
      queue = ProcessQueue.create(vertx, new ProcessQueueOptions().setProcesses(1).setOutput(ChildOutput.DISCARD));
      queue.ready().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @TearDown
    public void stop() throws Exception {
      queue.shutdown().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object queueRoundTrip(QueueState s) throws Exception {
    return s.queue.call(IDENTITY, 7).toCompletionStage().toCompletableFuture().get();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public Object queuePipelined(QueueState s) throws Exception {
    List<Future<Integer>> calls = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      calls.add(s.queue.call(IDENTITY, i));
    }
    return Future.all(calls).toCompletionStage().toCompletableFuture().get();
  }

  // ------------------------------------------------------------------ start-up

  /** Vert.x for the start-up benchmark, and the queue of the last invocation. */
  @State(Scope.Benchmark)
  public static class StartState {
    Vertx vertx;
    ProcessQueue last;

    @Setup
    public void start() {
      vertx = Vertx.vertx();
    }

    @TearDown(Level.Invocation)
    public void shutdownLast() throws Exception {
      if (last != null) {
        last.shutdown().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        last = null;
      }
    }

    @TearDown
    public void stop() throws Exception {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2, batchSize = 1)
  @Measurement(iterations = 8, batchSize = 1)
  public Object readyQueueOf2(StartState s) throws Exception {
    s.last = ProcessQueue.create(s.vertx, new ProcessQueueOptions().setProcesses(2).setOutput(ChildOutput.DISCARD));
    return s.last.ready().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** A job that wakes the benchmark thread, or releases a window permit, when settled. */
  public static final class BenchJob implements Job {
    private final Context context;
    private final Task<?> task;
    private final Object[] args;
    private final Runnable onDone;
    public volatile boolean done;
    Object result;

    public BenchJob(Context context, Task<?> task, Object arg, Runnable onDone) {
      this.context = context;
      this.task = task;
      this.args = new Object[] {arg};
      this.onDone = onDone;
    }

    @Override
    public long id() {
      return 0;
    }

    @Override
    public Task<?> task() {
      return task;
    }

    @Override
    public Object[] args() {
      return args;
    }

    @Override
    public ResultKind resultKind() {
      return ResultKind.VALUE;
    }

    @Override
    public boolean isUpdate() {
      return false;
    }

    @Override
    public boolean isEphemeral() {
      return false;
    }

    @Override
    public boolean isUrgent() {
      return false;
    }

    @Override
    public String describe() {
      return "identity(" + args[0] + ")";
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public boolean complete(Object r) {
      result = r;
      return settle();
    }

    @Override
    public boolean fail(Throwable cause) {
      result = cause;
      return settle();
    }

    private boolean settle() {
      done = true;
      onDone.run();
      return true;
    }

    @Override
    public boolean isDone() {
      return done;
    }
  }
}
