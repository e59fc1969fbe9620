package io.asynqueue.pipeline;

/**
 * One input's pass through a frame: its store, the element that started it, and how many pieces of its work
 * are still somewhere in the frame's body. When that count falls to zero the frame's head is asked again.
 */
final class FrameRun {

  final FrameEntry entry;
  final Object store;
  final Object first;
  /** The run of the enclosing frame that the input belonged to, or {@code null}. */
  final FrameRun parent;
  int outstanding;
  boolean done;
  /** Its head, end or emit failed: work still in the body is drained and ignored. */
  boolean failed;
  /** The result, once done (for an ordered frame, held until the earlier runs are emitted). */
  Envelope result;

  FrameRun(FrameEntry entry, Object store, Object first, FrameRun parent) {
    this.entry = entry;
    this.store = store;
    this.first = first;
    this.parent = parent;
  }

  void forked() {
    outstanding++;
  }

  void release() {
    if (--outstanding == 0 && !failed) {
      entry.idle(this);
    }
  }
}
