package io.asynqueue.remote.benchmarks;

import io.asynqueue.Task;
import io.asynqueue.remote.cluster.AsynQueueCluster;
import io.asynqueue.remote.cluster.ClusterOptions;
import io.asynqueue.remote.cluster.ClusterQueue;
import io.asynqueue.remote.cluster.ClusterQueueOptions;
import io.asynqueue.remote.Remote;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
 * A {@link ClusterQueue} with two worker nodes beside the raw clustered event bus between the same JVMs, in the same
 * run. One Hazelcast cluster on 127.0.0.1: this JVM (a data member, started first, with the queue) and two worker
 * nodes in child JVMs ({@link ClusterBenchNode}, {@code -Xmx256m}), each with a {@code WorkerServer} in the pool
 * {@value #POOL} (2 threads, {@value #MAX_IN_FLIGHT} calls in flight a connection) and an event-bus consumer on
 * {@value #ECHO_ADDRESS} that replies with the body.
 * <ul>
 *   <li>{@code clusterQueue*}: {@code queue.call(Remote.named("echo"), i)} of a small Integer; the queue sends it on
 *   its authenticated, pipelined connection to one of the two servers (Kryo);</li>
 *   <li>{@code eventBus*}: {@code vertx.eventBus().request("bench.echo", i)}, which the bus sends round-robin to the
 *   two consumers (its built-in Integer codec);</li>
 * </ul>
 * each as bursts of {@value #BURST} calls issued at once from the benchmark thread and awaited (throughput, one
 * operation a call), and as one call at a time (round trip, AverageTime in microseconds).
 *
 * <pre>
 * mvn -B -q -pl asynqueue-remote -am -Pbenchmarks package -DskipTests
 * java -jar asynqueue-remote/target/benchmarks.jar ClusterBenchmark
 * </pre>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dorg.slf4j.simpleLogger.log.com.hazelcast=warn"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class ClusterBenchmark {

  static final int BURST = 1000;
  static final int MAX_IN_FLIGHT = 256;
  static final String POOL = "bench";
  static final String ECHO_ADDRESS = "bench.echo";
  static final String PID_ADDRESS = "bench.pid";
  static final String READY = "ClusterBenchNode ready, pid ";
  static final Task<Object> ECHO = Remote.named("echo");
  static final Task<Long> PID = Remote.named("pid");

  /** The service of the worker nodes. */
  public static class Service {
    public Object echo(Object x) {
      return x;
    }

    public long pid() {
      return ProcessHandle.current().pid();
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /** This JVM's cluster member, the two child worker nodes, and the queue of their pool. */
  @State(Scope.Benchmark)
  public static class Cluster {
    Vertx vertx;
    ClusterQueue queue;
    final List<Process> children = new CopyOnWriteArrayList<>();
    final List<Path> logs = new ArrayList<>();
    Thread killer;

    @Setup(Level.Trial)
    public void start() throws Exception {
      killer = new Thread(() -> children.forEach(Process::destroyForcibly), "cluster-benchmark-children-killer");
      Runtime.getRuntime().addShutdownHook(killer);
      String clusterName = "asynqueue-bench-" + UUID.randomUUID();
      int basePort = 21000 + ThreadLocalRandom.current().nextInt(20000);
      vertx = await(Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(new ClusterOptions()
          .setClusterName(clusterName).setPort(basePort).setJoinWait(Duration.ZERO))).buildClustered());
      String member = "127.0.0.1:" + ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager())
          .getHazelcastInstance().getCluster().getLocalMember().getAddress().getPort();
      queue = ClusterQueue.create(vertx, POOL, new ClusterQueueOptions()
          .setWorkerOptions(new RemoteWorkerOptions().setSecret(RemoteBenchmark.SECRET)));
      await(queue.ready());
      List<CompletableFuture<Long>> ready = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        ready.add(spawn(clusterName, basePort, member));
      }
      List<Long> pids = new ArrayList<>();
      for (CompletableFuture<Long> r : ready) {
        try {
          pids.add(r.get(90, TimeUnit.SECONDS));
        } catch (Exception e) {
          for (Path log : logs) {
            System.err.println("---- " + log + ":\n" + Files.readString(log));
          }
          throw e;
        }
      }
      await(queue.awaitWorkers(2).timeout(60, TimeUnit.SECONDS));

      // both paths must reach both nodes before we measure: the bus may hear of the consumers a little later
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      Map<Long, Integer> bus;
      do {
        bus = spread(i -> vertx.eventBus().<Long>request(PID_ADDRESS, i).map(Message::body));
      } while (bus.size() < 2 && System.nanoTime() < deadline);
      Map<Long, Integer> calls = spread(i -> queue.call(PID));
      System.out.printf("%nworker nodes %s; a burst of %d spreads over them as: queue %s, event bus %s%n", pids, BURST,
          calls, bus);
      if (bus.size() < 2 || calls.size() < 2) {
        throw new IllegalStateException("the calls do not reach both nodes: queue " + calls + ", event bus " + bus);
      }
    }

    private CompletableFuture<Long> spawn(String clusterName, int basePort, String member) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command()
          .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
      cmd.add("-Xmx256m");
      cmd.add("-Dorg.slf4j.simpleLogger.log.com.hazelcast=warn");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(ClusterBenchNode.class.getName());
      cmd.add(clusterName);
      cmd.add(Integer.toString(basePort));
      cmd.add(member);
      cmd.add(Integer.toString(MAX_IN_FLIGHT));
      Path log = Files.createTempFile("cluster-bench-node-", ".log");
      logs.add(log);
      Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
      children.add(p);
      CompletableFuture<Long> ready = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = out.readLine()) != null) { // drain it to the end, so the child never blocks on it
            if (line.startsWith(READY)) {
              ready.complete(Long.parseLong(line.substring(READY.length()).split(" ")[0]));
            }
          }
        } catch (IOException | RuntimeException e) {
          ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IllegalStateException("child " + p.pid() + " exited before it was ready"
            + " (stderr in " + log + ")"));
      }, "cluster-benchmark-child-" + p.pid());
      reader.setDaemon(true);
      reader.start();
      return ready;
    }

    /** How a burst of calls of the pid spreads over the nodes: pid to count. */
    private Map<Long, Integer> spread(java.util.function.IntFunction<Future<Long>> call) throws Exception {
      List<Future<Long>> calls = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        calls.add(call.apply(i));
      }
      await(Future.all(calls));
      Map<Long, Integer> count = new TreeMap<>();
      calls.forEach(f -> count.merge(f.result(), 1, Integer::sum));
      return count;
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
      try {
        if (queue != null) {
          await(queue.shutdown());
        }
        // this member leaves first, so that the nodes' leaving (and Hazelcast's warnings about it) stay in their logs
        if (vertx != null) {
          await(vertx.close());
        }
      } finally {
        for (Process p : children) {
          p.getOutputStream().close(); // the node leaves the cluster and exits
        }
        for (Process p : children) {
          if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          }
        }
        for (Path log : logs) {
          Files.deleteIfExists(log);
        }
        try {
          Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      }
    }
  }

  /** Throws the first failure of the burst, if any. */
  private static void check(AtomicReference<Throwable> failure) throws Exception {
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("a call failed", t);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BURST)
  public void clusterQueueBurst(Cluster c) throws Exception {
    CountDownLatch done = new CountDownLatch(BURST);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < BURST; i++) {
      c.queue.call(ECHO, i).onComplete(ar -> {
        if (ar.failed()) {
          failure.compareAndSet(null, ar.cause());
        }
        done.countDown();
      });
    }
    done.await();
    check(failure);
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BURST)
  public void eventBusBurst(Cluster c) throws Exception {
    CountDownLatch done = new CountDownLatch(BURST);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < BURST; i++) {
      c.vertx.eventBus().request(ECHO_ADDRESS, i).onComplete(ar -> {
        if (ar.failed()) {
          failure.compareAndSet(null, ar.cause());
        }
        done.countDown();
      });
    }
    done.await();
    check(failure);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object clusterQueueRoundTrip(Cluster c) throws Exception {
    return c.queue.call(ECHO, 7).toCompletionStage().toCompletableFuture().get();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object eventBusRoundTrip(Cluster c) throws Exception {
    return c.vertx.eventBus().request(ECHO_ADDRESS, 7).map(Message::body).toCompletionStage().toCompletableFuture()
        .get();
  }
}
