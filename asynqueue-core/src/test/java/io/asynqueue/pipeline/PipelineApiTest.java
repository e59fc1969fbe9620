package io.asynqueue.pipeline;

import static io.asynqueue.pipeline.Stage.stage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynqueue.CallOptions;
import io.asynqueue.TaskQueue;
import io.asynqueue.ThreadQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The building API: validation, copies, names, and the contexts Futures complete on. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class PipelineApiTest {

  /* --------------------------------------------------------------- Stage */

  @Test
  void stage_validatesItsSettings() {
    assertThatThrownBy(() -> stage().threads(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> stage().maxInFlight(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> stage().window(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> stage().timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> stage().retries(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> stage().name(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void stage_isEitherThreadsOrAQueue(Vertx vertx) {
    TaskQueue q = TaskQueue.create(vertx);
    assertThatThrownBy(() -> stage().threads(2).on(q)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> stage().on(q).threads(2)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void stage_isCopiedWhenUsed_soItCanServeAsATemplate(Vertx vertx, VertxTestContext tc) {
    Stage template = stage().threads(1).name("a");
    Pipeline<Integer> p = Pipeline.from(vertx, List.of(1, 2)).map(x -> x + 1, template);
    template.name("b");
    p = p.map(x -> x * 2, template);
    Pipeline<Integer> last = p;
    last.collect().compose(out -> last.stats()).onComplete(tc.succeeding(s -> tc.verify(() -> {
      assertThat(s.stages()).extracting(PipelineStats.StageStats::name).containsExactly("a", "b");
      tc.completeNow();
    })));
  }

  @Test
  void callOptions_needAStageOnThreadsOrAQueue(Vertx vertx) {
    Pipeline<Integer> p = Pipeline.from(vertx, List.of(1));
    assertThatThrownBy(() -> p.map(x -> x, stage().timeout(Duration.ofSeconds(1))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.map(x -> x, stage().callOptions(new CallOptions().setNiceness(5))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stageNames_areUnique_defaultsNameTheOperatorAndPosition(Vertx vertx, VertxTestContext tc) {
    Pipeline<Integer> twice = Pipeline.from(vertx, List.of(1))
        .map(x -> x, stage().name("x"))
        .map(x -> x, stage().name("x"));
    assertThatThrownBy(twice::collect).isInstanceOf(IllegalStateException.class).hasMessageContaining("unique");
    Pipeline<Integer> p = Pipeline.from(vertx, List.of(1, 2, 3))
        .map(x -> x)
        .filter(x -> true)
        .flatMap(x -> List.of(x).iterator());
    p.collect().compose(v -> p.stats()).onComplete(tc.succeeding(s -> tc.verify(() -> {
      assertThat(s.stages()).extracting(PipelineStats.StageStats::name)
          .containsExactly("map-1", "filter-2", "flatMap-3");
      tc.completeNow();
    })));
  }

  /* --------------------------------------------------------------- Pipeline */

  @Test
  void pipeline_validatesArguments(Vertx vertx) {
    Pipeline<Integer> p = Pipeline.from(vertx, List.of(1));
    assertThatThrownBy(() -> p.ordered(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.batch(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.rateLimit(0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.rateLimit(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.serialBelow(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.stream(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.map(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> p.map(x -> x, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Pipeline.from(null, List.of(1))).isInstanceOf(NullPointerException.class);
  }

  @Test
  void frameBody_mayNotTakePipelineWideSettings_reduceOrBatch(Vertx vertx) {
    Pipeline<Integer> p = Pipeline.from(vertx, List.of(1));
    assertThatThrownBy(() -> p.frame(x -> x, (s, x) -> null,
        body -> body.timeout(Duration.ofSeconds(1)), (s, v) -> null, s -> s))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> p.frame(x -> x, (s, x) -> null,
        body -> body.reduce(() -> 0, (a, b) -> { }, a -> a), (s, v) -> null, s -> s))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> p.<Object, Integer, Integer, Object>frame(x -> x, (s, x) -> null,
        body -> Pipeline.from(vertx, List.of(1)), (s, v) -> null, s -> s))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void futuresCompleteOnTheContextOfTheTerminalCall(Vertx vertx, VertxTestContext tc) {
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    AtomicReference<io.vertx.core.Context> actionCtx = new AtomicReference<>();
    ctx.runOnContext(v -> Pipeline.from(vertx, List.of(1, 2))
        .map(x -> x, stage().threads(2))
        .forEach(x -> actionCtx.set(Vertx.currentContext()))
        .onComplete(tc.succeeding(x -> tc.verify(() -> {
          assertThat(Vertx.currentContext()).isSameAs(ctx);
          assertThat(actionCtx.get()).isSameAs(ctx);
          tc.completeNow();
        }))));
  }

  @Test
  void mapAsync_onAQueue_runsWithCallAsync(Vertx vertx, VertxTestContext tc) {
    TaskQueue q = ThreadQueue.create(vertx, 2);
    Pipeline.from(vertx, List.of(1, 2, 3))
        .mapAsync(x -> Future.succeededFuture(x * 7), stage().on(q))
        .ordered()
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactly(7, 14, 21);
          q.shutdown().onComplete(tc.succeedingThenComplete());
        })));
  }

  @Test
  void emptyInput_completesAtOnce(Vertx vertx, VertxTestContext tc) {
    Pipeline.from(vertx, List.<Integer>of())
        .map(x -> x, stage().threads(2))
        .reduce(() -> new int[1], (s, x) -> s[0]++, s -> s[0])
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactly(0);
          tc.completeNow();
        })));
  }
}
