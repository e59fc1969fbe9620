package io.asynqueue.remote.internal;

import java.time.Duration;

/** Argument checks shared by the remote module's options. */
public final class Checks {

  private Checks() {
  }

  /**
   * @param d a duration
   * @param name its name, for the message
   * @return {@code d}
   * @throws IllegalArgumentException if it is {@code null}, zero or negative
   */
  public static Duration positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
    return d;
  }
}
