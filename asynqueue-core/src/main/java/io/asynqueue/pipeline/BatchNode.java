package io.asynqueue.pipeline;

import java.util.ArrayList;
import java.util.List;

/** Groups elements into lists of {@code size} (the last may be shorter), in order. Holds at most two lists. */
final class BatchNode extends Node {

  private final int size;
  private List<Object> filling;
  private Envelope ready;

  BatchNode(Engine engine, int size) {
    super(engine);
    this.size = size;
    this.filling = new ArrayList<>(size);
  }

  @Override
  boolean step() {
    boolean changed = false;
    Envelope e;
    while (ready == null && !engine.stopping && (e = upstream.poll()) != null) {
      changed = true;
      filling.add(e.value);
      if (filling.size() == size) {
        ship();
      }
    }
    if (ready == null && !filling.isEmpty() && upstream.exhausted()) {
      ship();
      changed = true;
    }
    return changed;
  }

  private void ship() {
    ready = new Envelope(filling, null);
    filling = new ArrayList<>(size);
  }

  @Override
  Envelope poll() {
    Envelope e = ready;
    ready = null;
    return e;
  }

  @Override
  boolean exhausted() {
    return ready == null && filling.isEmpty() && upstream.exhausted();
  }
}
