package io.asynqueue.pipeline;

import java.util.Iterator;

/**
 * Reads an Iterator (or an Iterable's) on the pipeline's context, one element per poll: lazily, so an endless
 * iterator works. An iterator that is {@link AutoCloseable} is closed when the run ends.
 */
final class IteratorSource extends Node {

  private final Object source;
  private Iterator<?> iterator;
  private boolean exhausted;
  private boolean closed;

  IteratorSource(Engine engine, Object source) {
    super(engine);
    this.source = source;
  }

  @Override
  void open() {
    iterator = Engine.iteratorOf(source);
  }

  @Override
  Envelope poll() {
    if (exhausted || engine.intakePaused()) {
      return null;
    }
    try {
      if (!iterator.hasNext()) {
        exhausted = true;
        engine.progress(); // the sink may be able to finish now
        return null;
      }
      Object value = iterator.next();
      engine.read++;
      return new Envelope(value, null);
    } catch (Throwable t) {
      exhausted = true;
      engine.fail(new PipelineException(PipelineException.SOURCE, t));
      return null;
    }
  }

  @Override
  boolean exhausted() {
    return exhausted;
  }

  @Override
  void close(boolean failed) {
    if (!closed && iterator instanceof AutoCloseable) {
      closed = true;
      try {
        ((AutoCloseable) iterator).close();
      } catch (Exception e) {
        engine.ctx.reportException(e);
      }
    }
  }
}
