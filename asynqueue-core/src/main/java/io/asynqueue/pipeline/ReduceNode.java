package io.asynqueue.pipeline;


/**
 * Folds every element into a store as it arrives (job_stream's reduce), then, once the upstream is
 * exhausted, emits {@code emit(store)} as the only output.
 */
final class ReduceNode extends Node {

  private static final String NAME = "reduce";

  private final Plan.ReduceStep spec;
  private Object store;
  private boolean emitted;
  private Envelope result;

  ReduceNode(Engine engine, Plan.ReduceStep spec) {
    super(engine);
    this.spec = spec;
  }

  @Override
  void open() {
    try {
      store = spec.store.get();
    } catch (RuntimeException e) {
      throw new PipelineException(NAME, e);
    }
  }

  @Override
  boolean step() {
    if (emitted || engine.stopping) {
      return false;
    }
    boolean changed = false;
    Envelope e;
    while (!engine.stopping && (e = upstream.poll()) != null) {
      changed = true;
      try {
        spec.accumulate.accept(store, e.value);
      } catch (Throwable t) {
        engine.elementFailed(NAME, e.value, t, null);
      }
    }
    if (!engine.stopping && upstream.exhausted()) {
      emitted = true;
      changed = true;
      try {
        result = new Envelope(spec.emit.apply(store), null);
      } catch (Throwable t) {
        engine.elementFailed(NAME, store, t, null);
      }
    }
    return changed;
  }

  @Override
  Envelope poll() {
    Envelope e = result;
    result = null;
    return e;
  }

  @Override
  boolean exhausted() {
    return emitted && result == null;
  }
}
