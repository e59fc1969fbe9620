package io.asynqueue.pipeline;

import io.asynqueue.stream.ElementSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The sinks: a WriteStream, a callback, and a source for a Deferator. */
final class Sinks {

  private Sinks() {
  }

  /** Writes to a WriteStream while it is not full; its drain handler pumps again. Ends it at the end. */
  static final class WriteStreamSink extends Sink {
    private final WriteStream<Object> stream;

    @SuppressWarnings("unchecked")
    WriteStreamSink(Engine engine, WriteStream<?> stream) {
      super(engine);
      this.stream = (WriteStream<Object>) stream;
    }

    @Override
    void open() {
      stream.drainHandler(v -> engine.onContext(engine::pump));
      stream.exceptionHandler(t -> engine.onContext(() -> engine.fail(new PipelineException(PipelineException.SINK, t))));
    }

    @Override
    boolean step() {
      boolean changed = false;
      while (!engine.stopping && !stream.writeQueueFull()) {
        Envelope e = upstream.poll();
        if (e == null) {
          break;
        }
        changed = true;
        engine.written++;
        Object value = e.value;
        Future<Void> written;
        try {
          written = stream.write(value);
        } catch (Throwable t) {
          written = Future.failedFuture(t);
        }
        written.onFailure(t -> engine.onContext(() -> engine.fail(new PipelineException(PipelineException.SINK, value, t))));
      }
      if (!engine.stopping && upstream.exhausted()) {
        engine.complete();
      }
      return changed;
    }

    @Override
    Future<Void> finish(Throwable cause) {
      return stream.end();
    }
  }

  /** Hands each element to a callback on the context (forEach, collect). */
  static final class CallbackSink extends Sink {
    private final Consumer<Object> action;

    CallbackSink(Engine engine, Consumer<Object> action) {
      super(engine);
      this.action = action;
    }

    @Override
    boolean step() {
      boolean changed = false;
      Envelope e;
      while (!engine.stopping && (e = upstream.poll()) != null) {
        changed = true;
        engine.written++;
        try {
          action.accept(e.value);
        } catch (Throwable t) {
          engine.elementFailed(PipelineException.SINK, e.value, t, null);
        }
      }
      if (!engine.stopping && upstream.exhausted()) {
        engine.complete();
      }
      return changed;
    }

    @Override
    Future<Void> finish(Throwable cause) {
      return Future.succeededFuture();
    }
  }

  /**
   * The source of a Deferator over the pipeline's output: a fetch waits until elements are ready; the last
   * (empty) batch, or the failure, comes once the run has ended and released everything.
   */
  static final class SourceSink extends Sink implements ElementSource<Object> {
    private Promise<Batch<Object>> pending;
    private int max;
    private boolean ended;
    private Throwable failure;

    SourceSink(Engine engine) {
      super(engine);
    }

    @Override
    public Future<Batch<Object>> fetch(int max) {
      Promise<Batch<Object>> p = engine.ctx.promise();
      engine.onContext(() -> {
        if (ended) {
          answerEnd(p);
          return;
        }
        pending = p;
        this.max = max;
        engine.pump();
      });
      return p.future();
    }

    @Override
    public Future<Void> close() {
      return engine.cancel();
    }

    @Override
    boolean step() {
      if (pending == null || engine.stopping) {
        return false;
      }
      List<Object> batch = null;
      Envelope e;
      while ((batch == null || batch.size() < max) && (e = upstream.poll()) != null) {
        if (batch == null) {
          batch = new ArrayList<>();
        }
        batch.add(e.value);
      }
      if (batch != null) {
        engine.written += batch.size();
        Promise<Batch<Object>> p = pending;
        pending = null;
        p.complete(new Batch<>(batch, false));
      }
      if (upstream.exhausted()) {
        engine.complete();
      }
      return batch != null;
    }

    @Override
    Future<Void> finish(Throwable cause) {
      return Future.succeededFuture();
    }

    @Override
    void ended(Throwable cause) {
      ended = true;
      failure = cause;
      if (pending != null) {
        Promise<Batch<Object>> p = pending;
        pending = null;
        answerEnd(p);
      }
    }

    private void answerEnd(Promise<Batch<Object>> p) {
      if (failure != null) {
        p.fail(failure);
      } else {
        p.complete(new Batch<>(List.of(), true));
      }
    }
  }
}
