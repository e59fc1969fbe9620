package io.asynqueue.pipeline;

import io.asynqueue.stream.Deferator;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;

/**
 * Reads a ReadStream with explicit demand: it is paused at once, and fetched a few elements at a time, as the
 * buffer empties. A failing stream fails the pipeline; a failed or cancelled run pauses the stream (and stops
 * it if it is a Deferator, releasing its source).
 */
final class StreamSource extends Node {

  static final int BUFFER = 16;

  private final ReadStream<Object> stream;
  private final ArrayDeque<Envelope> buffer = new ArrayDeque<>();
  private int requested;
  private boolean ended;

  @SuppressWarnings("unchecked")
  StreamSource(Engine engine, ReadStream<?> stream) {
    super(engine);
    this.stream = (ReadStream<Object>) stream;
  }

  @Override
  void open() {
    stream.pause();
    stream.exceptionHandler(t -> engine.onContext(() -> engine.fail(new PipelineException(PipelineException.SOURCE, t))));
    stream.endHandler(v -> engine.onContext(() -> {
      ended = true;
      engine.pump();
    }));
    stream.handler(value -> engine.onContext(() -> {
      if (requested > 0) {
        requested--;
      }
      buffer.add(new Envelope(value, null));
      engine.pump();
    }));
  }

  @Override
  boolean step() {
    if (!ended && !engine.stopping) {
      int want = BUFFER - buffer.size() - requested;
      if (want >= BUFFER / 2 && !engine.intakePaused()) {
        requested += want;
        stream.fetch(want);
      }
    }
    return false;
  }

  @Override
  Envelope poll() {
    if (buffer.isEmpty() || engine.intakePaused()) {
      return null;
    }
    engine.read++;
    return buffer.poll();
  }

  @Override
  boolean exhausted() {
    return ended && buffer.isEmpty();
  }

  @Override
  void close(boolean failed) {
    if (failed && !ended) {
      stream.pause();
      if (stream instanceof Deferator) {
        ((Deferator<?>) stream).stop();
      }
    }
  }
}
