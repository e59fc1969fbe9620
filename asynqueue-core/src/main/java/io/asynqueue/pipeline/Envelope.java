package io.asynqueue.pipeline;

/**
 * An element on its way through the pipeline, with the frame run it belongs to (or {@code null} outside any
 * frame). A map stage replaces the value in place; a stage that drops the element, or turns it into several,
 * tells the frame run so that it knows when its work is all done.
 */
final class Envelope {

  Object value;
  final FrameRun frame;

  Envelope(Object value, FrameRun frame) {
    this.value = value;
    this.frame = frame;
  }

  /** The element is gone (filtered, failed into the error handler, or consumed by a flatMap). */
  void dropped() {
    if (frame != null) {
      frame.release();
    }
  }

  /** One more element derived from this one is on its way (a flatMap child). */
  Envelope child(Object value) {
    if (frame != null) {
      frame.forked();
    }
    return new Envelope(value, frame);
  }
}
