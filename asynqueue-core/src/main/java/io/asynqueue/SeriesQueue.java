package io.asynqueue;

import java.util.Arrays;
import java.util.List;

/**
 * The queued jobs of one series, best (lowest priority, then oldest) first. Used under the queue's lock.
 *
 * <p>Jobs of one series usually arrive in priority order already (same niceness: the series' serial number
 * grows, and so does the sequence number), so they are kept in two parts: the in-order lane, a FIFO that only
 * takes a job no better than its last one and so stays sorted, and a binary heap for the rest (a doNext, a
 * retry, a lower niceness). The best job is the better of the two heads. A burst of plain calls costs O(1) per
 * job instead of a heap's O(log n) sift with its comparisons and cache misses.
 *
 * <p>Both parts are intrusive, so that any job can leave in O(1) (the lane is a list linked through
 * {@link JobImpl#prev} and {@link JobImpl#next}) or O(log n) (a heap job knows its {@link JobImpl#index}):
 * cancelling thousands of queued calls costs no scan of the queue per call. A job's index says where it is:
 * {@link #IN_LANE}, its place in the heap, or {@link #NOWHERE} (in no series' queue).
 */
final class SeriesQueue {

  private static final JobImpl[] EMPTY = new JobImpl[0];
  /** The index of a job in no series' queue. */
  static final int NOWHERE = -1;
  /** The index of a job in an in-order lane. */
  static final int IN_LANE = -2;
  /** The index of a job held by a worker (see WorkerSlot#hold). */
  static final int HELD = -3;

  final String name;
  /** The in-order lane, oldest first (its jobs' index is {@link #IN_LANE}). */
  private JobImpl head;
  private JobImpl tail;
  /** The out-of-order jobs, a binary min-heap in heap[0 .. heapSize). */
  private JobImpl[] heap = EMPTY;
  private int heapSize;
  private int size;
  /** Index in the scheduler's heap of non-empty series, or -1. */
  int slot = -1;
  /** The series' serial number: counts its calls (see CallOptions on priority). */
  long serial;
  /** Worker time its calls used, weighted by niceness, in nanoseconds at niceness 0 (see SeriesScheduler). */
  long vruntime;
  /** A moving average of its calls' worker time, in nanoseconds; 0 before the first ends. */
  long estimate;
  /** Its calls running. */
  int running;
  /** Its best call's rank (see SeriesScheduler#before) and id, kept by the scheduler while it is in the heap. */
  int headRank;
  long headId;

  SeriesQueue(String name) {
    this.name = name;
  }

  void add(JobImpl job) {
    size++;
    if (tail == null || job.compareTo(tail) >= 0) {
      job.index = IN_LANE;
      job.prev = tail;
      job.next = null;
      if (tail == null) {
        head = job;
      } else {
        tail.next = job;
      }
      tail = job;
    } else {
      if (heapSize == heap.length) {
        heap = Arrays.copyOf(heap, Math.max(8, heapSize * 2));
      }
      siftUp(heapSize++, job);
    }
  }

  /** @return the best job, or null if empty */
  JobImpl peek() {
    JobImpl a = head;
    JobImpl b = heapSize == 0 ? null : heap[0];
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) <= 0 ? a : b;
  }

  /** @return the best job, removed, or null if empty */
  JobImpl poll() {
    JobImpl best = peek();
    if (best != null) {
      remove(best);
    }
    return best;
  }

  /** Takes a job that is in this queue out of it: O(1) from the lane, O(log n) from the heap. */
  void remove(JobImpl job) {
    size--;
    int i = job.index;
    job.index = NOWHERE;
    if (i >= 0) {
      JobImpl moved = heap[--heapSize];
      heap[heapSize] = null;
      if (moved != job) {
        siftDown(i, moved);
        if (heap[i] == moved) {
          siftUp(i, moved);
        }
      }
      if (heap.length > 64 && heapSize < heap.length / 4) {
        heap = Arrays.copyOf(heap, heap.length / 2);
      }
      return;
    }
    JobImpl p = job.prev;
    JobImpl n = job.next;
    if (p == null) {
      head = n;
    } else {
      p.next = n;
    }
    if (n == null) {
      tail = p;
    } else {
      n.prev = p;
    }
    job.prev = null;
    job.next = null;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** Moves every job into {@code out} (lane first, then the heap, in no particular order) and empties this. */
  void drainTo(List<JobImpl> out) {
    for (JobImpl j = head, n; j != null; j = n) {
      n = j.next;
      j.prev = null;
      j.next = null;
      j.index = NOWHERE;
      out.add(j);
    }
    for (int i = 0; i < heapSize; i++) {
      heap[i].index = NOWHERE;
      out.add(heap[i]);
    }
    head = null;
    tail = null;
    heap = EMPTY;
    heapSize = 0;
    size = 0;
  }

  private void siftUp(int i, JobImpl job) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      JobImpl p = heap[parent];
      if (job.compareTo(p) >= 0) {
        break;
      }
      heap[i] = p;
      p.index = i;
      i = parent;
    }
    heap[i] = job;
    job.index = i;
  }

  private void siftDown(int i, JobImpl job) {
    int half = heapSize >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      JobImpl c = heap[child];
      int right = child + 1;
      if (right < heapSize && heap[right].compareTo(c) < 0) {
        child = right;
        c = heap[child];
      }
      if (job.compareTo(c) <= 0) {
        break;
      }
      heap[i] = c;
      c.index = i;
      i = child;
    }
    heap[i] = job;
    job.index = i;
  }
}
