package io.asynqueue.process;

/** Where the lines a child's user code prints to {@code System.out} and {@code System.err} go. */
public enum ChildOutput {
  /**
   * To the SLF4J logger {@code io.asynqueue.process.child}: INFO for {@code System.out}, WARN for
   * {@code System.err}, each line labelled with the child (worker ID, generation and PID).
   */
  LOG,
  /** To this JVM's {@code System.err}, each line labelled with the child. */
  STDERR,
  /** Nowhere. */
  DISCARD
}
