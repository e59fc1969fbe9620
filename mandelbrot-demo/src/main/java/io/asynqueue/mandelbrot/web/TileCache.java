package io.asynqueue.mandelbrot.web;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finished tile PNGs, least recently used first out, bounded by their bytes. Thread-safe (one lock; every
 * operation is a map operation or two).
 */
public final class TileCache {

  /**
   * What a tile is: its level, column, row and iteration budget.
   *
   * @param z the zoom level
   * @param x the column
   * @param y the row, from the top
   * @param n the iteration budget
   */
  public record Key(int z, long x, long y, int n) {
  }

  private final long maxBytes;
  /** In access order: the eldest is the least recently used. */
  private final LinkedHashMap<Key, byte[]> tiles = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;
  private long evicted;

  /**
   * An empty cache.
   *
   * @param maxBytes the most bytes of PNG it holds; 0 holds nothing
   */
  public TileCache(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be at least 0, not " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /**
   * A tile, if cached; it becomes the most recently used.
   *
   * @param key the tile
   * @return its PNG, or null
   */
  public synchronized byte[] get(Key key) {
    return tiles.get(key);
  }

  /**
   * Caches a tile, then evicts the least recently used tiles until the bytes fit. A tile larger than the whole
   * cache is not kept.
   *
   * @param key the tile
   * @param png its PNG
   */
  public synchronized void put(Key key, byte[] png) {
    if (png.length > maxBytes) {
      return;
    }
    byte[] old = tiles.put(key, png);
    bytes += png.length - (old == null ? 0 : old.length);
    Iterator<Map.Entry<Key, byte[]>> eldest = tiles.entrySet().iterator();
    while (bytes > maxBytes && eldest.hasNext()) {
      bytes -= eldest.next().getValue().length;
      eldest.remove();
      evicted++;
    }
  }

  /** @return the bytes of PNG held */
  public synchronized long bytes() {
    return bytes;
  }

  /** @return the tiles held */
  public synchronized int size() {
    return tiles.size();
  }

  /** @return the tiles evicted so far */
  public synchronized long evicted() {
    return evicted;
  }

  /** @return the most bytes it holds */
  public long maxBytes() {
    return maxBytes;
  }
}
