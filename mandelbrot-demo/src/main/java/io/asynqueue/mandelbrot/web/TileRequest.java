package io.asynqueue.mandelbrot.web;

import io.asynqueue.mandelbrot.ViewSpec;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * What a {@code GET /tile/{z}/{x}/{y}.png?values=&p=&c=} asks for, checked (see {@link TileHandler}).
 *
 * @param key the tile and its iteration budget
 * @param spec its view: {@link TileHandler#SIZE} pixels square
 * @param p its priority, 0 (most wanted) to {@link TileHandler#MAX_PRIORITY}
 * @param client the client's name: {@code c}, or its address
 */
record TileRequest(TileCache.Key key, ViewSpec spec, int p, String client) {

  private static final Pattern CLIENT = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern INTEGER = Pattern.compile("[0-9]{1,20}");

  /**
   * Reads a request: the path's parameters are {@code param0} to {@code param2} (z, x, y).
   *
   * @throws IllegalArgumentException with a one-line reason fit for the client
   */
  static TileRequest of(RoutingContext rc, String address, long maxWork) {
    MultiMap params = rc.request().params();
    int z = (int) integer(rc.pathParam("param0"), "z", TileHandler.MAX_LEVEL, -1);
    long last = (1L << z) - 1;
    long x = integer(rc.pathParam("param1"), "x", last, -1);
    long y = integer(rc.pathParam("param2"), "y", last, -1);
    long big = integer(params.get("values"), "values", Long.MAX_VALUE, TileHandler.DEFAULT_VALUES);
    if (big < ViewSpec.MIN_VALUES || big > ViewSpec.MAX_VALUES) {
      throw new IllegalArgumentException("values must be " + ViewSpec.MIN_VALUES + " to " + ViewSpec.MAX_VALUES
          + ", not " + MandelbrotServer.clip(params.get("values")));
    }
    int n = (int) big;
    if ((long) TileHandler.SIZE * TileHandler.SIZE * n > maxWork) {
      throw new IllegalArgumentException("a tile at values=" + n + " is more than this server's " + maxWork
          + " pixel-iterations (mcm serve --max-work)");
    }
    int p = (int) integer(params.get("p"), "p", TileHandler.MAX_PRIORITY, 0);
    String client = params.get("c");
    if (client == null) {
      client = address;
    } else if (!CLIENT.matcher(client).matches()) {
      throw new IllegalArgumentException("c must be 1 to 64 of A-Z, a-z, 0-9, _ and -");
    }
    return new TileRequest(new TileCache.Key(z, x, y, n), spec(z, x, y, n), p, client);
  }

  /**
   * The view of a tile: {@link ViewSpec#of} from its centre and half-span, as {@code /image.png} makes it from
   * {@code cr}, {@code ci} and {@code crpm}. Every step is exact in doubles up to level
   * {@value TileHandler#MAX_LEVEL}: the span is a power of two and the centre a multiple of half of it.
   */
  static ViewSpec spec(int z, long x, long y, int n) {
    double s = 4.0 / (1L << z);
    double half = s / 2;
    double cr = -2.5 + (x + 0.5) * s;
    double ci = 2 - (y + 0.5) * s;
    return ViewSpec.of(TileHandler.SIZE, cr, ci, half, half, n);
  }

  /** A whole number from 0 to max; the fallback when absent, or a 400 if the fallback is -1. */
  private static long integer(String s, String name, long max, long fallback) {
    if (s == null || s.isEmpty()) {
      if (fallback < 0) {
        throw new IllegalArgumentException(name + " is missing");
      }
      return fallback;
    }
    if (!INTEGER.matcher(s).matches()) {
      throw new IllegalArgumentException(name + " must be a whole number, not '" + MandelbrotServer.clip(s) + "'");
    }
    long v;
    try {
      v = Long.parseLong(s);
    } catch (NumberFormatException e) {
      v = Long.MAX_VALUE;
    }
    if (v > max) {
      throw new IllegalArgumentException(name + " must be 0 to " + max + ", not " + MandelbrotServer.clip(s));
    }
    return v;
  }
}
