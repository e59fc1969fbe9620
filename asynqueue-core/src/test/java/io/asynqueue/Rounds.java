package io.asynqueue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Rounds of racing actions, in the style of jcstress: each round the main thread sets up a fresh state, releases
 * one long-lived thread per actor at once (they spin on a round counter, so they start together instead of
 * waking one by one from a park), waits for all of them, and hands the state to the check. Each actor first
 * spins a random few steps, so that the starting order varies from round to round.
 *
 * <p>Runs at least {@code minRounds} rounds, then more until {@code budget} has passed or {@code maxRounds} have
 * run: the coverage has a floor that does not depend on the machine's speed, and the time a ceiling that holds
 * on a fast one.
 *
 * @param <S> the state of one round
 */
public final class Rounds<S> {

  /** Rounds a stress test runs at least. */
  public static final int MIN_ROUNDS = 300;
  /** Rounds a stress test runs at most. */
  public static final int MAX_ROUNDS = 100_000;
  /** How long a stress test goes on after its first rounds, unless {@code -Dasynqueue.stress.millis} says. */
  public static final long DEFAULT_MILLIS = 1000;

  /** @return how long a stress test goes on after its first rounds */
  public static Duration budget() {
    return Duration.ofMillis(Long.getLong("asynqueue.stress.millis", DEFAULT_MILLIS));
  }

  private final Supplier<S> setup;
  private final List<Consumer<S>> actors;
  private volatile S state;
  private volatile int round;
  private volatile boolean stopped;
  private final AtomicInteger finished = new AtomicInteger();
  private volatile Throwable thrown;

  private Rounds(Supplier<S> setup, List<Consumer<S>> actors) {
    this.setup = setup;
    this.actors = actors;
  }

  /** A round's check: returns normally, or throws to end the run. */
  public interface Check<S> {
    void check(S state, int round);
  }

  /** @return the number of rounds run */
  public static <S> int run(int minRounds, int maxRounds, Duration budget, Supplier<S> setup, List<Consumer<S>> actors,
      Check<S> check) {
    return new Rounds<>(setup, actors).run(minRounds, maxRounds, budget, check);
  }

  private int run(int minRounds, int maxRounds, Duration budget, Check<S> check) {
    List<Thread> threads = new ArrayList<>();
    for (int a = 0; a < actors.size(); a++) {
      Consumer<S> actor = actors.get(a);
      Thread t = new Thread(() -> act(actor), "racer-" + a);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    long deadline = System.nanoTime() + budget.toNanos();
    int rounds = 0;
    try {
      while (rounds < maxRounds && (rounds < minRounds || System.nanoTime() < deadline)) {
        S s = setup.get();
        state = s;
        finished.set(0);
        round = rounds + 1; // releases the actors
        for (int spins = 0; finished.get() < actors.size(); spins++) {
          pause(spins);
        }
        rounds++;
        Throwable t = thrown;
        if (t != null) {
          throw new AssertionError("round " + rounds + ": an actor threw " + t, t);
        }
        check.check(s, rounds);
      }
    } finally {
      stopped = true;
      round = -1;
      for (Thread t : threads) {
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    return rounds;
  }

  private void act(Consumer<S> actor) {
    int done = 0;
    while (true) {
      int r;
      for (int spins = 0; (r = round) == done && !stopped; spins++) {
        pause(spins);
      }
      if (stopped) {
        return;
      }
      done = r;
      for (int i = ThreadLocalRandom.current().nextInt(64); i > 0; i--) {
        Thread.onSpinWait();
      }
      try {
        actor.accept(state);
      } catch (Throwable t) {
        thrown = t;
      }
      finished.incrementAndGet();
    }
  }

  /** Spins briefly, then yields: on two loaded cores a waiting thread must let the others run. */
  private static void pause(int spins) {
    if (spins < 100) {
      Thread.onSpinWait();
    } else {
      Thread.yield();
    }
  }
}
