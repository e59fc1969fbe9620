package io.asynqueue.remote.benchmarks;

import io.asynqueue.stream.Deferator;
import io.asynqueue.Task;
import io.asynqueue.TaskQueue;
import io.asynqueue.remote.Remote;
import io.asynqueue.remote.RemoteWorker;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import io.asynqueue.spi.Job;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Remote workers beside their raw baseline, in the same run, on 127.0.0.1 (client and server in this JVM):
 * <ul>
 *   <li>{@code raw*}: Vert.x NetSocket ping-pong of a 32-byte frame (a RecordParser each end, no codec, no queue),
 *   one at a time and {@value #WINDOW} in flight;</li>
 *   <li>{@code worker*}: a {@link RemoteWorker} driven through the Worker SPI: {@code Remote.named("echo")} of an
 *   Integer, one at a time and {@value #WINDOW} in flight on one connection;</li>
 *   <li>{@code queue*}: the same through a {@link TaskQueue} (adds the queue and the hop to the caller's
 *   context);</li>
 *   <li>{@code iterate*}: a remote iterator of small Integers read through a Deferator: 1 M elements with the
 *   default credit window, and, for contrast, the original's way (one round trip per element, credit 1).</li>
 * </ul>
 * Round trips in microseconds per call (AverageTime), the rest in operations per second (Throughput).
 *
 * <p>The {@code worker*}, {@code queue*} and {@code iterate1M} cases run with {@code mac=on} (every frame tagged,
 * as always in use) and {@code mac=off} (no tags: the cost of the frames' integrity, in the same run; turned off by
 * reflection on {@code FrameMac.enabled} in this JVM only, there is no switch for users). A quick run:
 * {@code java -jar asynqueue-remote/target/benchmarks.jar RemoteBenchmark -wi 2 -i 3 -w 1 -r 1}.
 *
 * <pre>
 * mvn -B -q -pl asynqueue-remote -am -Pbenchmarks package -DskipTests
 * java -jar asynqueue-remote/target/benchmarks.jar RemoteBenchmark
 * </pre>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RemoteBenchmark {

  static final int WINDOW = 256;
  static final int BATCH = 50_000;
  static final int ELEMENTS = 1_000_000;
  static final String SECRET = "benchmark secret, not a real one";
  static final Task<Object> ECHO = Remote.named("echo");

  /** The service of the benchmark server. */
  public static class Service {
    public Object echo(Object x) {
      return x;
    }

    public Iterator<Integer> range(int n) {
      return IntStream.range(0, n).iterator();
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  // ------------------------------------------------------------------ raw baseline

  /** A NetServer echoing 36-byte records (length + 32 bytes) and a NetClient. */
  @State(Scope.Benchmark)
  public static class Raw {
    Vertx vertx;
    NetServer server;
    NetSocket socket;
    Context context;
    final Buffer frame = Buffer.buffer().appendInt(32).appendBytes(new byte[32]);
    volatile Thread waiter;
    volatile boolean replied;
    volatile Runnable onReply;

    @Setup
    public void start() throws Exception {
      vertx = Vertx.vertx();
      server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true)).connectHandler(s -> {
        RecordParser p = RecordParser.newFixed(4);
        boolean[] header = {true};
        p.handler(b -> {
          if (header[0]) {
            header[0] = false;
            p.fixedSizeMode(b.getInt(0));
          } else {
            header[0] = true;
            p.fixedSizeMode(4);
            s.write(Buffer.buffer(36).appendInt(b.length()).appendBuffer(b));
          }
        });
        s.handler(p);
      });
      await(server.listen(0, "127.0.0.1"));
      context = vertx.getOrCreateContext();
      CountDownLatch connected = new CountDownLatch(1);
      context.runOnContext(v -> vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true))
          .connect(server.actualPort(), "127.0.0.1").onSuccess(s -> {
            socket = s;
            RecordParser p = RecordParser.newFixed(4);
            boolean[] header = {true};
            p.handler(b -> {
              if (header[0]) {
                header[0] = false;
                p.fixedSizeMode(b.getInt(0));
              } else {
                header[0] = true;
                p.fixedSizeMode(4);
                onReply.run();
              }
            });
            s.handler(p);
            connected.countDown();
          }));
      connected.await(30, TimeUnit.SECONDS);
    }

    @TearDown
    public void stop() throws Exception {
      await(vertx.close());
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public boolean rawRoundTrip(Raw r) {
    Thread me = Thread.currentThread();
    r.replied = false;
    r.onReply = () -> {
      r.replied = true;
      LockSupport.unpark(me);
    };
    r.context.runOnContext(v -> r.socket.write(r.frame.copy()));
    while (!r.replied) {
      LockSupport.park(r);
    }
    return r.replied;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public void rawPipelined(Raw r) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    int[] received = {0};
    int[] sent = {0};
    r.onReply = () -> { // on the client's event loop: keep WINDOW frames in flight
      received[0]++;
      if (sent[0] < BATCH) {
        sent[0]++;
        r.socket.write(r.frame.copy());
      }
      if (received[0] == BATCH) {
        done.countDown();
      }
    };
    r.context.runOnContext(v -> {
      for (int i = 0; i < WINDOW; i++) {
        sent[0]++;
        r.socket.write(r.frame.copy());
      }
    });
    done.await();
  }

  // ------------------------------------------------------------------ the remote worker

  /** Turns the frames' tags on or off for the connections made next in this JVM (both ends are here). */
  static void frameMac(boolean on) throws ReflectiveOperationException {
    java.lang.reflect.Field enabled = Class.forName("io.asynqueue.remote.internal.FrameMac")
        .getDeclaredField("enabled");
    enabled.setAccessible(true);
    enabled.setBoolean(null, on);
  }

  /** A server in this JVM and a RemoteWorker, driven through the SPI, and a queue of another. */
  @State(Scope.Benchmark)
  public static class Remote1 {
    /** Whether frames carry their tags ({@code off} for the comparison only). */
    @Param({"on", "off"})
    public String mac;

    Vertx vertx;
    WorkerServer server;
    RemoteWorker worker;
    Context context;
    TaskQueue queue;

    @Setup
    public void start() throws Exception {
      frameMac(!"off".equals(mac));
      vertx = Vertx.vertx();
      server = WorkerServer.create(vertx, new Service(), new WorkerServerOptions().setPort(0).setSecret(SECRET)
          .setConcurrency(2).setMaxInFlight(WINDOW));
      int port = await(server.listen());
      RemoteWorkerOptions o = new RemoteWorkerOptions().setPort(port).setSecret(SECRET);
      context = vertx.getOrCreateContext();
      worker = RemoteWorker.create(vertx, o);
      await(worker.start(new WorkerSupervisor() {
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
      }));
      queue = TaskQueue.create(vertx);
      await(queue.attachWorker(RemoteWorker.create(vertx, o)));
    }

    @TearDown
    public void stop() throws Exception {
      await(queue.shutdown());
      await(worker.stop());
      await(server.close());
      await(vertx.close());
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object workerRoundTrip(Remote1 s) {
    Thread me = Thread.currentThread();
    BenchJob job = new BenchJob(s.context, ECHO, 7, () -> LockSupport.unpark(me));
    s.worker.run(job);
    while (!job.done) {
      LockSupport.park(job);
    }
    return job.result;
  }

  /** Keeps {@value #WINDOW} calls in flight on the one connection, as a queue does. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public void workerPipelined(Remote1 s) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(BATCH);
    AtomicInteger issued = new AtomicInteger(WINDOW);
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      done.countDown();
      int i = issued.getAndIncrement();
      if (i < BATCH) {
        s.worker.run(new BenchJob(s.context, ECHO, i, next[0]));
      }
    };
    for (int i = 0; i < WINDOW; i++) {
      s.worker.run(new BenchJob(s.context, ECHO, i, next[0]));
    }
    done.await();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object queueRoundTrip(Remote1 s) throws Exception {
    return s.queue.call(ECHO, 7).toCompletionStage().toCompletableFuture().get();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public Object queuePipelined(Remote1 s) throws Exception {
    List<Future<Object>> calls = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      calls.add(s.queue.call(ECHO, i));
    }
    return Future.all(calls).toCompletionStage().toCompletableFuture().get();
  }

  // ------------------------------------------------------------------ remote iteration

  static long iterate(TaskQueue queue, int n) throws Exception {
    Deferator<Integer> d = await(queue.iterate(Remote.named("range"), null, n));
    long[] count = {0};
    CountDownLatch end = new CountDownLatch(1);
    d.handler(x -> count[0]++);
    d.endHandler(v -> end.countDown());
    d.exceptionHandler(e -> end.countDown());
    end.await();
    if (count[0] != n) {
      throw new IllegalStateException("got " + count[0] + " elements of " + n);
    }
    return count[0];
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(ELEMENTS)
  @Measurement(iterations = 5, time = 2)
  public long iterate1M(Remote1 s) throws Exception {
    return iterate(s.queue, ELEMENTS);
  }

  /** The original's way, one round trip per element, for contrast. */
  @State(Scope.Benchmark)
  public static class OneAtATime {
    Vertx vertx;
    WorkerServer server;
    TaskQueue queue;

    @Setup
    public void start() throws Exception {
      vertx = Vertx.vertx();
      server = WorkerServer.create(vertx, new Service(), new WorkerServerOptions().setPort(0).setSecret(SECRET)
          .setConcurrency(2));
      int port = await(server.listen());
      queue = TaskQueue.create(vertx);
      await(queue.attachWorker(RemoteWorker.create(vertx, new RemoteWorkerOptions().setPort(port).setSecret(SECRET)
          .setPrefetch(1))));
    }

    @TearDown
    public void stop() throws Exception {
      await(queue.shutdown());
      await(server.close());
      await(vertx.close());
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(20_000)
  public long iterateOneRoundTripPerElement(OneAtATime s) throws Exception {
    return iterate(s.queue, 20_000);
  }

  /** A job that wakes the benchmark thread, or hands out the next call, when settled. */
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
      return "echo(" + args[0] + ")";
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
