package io.asynqueue.examples;

import static io.asynqueue.pipeline.Stage.stage;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.stream.Deferator;
import io.asynqueue.stream.ListConsumer;
import io.asynqueue.TaskQueue;
import io.asynqueue.ThreadQueue;
import io.asynqueue.pipeline.Pipeline;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's pipeline section, as printed there: if this stops compiling or passing, fix the README too. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class PipelineReadmeTest {

  record Rec(String key, int score) implements Serializable {
    boolean valid() {
      return score >= 0;
    }
  }

  static final class Parse {
    static Rec line(String line) {
      String[] kv = line.split("=");
      return new Rec(kv[0], Integer.parseInt(kv[1]));
    }
  }

  static final class Score {
    static Rec of(Rec r) {
      return new Rec(r.key(), r.score() * 10);
    }
  }

  static final class Jobs {
    static int printarg(int x) {
      return x;
    }
  }

  sealed interface Item extends Serializable permits Document, BatchDone, Indexed {
  }

  record Document(int n) implements Item {
  }

  record BatchDone(int docs) implements Item {
  }

  record Indexed(int n) implements Item {
  }

  static final class Indexer {
    static Item index(Item doc) {
      return new Indexed(((Document) doc).n());
    }
  }

  static final class Store {
    double len;
    int count;
  }

  record Result(long workId, long value) implements Serializable {
  }

  static final class Work {
    static Result run(long id) {
      return id % 10 == 9 ? null : new Result(id, id * id);
    }
  }

  /**
   * The README's guards, under the names it uses: the real ones, but for the CPU guard, which reads a quiet machine
   * here instead of this one. The real {@code cpuAbove(0.9)} holds the intake paused for as long as the machine is
   * busier than 90% (as it should), and another build on this machine can keep it so for longer than the test's
   * timeout. How a guard pauses and resumes the intake is tested with a guard the test controls, in
   * MtConcurrencyExamplesTest.
   */
  static final class ResourceGuard {
    static io.asynqueue.pipeline.ResourceGuard memoryAbove(double fraction) {
      return io.asynqueue.pipeline.ResourceGuard.memoryAbove(fraction);
    }

    static io.asynqueue.pipeline.ResourceGuard cpuAbove(double fraction) {
      io.asynqueue.pipeline.ResourceGuard.cpuAbove(fraction); // the README's call, checked against the real one
      double quiet = 0.1;
      return () -> quiet > fraction;
    }

    static io.asynqueue.pipeline.ResourceGuard any(io.asynqueue.pipeline.ResourceGuard... guards) {
      return io.asynqueue.pipeline.ResourceGuard.any(guards);
    }
  }

  @Test
  void overview(Vertx vertx, VertxTestContext tc) {
    Iterator<String> lines = List.of("a=1", "b=-1", "c=3").iterator();
    TaskQueue processQueue = ThreadQueue.create(vertx, 2);   // stands in for a ProcessQueue
    ListConsumer<Rec> writeStream = ListConsumer.create(vertx.getOrCreateContext());

    // --- README overview begins
    Pipeline.from(vertx, lines)                              // Iterator, Iterable or ReadStream; read lazily
        .map(Parse::line, stage().threads(4))                // 4 threads of its own, ended with the pipeline
        .filter(Rec::valid)                                  // no stage: on the event loop (cheap functions only)
        .map(Score::of, stage().on(processQueue))            // any TaskQueue: the function travels as the task
        .ordered()                                           // what leaves here is in input order
        .to(writeStream)                                     // Future<Void>; or forEach, collect, stream()
    // --- README overview ends
        .compose(v -> writeStream.result())
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactly(new Rec("a", 10), new Rec("c", 30));
          processQueue.shutdown().onComplete(tc.succeedingThenComplete());
        })));
  }

  @Test
  void k3jobq(Vertx vertx, VertxTestContext tc) {
    // --- README k3jobq begins
    // k3jobq.run(range(100), [add1, (printarg, 4)], keep_order=True)
    Pipeline<Integer> p = Pipeline.from(vertx, IntStream.range(0, 100).iterator())
        .map(x -> x + 1, stage().name("add1").threads(1))
        .map(Jobs::printarg, stage().name("print").threads(4))
        .ordered()                                            // keep_order
        .rateLimit(1000, Duration.ofSeconds(1))               // limit_job_speed(1000)
        .timeout(Duration.ofMinutes(1));                      // timeout
    Future<Void> done = p.forEach(System.out::println);       // 1 .. 100, in order
    p.stats().onSuccess(s -> System.out.println(s.doing()));  // the stats probe: in, out, doing per stage
    Future<Void> resized = p.setConcurrency("print", 8);      // set_thread_num(printarg, 8)
    // --- README k3jobq ends
    resized.compose(v -> done).compose(v -> p.stats()).onComplete(tc.succeeding(s -> tc.verify(() -> {
      assertThat(s.stages().get(1).threads()).isEqualTo(8);
      assertThat(s.written()).isEqualTo(100);
      tc.completeNow();
    })));
  }

  @Test
  void parallelQueue(Vertx vertx, VertxTestContext tc) {
    TaskQueue processQueue = ThreadQueue.create(vertx, 2);
    List<Item> producer = List.of(new Document(1), new Document(2), new BatchDone(2), new Document(3),
        new BatchDone(1));
    int cpus = 2;
    List<String> log = new ArrayList<>();
    // --- README parallel-queue begins
    Pipeline.from(vertx, producer)                        // documents, and a BatchDone after each batch
        .map(Indexer::index, stage().on(processQueue).bypass(BatchDone.class::isInstance))
        .ordered(10 * cpus)                               // results in input order; bounded out-of-order buffer
        .forEach(item -> {
          if (item instanceof BatchDone done) {
            log.add("batch done: " + done.docs());        // every document before it has been indexed
          }
        })
    // --- README parallel-queue ends
        .onComplete(tc.succeeding(v -> tc.verify(() -> {
          assertThat(log).containsExactly("batch done: 2", "batch done: 1");
          processQueue.shutdown().onComplete(tc.succeedingThenComplete());
        })));
  }

  @Test
  void jobStream(Vertx vertx, VertxTestContext tc) {
    List<Object> printed = new ArrayList<>();
    // --- README job_stream begins
    Pipeline.from(vertx, List.of("Hello there world, how are you?".split(" ")))
        .map(String::length, stage().threads(2))                       // @w.job getLen
        .reduce(Store::new, (s, len) -> {                              // @w.reduce(emit = len / count)
          s.len += len;
          s.count++;
        }, s -> s.len / s.count)
        .forEach(printed::add)                                          // @w.result: 4.333333333333333
    // --- README job_stream ends
        .onComplete(tc.succeeding(v -> tc.verify(() -> {
          assertThat(printed).containsExactly(26.0 / 6);
          tc.completeNow();
        })));
  }

  @Test
  void mtConcurrency(Vertx vertx, VertxTestContext tc) {
    TaskQueue processQueue = ThreadQueue.create(vertx, 2);
    // --- README mt.concurrency begins
    Deferator<Result> results = Pipeline.from(vertx, LongStream.iterate(0, id -> id + 1).iterator()) // 0, 1, ...
        .map(Work::run, stage().on(processQueue))            // (work_id, ...) or null
        .filter(Objects::nonNull)                            // skip_null
        .pauseWhen(ResourceGuard.any(ResourceGuard.memoryAbove(0.9), ResourceGuard.cpuAbove(0.9)))
        .stream();                                           // a WorkIterator: runs ahead by a bounded buffer
    results.next().onSuccess(r -> System.out.println(r.workId() + " -> " + r.value()))   // as they finish
        .compose(first -> results.next())
    // --- README mt.concurrency ends
        .compose(second -> results.stop().map(second))
        .onComplete(tc.succeeding(second -> tc.verify(() -> {
          assertThat(second.value()).isEqualTo(second.workId() * second.workId());
          processQueue.shutdown().onComplete(tc.succeedingThenComplete());
        })));
  }
}
