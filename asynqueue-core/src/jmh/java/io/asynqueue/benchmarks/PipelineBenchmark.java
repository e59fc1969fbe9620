package io.asynqueue.benchmarks;

import static io.asynqueue.pipeline.Stage.stage;

import io.asynqueue.stream.ListConsumer;
import io.asynqueue.stream.OrderedItemProducer;
import io.asynqueue.TaskQueue;
import io.asynqueue.ThreadQueue;
import io.asynqueue.pipeline.Pipeline;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
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
 * An ordered pipeline of three trivial stages ({@code x + 1}, on threads) against its raw baseline, in the same
 * run: the same three steps as plain {@code executeBlocking(.., false)} chains, at most {@value #WINDOW} elements
 * in flight, results put back in input order by an {@link OrderedItemProducer}. Both feed {@value #N} elements
 * per invocation from an event loop into a sink on it; scores are microseconds per element. Report the ratio
 * {@code pipeline / executeBlockingChains}. {@code threadQueueChains} makes the same calls on three one-thread
 * ThreadQueues by hand, to separate the pipeline's own cost from the queue's.
 *
 * <pre>
 * java -jar asynqueue-core/target/benchmarks.jar PipelineBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class PipelineBenchmark {

  /** Elements per invocation. */
  static final int N = 10_000;
  /** Elements in flight for the baseline: what the pipeline's three default windows hold (3 x 16). */
  static final int WINDOW = 48;

  private Vertx vertx;
  private Context context;

  @Setup(Level.Trial)
  public void setup() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Iterator<Integer> inputs() {
    return IntStream.range(0, N).iterator();
  }

  /** Runs {@code body} on the event loop and waits for its Future. */
  private void onLoop(Supplier<Future<?>> body) throws Exception {
    CompletableFuture<Object> done = new CompletableFuture<>();
    context.runOnContext(v -> body.get().onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(null);
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    done.get(60, TimeUnit.SECONDS);
  }

  /** The baseline: each element's three steps as a chain of executeBlocking calls, in input order. */
  @Benchmark
  @OperationsPerInvocation(N)
  public void executeBlockingChains() throws Exception {
    onLoop(() -> {
      OrderedItemProducer<Integer> producer = OrderedItemProducer.create(context, inputs(),
          x -> context.executeBlocking(() -> x + 1, false)
              .compose(a -> context.executeBlocking(() -> a + 1, false))
              .compose(b -> context.executeBlocking(() -> b + 1, false)), WINDOW);
      ListConsumer<Integer> sink = ListConsumer.create(context);
      return producer.pipeTo(sink);
    });
  }

  /**
   * The queue without the pipeline: the same chains as the baseline, each step a call on a one-thread
   * ThreadQueue of its own (what the pipeline's stages do), in input order by an OrderedItemProducer.
   */
  @Benchmark
  @OperationsPerInvocation(N)
  public void threadQueueChains() throws Exception {
    onLoop(() -> {
      TaskQueue q1 = ThreadQueue.create(vertx, 1);
      TaskQueue q2 = ThreadQueue.create(vertx, 1);
      TaskQueue q3 = ThreadQueue.create(vertx, 1);
      OrderedItemProducer<Integer> producer = OrderedItemProducer.create(context, inputs(),
          x -> q1.call(PipelineBenchmark::plusOne, x)
              .compose(a -> q2.call(PipelineBenchmark::plusOne, a))
              .compose(b -> q3.call(PipelineBenchmark::plusOne, b)), WINDOW);
      ListConsumer<Integer> sink = ListConsumer.create(context);
      return producer.pipeTo(sink)
          .compose(v -> Future.join(q1.shutdown(), q2.shutdown(), q3.shutdown()));
    });
  }

  static int plusOne(int x) {
    return x + 1;
  }

  /** The pipeline: three ordered stages, one private thread each. */
  @Benchmark
  @OperationsPerInvocation(N)
  public void pipelineOneThreadPerStage() throws Exception {
    onLoop(() -> Pipeline.from(vertx, inputs())
        .map(x -> x + 1, stage().threads(1))
        .map(x -> x + 1, stage().threads(1))
        .map(x -> x + 1, stage().threads(1))
        .ordered()
        .forEach(x -> { }));
  }

  /** The pipeline: three ordered stages, two private threads each. */
  @Benchmark
  @OperationsPerInvocation(N)
  public void pipelineTwoThreadsPerStage() throws Exception {
    onLoop(() -> Pipeline.from(vertx, inputs())
        .map(x -> x + 1, stage().threads(2))
        .map(x -> x + 1, stage().threads(2))
        .map(x -> x + 1, stage().threads(2))
        .ordered()
        .forEach(x -> { }));
  }

  /**
   * The pipeline with mt.concurrency's batching: elements go to the threads 100 at a time, so a trivial
   * function pays one round trip per batch rather than per element.
   */
  @Benchmark
  @OperationsPerInvocation(N)
  public void pipelineBatchedOneThreadPerStage() throws Exception {
    onLoop(() -> Pipeline.from(vertx, inputs())
        .batch(100)
        .map(PipelineBenchmark::plusOneEach, stage().threads(1))
        .map(PipelineBenchmark::plusOneEach, stage().threads(1))
        .map(PipelineBenchmark::plusOneEach, stage().threads(1))
        .ordered()
        .flatMap(List::iterator)
        .forEach(x -> { }));
  }

  static List<Integer> plusOneEach(List<Integer> batch) {
    List<Integer> out = new ArrayList<>(batch.size());
    for (int x : batch) {
      out.add(x + 1);
    }
    return out;
  }

  /** For contrast: the same three steps on the event loop (no thread hops at all). */
  @Benchmark
  @OperationsPerInvocation(N)
  public void pipelineOnTheEventLoop() throws Exception {
    onLoop(() -> Pipeline.from(vertx, inputs())
        .map(x -> x + 1)
        .map(x -> x + 1)
        .map(x -> x + 1)
        .ordered()
        .forEach(x -> { }));
  }
}
