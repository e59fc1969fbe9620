package io.asynqueue.remote.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The throttle's arithmetic, on a clock the test moves: blocks that double, per address, forgotten in time. */
final class AuthThrottleTest {

  static final long SECOND = 1_000_000_000L;

  @Test
  void anAddress_isBlockedAfterItsFailures_forTwiceAsLongEachTime_upToABound() {
    AuthThrottle t = new AuthThrottle(3, SECOND);
    long now = 0;
    assertThat(t.failed("10.0.0.9", now)).isZero();
    assertThat(t.failed("10.0.0.9", now)).isZero();
    assertThat(t.blocked("10.0.0.9", now)).isFalse();
    assertThat(t.failed("10.0.0.9", now)).isEqualTo(SECOND);
    assertThat(t.blocked("10.0.0.9", now + SECOND - 1)).isTrue();
    assertThat(t.blocked("10.0.0.8", now)).isFalse(); // another address
    assertThat(t.blocked("10.0.0.9", now + SECOND)).isFalse();
    now += SECOND;
    assertThat(t.failed("10.0.0.9", now)).isEqualTo(2 * SECOND);
    assertThat(t.failed("10.0.0.9", now)).isEqualTo(4 * SECOND);
    for (int i = 0; i < 10; i++) {
      t.failed("10.0.0.9", now);
    }
    assertThat(t.failed("10.0.0.9", now)).isEqualTo(SECOND << AuthThrottle.MAX_DOUBLINGS);
  }

  @Test
  void aSuccess_clearsAnAddress_andOldFailuresAreForgotten() {
    AuthThrottle t = new AuthThrottle(2, SECOND);
    t.failed("10.0.0.9", 0);
    t.succeeded("10.0.0.9");
    assertThat(t.failed("10.0.0.9", 0)).isZero(); // counting from 1 again
    long later = (AuthThrottle.FORGET_MINUTES * 60 + 1) * SECOND;
    assertThat(t.failed("10.0.0.9", later)).isZero(); // the first one is forgotten
    assertThat(t.failed("10.0.0.9", later)).isEqualTo(SECOND);
  }

  @Test
  void noThrottle_whenTurnedOff() {
    AuthThrottle t = new AuthThrottle(0, SECOND);
    for (int i = 0; i < 100; i++) {
      assertThat(t.failed("10.0.0.9", 0)).isZero();
    }
    assertThat(t.blocked("10.0.0.9", 0)).isFalse();
  }

  @Test
  void throttle_remembersABoundedNumberOfAddresses() {
    AuthThrottle t = new AuthThrottle(1, SECOND);
    for (int i = 0; i < AuthThrottle.MAX_ADDRESSES + 100; i++) {
      t.failed("a" + i, i);
    }
    assertThat(t.blocked("a0", 1000)).isFalse(); // the least recently failed went first
    assertThat(t.blocked("a" + (AuthThrottle.MAX_ADDRESSES + 99), AuthThrottle.MAX_ADDRESSES + 100)).isTrue();
    assertThat(t.size()).isEqualTo(AuthThrottle.MAX_ADDRESSES);
  }
}
