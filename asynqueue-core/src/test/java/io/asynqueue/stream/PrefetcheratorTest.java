package io.asynqueue.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class PrefetcheratorTest {

  /** A source the test answers by hand; records each fetch's max and checks there is one in flight at most. */
  private static final class ScriptedSource implements ElementSource<String> {
    final List<Integer> requests = new ArrayList<>();
    Promise<Batch<String>> inFlight;
    int closes;
    boolean overlapped;

    @Override
    public Future<Batch<String>> fetch(int max) {
      if (inFlight != null) {
        overlapped = true;
      }
      requests.add(max);
      inFlight = Promise.promise();
      return inFlight.future();
    }

    void answer(boolean last, String... elements) {
      Promise<Batch<String>> p = inFlight;
      inFlight = null;
      p.complete(new Batch<>(Arrays.asList(elements), last));
    }

    void fail(Throwable cause) {
      Promise<Batch<String>> p = inFlight;
      inFlight = null;
      p.fail(cause);
    }

    @Override
    public Future<Void> close() {
      if (inFlight != null) {
        overlapped = true;
      }
      closes++;
      return Future.succeededFuture();
    }
  }

  /** Serves a list in batches of at most max, at once. */
  private static final class ListSource implements ElementSource<String> {
    private final List<String> values;
    private int next;

    ListSource(List<String> values) {
      this.values = values;
    }

    @Override
    public Future<Batch<String>> fetch(int max) {
      int end = Math.min(values.size(), next + max);
      List<String> batch = new ArrayList<>(values.subList(next, end));
      next = end;
      return Future.succeededFuture(new Batch<>(batch, next == values.size()));
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  /**
   * Runs each step in a context task of its own, in order, so that a fetch answered in one step has been
   * absorbed (in a task queued behind it) before the next step runs.
   */
  private static void steps(Context ctx, VertxTestContext tc, List<Runnable> steps) {
    ctx.runOnContext(v -> {
      if (steps.isEmpty()) {
        return;
      }
      tc.verify(() -> steps.get(0).run());
      steps(ctx, tc, steps.subList(1, steps.size()));
    });
  }

  private static List<String> pollAll(Prefetcherator<String> p) {
    List<String> out = new ArrayList<>();
    while (p.available() > 0) {
      out.add(p.poll());
    }
    return out;
  }

  @Test
  void valuesWithANull_areEachYielded_thenExhausted(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    List<String> values = Arrays.asList("57", null, "1.3", "whatever");
    List<String> got = new ArrayList<>();
    ctx.runOnContext(v -> {
      Prefetcherator<String> p = Prefetcherator.create(ctx, new ListSource(values), 2);
      p.readyHandler(x -> {
        got.addAll(pollAll(p));
        if (p.isEnded()) {
          tc.verify(() -> {
            assertThat(got).containsExactly("57", null, "1.3", "whatever");
            assertThat(p.isExhausted()).isTrue();
            assertThat(p.failure()).isNull();
            assertThat(p.fetchedCount()).isEqualTo(4);
            assertThatThrownBy(p::poll).isInstanceOf(NoSuchElementException.class);
          });
          tc.completeNow();
        }
      });
    });
  }

  @Test
  void fetchPolicy_windowFirst_thenRefillAtHalf_neverTwoInFlight(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    ScriptedSource source = new ScriptedSource();
    @SuppressWarnings("unchecked")
    Prefetcherator<String>[] holder = new Prefetcherator[1];
    steps(ctx, tc, List.of(
        () -> {
          holder[0] = Prefetcherator.create(ctx, source, 8);
          assertThat(source.requests).containsExactly(8);
          source.answer(false, "a", "b", "c", "d", "e", "f", "g", "h");
          assertThat(holder[0].available()).isZero();             // absorbed in a task of its own
        },
        () -> {
          Prefetcherator<String> p = holder[0];
          assertThat(p.available()).isEqualTo(8);
          assertThat(source.requests).containsExactly(8);         // full: no fetch
          p.poll();
          p.poll();
          p.poll();
          assertThat(source.requests).containsExactly(8);         // 5 left, more than half
          assertThat(p.poll()).isEqualTo("d");
          assertThat(source.requests).containsExactly(8, 4);      // 4 left: half; ask for the rest of the window
          assertThat(pollAll(p)).containsExactly("e", "f", "g", "h");
          assertThat(source.requests).containsExactly(8, 4);      // one fetch in flight at most
          source.answer(false, "i", "j", "k", "l");
        },
        () -> {
          assertThat(source.requests).containsExactly(8, 4, 4);   // 4 buffered: half again
          source.answer(true, "m", "n");
        },
        () -> {
          Prefetcherator<String> p = holder[0];
          assertThat(p.available()).isEqualTo(6);
          assertThat(pollAll(p)).containsExactly("i", "j", "k", "l", "m", "n");
          assertThat(source.requests).containsExactly(8, 4, 4);   // the source said last
          assertThat(p.isExhausted()).isTrue();
          assertThat(source.overlapped).isFalse();
          assertThat(source.closes).isZero();                     // an exhausted source released itself
          p.close().onComplete(tc.succeeding(x -> tc.verify(() -> {
            assertThat(source.closes).isZero();
            tc.completeNow();
          })));
        }));
  }

  @Test
  void failure_isReportedOnlyAfterTheElementsBeforeIt(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    ScriptedSource source = new ScriptedSource();
    RuntimeException boom = new RuntimeException("boom");
    @SuppressWarnings("unchecked")
    Prefetcherator<String>[] holder = new Prefetcherator[1];
    steps(ctx, tc, List.of(
        () -> {
          holder[0] = Prefetcherator.create(ctx, source, 4);
          source.answer(false, "a", "b", "c");
        },
        () -> {
          holder[0].poll();
          holder[0].poll();                       // 1 left: refill
          source.fail(boom);
        },
        () -> {
          Prefetcherator<String> p = holder[0];
          assertThat(p.failure()).isNull();
          assertThat(p.isEnded()).isFalse();
          assertThat(p.poll()).isEqualTo("c");
          assertThat(p.failure()).isSameAs(boom);
          assertThat(p.isEnded()).isTrue();
          assertThat(p.isExhausted()).isFalse();
          assertThat(source.requests).hasSize(2);
          tc.completeNow();
        }));
  }

  @Test
  void close_duringAFetch_waitsForIt_thenClosesTheSourceOnce(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    ScriptedSource source = new ScriptedSource();
    @SuppressWarnings("unchecked")
    Prefetcherator<String>[] holder = new Prefetcherator[1];
    @SuppressWarnings("unchecked")
    Future<Void>[] closed = new Future[1];
    steps(ctx, tc, List.of(
        () -> {
          holder[0] = Prefetcherator.create(ctx, source, 4);
          closed[0] = holder[0].close();
          assertThat(closed[0].isComplete()).isFalse();
          source.answer(false, "a", "b");
          assertThat(source.closes).isZero();
        },
        () -> {
          Prefetcherator<String> p = holder[0];
          assertThat(source.closes).isEqualTo(1);
          assertThat(source.overlapped).isFalse();
          assertThat(p.available()).isZero();        // what arrived after close is dropped
          assertThat(p.isEnded()).isTrue();
          assertThat(p.close()).isSameAs(closed[0]);
          closed[0].onComplete(tc.succeeding(x -> tc.verify(() -> {
            assertThat(source.requests).hasSize(1);
            tc.completeNow();
          })));
        }));
  }

  @Test
  void aFetchCompletingAtOnce_isStillAbsorbedInATaskOfItsOwn(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      Prefetcherator<String> p = Prefetcherator.create(ctx, new ListSource(List.of("a", "b")), 4);
      tc.verify(() -> assertThat(p.available()).isZero()); // so a synchronous next() chain cannot grow the buffer
      ctx.runOnContext(x -> tc.verify(() -> {
        assertThat(pollAll(p)).containsExactly("a", "b");
        assertThat(p.isExhausted()).isTrue();
        tc.completeNow();
      }));
    });
  }

  @Test
  void readyHandler_runsOnTheContext_whenFetchesCompleteElsewhere(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    List<String> got = new ArrayList<>();
    ElementSource<String> offThread = new ElementSource<>() {
      private final ListSource list = new ListSource(List.of("x", "y", "z"));

      @Override
      public Future<Batch<String>> fetch(int max) {
        Promise<Batch<String>> p = Promise.promise();
        new Thread(() -> p.complete(list.fetch(1).result())).start(); // one at a time, on a foreign thread
        return p.future();
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
    ctx.runOnContext(v -> {
      Prefetcherator<String> p = Prefetcherator.create(ctx, offThread, 2);
      p.readyHandler(x -> {
        if (Vertx.currentContext() != ctx) {
          tc.failNow("ready handler off the context");
        }
        got.addAll(pollAll(p));
        if (p.isExhausted()) {
          tc.verify(() -> assertThat(got).containsExactly("x", "y", "z"));
          tc.completeNow();
        }
      });
    });
  }

  @Test
  void create_withAWindowBelowOne_isRefused(Vertx vertx) {
    assertThatThrownBy(() -> Prefetcherator.create(vertx.getOrCreateContext(), new ListSource(List.of()), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
