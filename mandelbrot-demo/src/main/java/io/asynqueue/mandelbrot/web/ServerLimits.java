package io.asynqueue.mandelbrot.web;

import java.time.Duration;

/**
 * What one {@link MandelbrotServer} takes on at most: renders at once (overall and per client address), the work of
 * one render, connections, and how long a connection may say nothing.
 *
 * @param maxRenders renders at once, overall; one more gets a 503 with {@code Retry-After}
 * @param maxRendersPerClient renders at once from one client address; one more gets a 429 with {@code Retry-After}
 * @param maxWork the largest render, in pixel-iterations: width x height x {@code values}; more gets a 400
 * @param maxConnections open connections at most; a connection beyond is closed as it opens
 * @param idleTimeout how long a connection may stay open with no request under way (its request head not yet all
 *     there, or between requests), before it is closed
 * @param h2c whether HTTP/2 over cleartext is accepted (off unless asked for)
 * @param maxTilesPerClient tiles ({@code GET /tile/...}) rendering at once for one client address; one more gets a
 *     429 with {@code Retry-After} (the page waits and asks again)
 */
public record ServerLimits(int maxRenders, int maxRendersPerClient, long maxWork, int maxConnections,
    Duration idleTimeout, boolean h2c, int maxTilesPerClient) {

  /** The largest render by default: the page's HD image (2048 px wide) at about 13,000 iterations. */
  public static final long DEFAULT_MAX_WORK = 50_000_000_000L;
  /** How long a connection may say nothing, by default. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Checks the limits.
   *
   * @param maxRenders renders at once, overall
   * @param maxRendersPerClient renders at once from one client address
   * @param maxWork the largest render, in pixel-iterations
   * @param maxConnections open connections at most
   * @param idleTimeout how long a connection may stay open with no request under way
   * @param h2c whether HTTP/2 over cleartext is accepted
   * @param maxTilesPerClient tiles rendering at once for one client address
   * @throws IllegalArgumentException if a count or the work is below 1 or the timeout not positive
   */
  public ServerLimits {
    if (maxRenders < 1 || maxRendersPerClient < 1 || maxWork < 1 || maxConnections < 1 || maxTilesPerClient < 1) {
      throw new IllegalArgumentException("limits must be at least 1");
    }
    if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("the idle timeout must be positive, not " + idleTimeout);
    }
  }

  /**
   * Limits with the default tiles per client address, {@value TileHandler#DEFAULT_MAX_PER_CLIENT}.
   *
   * @param maxRenders renders at once, overall
   * @param maxRendersPerClient renders at once from one client address
   * @param maxWork the largest render, in pixel-iterations
   * @param maxConnections open connections at most
   * @param idleTimeout how long a connection may stay open with no request under way
   * @param h2c whether HTTP/2 over cleartext is accepted
   * @throws IllegalArgumentException if a count or the work is below 1 or the timeout not positive
   */
  public ServerLimits(int maxRenders, int maxRendersPerClient, long maxWork, int maxConnections, Duration idleTimeout,
      boolean h2c) {
    this(maxRenders, maxRendersPerClient, maxWork, maxConnections, idleTimeout, h2c,
        TileHandler.DEFAULT_MAX_PER_CLIENT);
  }

  /**
   * These limits with another number of tiles rendering at once per client address.
   *
   * @param tiles tiles rendering at once for one client address, at least 1
   * @return the limits
   */
  public ServerLimits withMaxTilesPerClient(int tiles) {
    return new ServerLimits(maxRenders, maxRendersPerClient, maxWork, maxConnections, idleTimeout, h2c, tiles);
  }

  /**
   * The defaults, from this machine's cores: 2 renders per core overall, 1 per core (at least 2) per client,
   * {@value #DEFAULT_MAX_WORK} pixel-iterations, 64 connections per core, a 30 s idle timeout, no h2c,
   * {@value TileHandler#DEFAULT_MAX_PER_CLIENT} tiles per client address.
   *
   * @return the default limits
   */
  public static ServerLimits defaults() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new ServerLimits(2 * cores, Math.max(2, cores), DEFAULT_MAX_WORK, 64 * cores, DEFAULT_IDLE_TIMEOUT,
        false);
  }
}
