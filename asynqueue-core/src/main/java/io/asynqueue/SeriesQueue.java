package io.asynqueue;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The queued jobs of one series, best (lowest priority, then oldest) first. Used under the queue's lock.
 *
 * <p>Jobs of one series usually arrive in priority order already (same niceness: the series' serial number
 * grows, and so does the sequence number), so they are kept in two parts: {@link #inOrder}, a FIFO that only
 * takes a job no better than its last one and so stays sorted, and {@link #heap} for the rest (a doNext, a
 * retry, a lower niceness). The best job is the better of the two heads. A burst of plain calls costs O(1) per
 * job instead of a heap's O(log n) sift with its comparisons and cache misses.
 */
final class SeriesQueue {

  final String name;
  private final ArrayDeque<JobImpl> inOrder = new ArrayDeque<>();
  private final PriorityQueue<JobImpl> heap = new PriorityQueue<>();
  /** Index in the queue's list of non-empty series, or -1. */
  int slot = -1;

  SeriesQueue(String name) {
    this.name = name;
  }

  void add(JobImpl job) {
    JobImpl last = inOrder.peekLast();
    if (last == null || job.compareTo(last) >= 0) {
      inOrder.addLast(job);
    } else {
      heap.add(job);
    }
  }

  /** @return the best job, or null if empty */
  JobImpl peek() {
    JobImpl a = inOrder.peekFirst();
    JobImpl b = heap.peek();
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) <= 0 ? a : b;
  }

  /** @return the best job, removed, or null if empty */
  JobImpl poll() {
    JobImpl a = inOrder.peekFirst();
    JobImpl b = heap.peek();
    if (a != null && (b == null || a.compareTo(b) <= 0)) {
      return inOrder.pollFirst();
    }
    return heap.poll();
  }

  boolean isEmpty() {
    return inOrder.isEmpty() && heap.isEmpty();
  }

  int size() {
    return inOrder.size() + heap.size();
  }

  void forEach(Consumer<JobImpl> action) {
    inOrder.forEach(action);
    heap.forEach(action);
  }

  void clear() {
    inOrder.clear();
    heap.clear();
  }
}
