package io.asynqueue.pipeline;

import static io.asynqueue.pipeline.Stage.stage;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.Task;
import io.asynqueue.Task3;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** job_stream.inline's documented examples, with their documented outputs. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class JobStreamExamplesTest {

  /* --------------------------------------------------------------- job, reduce with emit, result */

  /** The reducer's store: len and count. */
  static final class LengthStore {
    double len;
    int count;
  }

  @Test
  void averageWordLength_jobThenReduceWithEmit_printsTheMean(Vertx vertx, VertxTestContext tc) {
    List<String> printed = new ArrayList<>();
    Pipeline.from(vertx, Arrays.asList("Hello there world, how are you?".split(" ")))
        .map(String::length, stage().threads(2))                   // @w.job def getLen(w): return len(w)
        .reduce(LengthStore::new, (store, len) -> {                // @w.reduce(emit=...) def findAverage
          store.len += len;
          store.count += 1;
        }, store -> store.len / store.count)
        .forEach(result -> printed.add(String.valueOf(result)))    // @w.result def printer: print(result)
        .onComplete(tc.succeeding(v -> tc.verify(() -> {
          assertThat(printed).containsExactly("4.333333333333333");
          tc.completeNow();
        })));
  }

  @Test
  void jobsRunInSourceOrder_firstThenSecond(Vertx vertx, VertxTestContext tc) {
    // with inline.Work([1]): @w.job first prints "a: 1" and returns 2; @w.job second prints "b: 2"
    List<String> printed = Collections.synchronizedList(new ArrayList<>());
    Pipeline.from(vertx, List.of(1))
        .map(w -> {
          printed.add("a: " + w);
          return w + 1;
        }, stage().threads(1))
        .map(w -> printed.add("b: " + w), stage().threads(1))
        .collect()
        .onComplete(tc.succeeding(v -> tc.verify(() -> {
          assertThat(printed).containsExactly("a: 1", "b: 2");
          tc.completeNow();
        })));
  }

  /* --------------------------------------------------------------- frame, frameEnd */

  /** The frame's store: first, value, and whether the loop has started. */
  static final class SumStore {
    final int first;
    int value;
    boolean started;

    SumStore(int first) {
      this.first = first;
    }
  }

  @Test
  void sumThrough_frameAndFrameEnd_print4is10_5is15_8is36(Vertx vertx, VertxTestContext tc) {
    List<String> printed = Collections.synchronizedList(new ArrayList<>());
    Pipeline.from(vertx, List.of(4, 5, 8))                                 // w = Work([4, 5, 8])
        .frame(SumStore::new,
            (store, first) -> {                                             // @w.frame def sumThrough
              if (!store.started) {
                store.started = true;
                return List.of(first);                                      // return first
              }
              return null;                                                  // done: leave the loop
            },
            body -> body.flatMap(w -> IntStream.rangeClosed(1, w).boxed().iterator(), // countTo: Multiple(1..w)
                stage().threads(2)),
            (store, next) -> {                                              // @w.frameEnd def handleNext
              store.value += next;
              return null;
            },
            store -> store.first + ": " + store.value)
        .forEach(printed::add)                                              // @w.result def printMatchup
        .onComplete(tc.succeeding(v -> tc.verify(() -> {
          assertThat(printed).containsExactlyInAnyOrder("4: 10", "5: 15", "8: 36");
          tc.completeNow();
        })));
  }

  @Test
  void frame_workReturnedFromFrameEnd_recursesUntilTheHeadStops(Vertx vertx, VertxTestContext tc) {
    // halve each input until it is 1 (a while loop): frameEnd sends the half round again, in order
    Pipeline.from(vertx, List.of(40, 7, 1))
        .frame(first -> new ArrayList<Integer>(),
            (trail, first) -> trail.isEmpty() ? List.of(first) : null,
            body -> body.map(n -> n, stage().threads(2)),
            (trail, n) -> {
              trail.add(n);
              return n > 1 ? List.of(n / 2) : null;
            },
            trail -> (List<Integer>) trail)
        .ordered()
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactly(List.of(40, 20, 10, 5, 2, 1), List.of(7, 3, 1), List.of(1));
          tc.completeNow();
        })));
  }

  @Test
  void nestedFrames_filterInsideTheBody_andManyInputs_countTheirWorkRight(Vertx vertx, VertxTestContext tc) {
    // outer: per n, sum of (sum of the even numbers in 1..k) for k in 1..n, the inner sums in a nested frame
    Pipeline.from(vertx, IntStream.rangeClosed(1, 40).boxed().iterator())
        .frame(n -> new long[] {n, 0, 0},
            (s, n) -> s[2]++ == 0 ? rangeClosed(1, n) : null,
            body -> body.frame(k -> new long[] {0, 0},
                (s, k) -> s[1]++ == 0 ? rangeClosed(1, k) : null,
                inner -> inner.filter(i -> i % 2 == 0, stage().threads(2)),
                (s, i) -> {
                  s[0] += i;
                  return null;
                },
                s -> s[0]),
            (s, innerSum) -> {
              s[1] += innerSum;
              return null;
            },
            s -> s[0] + "=" + s[1])
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).hasSize(40);
          for (int n = 1; n <= 40; n++) {
            long expected = 0;
            for (int k = 1; k <= n; k++) {
              expected += (long) (k / 2) * (k / 2 + 1);   // 2 + 4 + ... up to k
            }
            assertThat(out).contains(n + "=" + expected);
          }
          tc.completeNow();
        })));
  }

  private static List<Integer> rangeClosed(int a, long b) {
    List<Integer> list = new ArrayList<>();
    for (int i = a; i <= b; i++) {
      list.add(i);
    }
    return list;
  }

  /* --------------------------------------------------------------- Args, Multiple, init, finish */

  @Test
  void args_fanOutToTheJobsArguments_printsGot1234(Vertx vertx, VertxTestContext tc) {
    // with Work([Args(1, 2, d=4, c=3)]): def handle(a, b, c, d): print("Got {}, {}, {}, {}")
    Task<String> handle = args -> String.format("Got %s, %s, %s, %s", args[0], args[1], args[2], args[3]);
    Task3<Integer, Integer, Integer, Integer> sum3 = (a, b, c) -> a + b + c;
    Pipeline.from(vertx, List.of(Args.of(1, 2, 3, 4)))
        .mapArgs(handle, stage().on(PipelineFixtures.serializingQueue(vertx, 1)))
        .collect()
        .compose(out -> {
          tc.verify(() -> assertThat(out).containsExactly("Got 1, 2, 3, 4"));
          return Pipeline.from(vertx, List.of(Args.of(1, 2, 3), Args.of(10, 20, 30)))
              .mapArgs(sum3, stage().threads(2))
              .ordered()
              .collect();
        })
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactly(6, 60);
          tc.completeNow();
        })));
  }

  @Test
  void mapArgs_onAnElementThatIsNotArgs_failsThatElement(Vertx vertx, VertxTestContext tc) {
    Task<Object> any = args -> args.length;
    Pipeline.from(vertx, List.<Object>of(Args.of(1), "not args"))
        .mapArgs(any, stage())
        .collect()
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertThat(e).isInstanceOf(PipelineException.class);
          assertThat(((PipelineException) e).element()).isEqualTo("not args");
          assertThat(e.getCause()).isInstanceOf(ClassCastException.class);
          tc.completeNow();
        })));
  }

  @Test
  void multiple_oneJobEmitsSeveralPiecesOfWork(Vertx vertx, VertxTestContext tc) {
    // return Multiple([1, 2, 3])
    Pipeline.from(vertx, List.of("x", "y"))
        .flatMap(w -> List.of(w + 1, w + 2, w + 3).iterator(), stage().threads(2))
        .ordered()
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactly("x1", "x2", "x3", "y1", "y2", "y3");
          tc.completeNow();
        })));
  }

  @Test
  void init_runsOnceBeforeAnyJob_andFinish_seesAllResults(Vertx vertx, VertxTestContext tc) {
    AtomicBoolean initDone = new AtomicBoolean();
    AtomicInteger inits = new AtomicInteger();
    Pipeline.from(vertx, List.of(1, 2, 3))
        .init(() -> vertx.timer(20).map(t -> {                 // @w.init: e.g. make folders
          inits.incrementAndGet();
          initDone.set(true);
          return null;
        }))
        .map(x -> {
          if (!initDone.get()) {
            throw new IllegalStateException("job ran before init");
          }
          return x * x;
        }, stage().threads(2))
        .collect()
        .map(all -> all.stream().mapToInt(Integer::intValue).sum())   // @w.finish: gets every result
        .onComplete(tc.succeeding(sum -> tc.verify(() -> {
          assertThat(sum).isEqualTo(14);
          assertThat(inits.get()).isEqualTo(1);
          tc.completeNow();
        })));
  }

  @Test
  void init_thatFails_failsThePipeline_withoutReadingInput(Vertx vertx, VertxTestContext tc) {
    PipelineFixtures.Counter input = PipelineFixtures.Counter.endless();
    Pipeline.from(vertx, input)
        .init(() -> Future.failedFuture(new IllegalStateException("no disk")))
        .map(x -> x, stage().threads(1))
        .collect()
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertThat(e).isInstanceOf(PipelineException.class);
          assertThat(((PipelineException) e).stage()).isEqualTo("init");
          assertThat(e.getCause()).hasMessage("no disk");
          assertThat(input.produced.get()).isZero();
          tc.completeNow();
        })));
  }
}
